from django.core.management.base import BaseCommand, CommandError

from demo.loans import demo_loan_book_create
from demo.services import demo_batch_get_or_create, demo_firms_create, demo_organisations_create


class Command(BaseCommand):
    help = (
        "生成演示企业:N 家企业,每家一份已审核的2024年度填报(批量写入)。 / Generate N demo firms with approved filings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--firms", type=int, required=True, help="number of enterprises to add")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (same seed, same population)")

    def handle(self, *args, firms: int, seed: int, **options):
        if firms <= 0:
            raise CommandError("--firms must be a positive number")
        demo_organisations_create()
        report = demo_firms_create(firms=firms, seed=seed, batch=demo_batch_get_or_create())
        book = demo_loan_book_create(enterprise_ids=report.enterprise_ids, strength=report.strength, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {report.firms:,} firms in batch '{report.batch}' in {report.seconds:.1f} s "
                f"({report.firms / report.seconds:,.0f} firms/s); {book:,} earlier loans with their outcomes."
            )
        )
