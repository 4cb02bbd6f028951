"""The transactional outbox of changes the municipal credit platform must receive (docs/domain.md §10).

Every transition that changes what the platform should hold of a business object — a dishonesty record published,
corrected, revoked, repaired or expired; later a commitment, a sector finding, a supervision case — writes one row
here in the same transaction as the change itself (outbox.services.outbox_emit); nothing is ever sent from a view.
The row carries the object's version and its payload as it stood at that moment; the delivery app drains this table.
"""

from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from kernel.models import UndeletableModel, UndeletableQuerySet

# The kind of the dishonesty records, the first objects the platform received. Their changes also fill the `record`
# column (PlatformChange.record says why).
RECORD_KIND = "record"


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


class PlatformChangeQuerySet(UndeletableQuerySet["PlatformChange"]):
    def visible_to(self, user: AnyUser) -> "PlatformChangeQuerySet":
        """The changes the user may see, each kind by the scope its app registered (outbox.kinds): counts, banners
        and lists of the operations page all start here, so a district never learns of another district's
        changes."""
        from outbox.kinds import changes_q

        return self.filter(changes_q(user))


class PlatformChange(UndeletableModel):
    """One version of one business object for the platform.

    `record` duplicates `object_id` for the changes of dishonesty records (a check constraint keeps the two equal) and
    is null for every other kind. It stays a column because who may see a record's change is decided on the record
    as it stands now — its subject agency, the agency that supplied it and its sector (accounts.scope.record_q) —
    and the operations page, the admin (search by document number) and the change feed (the public masking of the
    person's name) join through it to the record, in the same single query as before the outbox served other
    kinds. A generic relation cannot be joined, filtered or selected with the change in one statement."""

    # What the object is for the platform ("record"); its app registers it with its scope (outbox.kinds).
    kind = models.CharField(_("kind"), max_length=32)
    object_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("object type"),
        # The unique (object type, object id, version) constraint's index leads with it.
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    obj = GenericForeignKey("object_type", "object_id")
    # The agency the object belongs to when the change is written: the scope of kinds that are seen by agency.
    agency = models.ForeignKey(
        "subjects.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
        # No query looks changes up by agency alone; scopes join from the change to the agency.
        db_index=False,
    )
    record = models.ForeignKey(
        "records.DishonestyRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platform_changes",
        verbose_name=_("record"),
        # Joined from the change, never searched by: the object's unique index serves look-ups by object.
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
            models.UniqueConstraint(
                fields=["object_type", "object_id", "version"], name="platform_change_one_per_version"
            ),
            # `record` is the object itself for a record's change, and empty for any other kind.
            models.CheckConstraint(
                condition=Q(kind=RECORD_KIND, record__isnull=False, record=F("object_id"))
                | (~Q(kind=RECORD_KIND) & Q(record__isnull=True)),
                name="platform_change_record_is_the_object",
            ),
        ]
        indexes = [
            # The delivery worker drains pending changes in id order.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="platform_change_pending_idx"),
            # Per-object order: "is an earlier change of this object still pending?"
            models.Index(
                fields=["object_type", "object_id", "id"],
                condition=models.Q(status="pending"),
                name="platform_change_obj_pend_idx",
            ),
            # The operations page: parked changes, and the last successful delivery.
            models.Index(fields=["id"], condition=models.Q(status="failed"), name="platform_change_failed_idx"),
            models.Index(fields=["delivered_at"], name="platform_change_delivered_idx"),
            # The change feed's order.
            models.Index(fields=["commit_xid", "id"], name="platform_change_feed_idx"),
        ]

    def __str__(self) -> str:
        shown = f"{self.object_id} v{self.version} {self.get_change_type_display()}"
        if self.kind == RECORD_KIND:
            return shown
        # The kind by its model's name in the reader's language ("commitment" is a code, 公开承诺 is what they read).
        return f"{self.object_type.name if self.object_type_id else self.kind} {shown}"

    @property
    def delivery_key(self) -> str:
        """Unique per change and per deliberate resend; the platform de-duplicates on it."""
        return f"govcredit-{self.pk}-{self.generation}"
