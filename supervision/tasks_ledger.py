"""Scheduled jobs of the inspections and the work ledger: each calls one idempotent service. Imported from
SupervisionConfig.ready so that the worker knows them (config/settings.py CELERY_BEAT_SCHEDULE runs them daily)."""

from celery import shared_task

from supervision.services.inspections import rectification_overdue_run
from supervision.services.ledger import ledger_overdue_run


@shared_task(name="supervision.tasks_ledger.supervision_deadlines")
def supervision_deadlines() -> dict[str, int]:
    """Daily: rectification items past their deadline (one notice each); ledger tasks not done by theirs (overdue)."""
    rectifications = rectification_overdue_run()
    ledger = ledger_overdue_run()
    return {
        "rectifications_overdue": rectifications.overdue,
        "notified": rectifications.notified,
        "ledger": ledger.marked,
    }
