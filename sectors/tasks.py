from celery import shared_task

from sectors.services.investment import investment_obligations_watch


@shared_task
def watch_investment_obligations() -> dict[str, int]:
    """Daily: investment obligations due soon, overdue (reminded once) or broken after the reminder."""
    run = investment_obligations_watch()
    return {"due_notices": run.due_notices, "overdue": run.overdue, "breaches": run.breaches}
