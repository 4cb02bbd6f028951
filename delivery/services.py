"""Draining the outbox (records.PlatformChange) to the municipal platform: at-least-once, in order per record.

A worker claims a batch of due changes in one short transaction — `SELECT … FOR UPDATE SKIP LOCKED`, so two workers
never take the same change — and leases them (leased_until = database now + PLATFORM_LEASE_SECONDS). It sends the
batch outside any transaction, then records each change's outcome. A change is claimable only when no earlier change
of the same record is still pending, so the platform sees a record's versions in order. A worker killed anywhere in
between leaves its changes leased: once the lease runs out the sweeper hands them to another worker, which resends
them under the same delivery keys and the platform de-duplicates. Every time used here is the database's clock.
"""

import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils.translation import ngettext

from delivery import client
from records.models import OutboxStatus, PlatformChange

log = logging.getLogger(__name__)

# Answers after which a change is done: the platform holds it (or, for stale, a newer version of the record).
DONE = {"accepted", "duplicate", "stale"}


def delivery_enabled() -> bool:
    return bool(settings.PLATFORM_URL)


def db_now() -> datetime:
    """The database's clock: retry schedules and leases never depend on a worker's own clock."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The statement's time, as Django's Now() on PostgreSQL (CURRENT_TIMESTAMP there is the transaction's start).
        cursor.execute(
            "SELECT STATEMENT_TIMESTAMP()" if connection.vendor == "postgresql" else "SELECT CURRENT_TIMESTAMP"
        )
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite answers text, in UTC
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def due() -> Q:
    return (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=Now())) & (
        Q(leased_until__isnull=True) | Q(leased_until__lt=Now())
    )


def claimable():  # type: ignore[no-untyped-def]
    """Due, pending, not leased, and no earlier change of the same record still pending. CLAIM_SQL states the same
    rule for PostgreSQL's one-statement claim: change both together (tests/test_delivery.py covers both)."""
    earlier_pending = PlatformChange.objects.filter(
        record_id=OuterRef("record_id"), status=OutboxStatus.PENDING, pk__lt=OuterRef("pk")
    )
    return PlatformChange.objects.filter(due(), status=OutboxStatus.PENDING).filter(~Exists(earlier_pending))


@dataclass(frozen=True)
class Claimed:
    """A leased change as delivery needs it: no model instance, and the payload as the JSON text the database holds
    (spliced into the request body as it is, never decoded and encoded again)."""

    pk: int
    record_id: int
    version: int
    change_type: str
    generation: int
    attempts: int
    payload_json: str

    @property
    def delivery_key(self) -> str:
        return f"govcredit-{self.pk}-{self.generation}"

    def item_json(self) -> str:
        return (
            f'{{"delivery_key":"{self.delivery_key}","record_id":{self.record_id},"version":{self.version},'
            f'"change_type":{json.dumps(self.change_type)},"payload":{self.payload_json}}}'
        )


# PostgreSQL: pick, lock and lease in one statement. statement_timestamp() is the database's clock, as Django's Now().
CLAIM_SQL = """
WITH picked AS (
    SELECT c.id FROM records_platformchange AS c
    WHERE c.status = 'pending'
      AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= statement_timestamp())
      AND (c.leased_until IS NULL OR c.leased_until < statement_timestamp())
      AND NOT EXISTS (
          SELECT 1 FROM records_platformchange AS e
          WHERE e.record_id = c.record_id AND e.status = 'pending' AND e.id < c.id
      )
    ORDER BY c.id
    LIMIT %s
    FOR UPDATE OF c SKIP LOCKED
)
UPDATE records_platformchange AS u
SET leased_until = statement_timestamp() + make_interval(secs => %s),
    last_attempt_at = statement_timestamp(),
    attempts = u.attempts + 1
FROM picked WHERE u.id = picked.id
RETURNING u.id, u.record_id, u.version, u.change_type, u.generation, u.attempts, u.payload::text
"""


def _fast_commit() -> None:
    """Inside delivery's own bookkeeping transactions on PostgreSQL: do not wait for the commit to reach the disk. A
    lease or a delivered mark lost in a crash only causes a resend, which the platform de-duplicates."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def changes_claim(*, limit: int | None = None) -> list[Claimed]:
    """Takes up to `limit` due changes for this worker and leases them, in id order; [] when there is nothing to do.
    `SKIP LOCKED`: changes another worker is claiming at this moment are left to it."""
    limit = limit or settings.PLATFORM_BATCH_SIZE
    with transaction.atomic():
        _fast_commit()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(CLAIM_SQL, [limit, settings.PLATFORM_LEASE_SECONDS])
                rows = cursor.fetchall()
            return sorted((Claimed(*row) for row in rows), key=lambda c: c.pk)
        # SQLite (the embedded default) serialises writers: the same in three statements.
        ids = list(claimable().order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        PlatformChange.objects.filter(pk__in=ids).update(
            leased_until=Now() + timedelta(seconds=settings.PLATFORM_LEASE_SECONDS),
            last_attempt_at=Now(),
            attempts=F("attempts") + 1,
        )
        rows = PlatformChange.objects.filter(pk__in=ids).order_by("pk")
        fields = ("pk", "record_id", "version", "change_type", "generation", "attempts", "payload")
        return [
            Claimed(*values[:-1], json.dumps(values[-1], ensure_ascii=False)) for values in rows.values_list(*fields)
        ]


def backoff_seconds(attempts: int) -> float:
    """Exponential with "equal jitter": half the step fixed, half random, so retries spread out but never spin."""
    step = min(settings.PLATFORM_RETRY_MAX_SECONDS, settings.PLATFORM_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return step / 2 + random.uniform(0, step / 2)  # noqa: S311 - jitter, not a secret


def item(change: Claimed) -> dict[str, Any]:
    """The item as a dict (what the body carries for this change)."""
    result: dict[str, Any] = json.loads(change.item_json())
    return result


@dataclass
class BatchOutcome:
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    parked: int = 0
    throttled: bool = False


def _retry_or_park(
    changes: list[Claimed], errors: dict[int, str], *, now: datetime, retry_after: float | None = None
) -> tuple[int, int]:
    """Schedules each change's next try (one statement), and parks those past PLATFORM_MAX_ATTEMPTS (another).
    A throttled batch (Retry-After) waits as long as asked and does not spend a try. Returns (retried, parked)."""
    if not changes:
        return 0, 0
    limit = settings.PLATFORM_MAX_ATTEMPTS
    parked = [c for c in changes if c.attempts >= limit] if retry_after is None else []
    parked_ids = {c.pk for c in parked}
    retried = [c for c in changes if c.pk not in parked_ids]
    if parked:
        PlatformChange.objects.filter(pk__in=parked_ids, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED,
            failed_at=Now(),
            leased_until=None,
            last_error=Case(*(When(pk=c.pk, then=Value(errors[c.pk])) for c in parked)),
        )
        for change in parked:
            log.warning(
                "platform change %s parked after %s tries: %s", change.pk, change.attempts, errors[change.pk][:200]
            )
    if retried:
        due = {
            c.pk: now + timedelta(seconds=retry_after if retry_after is not None else backoff_seconds(c.attempts))
            for c in retried
        }
        same_error = len({errors[c.pk] for c in retried}) == 1
        PlatformChange.objects.filter(pk__in=due, status=OutboxStatus.PENDING).update(
            next_attempt_at=Case(*(When(pk=pk, then=Value(at)) for pk, at in due.items())),
            leased_until=None,
            last_error=(
                Value(errors[retried[0].pk])
                if same_error
                else Case(*(When(pk=c.pk, then=Value(errors[c.pk])) for c in retried))
            ),
            **({"attempts": F("attempts") - 1} if retry_after is not None else {}),
        )
    return len(retried), len(parked)


def batch_deliver(changes: list[Claimed]) -> BatchOutcome:
    """Sends one claimed batch and records what became of each change (at most three statements)."""
    outcome = BatchOutcome(sent=len(changes))
    now = db_now()
    answer = client.post_items(f"govcredit-{uuid.uuid4().hex}", [c.item_json() for c in changes], now=now.timestamp())
    with transaction.atomic():
        _fast_commit()
        if not answer.ok:
            error = f"HTTP {answer.http_status}: {answer.error}" if answer.http_status else answer.error
            outcome.throttled = answer.retry_after is not None
            outcome.retried, outcome.parked = _retry_or_park(
                changes, dict.fromkeys((c.pk for c in changes), error), now=now, retry_after=answer.retry_after
            )
            return outcome
        delivered: set[int] = set()
        errors: dict[int, str] = {}
        for change in changes:
            status, reason = answer.results.get(change.delivery_key, ("missing", "no result for this item"))
            if status in DONE:
                delivered.add(change.pk)
            else:
                errors[change.pk] = f"{status}: {reason}"[:2000]
        if delivered:
            outcome.delivered = PlatformChange.objects.filter(pk__in=delivered, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.DELIVERED,
                delivered_at=Now(),
                leased_until=None,
                next_attempt_at=None,
                last_error="",
            )
        outcome.retried, outcome.parked = _retry_or_park([c for c in changes if c.pk not in delivered], errors, now=now)
    return outcome


def deliver_due(*, max_batches: int | None = None) -> BatchOutcome:
    """Claims and sends batches until nothing is due (or the platform says to wait). Safe to run in many workers."""
    total = BatchOutcome()
    batches = 0
    if not delivery_enabled():
        return total
    while max_batches is None or batches < max_batches:
        changes = changes_claim()
        if not changes:
            break
        outcome = batch_deliver(changes)
        batches += 1
        for field in ("sent", "delivered", "retried", "parked"):
            setattr(total, field, getattr(total, field) + getattr(outcome, field))
        if outcome.throttled or outcome.delivered == 0:
            # The platform is failing or throttling: leave the rest to their backoff instead of hammering it.
            total.throttled = outcome.throttled
            break
    return total


def anything_due() -> bool:
    return delivery_enabled() and claimable().exists()


REPLAY = {
    "status": OutboxStatus.PENDING,
    "attempts": 0,
    "next_attempt_at": None,
    "leased_until": None,
    "failed_at": None,
}


def changes_replay(changes: "QuerySet[PlatformChange]") -> int:
    """An operator sends parked changes again (after the platform or the data was fixed); a new generation, so the
    platform's de-duplication takes it as the deliberate resend it is."""
    ids = list(changes.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True))
    return PlatformChange.objects.filter(pk__in=ids, status=OutboxStatus.FAILED).update(
        **REPLAY, generation=F("generation") + 1
    )


def replayed_message(count: int) -> str:
    """What the operator reads after a replay (operations page and admin)."""
    return ngettext(
        "%(count)d parked change is queued for delivery again.",
        "%(count)d parked changes are queued for delivery again.",
        count,
    ) % {"count": count}


def change_replay(*, change: PlatformChange) -> bool:
    return bool(changes_replay(PlatformChange.objects.filter(pk=change.pk)))


@dataclass
class Reconciliation:
    records_checked: int
    requeued: list[int]


def reconcile() -> Reconciliation:
    """Compares the version the platform holds for each record with the last delivered change of that record, and
    re-queues the latest change of every record the platform lacks or holds at an older version."""
    holdings = client.platform_holdings(now=db_now().timestamp())
    latest = (
        PlatformChange.objects.filter(status=OutboxStatus.DELIVERED)
        .values("record_id")
        .annotate(version=Max("version"))
        .order_by()
    )
    # Records with a change still on its way are left to the delivery itself.
    in_flight = set(
        PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).values_list("record_id", flat=True).distinct()
    )
    requeue: list[int] = []
    checked = 0
    for row in latest.iterator(chunk_size=5000):
        checked += 1
        if row["record_id"] in in_flight:
            continue
        if holdings.get(row["record_id"], 0) < row["version"]:
            requeue.append(row["record_id"])
    requeued: list[int] = []
    for record_id in requeue:
        change = PlatformChange.objects.filter(record_id=record_id, status=OutboxStatus.DELIVERED).order_by("-version")[
            0
        ]
        updated = PlatformChange.objects.filter(pk=change.pk, status=OutboxStatus.DELIVERED).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            leased_until=None,
            delivered_at=None,
            generation=F("generation") + 1,
            last_error="reconciliation: the platform did not hold this version",
        )
        if updated:
            requeued.append(change.pk)
    if requeued:
        log.warning("reconciliation re-queued %s platform changes", len(requeued))
    return Reconciliation(records_checked=checked, requeued=requeued)


@dataclass
class DeliveryStatus:
    enabled: bool
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    now: datetime

    @property
    def lag_seconds(self) -> float:
        if self.oldest_pending_at is None:
            return 0.0
        return max(0.0, (self.now - self.oldest_pending_at).total_seconds())

    @property
    def lag_minutes(self) -> int:
        return int(self.lag_seconds // 60)

    @property
    def lag_display(self) -> str:
        seconds = int(self.lag_seconds)
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    @property
    def lagging(self) -> bool:
        return self.pending > 0 and self.lag_seconds > settings.PLATFORM_LAG_WARNING_SECONDS


def delivery_status() -> DeliveryStatus:
    """Three small queries, each served by an index (pending and failed are partial indexes), and the DB clock."""
    from django.db.models import Count

    pending = PlatformChange.objects.filter(status=OutboxStatus.PENDING).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return DeliveryStatus(
        enabled=delivery_enabled(),
        pending=pending["count"],
        failed=PlatformChange.objects.filter(status=OutboxStatus.FAILED).count(),
        oldest_pending_at=pending["oldest"],
        last_delivered_at=PlatformChange.objects.aggregate(last=Max("delivered_at"))["last"],
        now=db_now(),
    )
