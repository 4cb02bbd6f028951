"""What the dashboard keeps of its own: which early warnings were already sent, so the notice job is idempotent."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.models import UndeletableModel
from subjects.models import Agency


class WarningNotice(UndeletableModel):
    """One early warning (its key, e.g. "commitment:12") notified at one level: the job sends each pair once."""

    key = models.CharField(_("warning"), max_length=100)
    severity = models.CharField(_("level"), max_length=8)
    kind = models.CharField(_("kind"), max_length=40)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("early-warning notice")
        verbose_name_plural = _("early-warning notices")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "severity"], name="dashboard_warning_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.severity}"
