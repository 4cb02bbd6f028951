"""Early warnings (监测预警, DOMAIN-ROUND2 §3; docs/dashboards.md): the sources of the apps below the dashboard, and
the one list computed from every registered source (kernel/warnings.py).

Each source is a handful of set-based queries over its table, whatever the number of units, scoped by the user's
querysets (`visible_to`; None is the notice job's view of everything). Levels: overdue red, due within 7 days
orange, within 30 days yellow (commitments, SME payments); rectifications within 7 days; a case stage only once
overdue; a debt region at its worst tier; complaints: three in 90 days orange, five red; tender points at 80 % of the
next threshold orange.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.warnings import (
    ORANGE,
    RED,
    SEVERITY_ORDER,
    YELLOW,
    EarlyWarning,
    register_warning_source,
    severity_for_days,
    warning_sources,
)

SEVERITY_LABELS = {RED: gettext_lazy("Red"), ORANGE: gettext_lazy("Orange"), YELLOW: gettext_lazy("Yellow")}
WINDOW_DAYS = 30  # the furthest a due date is looked ahead
COMPLAINT_WINDOW_DAYS = 90
COMPLAINTS_ORANGE = 3
COMPLAINTS_RED = 5
TENDER_SHARE = Decimal("0.8")


_QS = TypeVar("_QS", bound=QuerySet[Any])


def _scoped(queryset: _QS, user: Any) -> _QS:
    return queryset if user is None else queryset.visible_to(user)  # type: ignore[attr-defined]


def _dated(
    *,
    kind: str,
    key: str,
    row: dict[str, Any],
    prefix: str,
    what: str,
    link: str,
    due: datetime.date,
    today: datetime.date,
    near: int = 7,
    soon: int = WINDOW_DAYS,
) -> EarlyWarning | None:
    days = (due - today).days
    severity = severity_for_days(days, near=near, soon=soon)
    if severity is None:
        return None
    return EarlyWarning(
        kind=kind,
        key=key,
        agency_id=row[f"{prefix}_id"],
        agency_name=row[f"{prefix}__name"],
        agency_path=row[f"{prefix}__path"],
        what=what,
        severity=severity,
        link=link,
        due_on=due,
        days_left=days,
    )


def _link(url_name: str) -> Callable[[int], str]:
    """reverse() once per source, not once per row: the URL with the row's id put in place of a marker."""
    template = reverse(url_name, args=[987654321])
    return lambda pk: template.replace("987654321", str(pk))


def _agency_fields(prefix: str) -> list[str]:
    return [f"{prefix}_id", f"{prefix}__name", f"{prefix}__path"]


# Commitments -------------------------------------------------------------------------------------------------------


def commitment_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from commitments.models import Commitment

    rows = (
        _scoped(Commitment.objects.open(), user)
        .filter(due_on__lte=today + datetime.timedelta(days=WINDOW_DAYS))
        .values("pk", "code", "title", "due_on", *_agency_fields("agency"))
    )
    text, link = _("Commitment %(code)s “%(title)s”"), _link("commitments:detail")
    for row in rows:
        warning = _dated(
            kind="commitment",
            key=f"commitment:{row['pk']}",
            row=row,
            prefix="agency",
            what=text % {"code": row["code"], "title": row["title"]},
            link=link(row["pk"]),
            due=row["due_on"],
            today=today,
        )
        if warning is not None:
            yield warning


# SME payments ------------------------------------------------------------------------------------------------------


def payment_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from sectors.models.procurement import OPEN_OBLIGATION_STATUSES, PaymentObligation

    rows = (
        _scoped(PaymentObligation.objects.all(), user)
        .filter(
            is_sme=True,
            status__in=OPEN_OBLIGATION_STATUSES,
            due_on__isnull=False,
            due_on__lte=today + datetime.timedelta(days=WINDOW_DAYS),
        )
        .values("pk", "label", "due_on", "contract_id", "contract__number", *_agency_fields("agency"))
    )
    text, link = _("Payment to an SME: %(label)s of contract %(number)s"), _link("sectors:procurement_contract")
    for row in rows:
        warning = _dated(
            kind="sme_payment",
            key=f"sme_payment:{row['pk']}",
            row=row,
            prefix="agency",
            what=text % {"label": row["label"], "number": row["contract__number"]},
            link=link(row["contract_id"]),
            due=row["due_on"],
            today=today,
        )
        if warning is not None:
            yield warning


# Rectifications ----------------------------------------------------------------------------------------------------


def rectification_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from records.models import MeasureState, Rectification

    subject = "measure__record__subject_agency"
    rows = (
        _scoped(Rectification.objects.all(), user)
        .filter(
            submitted_at__isnull=True,
            measure__state=MeasureState.ACTIVE,
            deadline__lte=today + datetime.timedelta(days=7),
        )
        .values("pk", "deadline", "measure__record_id", "measure__record__document_number", *_agency_fields(subject))
    )
    text, link = _("Rectification under record %(number)s"), _link("records:record_detail")
    for row in rows:
        warning = _dated(
            kind="rectification",
            key=f"rectification:{row['pk']}",
            row=row,
            prefix=subject,
            what=text % {"number": row["measure__record__document_number"]},
            link=link(row["measure__record_id"]),
            due=row["deadline"],
            today=today,
            soon=7,
        )
        if warning is not None:
            yield warning


# Objections, complaints and credit repair: a stage overdue ---------------------------------------------------------


def case_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from repair.models import Complaint, Objection, RepairApplication

    subject = "record__subject_agency"
    kinds: list[tuple[str, Any, str, str]] = [
        ("objection", Objection, "repair:objection_detail", _("Objection to record %(number)s: stage overdue")),
        ("complaint", Complaint, "repair:complaint_detail", _("Complaint about record %(number)s: stage overdue")),
        ("repair", RepairApplication, "repair:repair_detail", _("Credit repair of record %(number)s: stage overdue")),
    ]
    for name, model, url_name, text in kinds:
        rows = (
            _scoped(model.objects.all(), user)
            .filter(closed_at__isnull=True, stage_due_on__lt=today)
            .values("pk", "stage_due_on", "record__document_number", *_agency_fields(subject))
        )
        link = _link(url_name)
        for row in rows:
            warning = _dated(
                kind="case_stage",
                key=f"{name}:{row['pk']}",
                row=row,
                prefix=subject,
                what=text % {"number": row["record__document_number"]},
                link=link(row["pk"]),
                due=row["stage_due_on"],
                today=today,
            )
            if warning is not None:
                yield warning


# Three or more complaints about one unit in 90 days ---------------------------------------------------------------


def complaint_cluster_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from repair.models import Complaint

    subject = "record__subject_agency"
    since = today - datetime.timedelta(days=COMPLAINT_WINDOW_DAYS - 1)
    rows = (
        _scoped(Complaint.objects.all(), user)
        .filter(created_at__date__gte=since, created_at__date__lte=today)
        .order_by()
        .values(*_agency_fields(subject))
        .annotate(count=Count("pk", distinct=True), first=Min("created_at"))
        .filter(count__gte=COMPLAINTS_ORANGE)
    )
    for row in rows:
        yield EarlyWarning(
            kind="complaint_cluster",
            # Once per unit and the day the run of complaints began (a later run is a new warning).
            key=f"complaints:{row[f'{subject}_id']}:{row['first']:%Y%m%d}",
            agency_id=row[f"{subject}_id"],
            agency_name=row[f"{subject}__name"],
            agency_path=row[f"{subject}__path"],
            what=_("%(count)d complaints in %(days)d days") % {"count": row["count"], "days": COMPLAINT_WINDOW_DAYS},
            severity=RED if row["count"] >= COMPLAINTS_RED else ORANGE,
            link=reverse("repair:case_queue") + "?kind=complaint",
        )


# Government debt: a region at a risk tier --------------------------------------------------------------------------


def debt_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from sectors.models.debt import DebtRegionYear, RiskTierRule
    from sectors.services.debt import debt_indicators

    rules = list(RiskTierRule.objects.all())
    rows = (
        _scoped(DebtRegionYear.objects.published(), user)
        .with_indicators(today)
        .select_related("region")
        .order_by("region_id", "-year")
    )
    seen: set[int] = set()
    for row in rows:
        if row.region_id in seen:
            continue
        seen.add(row.region_id)  # the latest published year of each region
        assessment = debt_indicators(row, rules=rules)
        if assessment.tier not in (RED, ORANGE, YELLOW):
            continue
        yield EarlyWarning(
            kind="debt_tier",
            key=f"debt:{row.region_id}:{row.year}",
            agency_id=row.region_id,
            agency_name=row.region.name,
            agency_path=row.region.path,
            what=_("Debt risk tier %(tier)s in %(year)d (debt ratio %(ratio)s)")
            % {"tier": assessment.tier_label, "year": row.year, "ratio": assessment.percents.get("debt_ratio", "—")},
            severity=assessment.tier,
            link=reverse("sectors:debt_years"),
        )


# Tendering: points at 80 % of a threshold --------------------------------------------------------------------------


def tender_warnings(user: Any, today: datetime.date) -> Iterator[EarlyWarning]:
    from sectors.models.tendering import ScoringThreshold, TenderParty, ThresholdBasis
    from sectors.services.tendering import current_scheme, parties_with_scores

    scheme = current_scheme(today)
    if scheme is None:
        return
    thresholds: dict[str, list[int]] = {}
    for kind, points in ScoringThreshold.objects.filter(scheme=scheme, basis=ThresholdBasis.CUMULATIVE).values_list(
        "party_kind", "points"
    ):
        thresholds.setdefault(kind, []).append(points)
    if not thresholds:
        return
    parties = (
        parties_with_scores(_scoped(TenderParty.objects.all(), user), today)
        .filter(kind__in=list(thresholds))
        .filter(**{"score__gt": 0})
        .select_related("registered_by")
    )
    for party in parties:
        score = int(getattr(party, "score"))  # noqa: B009 - an annotation
        above = sorted(p for p in thresholds[party.kind] if p > score)
        if not above or Decimal(score) < TENDER_SHARE * above[0]:
            continue
        unit = party.registered_by
        yield EarlyWarning(
            kind="tender_points",
            key=f"tender:{party.pk}:{above[0]}",
            agency_id=unit.pk,
            agency_name=unit.name,
            agency_path=unit.path,
            # public_name masks an expert's name: the list may be read by those who do not read people.
            what=_("%(party)s has %(score)d of %(threshold)d points")
            % {"party": party.public_name, "score": score, "threshold": above[0]},
            severity=ORANGE,
            link=reverse("sectors:tendering_parties"),
        )


# The list ----------------------------------------------------------------------------------------------------------


def register_builtin_sources() -> None:
    register_warning_source("commitment", gettext_lazy("Commitment due or overdue"), commitment_warnings)
    register_warning_source("sme_payment", gettext_lazy("SME payment due or overdue"), payment_warnings)
    register_warning_source("rectification", gettext_lazy("Rectification due or overdue"), rectification_warnings)
    register_warning_source("case_stage", gettext_lazy("Case stage overdue"), case_warnings)
    register_warning_source("complaint_cluster", gettext_lazy("Repeated complaints"), complaint_cluster_warnings)
    register_warning_source("debt_tier", gettext_lazy("Debt risk tier"), debt_warnings)
    register_warning_source("tender_points", gettext_lazy("Tender points near a threshold"), tender_warnings)


def kind_labels() -> dict[str, str]:
    return {source.code: str(source.label) for source in warning_sources()}


def _order(warning: EarlyWarning) -> tuple[int, int, str]:
    days = warning.days_left if warning.days_left is not None else 10**6
    return (SEVERITY_ORDER.index(warning.severity), days, warning.key)


def warnings_for(user: Any, today: datetime.date, *, kinds: Iterable[str] | None = None) -> list[EarlyWarning]:
    """Every registered source's warnings in `user`'s scope (None: everything), worst and most urgent first."""
    wanted = set(kinds) if kinds else None
    found: list[EarlyWarning] = []
    for source in warning_sources():
        if wanted is None or source.code in wanted:
            found.extend(source.fetch(user, today))
    return sorted(found, key=_order)


def scope_key(user: Any) -> str:
    """What decides a user's view of the data: role, agency, sector (the cache keys of the dashboards)."""
    return f"{user.role}:{user.agency_id or 0}:{user.sector or '-'}:{int(user.is_administrator)}"


def recent_warnings(user: Any, today: datetime.date) -> list[EarlyWarning]:
    """`warnings_for`, kept for DASHBOARD_CACHE_SECONDS per scope and day: what the home page shows (the warnings
    page itself always computes afresh)."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return warnings_for(user, today)
    key = f"dashboard:warnings:{scope_key(user)}:{today.isoformat()}"
    found: list[EarlyWarning] | None = cache.get(key)
    if found is None:
        found = warnings_for(user, today)
        cache.set(key, found, seconds)
    return found


@dataclass(frozen=True)
class WarningCounts:
    total: int
    by_severity: dict[str, int]
    by_kind: dict[str, int]


def warning_counts(warnings: list[EarlyWarning]) -> WarningCounts:
    by_severity = dict.fromkeys(SEVERITY_ORDER, 0)
    by_kind: dict[str, int] = {}
    for warning in warnings:
        by_severity[warning.severity] += 1
        by_kind[warning.kind] = by_kind.get(warning.kind, 0) + 1
    return WarningCounts(total=len(warnings), by_severity=by_severity, by_kind=by_kind)
