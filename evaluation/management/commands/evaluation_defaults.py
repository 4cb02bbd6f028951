"""`manage.py evaluation_defaults [--year Y] [--periods]`: the default indicator set (and this year's periods)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from evaluation.defaults import default_set
from evaluation.models import Half, Period
from evaluation.services.periods import period_create


class Command(BaseCommand):
    help = "Creates the default indicator set of a year (once) and, with --periods, its mid-year and year-end periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--periods", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year
        indicator_set = default_set(year)
        self.stdout.write(f"indicator set {indicator_set.pk}: {indicator_set}")
        if options["periods"]:
            for half in (Half.MID_YEAR, Half.YEAR_END):
                if not Period.objects.filter(year=year, half=half).exists():
                    period = period_create(actor=None, year=year, half=half, indicator_set=indicator_set)
                    self.stdout.write(f"period {period.pk}: {period}")
