"""The profile access log is append-only: the application cannot edit or delete a row, and on PostgreSQL neither
can plain SQL (a trigger); firms and people with reads on record are protected from deletion."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from core.models import Bank
from enterprises.models import AppendOnlyError, ProfileAccessLog
from enterprises.services import profile_access_record
from enterprises.tests.factories import EnterpriseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    return profile_access_record(
        enterprise=EnterpriseFactory(), bank=Bank.objects.order_by("code").first(), user=UserFactory(),
        scope="profile", ip="10.0.0.8",
    )  # fmt: skip


def unchanged(log) -> bool:
    row = ProfileAccessLog.objects.values("scope", "ip_address", "user_id", "enterprise_id").get(pk=log.pk)
    return row == {"scope": "profile", "ip_address": "10.0.0.8", "user_id": log.user_id,
                   "enterprise_id": log.enterprise_id}  # fmt: skip


def test_saving_an_existing_row_raises(log):
    log.scope = "financials"
    with pytest.raises(AppendOnlyError):
        log.save()
    assert unchanged(log)


def test_deleting_a_row_raises(log):
    with pytest.raises(AppendOnlyError):
        log.delete()
    assert unchanged(log)


def test_queryset_update_delete_and_bulk_update_raise(log):
    rows = ProfileAccessLog.objects.filter(pk=log.pk)
    with pytest.raises(AppendOnlyError):
        rows.update(ip_address="1.2.3.4")
    with pytest.raises(AppendOnlyError):
        rows.delete()
    log.ip_address = "1.2.3.4"
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update's own block is not a savepoint
        ProfileAccessLog.objects.bulk_update([log], ["ip_address"])
    assert unchanged(log)


def test_new_rows_can_still_be_written(log):
    again = profile_access_record(enterprise=log.enterprise, bank=log.bank, user=log.user, scope="financials", ip=None)
    assert ProfileAccessLog.objects.filter(enterprise=log.enterprise).count() == 2
    assert again.pk != log.pk


def test_the_firm_and_the_viewer_of_a_logged_read_cannot_be_deleted(log):
    with pytest.raises(ProtectedError):
        log.enterprise.delete()
    with pytest.raises(ProtectedError):
        log.user.delete()
    assert unchanged(log)


@pytest.mark.postgres
def test_the_database_rejects_update_and_delete_even_past_the_application(require_postgres, log):
    table = ProfileAccessLog._meta.db_table
    for statement in (f"UPDATE {table} SET ip_address = '1.2.3.4' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [log.pk])
    # the ORM's internal fast delete, which skips the queryset guard, meets the trigger too
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProfileAccessLog.objects.filter(pk=log.pk)._raw_delete(connection.alias)
    assert unchanged(log)


@pytest.mark.postgres
def test_the_trigger_leaves_inserts_alone(require_postgres, log):
    table = ProfileAccessLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (enterprise_id, bank_id, user_id, scope, ip_address, accessed_at) "
            "VALUES (%s, %s, NULL, 'profile', NULL, now())",
            [log.enterprise_id, log.bank_id],
        )
    assert ProfileAccessLog.objects.filter(enterprise=log.enterprise).count() == 2
