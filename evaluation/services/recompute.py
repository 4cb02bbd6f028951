"""Dirty marks and the recompute jobs (docs/evaluation.md §Recompute)."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from evaluation import engine
from evaluation.models import Dirty, Period, PeriodStatus, Score

log = logging.getLogger(__name__)


def mark_dirty(agency_ids: Iterable[int], on: datetime.date | None) -> int:
    """kernel.sources' listener: marks (unit, open period containing `on`) in the caller's transaction. An existing
    mark is refreshed (ON CONFLICT DO UPDATE), so a job that claimed the old one does not remove the new one."""
    on = on or timezone.localdate()
    ids = sorted(set(agency_ids))
    periods = list(
        Period.objects.filter(status=PeriodStatus.OPEN, start__lte=on, end__gte=on).values_list("pk", flat=True)
    )
    if not ids or not periods:
        return 0
    now = timezone.now()
    rows = [Dirty(period_id=p, agency_id=a, marked_at=now) for p in periods for a in ids]
    Dirty.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["period", "agency"], update_fields=["marked_at"]
    )
    return len(rows)


def recompute_dirty(*, limit: int = 500) -> int:
    """Claims up to `limit` dirty marks (FOR UPDATE SKIP LOCKED: two workers never take the same), recomputes those
    units per period and removes the marks, in one transaction. Idempotent: recomputing a clean unit changes nothing.
    Returns the number of marks handled."""
    handled = 0
    with transaction.atomic():
        claimed = list(
            Dirty.objects.select_for_update(skip_locked=True)
            .order_by("marked_at", "pk")
            .values_list("pk", "period_id", "agency_id")[:limit]
        )
        by_period: dict[int, list[int]] = defaultdict(list)
        for _pk, period_id, agency_id in claimed:
            by_period[period_id].append(agency_id)
        periods = Period.objects.in_bulk(list(by_period))
        for period_id, agency_ids in by_period.items():
            period = periods[period_id]
            if period.status == PeriodStatus.OPEN:
                engine.recompute(period, sorted(set(agency_ids)))
        Dirty.objects.filter(pk__in=[pk for pk, _p, _a in claimed]).delete()
        handled = len(claimed)
    return handled


@dataclass(frozen=True)
class CheckResult:
    period_id: int
    differences: int
    changed: int


def full_check(period: Period) -> CheckResult:
    """Compares the stored (incremental) scores with a fresh computation of every unit; a difference is logged and
    corrected by storing the fresh one."""
    fresh = engine.compute(period)
    stored = {s.agency_id: s for s in Score.objects.filter(period=period)}
    differences = 0
    for agency_id, result in fresh.items():
        row = stored.pop(agency_id, None)
        if row is None or any(getattr(row, k) != v for k, v in result.values().items()):
            differences += 1
            log.warning("evaluation: period %s unit %s differed from a fresh computation", period.pk, agency_id)
    differences += len(stored)
    with transaction.atomic():
        changed = engine.recompute(period)
    return CheckResult(period_id=period.pk, differences=differences, changed=changed)


def recompute_full_check() -> list[CheckResult]:
    """The nightly job: every open period checked and corrected."""
    return [full_check(p) for p in Period.objects.filter(status=PeriodStatus.OPEN).select_related("indicator_set")]
