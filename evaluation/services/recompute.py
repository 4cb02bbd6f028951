"""Dirty marks and the recompute jobs (docs/evaluation.md §Recompute)."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from evaluation import engine
from evaluation.models import Dirty, Period, PeriodStatus, Score

log = logging.getLogger(__name__)


def mark_dirty(agency_ids: Iterable[int], on: datetime.date | None) -> int:
    """kernel.sources' listener: marks (unit, open period containing `on`) in the caller's transaction, in one
    statement whatever the number of units and periods (INSERT … SELECT over the open periods). An existing mark is
    refreshed (ON CONFLICT DO UPDATE), so a job that claimed the old one does not remove the new one."""
    on = on or timezone.localdate()
    ids = sorted(set(agency_ids))
    if not ids:
        return 0
    dirty, period = Dirty._meta.db_table, Period._meta.db_table
    units = ", ".join(["(%s)"] * len(ids))
    sql = (
        f"INSERT INTO {dirty} (period_id, agency_id, marked_at) "  # noqa: S608 — table names, not input
        f"SELECT p.id, u.column1, %s FROM {period} p CROSS JOIN (VALUES {units}) AS u "
        f"WHERE p.status = %s AND p.start <= %s AND p.{connection.ops.quote_name('end')} >= %s "
        "ON CONFLICT (period_id, agency_id) DO UPDATE SET marked_at = excluded.marked_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *ids, PeriodStatus.OPEN, on, on])
        return int(cursor.rowcount)


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
