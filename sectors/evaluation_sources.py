"""What the evaluation reads from the sector duties (kernel/sources.py): GROUP BYs over every unit at once."""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kernel.sources import RATE, VALUE, Item, Measure, Source, source_register
from sectors.models import (
    CreationApplication,
    DebtDisclosure,
    DebtRegionYear,
    DebtRepayment,
    InvestmentObligation,
    Payment,
    PaymentObligation,
    PppPaymentObligation,
)
from sectors.models.investment import ObligationStatus as InvestmentStatus
from sectors.models.procurement import ObligationStatus
from sectors.models.streets import CreationStatus
from subjects.models import Agency, AgencyKind


def _ids(ids: Sequence[int] | None, field: str) -> Q:
    return Q() if ids is None else Q(**{f"{field}__in": list(ids)})


# -- C2 SME payments -----------------------------------------------------------------------------------------------


def sme_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """C2: the amount owed to SMEs falling due in the period (yuan) against the amount paid by the legal due date;
    "arrears": instalments still overdue at the period end (status as it stands now)."""
    due = PaymentObligation.objects.filter(_ids(ids, "agency_id"), is_sme=True, due_on__gte=start, due_on__lte=end)
    totals = dict(due.order_by().values_list("agency_id").annotate(s=Sum("amount")))
    paid = dict(
        Payment.objects.filter(
            _ids(ids, "obligation__agency_id"),
            obligation__is_sme=True,
            obligation__due_on__gte=start,
            obligation__due_on__lte=end,
            late_days=0,
        )
        .order_by()
        .values_list("obligation__agency_id")
        .annotate(s=Sum("amount"))
    )
    arrears = dict(
        PaymentObligation.objects.filter(
            _ids(ids, "agency_id"), is_sme=True, status=ObligationStatus.OVERDUE, due_on__lt=end
        )
        .order_by()
        .values_list("agency_id")
        .annotate(n=Count("pk"))
    )
    result: dict[int, Measure] = {}
    for agency_id in set(totals) | set(arrears):
        total = int(totals.get(agency_id) or 0)
        good = min(total, int(paid.get(agency_id) or 0))
        levels = {"arrears": arrears[agency_id]} if arrears.get(agency_id) else {}
        result[agency_id] = Measure(total=total, good=good, by_level=levels)
    return result


def sme_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = PaymentObligation.objects.filter(
        Q(due_on__gte=start, due_on__lte=end) | Q(status=ObligationStatus.OVERDUE, due_on__lt=end),
        agency_id=agency_id,
        is_sme=True,
    ).select_related("contract")[:200]
    return [
        Item(
            label=f"{o.contract} · {o.label} · {o.amount} 元",
            url=reverse("sectors:procurement_contract", args=[o.contract_id]),
            good=o.status == ObligationStatus.SETTLED,
            level="arrears" if o.status == ObligationStatus.OVERDUE else "",
            on=o.due_on,
        )
        for o in rows
    ]


# -- C3 PPP and investment obligations -----------------------------------------------------------------------------


def obligations_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """C3: PPP payments and investment-promotion obligations falling due in the period, met on time."""
    counts: dict[int, list[int]] = {}
    ppp = (
        PppPaymentObligation.objects.filter(_ids(ids, "project__agency_id"), due_on__gte=start, due_on__lte=end)
        .order_by()
        .values_list("project__agency_id")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(late=False, paid_on__isnull=False)))
    )
    investment = (
        InvestmentObligation.objects.filter(_ids(ids, "agreement__agency_id"), due_on__gte=start, due_on__lte=end)
        .exclude(status=InvestmentStatus.CHANGED)
        .order_by()
        .values_list("agreement__agency_id")
        .annotate(
            n=Count("pk"),
            good=Count("pk", filter=Q(status=InvestmentStatus.FULFILLED, fulfilled_on__lte=end)),
        )
    )
    for rows in (ppp, investment):
        for agency_id, n, good in rows:
            pair = counts.setdefault(agency_id, [0, 0])
            pair[0] += n
            pair[1] += good
    return {a: Measure(total=n, good=good) for a, (n, good) in counts.items()}


def obligations_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    items = [
        Item(
            label=f"{p.project} · {p.year} · {p.amount_due} 万元",
            url=reverse("sectors:ppp_detail", args=[p.project_id]),
            good=not p.late and p.paid_on is not None,
            on=p.due_on,
        )
        for p in PppPaymentObligation.objects.filter(
            project__agency_id=agency_id, due_on__gte=start, due_on__lte=end
        ).select_related("project")[:100]
    ]
    items += [
        Item(
            label=f"{o.agreement} · {o.description[:40]}",
            url=reverse("sectors:investment_detail", args=[o.agreement_id]),
            good=o.status == InvestmentStatus.FULFILLED,
            on=o.due_on,
        )
        for o in InvestmentObligation.objects.filter(
            agreement__agency_id=agency_id, due_on__gte=start, due_on__lte=end
        ).select_related("agreement")[:100]
    ]
    return items


# -- C4 debt ------------------------------------------------------------------------------------------------------


def debt_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """C4: the region's debt ratio (balance ÷ comprehensive fiscal capacity, %) of the latest year up to the period's;
    "late_disclosure": disclosures made late in the period; "default": repayments defaulted falling due in it."""
    years = DebtRegionYear.objects.filter(
        _ids(ids, "region_id"), year__lte=end.year, year__gte=end.year - 1
    ).values_list("region_id", "year", "balance_general", "balance_special", "fiscal_capacity")
    ratio: dict[int, tuple[int, Decimal]] = {}
    for region_id, year, general, special, capacity in years:
        if region_id in ratio and ratio[region_id][0] > year:
            continue
        value = (Decimal(general) + Decimal(special)) * 100 / Decimal(capacity) if capacity else Decimal(999)
        ratio[region_id] = (year, value.quantize(Decimal("0.01")))
    late = dict(
        DebtDisclosure.objects.filter(
            _ids(ids, "region_id"), disclosed_on__gte=start, disclosed_on__lte=end, days_late__gt=0
        )
        .order_by()
        .values_list("region_id")
        .annotate(n=Count("pk"))
    )
    defaults = dict(
        DebtRepayment.objects.filter(_ids(ids, "bond__region_id"), defaulted=True, due_on__gte=start, due_on__lte=end)
        .order_by()
        .values_list("bond__region_id")
        .annotate(n=Count("pk"))
    )
    result: dict[int, Measure] = {}
    for region_id in set(ratio) | set(late) | set(defaults):
        levels = {
            k: v for k, v in (("late_disclosure", late.get(region_id, 0)), ("default", defaults.get(region_id, 0))) if v
        }
        found = ratio[region_id][1] if region_id in ratio else None
        result[region_id] = Measure(total=sum(levels.values()), by_level=levels, value=found)
    return result


def debt_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    url = reverse("sectors:debt_years") + f"?region={agency_id}"
    items = [
        Item(label=f"{d.deadline} · 迟延 {d.days_late} 天", url=url, level="late_disclosure", on=d.disclosed_on)
        for d in DebtDisclosure.objects.filter(
            region_id=agency_id, disclosed_on__gte=start, disclosed_on__lte=end, days_late__gt=0
        ).select_related("deadline")[:100]
    ]
    items += [
        Item(label=f"{r.bond} · {r.due_on} 违约", url=url, level="default", on=r.due_on)
        for r in DebtRepayment.objects.filter(
            bond__region_id=agency_id, defaulted=True, due_on__gte=start, due_on__lte=end
        ).select_related("bond")[:100]
    ]
    return items


# -- F2 honest streets and towns -----------------------------------------------------------------------------------

STREET_KINDS = (AgencyKind.SUBDISTRICT, AgencyKind.TOWN)


def named_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """F2: 1 for a street or town named 诚信街道/乡镇 and not revoked by the period end, 0 for the others."""
    streets = Agency.objects.filter(_ids(ids, "pk"), active=True, kind__in=STREET_KINDS).values_list("pk", flat=True)
    named = set(
        CreationApplication.objects.filter(
            _ids(ids, "agency_id"), status=CreationStatus.NAMED, named_on__lte=end
        ).values_list("agency_id", flat=True)
    )
    return {a: Measure(total=1, good=1 if a in named else 0, value=Decimal(1 if a in named else 0)) for a in streets}


def named_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    return [
        Item(label=f"{a.year} · {a.get_status_display()}", url="", good=a.status == CreationStatus.NAMED, on=a.named_on)
        for a in CreationApplication.objects.filter(agency_id=agency_id).order_by("-year")[:10]
    ]


def register() -> None:
    source_register(
        Source(
            code="sectors.sme_paid_on_time",
            label=_("SME payments made by the legal due date (by amount), arrears at the period end"),
            kind=RATE,
            fetch=sme_fetch,
            items=sme_items,
            levels=("arrears",),
        )
    )
    source_register(
        Source(
            code="sectors.obligations_met",
            label=_("PPP and investment-promotion obligations met on time"),
            kind=RATE,
            fetch=obligations_fetch,
            items=obligations_items,
        )
    )
    source_register(
        Source(
            code="sectors.debt_tier",
            label=_("Debt ratio, late disclosures and defaults"),
            kind=VALUE,
            fetch=debt_fetch,
            items=debt_items,
            levels=("late_disclosure", "default"),
        )
    )
    source_register(
        Source(
            code="sectors.honest_named",
            label=_("Named an honest street or town"),
            kind=VALUE,
            fetch=named_fetch,
            items=named_items,
        )
    )
