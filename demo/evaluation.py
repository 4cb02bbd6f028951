"""The evaluation of the demo city (`demo_evaluation`): the default indicator sets of last year and this year, last
year's year-end assessment frozen (so ranks have a change), this year's mid-year check with manual points and frozen,
and this year's year-end assessment open and live."""

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from evaluation.defaults import default_set
from evaluation.models import FormulaType, Half, Indicator, Period
from evaluation.services.manual import manual_score_enter
from evaluation.services.periods import period_create, period_freeze
from subjects.models import Agency, AgencyKind


def demo_evaluation_loaded() -> bool:
    return Period.objects.exists()


def _evidence() -> "ContentFile[bytes]":
    return ContentFile(b"%PDF-1.4\n% demo evidence\n", name="证明材料.pdf")


def demo_evaluation(users: dict[str, Any]) -> str:
    office = users["demo-city-office"]
    year = timezone.localdate().year
    last = period_create(actor=office, year=year - 1, half=Half.YEAR_END, indicator_set=default_set(year - 1))
    period_freeze(actor=office, period=last)
    current = default_set(year)
    mid = period_create(actor=office, year=year, half=Half.MID_YEAR, indicator_set=current)
    period_create(actor=office, year=year, half=Half.YEAR_END, indicator_set=current)
    manual = {i.code: i for i in Indicator.objects.filter(indicator_set=current, formula=FormulaType.MANUAL)}
    units = list(
        Agency.objects.filter(active=True, kind__in=[AgencyKind.DEPARTMENT, AgencyKind.SUBDISTRICT]).order_by("pk")[:4]
    )
    entered = 0
    for n, unit in enumerate(units):
        manual_score_enter(
            actor=office,
            period=mid,
            agency=unit,
            indicator=manual["F1" if n % 2 == 0 else "A3"],
            points=Decimal("2.5") if n % 2 == 0 else Decimal(4),
            note="信用承诺制经验做法被省发展改革委推广。" if n % 2 == 0 else "全员诚信教育培训覆盖率96%。",
            evidence=_evidence(),
        )
        entered += 1
    snapshot = period_freeze(actor=office, period=mid)
    return f"{Period.objects.count()} periods, {entered} manual scores, snapshot {snapshot.sha256[:12]}"
