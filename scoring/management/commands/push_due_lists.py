from django.core.management.base import BaseCommand

from scoring.notice import runs_release_due


class Command(BaseCommand):
    help = (
        "向银行推送公示期已满的评分结果(无 Celery beat 时可由 cron 每日运行)。 / "
        "Release to banks the published runs whose notice period has ended (cron this without Celery beat)."
    )

    def handle(self, *args, **options):
        released = runs_release_due()
        if released:
            self.stdout.write("released runs: " + ", ".join(f"#{pk}" for pk in released))
        else:
            self.stdout.write("no run is due")
