from celery import shared_task

from workcalendar.services import calendar_seed_supported_years


@shared_task
def refresh_calendar() -> list[int]:
    """Daily: once a newer holiday library is deployed, the years it adds are configured and the deadlines counted
    provisionally on them are counted again. Idempotent."""
    return calendar_seed_supported_years()
