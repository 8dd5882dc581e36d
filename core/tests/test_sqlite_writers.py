"""On the embedded SQLite default, concurrent writers wait for each other instead of failing (transaction_mode
IMMEDIATE, config.settings.base.database_settings): two threads each read, then write, in a transaction."""

import threading
import time

from django.db.backends.sqlite3.base import DatabaseWrapper

from config.settings.base import database_settings


def _connection(path):
    settings = database_settings(f"sqlite:///{path}")
    settings.update({"TIME_ZONE": None, "AUTOCOMMIT": True, "CONN_HEALTH_CHECKS": False, "TEST": {}})
    return DatabaseWrapper(settings, alias=f"writer-{threading.get_ident()}")


def test_two_writers_on_sqlite_both_commit(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():  # connections of its own, to a file of its own
        _two_writers(tmp_path)


def _two_writers(tmp_path):
    path = tmp_path / "db.sqlite3"
    setup = _connection(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    errors, started = [], threading.Barrier(2)

    def writer():
        connection = _connection(path)
        try:
            started.wait()
            connection.ensure_connection()
            connection._start_transaction_under_autocommit()  # what transaction.atomic() does on SQLite
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")  # read first, then write: the lock upgrade that fails
                (n,) = cursor.fetchone()
                time.sleep(0.2)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
                connection.commit()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = _connection(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (2,) and not errors, errors  # serialised: neither lost its update nor failed
    check.close()
