from celery import shared_task

from sectors.services.investment import investment_obligations_watch
from sectors.services.ppp import ppp_payments_watch as watch


@shared_task
def watch_investment_obligations() -> dict[str, int]:
    """Daily: investment obligations due soon, overdue (reminded once) or broken after the reminder."""
    run = investment_obligations_watch()
    return {"due_notices": run.due_notices, "overdue": run.overdue, "breaches": run.breaches}


@shared_task
def ppp_payments_watch() -> dict[str, int]:
    """Daily: late PPP payment obligations flagged, reminders of those due soon, breaches of long unpaid ones."""
    run = watch()
    return {"marked_late": run.marked_late, "reminded": run.reminded, "breaches": run.breaches}
