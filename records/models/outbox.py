"""The transactional outbox of changes the municipal credit platform must receive (docs/domain.md §10).

Every transition that changes what the platform should hold (published, corrected, revoked, repaired, expired) writes
one row here in the same transaction as the change itself; nothing is ever sent from a view. The row carries the
record's version and its payload in the national 双公示 field codes as it stood at that moment; delivery
(`delivery/`) drains this table.
"""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models.dishonesty import DishonestyRecord


class CurrentTransactionId(models.Func):
    """The writing transaction's id on PostgreSQL (a column default); NULL elsewhere."""

    output_field = models.BigIntegerField()

    # The SQL is fixed: Func's template arguments are accepted and unused.
    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        return "NULL", []

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        return "(pg_current_xact_id()::text::bigint)", []


class ChangeType(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    REPAIRED = "repaired", _("Credit repaired")
    EXPIRED = "expired", _("Expired")
    # An accepted objection suspends the record's measures until it is decided (docs/domain.md §5).
    OBJECTION_OPENED = "objection_opened", _("Under objection")
    OBJECTION_CLOSED = "objection_closed", _("Objection rejected; measures resumed")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class FailureKind(models.TextChoices):
    """Why a try of a change failed. Only REFUSED is about the change itself (the platform refused its content) and
    counts towards parking it; the others are the platform's state, and the change waits for as long as they last."""

    UNREACHABLE = "unreachable", _("No answer (refused, reset or timed out)")
    SERVER_ERROR = "server_error", _("Platform error (5xx or 408)")
    THROTTLED = "throttled", _("Throttled (429)")
    UNAUTHORIZED = "unauthorized", _("Signature or credentials refused (401/403)")
    TOO_LARGE = "too_large", _("Batch too large (413)")
    REFUSED = "refused", _("Refused on its content")


# Failures that say nothing about the change: it goes again as soon as the platform answers (delivery.services).
WAITS_FOR_PLATFORM = frozenset({FailureKind.UNREACHABLE, FailureKind.SERVER_ERROR, FailureKind.UNAUTHORIZED})


class PlatformChangeQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "PlatformChangeQuerySet":
        """The changes of the records the user may see (accounts/scope.py): counts, banners and lists of the
        operations page all start here, so a district never learns of another district's changes."""
        from accounts.scope import record_q

        return self.filter(record_q(user, "record__"))


class PlatformChange(UndeletableModel):
    record = models.ForeignKey(
        DishonestyRecord,
        on_delete=models.PROTECT,
        related_name="platform_changes",
        verbose_name=_("record"),
        # The unique (record, version) constraint's index serves look-ups by record: one index fewer to write.
        db_index=False,
    )
    change_type = models.CharField(_("change"), max_length=16, choices=ChangeType.choices)
    version = models.PositiveIntegerField(_("version"))
    payload = models.JSONField(_("payload (双公示 codes)"))
    status = models.CharField(
        _("delivery status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Delivery bookkeeping (delivery/services.py). Every time here is the database's clock, never a worker's.
    attempts = models.PositiveIntegerField(_("tries"), default=0)
    # Null: due now. Set to now + backoff (with jitter) after a failed attempt, or to the platform's Retry-After.
    next_attempt_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    # A worker that claimed the change holds it until then; past it, the sweeper hands the change to another worker
    # (a worker killed mid-batch never acknowledges).
    leased_until = models.DateTimeField(_("held by a worker until"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last try at"), null=True, blank=True)
    # What the platform answered last (HTTP status and body, or the transport error), shown on the operations page.
    last_error = models.TextField(_("the platform's last answer"), blank=True)
    # Why the last try failed (blank once delivered). An unreachable or failing platform is not the change's fault.
    failure = models.CharField(_("last failure"), max_length=16, choices=FailureKind.choices, blank=True)
    # Times the platform refused this change on its content; parked at PLATFORM_MAX_ATTEMPTS (never for an outage).
    refusals = models.PositiveIntegerField(_("refusals"), default=0)
    failed_at = models.DateTimeField(_("parked at"), null=True, blank=True)
    # Bumped when an operator replays a change or reconciliation re-queues it: part of the delivery key, so the
    # platform's de-duplication does not swallow a deliberate resend.
    generation = models.PositiveIntegerField(_("resend generation"), default=0)
    # PostgreSQL: the id of the transaction that wrote the row (a database default, pg_current_xact_id()). The change
    # feed orders by it and only shows rows older than every transaction still running, so a client polling the
    # feed never skips a change committed out of id order. Null on SQLite, where writers are serialised.
    commit_xid = models.BigIntegerField(
        _("writing transaction"), null=True, blank=True, editable=False, db_default=CurrentTransactionId()
    )

    objects = PlatformChangeQuerySet.as_manager()

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
            # Per-record order: "is an earlier change of this record still pending?"
            models.Index(
                fields=["record", "id"], condition=models.Q(status="pending"), name="platform_change_rec_pend_idx"
            ),
            # The operations page: parked changes, and the last successful delivery.
            models.Index(fields=["id"], condition=models.Q(status="failed"), name="platform_change_failed_idx"),
            models.Index(fields=["delivered_at"], name="platform_change_delivered_idx"),
            # The change feed's order.
            models.Index(fields=["commit_xid", "id"], name="platform_change_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version} {self.get_change_type_display()}"

    @property
    def delivery_key(self) -> str:
        """Unique per change and per deliberate resend; the platform de-duplicates on it."""
        return f"govcredit-{self.pk}-{self.generation}"
