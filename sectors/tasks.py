from celery import shared_task

from sectors.services.ppp import ppp_payments_watch as watch


@shared_task
def ppp_payments_watch() -> dict[str, int]:
    """Daily: late PPP payment obligations flagged, reminders of those due soon, breaches of long unpaid ones."""
    run = watch()
    return {"marked_late": run.marked_late, "reminded": run.reminded, "breaches": run.breaches}
