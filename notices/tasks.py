from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


# Named as when it lived in repair/, so a task queued before an upgrade still finds its worker.
@shared_task(
    name="repair.tasks.send_notice_email",
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notice_email(subject: str, body: str, recipients: list[str]) -> int:
    """Sends one notice; a mail server that is down delays it (retries with backoff), it is not dropped silently."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
