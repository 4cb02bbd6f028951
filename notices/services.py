"""Notices: an in-app notification for an agency's staff or a user, and e-mail to whoever gave an address."""

from django.utils import timezone

from accounts.models import User
from config.queueing import queue_after_commit
from notices.models import Notification
from notices.tasks import send_notice_email
from subjects.models import Agency


def notify(
    *,
    subject: str,
    body: str,
    link: str = "",
    agencies: list[Agency] | None = None,
    users: list[User] | None = None,
    emails: list[str] | None = None,
) -> None:
    """Call inside the transaction of the change: the notifications commit with it, the e-mail goes after commit.
    A notice goes once to each agency (all its staff read it) and once to each user."""
    seen: set[int] = set()
    for agency in agencies or []:
        if agency.pk not in seen:
            seen.add(agency.pk)
            Notification.objects.create(agency=agency, subject=subject, body=body, link=link)
    seen_users: set[int] = set()
    for user in users or []:
        if user.pk not in seen_users:
            seen_users.add(user.pk)
            Notification.objects.create(user=user, subject=subject, body=body, link=link)
    recipients = sorted({address for address in emails or [] if address})
    if recipients:
        # Without a broker the e-mail is sent from a thread here rather than lost or failing the filer's request.
        queue_after_commit(send_notice_email, subject, body, recipients, in_process=True)


def notifications_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Marks one notice (or all of the user's) read; the first reader's time stays (an agency's notice is shared)."""
    notices = Notification.objects.for_user(user).unread()
    if notification is not None:
        notices = notices.filter(pk=notification.pk)
    return notices.update(read_at=timezone.now())
