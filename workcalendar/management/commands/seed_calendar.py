from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workcalendar.services import calendar_seed_supported_years


class Command(BaseCommand):
    help = "Configure every year the holiday library covers (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-year", type=int, default=2019)

    def handle(self, *args: Any, **options: Any) -> None:
        years = calendar_seed_supported_years(first_year=options["from_year"])
        self.stdout.write(
            f"Working-day calendar configured for {years[0]}–{years[-1]}." if years else "Nothing to seed."
        )
