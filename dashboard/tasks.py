from celery import shared_task

from dashboard.jobs import warning_notices_send


@shared_task
def send_warning_notices() -> dict[str, int]:
    """Daily: early warnings notified to the unit and its credit office, once per warning and level (idempotent)."""
    run = warning_notices_send()
    return {"found": run.found, "sent": run.sent}
