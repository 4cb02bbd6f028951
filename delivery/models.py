"""What delivery knows of the platform beside the outbox: its state (reachable or not, since when, the next probe) and
the platform's answer to every failed try of every change, for the operations page (delivery/views.py)."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from outbox.models import FailureKind, PlatformChange


class PlatformState(models.Model):
    """One row (pk 1), written when a contact with the platform fails, and on the first success after failures — never
    on the happy path. Every time is the database's clock.

    While `paused_until` is in the future no batch is sent; once it passes, the next delivery (or the sweeper) first
    probes the platform with one cheap request, and only an answer reopens delivery. So an outage of any length costs
    one probe per interval, not one failed batch per change, and nothing is parked for it."""

    SINGLETON = 1

    # The first failed contact of the current run of failures; null while the platform answers.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    # Failed contacts in a row (batches and probes); the probe interval grows with it, up to PLATFORM_PROBE_MAX_SECONDS.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    # No batch before then (an outage: the next probe; a 429: the platform's Retry-After).
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_kind = models.CharField(_("kind of error"), max_length=16, choices=FailureKind.choices, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_probe_at = models.DateTimeField(_("last probe at"), null=True, blank=True)
    last_probe_ok = models.BooleanField(_("last probe answered"), default=False)

    class Meta:
        verbose_name = _("platform state")
        verbose_name_plural = _("platform state")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="platform_state_one_row")]

    def __str__(self) -> str:
        return "platform state"


class PlatformAnswer(models.Model):
    """What the platform answered (or that it did not) to one failed try of one change. Written only for failures,
    with the outcome of the batch, in the same transaction; a delivered change's last try is its success."""

    change = models.ForeignKey(
        PlatformChange, on_delete=models.PROTECT, related_name="answers", verbose_name=_("change"), db_index=False
    )
    at = models.DateTimeField(_("at"), db_default=Now())
    kind = models.CharField(_("kind"), max_length=16, choices=FailureKind.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("platform answer")
        verbose_name_plural = _("platform answers")
        ordering = ["-pk"]
        indexes = [
            # A change's answers, latest first (the change's page on the operations page).
            models.Index(fields=["change", "-id"], name="platform_answer_change_idx"),
            # The hourly prune of old answers of delivered changes.
            models.Index(fields=["at"], name="platform_answer_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.kind} {self.at:%Y-%m-%d %H:%M:%S}"
