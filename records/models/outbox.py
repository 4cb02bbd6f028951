"""The transactional outbox of changes the municipal credit platform must receive (DOMAIN §10).

Every transition that changes what the platform should hold (published, corrected, revoked, repaired, expired) writes
one row here in the same transaction as the change itself; nothing is ever sent from a view. The row carries the
record's version and its payload in the national 双公示 field codes as it stood at that moment; delivery
(issue "Delivery to the municipal credit platform") drains this table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from records.models.dishonesty import DishonestyRecord
from records.models.subjects import UndeletableModel, UndeletableQuerySet


class ChangeType(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    REPAIRED = "repaired", _("Credit repaired")
    EXPIRED = "expired", _("Expired")
    # An accepted objection suspends the record's measures until it is decided (DOMAIN §5).
    OBJECTION_OPENED = "objection_opened", _("Under objection")
    OBJECTION_CLOSED = "objection_closed", _("Objection rejected; measures resumed")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class PlatformChange(UndeletableModel):
    record = models.ForeignKey(DishonestyRecord, on_delete=models.PROTECT, related_name="platform_changes")
    change_type = models.CharField(max_length=16, choices=ChangeType.choices)
    version = models.PositiveIntegerField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform change")
        verbose_name_plural = _("platform changes")
        ordering = ["pk"]
        constraints = [
            # A version is emitted once: a retried transaction cannot queue the same change twice.
            models.UniqueConstraint(fields=["record", "version"], name="platform_change_one_per_version"),
        ]
        indexes = [
            # The delivery worker drains pending changes in id order.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="platform_change_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version} {self.change_type}"
