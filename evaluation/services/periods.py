"""Periods and their frozen snapshots: the credit office freezes a period; a correction is a new snapshot version."""

import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from evaluation import engine
from evaluation.models import (
    Half,
    Indicator,
    IndicatorSet,
    IndicatorSetStatus,
    Period,
    PeriodStatus,
    Score,
    Snapshot,
    SnapshotGrade,
)
from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from kernel.transitions import Move, StateMachine, Step, transition
from outbox.hooks import public_changed
from subjects.models import Agency

ITEMS_PER_LINE = 20


def _refusal(period: Period, move: Move) -> str:
    return _("This period is already frozen; a correction is a new snapshot version with a reason.")


TRANSITIONS: StateMachine[Period] = StateMachine(
    field="status", moves={"freeze": ([PeriodStatus.OPEN], PeriodStatus.FROZEN)}, refusal=_refusal
)


def may_freeze(user: User) -> bool:
    """The city's credit office (a credit office at the top of the agency tree) or an administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    return user.role == Role.CREDIT_OFFICE and user.agency is not None and user.agency.parent_id is None


def period_bounds(year: int, half: str) -> tuple[datetime.date, datetime.date]:
    """Mid-year check: 1 January–30 June; year-end assessment: the whole year."""
    end = datetime.date(year, 6, 30) if half == Half.MID_YEAR else datetime.date(year, 12, 31)
    return datetime.date(year, 1, 1), end


def period_create(*, actor: User | None, year: int, half: str, indicator_set: IndicatorSet) -> Period:
    if actor is not None and not may_freeze(actor):
        raise NotAllowed(_("Only the city's credit office may open evaluation periods."))
    if indicator_set.status == IndicatorSetStatus.RETIRED:
        raise DomainError(_("A retired indicator set cannot be used for a new period."), field="indicator_set")
    if Period.objects.filter(year=year, half=half).exists():
        raise DomainError(_("This period already exists."), field="half")
    start, end = period_bounds(year, half)
    with transaction.atomic():
        if indicator_set.status == IndicatorSetStatus.DRAFT:
            IndicatorSet.objects.filter(pk=indicator_set.pk).update(status=IndicatorSetStatus.IN_USE)
            indicator_set.status = IndicatorSetStatus.IN_USE
        period = Period.objects.create(year=year, half=half, start=start, end=end, indicator_set=indicator_set)
        engine.recompute(period)
    return period


def canonical(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def snapshot_content(period: Period) -> dict[str, Any]:
    """The period as frozen: the set's version and indicators, every unit's inputs, points, grade, rank and the items
    behind the points it lost (first ITEMS_PER_LINE per indicator)."""
    indicators = list(Indicator.objects.filter(indicator_set=period.indicator_set).order_by("position", "code"))
    sources = {i.code: i.source_code for i in indicators}
    scores = list(Score.objects.filter(period=period).order_by("agency_id"))
    names = dict(Agency.objects.filter(pk__in=[s.agency_id for s in scores]).values_list("pk", "name"))
    units = []
    for s in scores:
        items: dict[str, list[dict[str, str]]] = {}
        for line in s.lines:
            src = source(sources.get(line["code"], ""))
            if src is None or line["flag"] or line["raw"] == line["weight"]:
                continue
            found = src.items(s.agency_id, period.start, period.end)[:ITEMS_PER_LINE]
            if found:
                items[line["code"]] = [{"label": i.label, "url": i.url, "level": i.level} for i in found]
        units.append(
            {
                "agency": s.agency_id,
                "name": names.get(s.agency_id, ""),
                "kind": s.kind,
                "parent": s.parent_id,
                "total": str(s.total),
                "grade": s.grade,
                "vetoed": s.vetoed,
                "veto_reasons": s.veto_reasons,
                "rank": s.rank,
                "rank_of": s.rank_of,
                "groups": s.groups,
                "lines": s.lines,
                "items": items,
            }
        )
    return {
        "period": {
            "id": period.pk,
            "year": period.year,
            "half": period.half,
            "start": str(period.start),
            "end": str(period.end),
        },
        "indicator_set": {
            "id": period.indicator_set_id,
            "year": period.indicator_set.year,
            "version": period.indicator_set.version,
        },
        "indicators": [
            {
                "code": i.code,
                "level": i.level,
                "name": i.name,
                "weight": str(i.weight),
                "formula": i.formula,
                "params": i.params,
                "source": i.source_code,
            }
            for i in indicators
        ],
        "units": units,
    }


def _snapshot(period: Period, actor: User, reason: str) -> Snapshot:
    content = snapshot_content(period)
    text = canonical(content)
    version = (Snapshot.objects.filter(period=period).aggregate(v=Max("version"))["v"] or 0) + 1
    snapshot = Snapshot.objects.create(
        period=period,
        version=version,
        indicator_set_id=period.indicator_set_id,
        reason=reason,
        frozen_by=actor,
        frozen_at=timezone.now(),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        content=json.loads(text),
    )
    SnapshotGrade.objects.bulk_create(
        (
            SnapshotGrade(
                snapshot=snapshot,
                agency_id=unit["agency"],
                total=Decimal(unit["total"]),
                grade=unit["grade"],
                vetoed=unit["vetoed"],
                rank=unit["rank"],
                rank_of=unit["rank_of"],
            )
            for unit in content["units"]
        ),
        batch_size=1000,
    )
    return snapshot


def period_freeze(*, actor: User, period: Period) -> Snapshot:
    """Recomputes every unit and freezes the period: the snapshot is version 1. Refused if already frozen."""
    if not may_freeze(actor):
        raise NotAllowed(_("Only the city's credit office may freeze an evaluation period."))
    made: list[Snapshot] = []

    def frozen(row: Period) -> dict[str, Any]:
        engine.recompute(row)
        return {}

    def event(row: Period, step: Step) -> Snapshot:
        made.append(_snapshot(row, actor, ""))
        return made[0]

    with transaction.atomic():
        # The public agency pages show the latest frozen grade: their cache is renewed once this commits.
        transition(
            period, TRANSITIONS, "freeze", actor=actor, prepare=frozen, event=event, on_commit=[public_changed.announce]
        )
    return made[0]


def period_correct(*, actor: User, period: Period, reason: str) -> Snapshot:
    """A correction of a frozen period: the scores are recomputed from the sources as they stand and frozen again as a
    new snapshot version with the reason. Earlier versions stay as they were."""
    if not may_freeze(actor):
        raise NotAllowed(_("Only the city's credit office may correct a frozen evaluation period."))
    if not reason.strip():
        raise DomainError(_("Say why the frozen result is corrected."), field="reason")
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.status != PeriodStatus.FROZEN:
            raise DomainError(_("Only a frozen period can be corrected."), code="illegal_transition")
        engine.recompute(period, correction=True)
        transaction.on_commit(public_changed.announce, robust=True)
        return _snapshot(period, actor, reason.strip())


def snapshot_verify(snapshot: Snapshot) -> bool:
    return hashlib.sha256(canonical(snapshot.content).encode()).hexdigest() == snapshot.sha256
