"""Background jobs (config/celery.py schedules them)."""

from celery import shared_task

from evaluation.services.recompute import recompute_dirty as _recompute_dirty
from evaluation.services.recompute import recompute_full_check as _recompute_full_check


@shared_task(name="evaluation.tasks.recompute_dirty")
def recompute_dirty() -> int:
    """Every 5 minutes: the units marked dirty, recomputed (batches of 500 until none is left)."""
    total = 0
    while True:
        handled = _recompute_dirty(limit=500)
        total += handled
        if handled < 500:
            return total


@shared_task(name="evaluation.tasks.recompute_full_check")
def recompute_full_check() -> int:
    """Nightly: incremental results compared with a fresh computation; differences logged and corrected."""
    return sum(result.differences for result in _recompute_full_check())
