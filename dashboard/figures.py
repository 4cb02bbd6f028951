"""The supervisors' figures (docs/dashboards.md): tiles, charts and overdue lists for the credit-office leader, and the
city leader's screen. Every figure is a GROUP BY over its table by unit inside the user's scope and the node drilled
into (a handful of queries whatever the number of units or rows), rolled up in Python to the node's children
(region → district → unit) through the agencies' tree paths. Results are cached briefly, keyed by scope and node.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Role, Sector, User
from commitments.models import OPEN_STATUSES, Commitment, CommitmentStatus
from dashboard.warnings import scope_key, warning_counts, warnings_for
from evaluation.models import Indicator, VetoKind
from evaluation.selectors import GRADES, latest_period, latest_scores
from kernel.warnings import RED
from outbox.models import OutboxStatus, PlatformChange
from records.models import DishonestyRecord, RecordStatus, Rectification, Severity
from records.models.dishonesty import IN_FORCE_STATUSES, VERIFIED_STATUSES
from repair.models import Complaint, Objection, RepairApplication
from sectors.models.debt import DebtIndicator, DebtRegionYear, RiskTierRule
from sectors.models.procurement import Payment, PaymentObligation
from sectors.services.debt import debt_indicators, rule_in_force
from subjects.models import Agency

LIST_LIMIT = 50
SEVERITIES = [Severity.SERIOUS, Severity.GENERAL, Severity.MINOR]
LEADER_ROLES = frozenset({Role.CREDIT_OFFICE, Role.INSPECTOR})


def may_see_leader_dashboard(user: AnyUser) -> bool:
    """Credit offices (staff and leaders) and inspectors of a region, and administrators."""
    return (
        isinstance(user, User)
        and user.is_active
        and (user.is_administrator or (user.role in LEADER_ROLES and user.agency_id is not None))
    )


def may_see_city_page(user: AnyUser) -> bool:
    """The city's leaders: the city's credit office and inspectors (their agency is a tree's root), administrators."""
    if not may_see_leader_dashboard(user):
        return False
    assert isinstance(user, User)
    return user.is_administrator or (user.agency is not None and user.agency.parent_id is None)


# Scope and the node drilled into -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Where the figures are drawn: `agency` (None: every tree, an administrator's top) and its children."""

    agency: Agency | None
    path: str  # "" for every tree
    breadcrumbs: list[Agency]


def node_for(user: User, node_id: int | None) -> Node | None:
    """The node `user` asked for, or the top of their scope; None when it lies outside (the view answers 404)."""
    scope = Agency.objects.visible_to(user)
    if node_id is None:
        if user.is_administrator:
            return Node(agency=None, path="", breadcrumbs=[])
        top = user.agency
        assert top is not None
        return Node(agency=top, path=top.path, breadcrumbs=[top])
    agency = scope.filter(pk=node_id).first()
    if agency is None:
        return None
    top_path = "" if user.is_administrator or user.agency is None else user.agency.path
    chain = [int(part) for part in agency.path.strip("/").split("/") if part]
    ancestors = Agency.objects.in_bulk(chain)
    crumbs = [ancestors[pk] for pk in chain if pk in ancestors and ancestors[pk].path.startswith(top_path)]
    return Node(agency=agency, path=agency.path, breadcrumbs=crumbs)


def _child_key(path: str, node_path: str) -> int | None:
    """The id of the node's child on the way to `path` (the node itself when `path` is the node's own)."""
    if not path.startswith(node_path):
        return None
    rest = path[len(node_path) :].strip("/")
    if not rest:
        return -1  # the node's own rows
    return int(rest.split("/", 1)[0])


class Rollup:
    """Sums figures keyed by agency id up to the node's children."""

    def __init__(self, node: Node, agencies: dict[int, tuple[str, str]]) -> None:
        self.node = node
        self.agencies = agencies  # id -> (path, name)

    def child(self, agency_id: int) -> int | None:
        found = self.agencies.get(agency_id)
        return None if found is None else _child_key(found[0], self.node.path)


_QS = TypeVar("_QS", bound=QuerySet[Any])


def _in_node(queryset: _QS, node: Node, field: str) -> _QS:
    return queryset if not node.path else queryset.filter(**{f"{field}__path__startswith": node.path})


# The leader's dashboard ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """One figure as a table: what the page shows under the chart and what its Excel export holds."""

    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # one drill-down link per row (or "")


def _month_starts(today: datetime.date, months: int = 12) -> list[datetime.date]:
    first = today.replace(day=1)
    out = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(datetime.date(year, month + 1, 1))
    return out


def _record_list(agency_id: int, **params: str) -> str:
    query = "&".join([f"subtree_of={agency_id}", *[f"{k}={v}" for k, v in params.items()]])
    return f"{reverse('records:record_list')}?{query}"


def leader_figures(user: User, node: Node, *, today: datetime.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    key = f"dashboard:leader:{scope_key(user)}:{node.path or '-'}:{day.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    data = _leader_figures(user, node, day)
    _with_evaluation(data, evaluation_panels(user, node), ("heat", "grades", "ranking"))
    if settings.DASHBOARD_CACHE_SECONDS > 0:
        cache.set(key, data, settings.DASHBOARD_CACHE_SECONDS)
    return data


def _agencies_under(node: Node) -> dict[int, tuple[str, str]]:
    rows = Agency.objects.all() if not node.path else Agency.objects.filter(path__startswith=node.path)
    return {pk: (path, name) for pk, path, name in rows.values_list("pk", "path", "name")}


def _with_evaluation(data: dict[str, Any], panels: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Adds the evaluation's tables (exported like the others) and charts to a dashboard's figures."""
    data["evaluation_period"] = panels["period"]
    data["evaluation"] = [(key, panels["tables"][key]) for key in keys if key in panels["tables"]]
    data["tables"].update({key: table for key, table in data["evaluation"]})
    data["charts"].update(panels["charts"])


def _leader_figures(user: User, node: Node, day: datetime.date) -> dict[str, Any]:
    as_of = timezone.localtime()
    agencies = _agencies_under(node)
    rollup = Rollup(node, agencies)
    names = {pk: name for pk, (_path, name) in agencies.items()}
    parents = {int(part) for path, _name in agencies.values() for part in path.strip("/").split("/")[:-1]}
    per_child: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))

    records = _in_node(DishonestyRecord.objects.visible_to(user), node, "subject_agency")

    # Records in force by severity and by sector, waiting to be verified (one GROUP BY).
    by_severity = dict.fromkeys([str(s) for s in SEVERITIES], 0)
    by_sector: dict[str, int] = defaultdict(int)
    to_verify = 0
    for row in (
        records.filter(status__in=[*IN_FORCE_STATUSES, RecordStatus.SUBMITTED])
        .order_by()
        .values("subject_agency_id", "severity", "sector", "status")
        .annotate(n=Count("pk"))
    ):
        child = rollup.child(row["subject_agency_id"])
        if row["status"] == RecordStatus.SUBMITTED:
            to_verify += row["n"]
            if child is not None:
                per_child[child]["to_verify"] += row["n"]
            continue
        by_severity[row["severity"]] += row["n"]
        by_sector[row["sector"]] += row["n"]
        if child is not None:
            per_child[child]["in_force"] += row["n"]
            per_child[child][f"in_force_{row['severity']}"] += row["n"]

    # 12 months of records published, by severity (one GROUP BY month).
    months = _month_starts(day)
    trend = {str(s): [0] * len(months) for s in SEVERITIES}
    index = {m: i for i, m in enumerate(months)}
    start = datetime.datetime.combine(months[0], datetime.time(), tzinfo=timezone.get_current_timezone())
    for row in (
        records.filter(status__in=VERIFIED_STATUSES, published_at__gte=start)
        .annotate(month=TruncMonth("published_at"))
        .order_by()
        .values("month", "severity")
        .annotate(n=Count("pk"))
    ):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        if month in index:
            trend[row["severity"]][index[month]] += row["n"]

    # Cases: open, overdue, the funnel and the on-time share (one aggregate per kind of case).
    funnel = {"filed": 0, "accepted": 0, "closed": 0, "on_time": 0}
    open_cases = overdue_cases = 0
    for model, not_accepted in (
        (Objection, ("filed", "not_accepted")),
        (Complaint, ("filed", "not_accepted")),
        (RepairApplication, ("filed", "not_accepted")),
    ):
        cases = _in_node(model.objects.visible_to(user), node, "record__subject_agency")
        for row in (
            cases.order_by()
            .values("record__subject_agency_id")
            .annotate(
                filed=Count("pk"),
                accepted=Count("pk", filter=~Q(status__in=not_accepted)),
                closed=Count("pk", filter=Q(closed_at__isnull=False)),
                on_time=Count(
                    "pk",
                    filter=Q(closed_at__isnull=False)
                    & (Q(stage_due_on__isnull=True) | Q(closed_at__date__lte=F("stage_due_on"))),
                ),
                open=Count("pk", filter=Q(closed_at__isnull=True)),
                overdue=Count("pk", filter=Q(closed_at__isnull=True, stage_due_on__lt=day)),
            )
        ):
            for name in funnel:
                funnel[name] += row[name]
            open_cases += row["open"]
            overdue_cases += row["overdue"]
            child = rollup.child(row["record__subject_agency_id"])
            if child is not None:
                per_child[child]["open_cases"] += row["open"]
                per_child[child]["overdue_cases"] += row["overdue"]

    # Rectifications overdue (one GROUP BY).
    rectifications = _in_node(Rectification.objects.visible_to(user), node, "measure__record__subject_agency")
    rect_overdue = 0
    for row in (
        rectifications.overdue(day).order_by().values("measure__record__subject_agency_id").annotate(n=Count("pk"))
    ):
        rect_overdue += row["n"]
        child = rollup.child(row["measure__record__subject_agency_id"])
        if child is not None:
            per_child[child]["rectifications_overdue"] += row["n"]

    # Commitments due within 30 days and overdue (one GROUP BY).
    commitments = _in_node(Commitment.objects.visible_to(user).open(), node, "agency")
    soon = day + datetime.timedelta(days=30)
    commitments_due = commitments_overdue = 0
    for row in (
        commitments.filter(due_on__lte=soon)
        .order_by()
        .values("agency_id")
        .annotate(due=Count("pk", filter=Q(due_on__gte=day)), overdue=Count("pk", filter=Q(due_on__lt=day)))
    ):
        commitments_due += row["due"]
        commitments_overdue += row["overdue"]
        child = rollup.child(row["agency_id"])
        if child is not None:
            per_child[child]["commitments_overdue"] += row["overdue"]
            per_child[child]["commitments_due"] += row["due"]

    # SME arrears: count, unpaid amount, the oldest days overdue (the procurement ledger's GROUP BY).
    obligations = _in_node(PaymentObligation.objects.visible_to(user), node, "agency")
    arrears: dict[str, Any] = {"count": 0, "amount": Decimal("0"), "max_days": 0}
    for row in obligations.ledger():
        arrears["count"] += row["count"]
        arrears["amount"] += row["amount"]
        arrears["max_days"] = max(int(arrears["max_days"]), int(row["oldest_days"] or 0))
        child = rollup.child(row["agency_id"])
        if child is not None:
            per_child[child]["arrears"] += row["count"]
            per_child[child]["arrears_amount"] += row["amount"]

    # Warnings (the registered sources, in the user's scope, then inside the node).
    warnings = [w for w in warnings_for(user, day) if w.agency_path.startswith(node.path)]
    counts = warning_counts(warnings)
    for warning in warnings:
        child = _child_key(warning.agency_path, node.path)
        if child is not None:
            per_child[child]["warnings"] += 1
            if warning.severity == RED:
                per_child[child]["red_warnings"] += 1

    # Platform lag: the oldest change the platform has not received yet, in the user's scope.
    lag = (
        PlatformChange.objects.visible_to(user)
        .filter(status=OutboxStatus.PENDING)
        .aggregate(pending=Count("pk"), oldest=Min("created_at"))
    )
    lag_seconds = int((as_of - lag["oldest"]).total_seconds()) if lag["oldest"] else 0

    sector_labels = dict(Sector.choices)
    severity_labels = dict(Severity.choices)
    children = sorted((pk for pk in per_child if pk != -1), key=lambda pk: agencies.get(pk, ("", ""))[1])
    if -1 in per_child and node.agency is not None:
        children.append(-1)

    def drill(pk: int) -> str:
        target = node.agency.pk if pk == -1 and node.agency is not None else pk
        if pk != -1 and target in parents:
            return f"{reverse('dashboard:leader')}?node={target}"
        return _record_list(target, status=RecordStatus.PUBLISHED)

    units = Table(
        title=_("By district and unit"),
        headers=[
            _("Unit"),
            _("Records in force"),
            _("Serious"),
            _("To verify"),
            _("Open cases"),
            _("Cases overdue"),
            _("Rectifications overdue"),
            _("Commitments due"),
            _("Commitments overdue"),
            _("SME arrears"),
            _("Warnings"),
            _("Red warnings"),
        ],
    )
    for pk in children:
        values = per_child[pk]
        label = names.get(node.agency.pk if pk == -1 and node.agency else pk, "")
        if pk == -1:
            label = _("%(unit)s itself") % {"unit": label}
        units.rows.append(
            [
                label,
                values["in_force"],
                values[f"in_force_{Severity.SERIOUS}"],
                values["to_verify"],
                values["open_cases"],
                values["overdue_cases"],
                values["rectifications_overdue"],
                values["commitments_due"],
                values["commitments_overdue"],
                values["arrears"],
                values["warnings"],
                values["red_warnings"],
            ]
        )
        units.links.append(drill(pk))

    tables: dict[str, Table] = {
        "units": units,
        "tiles": Table(
            title=_("Key figures"),
            headers=[_("Figure"), _("Value")],
            rows=[
                *[
                    [_("Records in force: %(severity)s") % {"severity": severity_labels[s]}, by_severity[str(s)]]
                    for s in SEVERITIES
                ],
                [_("Waiting to be verified"), to_verify],
                [_("Open cases"), open_cases],
                [_("Cases overdue"), overdue_cases],
                [_("Rectifications overdue"), rect_overdue],
                [_("Commitments due within 30 days"), commitments_due],
                [_("Commitments overdue"), commitments_overdue],
                [_("SME arrears (payments)"), arrears["count"]],
                [_("SME arrears (yuan)"), arrears["amount"]],
                [_("Longest arrears (days)"), arrears["max_days"]],
                [_("Warnings"), counts.total],
                [_("Changes not yet on the platform"), lag["pending"]],
                [_("Platform lag (seconds)"), lag_seconds],
            ],
        ),
        "trend": Table(
            title=_("Records published in the last 12 months, by severity"),
            headers=[_("Month"), *[str(severity_labels[s]) for s in SEVERITIES]],
            rows=[[m.strftime("%Y-%m"), *[trend[str(s)][i] for s in SEVERITIES]] for i, m in enumerate(months)],
        ),
        "sectors": Table(
            title=_("Records in force by sector"),
            headers=[_("Sector"), _("Records in force")],
            rows=[[str(sector_labels.get(k, k)), v] for k, v in sorted(by_sector.items(), key=lambda kv: -kv[1])],
        ),
        "funnel": Table(
            title=_("Cases: objections, complaints and credit repair"),
            headers=[_("Stage"), _("Cases")],
            rows=[
                [_("Cases filed"), funnel["filed"]],
                [_("Cases accepted"), funnel["accepted"]],
                [_("Cases closed"), funnel["closed"]],
                [_("Closed on time"), funnel["on_time"]],
            ],
        ),
    }
    overdue_kinds = {
        "overdue_rectifications": ("rectification", _("Rectifications overdue")),
        "overdue_commitments": ("commitment", _("Commitments overdue")),
        "overdue_payments": ("sme_payment", _("SME payments overdue")),
        "overdue_complaints": ("case_stage", _("Cases overdue")),
    }
    for key, (kind, title) in overdue_kinds.items():
        items = [w for w in warnings if w.kind == kind and w.days_overdue > 0]
        items.sort(key=lambda w: -w.days_overdue)
        tables[key] = Table(
            title=title,
            headers=[_("Unit"), _("What"), _("Due on"), _("Days overdue")],
            rows=[[w.agency_name, w.what, w.due_on, w.days_overdue] for w in items[:LIST_LIMIT]],
            links=[w.link for w in items[:LIST_LIMIT]],
        )
        tables[key].total = len(items)  # type: ignore[attr-defined]

    on_time_share = round(100 * funnel["on_time"] / funnel["closed"], 1) if funnel["closed"] else None
    return {
        "as_of": as_of,
        "lists": [(key, tables[key]) for key in overdue_kinds],
        "tiles": {
            "by_severity": {str(severity_labels[s]): by_severity[str(s)] for s in SEVERITIES},
            "in_force": sum(by_severity.values()),
            "to_verify": to_verify,
            "open_cases": open_cases,
            "overdue_cases": overdue_cases,
            "rectifications_overdue": rect_overdue,
            "commitments_due": commitments_due,
            "commitments_overdue": commitments_overdue,
            "arrears_count": arrears["count"],
            "arrears_amount": arrears["amount"],
            "arrears_max_days": arrears["max_days"],
            "warnings": counts.total,
            "warnings_by_severity": counts.by_severity,
            "platform_pending": lag["pending"],
            "platform_lag_seconds": lag_seconds,
        },
        "on_time_share": on_time_share,
        "tables": tables,
        "charts": {
            "trend": {
                "months": [m.strftime("%Y-%m") for m in months],
                "series": [{"name": str(severity_labels[s]), "data": trend[str(s)]} for s in SEVERITIES],
            },
            "sectors": {
                "labels": [row[0] for row in tables["sectors"].rows],
                "values": [row[1] for row in tables["sectors"].rows],
            },
            "funnel": {
                "labels": [str(row[0]) for row in tables["funnel"].rows],
                "values": [row[1] for row in tables["funnel"].rows],
            },
        },
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# The city leader's page ---------------------------------------------------------------------------------------------


def city_figures(user: User, node: Node, *, today: datetime.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    key = f"dashboard:city:{scope_key(user)}:{node.path or '-'}:{day.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    data = _city_figures(user, node, day)
    _with_evaluation(data, evaluation_panels(user, node), ("district_scores", "grades", "vetoed"))
    if settings.DASHBOARD_CACHE_SECONDS > 0:
        cache.set(key, data, settings.DASHBOARD_CACHE_SECONDS)
    return data


def _city_figures(user: User, node: Node, day: datetime.date) -> dict[str, Any]:
    """Counts, amounts and ratios by district: no person is named anywhere on the city page."""
    as_of = timezone.localtime()
    agencies = _agencies_under(node)
    rollup = Rollup(node, agencies)
    districts = sorted(
        (pk for pk, (path, _name) in agencies.items() if _child_key(path, node.path) == pk),
        key=lambda pk: agencies[pk][1],
    )
    district_names = [agencies[pk][1] for pk in districts]
    position = {pk: i for i, pk in enumerate(districts)}

    def spread() -> list[int]:
        return [0] * len(districts)

    in_force = spread()
    records = _in_node(DishonestyRecord.objects.visible_to(user), node, "subject_agency")
    for row in records.in_force().order_by().values("subject_agency_id").annotate(n=Count("pk")):
        child = rollup.child(row["subject_agency_id"])
        if child in position:
            in_force[position[child]] += row["n"]

    warnings = [w for w in warnings_for(user, day) if w.agency_path.startswith(node.path)]
    red = spread()
    all_warnings = spread()
    for warning in warnings:
        child = _child_key(warning.agency_path, node.path)
        if child in position:
            all_warnings[position[child]] += 1
            if warning.severity == RED:
                red[position[child]] += 1

    # Debt ratio of each district (its latest published year) against the tier thresholds in force.
    rules = list(RiskTierRule.objects.all())
    ratios: list[float | None] = [None] * len(districts)
    seen: set[int] = set()
    debt_rows = _in_node(DebtRegionYear.objects.visible_to(user).published(), node, "region")
    for row in debt_rows.with_indicators(day).order_by("region_id", "-year"):
        if row.region_id in seen or row.region_id not in position:
            continue
        seen.add(row.region_id)
        value = debt_indicators(row, rules=rules).values.get(DebtIndicator.DEBT_RATIO)
        ratios[position[row.region_id]] = None if value is None else float(value * 100)
    rule = rule_in_force(rules, DebtIndicator.DEBT_RATIO, day)
    thresholds = (
        {
            "yellow": float(rule.yellow_from * 100),
            "orange": float(rule.orange_from * 100),
            "red": float(rule.red_from * 100),
        }
        if rule is not None
        else {}
    )

    # Arrears clearing: SME payments made late, by the month they were paid (12 months), and what is still owed.
    months = _month_starts(day)
    index = {m: i for i, m in enumerate(months)}
    cleared = [0.0] * len(months)
    payments = _in_node(
        Payment.objects.filter(obligation__in=PaymentObligation.objects.visible_to(user), obligation__is_sme=True),
        node,
        "obligation__agency",
    )
    for row in (
        payments.filter(late_days__gt=0, paid_on__gte=months[0], paid_on__lte=day)
        .annotate(month=TruncMonth("paid_on"))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount"))
    ):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        if month in index:
            cleared[index[month]] = float(row["total"] or 0)
    owed = _in_node(PaymentObligation.objects.visible_to(user), node, "agency").ledger()
    owed_total = float(sum((row["amount"] for row in owed), Decimal("0")))

    # Commitments of this year by outcome and district.
    groups = {
        "open": list(OPEN_STATUSES),
        "kept": [CommitmentStatus.KEPT],
        "partly_kept": [CommitmentStatus.PARTLY_KEPT],
        "broken": [CommitmentStatus.BROKEN],
        "changed": [CommitmentStatus.CHANGED],
    }
    group_of = {str(status): name for name, statuses in groups.items() for status in statuses}
    stacked = {name: spread() for name in groups}
    commitments = _in_node(Commitment.objects.visible_to(user), node, "agency").filter(year=day.year)
    for row in commitments.order_by().values("agency_id", "status").annotate(n=Count("pk")):
        child = rollup.child(row["agency_id"])
        name = group_of.get(row["status"])
        if child in position and name is not None:
            stacked[name][position[child]] += row["n"]
    status_labels = dict(CommitmentStatus.choices)
    group_labels = {
        "open": _("Not yet decided"),
        "kept": str(status_labels[CommitmentStatus.KEPT]),
        "partly_kept": str(status_labels[CommitmentStatus.PARTLY_KEPT]),
        "broken": str(status_labels[CommitmentStatus.BROKEN]),
        "changed": str(status_labels[CommitmentStatus.CHANGED]),
    }

    # Year on year: records published and commitments broken from 1 January to today, this year and last.
    def ytd(year: int) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        end_day = day.replace(year=year) if not (day.month == 2 and day.day == 29) else datetime.date(year, 2, 28)
        return (
            datetime.datetime(year, 1, 1, tzinfo=tz),
            datetime.datetime.combine(end_day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz),
        )

    this_start, this_end = ytd(day.year)
    last_start, last_end = ytd(day.year - 1)
    published = records.filter(status__in=VERIFIED_STATUSES).aggregate(
        this=Count("pk", filter=Q(published_at__gte=this_start, published_at__lt=this_end)),
        last=Count("pk", filter=Q(published_at__gte=last_start, published_at__lt=last_end)),
        this_serious=Count(
            "pk", filter=Q(published_at__gte=this_start, published_at__lt=this_end, severity=Severity.SERIOUS)
        ),
        last_serious=Count(
            "pk", filter=Q(published_at__gte=last_start, published_at__lt=last_end, severity=Severity.SERIOUS)
        ),
    )
    broken = _in_node(Commitment.objects.visible_to(user), node, "agency").aggregate(
        this=Count(
            "pk",
            filter=Q(
                status=CommitmentStatus.BROKEN, outcome_decided_at__gte=this_start, outcome_decided_at__lt=this_end
            ),
        ),
        last=Count(
            "pk",
            filter=Q(
                status=CommitmentStatus.BROKEN, outcome_decided_at__gte=last_start, outcome_decided_at__lt=last_end
            ),
        ),
    )

    def change(this: int, last: int) -> str:
        return "—" if not last else f"{(this - last) * 100 / last:+.1f}%"

    yoy = Table(
        title=_("Year on year (1 January to today)"),
        headers=[_("Figure"), str(day.year - 1), str(day.year), _("Change")],
        rows=[
            [
                _("Records published"),
                published["last"],
                published["this"],
                change(published["this"], published["last"]),
            ],
            [
                _("Serious records published"),
                published["last_serious"],
                published["this_serious"],
                change(published["this_serious"], published["last_serious"]),
            ],
            [_("Commitments broken"), broken["last"], broken["this"], change(broken["this"], broken["last"])],
        ],
    )
    tables = {
        "districts": Table(
            title=_("By district"),
            headers=[_("District"), _("Records in force"), _("Warnings"), _("Red warnings"), _("Debt ratio (%)")],
            rows=[
                [name, in_force[i], all_warnings[i], red[i], _rounded(ratios[i])]
                for i, name in enumerate(district_names)
            ],
            links=[f"{reverse('dashboard:city')}?node={pk}" for pk in districts],
        ),
        "arrears": Table(
            title=_("SME arrears cleared by month (yuan)"),
            headers=[_("Month"), _("Paid late")],
            rows=[[m.strftime("%Y-%m"), cleared[i]] for i, m in enumerate(months)],
        ),
        "commitments": Table(
            title=_("Commitments of %(year)d by outcome") % {"year": day.year},
            headers=[_("District"), *[str(label) for label in group_labels.values()]],
            rows=[[name, *[stacked[g][i] for g in groups]] for i, name in enumerate(district_names)],
        ),
        "yoy": yoy,
    }
    return {
        "as_of": as_of,
        "tiles": {
            "in_force": sum(in_force),
            "warnings": len(warnings),
            "red_warnings": sum(red),
            "arrears_owed": owed_total,
        },
        "tables": tables,
        "charts": {
            "districts": {
                "labels": district_names,
                "in_force": in_force,
                "red": red,
                "warnings": all_warnings,
                "names": [_("Records in force"), _("Red warnings")],
            },
            "debt": {"labels": district_names, "ratios": ratios, "thresholds": thresholds},
            "arrears": {
                "months": [m.strftime("%Y-%m") for m in months],
                "cleared": cleared,
                "cumulative": [sum(cleared[: i + 1]) for i in range(len(cleared))],
                "names": [_("Paid late"), _("Cumulative")],
            },
            "commitments": {
                "labels": district_names,
                "series": [{"name": str(group_labels[g]), "data": stacked[g]} for g in groups],
            },
        },
    }


# The evaluation's panels (both dashboards) -------------------------------------------------------------------------


def _scores_in_node(user: User, node: Node) -> tuple[Any, list[Any]]:
    """The latest period and its scores the user may see under the node (best first)."""
    period = latest_period()
    if period is None:
        return None, []
    scores = _in_node(latest_scores(user, period), node, "agency")
    return period, list(scores)


def _veto_text(reason: dict[str, str]) -> str:
    """One veto as the page says it: the rule's kind, and how many items fired it."""
    kinds = dict(VetoKind.choices)
    text = str(kinds.get(reason.get("kind", ""), reason.get("code", "")))
    count = reason.get("count", "1")
    return text if count in ("", "1") else _("%(what)s (%(count)s)") % {"what": text, "count": count}


def evaluation_panels(user: User, node: Node) -> dict[str, Any]:
    """Heat table of units × first-level points, grade distribution, ranking with rank change (the leader), and the
    average score by district and the vetoed units (the city: unit names only, never a person). Live scores of the
    latest period, or its frozen figures once frozen; the period is named on every figure."""
    period, scores = _scores_in_node(user, node)
    if period is None:
        return {"period": None, "tables": {}, "charts": {}}
    label = str(period)
    columns = list(
        Indicator.objects.filter(indicator_set_id=period.indicator_set_id, level=1)
        .order_by("position")
        .values_list("code", "name")
    )
    links = [reverse("evaluation:score_detail", args=[period.pk, s.agency_id]) for s in scores]
    heat = Table(
        title=_("Scores by first-level indicator (%(period)s)") % {"period": label},
        headers=[_("Unit"), _("Score"), _("Grade"), *[f"{code} {name}" for code, name in columns]],
        rows=[
            [s.agency.name, s.total, s.grade, *[s.groups.get(code) for code, _name in columns]] for s in scores[:200]
        ],
        links=links[:200],
    )
    counts = {grade: 0 for grade in GRADES}
    for s in scores:
        counts[s.grade] = counts.get(s.grade, 0) + 1
    grades = Table(
        title=_("Grades (%(period)s)") % {"period": label},
        headers=[_("Grade"), _("Units")],
        rows=[[grade, counts[grade]] for grade in GRADES],
    )
    ranked = sorted(scores, key=lambda s: (s.parent.name if s.parent else "", s.kind, s.rank or 0, s.agency_id))
    ranking = Table(
        title=_("Ranking within region and unit kind (%(period)s)") % {"period": label},
        headers=[_("Unit"), _("Region"), _("Score"), _("Grade"), _("Rank"), _("Change since the period before")],
        rows=[
            [
                s.agency.name,
                s.parent.name if s.parent else "—",
                s.total,
                s.grade,
                f"{s.rank}/{s.rank_of}" if s.rank else None,
                (f"+{s.rank_change}" if s.rank_change and s.rank_change > 0 else s.rank_change),
            ]
            for s in ranked[:200]
        ],
        links=[reverse("evaluation:score_detail", args=[period.pk, s.agency_id]) for s in ranked[:200]],
    )
    agencies = _agencies_under(node)
    rollup = Rollup(node, agencies)
    by_child: dict[int, list[Decimal]] = defaultdict(list)
    for s in scores:
        child = rollup.child(s.agency_id)
        if child is not None and child != -1:
            by_child[child].append(s.total)
    averages: list[tuple[str, Decimal, int]] = sorted(
        ((agencies[c][1], round(Decimal(sum(t)) / len(t), 2), len(t)) for c, t in by_child.items() if c in agencies),
        key=lambda row: -row[1],
    )
    district_rows: list[list[Any]] = [list(row) for row in averages]
    districts = Table(
        title=_("Average score by district (%(period)s)") % {"period": label},
        headers=[_("District"), _("Average score"), _("Units scored")],
        rows=district_rows,
    )
    vetoed = [s for s in scores if s.vetoed]
    vetoes = Table(
        title=_("Units vetoed (%(period)s)") % {"period": label},
        headers=[_("Unit"), _("Score kept"), _("Why")],
        rows=[[s.agency.name, s.total, "；".join(_veto_text(r) for r in s.veto_reasons)] for s in vetoed[:200]],
        links=[reverse("evaluation:score_detail", args=[period.pk, s.agency_id]) for s in vetoed[:200]],
    )
    return {
        "period": label,
        "tables": {"heat": heat, "grades": grades, "ranking": ranking, "district_scores": districts, "vetoed": vetoes},
        "charts": {
            "grades": {"labels": list(GRADES), "values": [counts[g] for g in GRADES]},
            "district_scores": {
                "labels": [r[0] for r in district_rows],
                "values": [float(r[1]) for r in district_rows],
            },
        },
    }
