from celery import shared_task

from commitments.services import commitment_warnings_raise


@shared_task
def raise_warnings() -> dict[str, int]:
    """Daily: warnings of commitments due soon, overdue or without progress, and the candidate records of breaches."""
    run = commitment_warnings_raise()
    return {"raised": run.raised, "cleared": run.cleared, "breaches": run.breaches}
