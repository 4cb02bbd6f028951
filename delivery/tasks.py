"""Celery tasks of delivery. Each is idempotent and safe to run in many workers at once (delivery/services.py)."""

import logging

from celery import shared_task

from delivery import client, services

log = logging.getLogger(__name__)

# One run drains at most this many batches, then hands over to a fresh task (keeps tasks short under late ack).
BATCHES_PER_RUN = 50


@shared_task(acks_late=True, ignore_result=True)
def deliver() -> dict[str, int]:
    outcome = services.deliver_due(max_batches=BATCHES_PER_RUN)
    if outcome.sent and not outcome.throttled and outcome.delivered and services.anything_due():
        deliver.delay()
    return {"sent": outcome.sent, "delivered": outcome.delivered, "retried": outcome.retried, "parked": outcome.parked}


@shared_task(ignore_result=True)
def sweep() -> bool:
    """Every PLATFORM_SWEEP_SECONDS (beat): re-drives changes that are due — retries whose backoff has passed, and
    changes whose worker died holding them (lease run out) or whose task was lost with the broker's queue — and,
    while the platform is failing, the probe once its pause has ended (the delivery task probes first)."""
    if services.anything_due():
        deliver.delay()
        return True
    return False


@shared_task(ignore_result=True)
def reconcile() -> dict[str, int]:
    """Hourly: re-queues what the platform lost, and prunes old answers of delivered changes. An unreachable platform
    is not a failure of the task: the next run tries again."""
    pruned = services.answers_prune()
    if not services.delivery_enabled():
        return {"checked": 0, "requeued": 0, "pruned": pruned}
    try:
        result = services.reconcile()
    except client.PlatformUnreachable as exc:
        log.warning("reconciliation skipped: the platform's listing could not be read (%s)", exc)
        return {"checked": 0, "requeued": 0, "pruned": pruned}
    if result.requeued:
        deliver.delay()
    return {"checked": result.records_checked, "requeued": len(result.requeued), "pruned": pruned}
