"""In-app notices to an agency's staff or a user, for every app that has something to tell them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency


class NotificationQuerySet(UndeletableQuerySet["Notification"]):
    def for_user(self, user: User) -> "NotificationQuerySet":
        """What a user reads: notices to the user and to the user's agency."""
        recipients = Q(user_id=user.pk)
        if user.agency_id is not None:
            recipients |= Q(agency_id=user.agency_id)
        return self.filter(recipients)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(UndeletableModel):
    """In-app notices (and the e-mail sent with them) to an agency's staff or a user."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    subject = models.CharField(pgettext_lazy("notification", "subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "repair_notification"  # the table predates the notices app
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="notification_has_recipient", condition=Q(agency__isnull=False) | Q(user__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.subject
