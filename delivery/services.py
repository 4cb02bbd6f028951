"""Draining the outbox (outbox.PlatformChange) to the municipal platform: at-least-once, in order per object.

A worker claims a batch of due changes in one short transaction — `SELECT … FOR UPDATE SKIP LOCKED`, so two workers
never take the same change — and leases them (leased_until = database now + PLATFORM_LEASE_SECONDS). It sends the
batch outside any transaction, then records each change's outcome. A change is claimable only when no earlier change
of the same object is still pending, so the platform sees an object's versions in order. A worker killed anywhere in
between leaves its changes leased: once the lease runs out the sweeper hands them to another worker, which resends
them under the same delivery keys and the platform de-duplicates. Every time used here is the database's clock.

Only the platform's refusal of a change's content counts against the change (it is parked after PLATFORM_MAX_ATTEMPTS
refusals). An unreachable, failing or throttling platform is the platform's state (delivery.PlatformState): delivery
pauses, probes it with one request per interval (capped at PLATFORM_PROBE_MAX_SECONDS) for as long as the outage
lasts, and the first answer pulls every change that waited for it forward. A batch is cut by bytes as well as by
count, and a batch the platform finds too large (413) is split in two until it fits.
"""

import json
import logging
import random
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils.translation import ngettext

from delivery import client
from delivery.models import PlatformAnswer, PlatformState
from outbox.models import RECORD_KIND, WAITS_FOR_PLATFORM, FailureKind, OutboxStatus, PlatformChange
from records.models import DishonestyRecord

log = logging.getLogger(__name__)

# Answers after which a change is done: the platform holds it (or, for stale, a newer version of the object).
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


def claimable() -> QuerySet[PlatformChange]:
    """Due, pending, not leased, and no earlier change of the same object still pending. CLAIM_SQL states the same
    rule for PostgreSQL's one-statement claim: change both together (tests/delivery/test_delivery.py covers both)."""
    earlier_pending = PlatformChange.objects.filter(
        object_type_id=OuterRef("object_type_id"),
        object_id=OuterRef("object_id"),
        status=OutboxStatus.PENDING,
        pk__lt=OuterRef("pk"),
    )
    return PlatformChange.objects.filter(due(), status=OutboxStatus.PENDING).filter(~Exists(earlier_pending))


@dataclass(frozen=True)
class Claimed:
    """A leased change as delivery needs it: no model instance, and the payload as the JSON text the database holds
    (spliced into the request body as it is, never decoded and encoded again)."""

    pk: int
    kind: str
    object_id: int
    version: int
    change_type: str
    generation: int
    attempts: int
    refusals: int
    payload_json: str

    @property
    def delivery_key(self) -> str:
        return f"govcredit-{self.pk}-{self.generation}"

    def item_json(self) -> str:
        """A record's change as the platform's protocol has it (platform_stub/README.md); any other kind names its
        kind and object instead of `record_id`."""
        if self.kind == RECORD_KIND:
            about = f'"record_id":{self.object_id}'
        else:
            about = f'"kind":{json.dumps(self.kind)},"object_id":{self.object_id}'
        return (
            f'{{"delivery_key":"{self.delivery_key}",{about},"version":{self.version},'
            f'"change_type":{json.dumps(self.change_type)},"payload":{self.payload_json}}}'
        )


# PostgreSQL: pick, lock and lease in one statement. statement_timestamp() is the database's clock, as Django's Now().
CLAIM_SQL = """
WITH picked AS (
    SELECT c.id FROM outbox_platformchange AS c
    WHERE c.status = 'pending'
      AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= statement_timestamp())
      AND (c.leased_until IS NULL OR c.leased_until < statement_timestamp())
      AND NOT EXISTS (
          SELECT 1 FROM outbox_platformchange AS e
          WHERE e.object_type_id = c.object_type_id AND e.object_id = c.object_id
            AND e.status = 'pending' AND e.id < c.id
      )
    ORDER BY c.id
    LIMIT %s
    FOR UPDATE OF c SKIP LOCKED
)
UPDATE outbox_platformchange AS u
SET leased_until = statement_timestamp() + make_interval(secs => %s),
    last_attempt_at = statement_timestamp(),
    attempts = u.attempts + 1
FROM picked WHERE u.id = picked.id
RETURNING u.id, u.kind, u.object_id, u.version, u.change_type, u.generation, u.attempts, u.refusals, u.payload::text
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
        fields = ("pk", "kind", "object_id", "version", "change_type", "generation", "attempts", "refusals", "payload")
        return [
            Claimed(
                pk,
                kind,
                object_id,
                version,
                change,
                generation,
                attempts,
                refusals,
                json.dumps(payload, ensure_ascii=False),
            )
            for pk, kind, object_id, version, change, generation, attempts, refusals, payload in rows.values_list(
                *fields
            )
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
    # The platform did not answer, failed or refused our credentials: delivery pauses until a probe answers.
    platform_failed: bool = False
    # Nothing was sent: the platform is paused (an outage or a 429) and its next probe is not due yet.
    paused: bool = False
    # Batches cut in two after a 413.
    splits: int = 0

    def add(self, other: "BatchOutcome") -> None:
        for name in ("sent", "delivered", "retried", "parked", "splits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.throttled = self.throttled or other.throttled
        self.platform_failed = self.platform_failed or other.platform_failed
        self.paused = self.paused or other.paused


@dataclass(frozen=True)
class Failure:
    """What became of one change on one try that did not deliver it."""

    kind: FailureKind
    text: str
    http_status: int | None = None

    @property
    def counts_against_the_change(self) -> bool:
        return self.kind in {FailureKind.REFUSED, FailureKind.TOO_LARGE}


def _per_change(values: dict[int, Any]) -> Any:
    """One value for every change of an UPDATE, or a CASE when they differ (one statement either way)."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return Value(next(iter(distinct)))
    return Case(*(When(pk=pk, then=Value(value)) for pk, value in values.items()))


def _reschedule(
    changes: list[Claimed], failures: dict[int, Failure], *, now: datetime, retry_after: float | None = None
) -> tuple[int, int]:
    """Records why each change failed, schedules its next try and parks those the platform refused
    PLATFORM_MAX_ATTEMPTS times; an outage never parks anything. A throttled batch (Retry-After) waits as long as asked
    and does not spend a try. At most three statements. Returns (retried, parked)."""
    if not changes:
        return 0, 0
    limit = settings.PLATFORM_MAX_ATTEMPTS
    refused = {c.pk for c in changes if failures[c.pk].counts_against_the_change}
    parked = [c for c in changes if c.pk in refused and c.refusals + 1 >= limit]
    parked_ids = {c.pk for c in parked}
    retried = [c for c in changes if c.pk not in parked_ids]
    if parked:
        PlatformChange.objects.filter(pk__in=parked_ids, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED,
            failed_at=Now(),
            leased_until=None,
            refusals=F("refusals") + 1,
            failure=_per_change({c.pk: failures[c.pk].kind for c in parked}),
            last_error=_per_change({c.pk: failures[c.pk].text for c in parked}),
        )
        for change in parked:
            log.warning(
                "platform change %s parked after %s refusals: %s",
                change.pk,
                change.refusals + 1,
                failures[change.pk].text[:200],
            )
    if retried:
        due = {
            c.pk: now + timedelta(seconds=retry_after if retry_after is not None else backoff_seconds(c.attempts))
            for c in retried
        }
        counted = [c.pk for c in retried if c.pk in refused]
        PlatformChange.objects.filter(pk__in=due, status=OutboxStatus.PENDING).update(
            next_attempt_at=_per_change(due),
            leased_until=None,
            failure=_per_change({c.pk: failures[c.pk].kind for c in retried}),
            last_error=_per_change({c.pk: failures[c.pk].text for c in retried}),
            **({"refusals": F("refusals") + _per_change({pk: int(pk in refused) for pk in due})} if counted else {}),
            **({"attempts": F("attempts") - 1} if retry_after is not None else {}),
        )
    PlatformAnswer.objects.bulk_create(
        PlatformAnswer(change_id=c.pk, kind=f.kind, http_status=f.http_status, detail=f.text[:500])
        for c, f in ((c, failures[c.pk]) for c in changes)
    )
    return len(retried), len(parked)


def _release(changes: Iterable[Claimed]) -> None:
    """Hands back changes claimed but never sent (the platform failed on an earlier part of their batch): no try
    spent, due again at once — behind the platform's pause."""
    ids = [c.pk for c in changes]
    if ids:
        PlatformChange.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).update(
            leased_until=None, attempts=F("attempts") - 1
        )


ENVELOPE_BYTES = 100  # `{"batch_id":"govcredit-<hex>","items":[…]}` around the items


def _cut_by_bytes(items: list[tuple[Claimed, str]]) -> list[list[tuple[Claimed, str]]]:
    """Consecutive parts of at most PLATFORM_BATCH_MAX_BYTES each (an item larger than that goes alone), so a batch
    of large records never becomes one body the platform cannot take."""
    limit = settings.PLATFORM_BATCH_MAX_BYTES
    parts: list[list[tuple[Claimed, str]]] = []
    part: list[tuple[Claimed, str]] = []
    size = ENVELOPE_BYTES
    for change, text in items:
        length = len(text.encode()) + 1
        if part and size + length > limit:
            parts.append(part)
            part, size = [], ENVELOPE_BYTES
        part.append((change, text))
        size += length
    if part:
        parts.append(part)
    return parts


def batch_deliver(changes: list[Claimed], *, platform_failing: bool = True) -> BatchOutcome:
    """Sends one claimed batch — in parts of at most PLATFORM_BATCH_MAX_BYTES, a part answered 413 split in two — and
    records what became of each change (at most four statements a part). `platform_failing`: whether the platform
    was failing when the batch was claimed; an answer then reopens delivery and pulls the waiting changes forward."""
    outcome = BatchOutcome()
    parts = deque(_cut_by_bytes([(c, c.item_json()) for c in changes]))
    released: list[Claimed] = []
    answered = False
    now = db_now()
    first = True
    while parts:
        part = parts.popleft()
        if not first:
            now = db_now()  # a signature's timestamp must stay close to the platform's clock
        first = False
        answer = client.post_items(f"govcredit-{uuid.uuid4().hex}", [text for _c, text in part], now=now.timestamp())
        kind = answer.kind
        if kind == FailureKind.TOO_LARGE and len(part) > 1:
            half = len(part) // 2
            parts.extendleft([part[half:], part[:half]])
            outcome.splits += 1
            log.info("the platform found a batch of %s changes too large; sending it in two", len(part))
            continue
        part_changes = [c for c, _text in part]
        with transaction.atomic():
            _fast_commit()
            if answer.ok:
                answered = True
                _record_results(part_changes, answer, now=now, outcome=outcome)
                continue
            failure = Failure(kind or FailureKind.SERVER_ERROR, answer.summary[:2000], answer.http_status)
            retried, parked = _reschedule(
                part_changes,
                dict.fromkeys((c.pk for c in part_changes), failure),
                now=now,
                retry_after=answer.retry_after,
            )
            outcome.retried += retried
            outcome.parked += parked
            if failure.counts_against_the_change:
                continue
            # The platform's state, not these changes': the rest of the batch goes back unsent, delivery pauses.
            released = [c for rest in parts for c, _text in rest]
            _release(released)
        outcome.throttled = kind == FailureKind.THROTTLED
        outcome.platform_failed = not outcome.throttled
        platform_failed(kind=failure.kind, error=failure.text, retry_after=answer.retry_after)
        break
    outcome.sent = len(changes) - len(released)
    if answered and platform_failing:
        platform_answered()
    return outcome


def _record_results(changes: list[Claimed], answer: client.Answer, *, now: datetime, outcome: BatchOutcome) -> None:
    """The platform answered the batch: delivered items in one statement, the others rescheduled."""
    delivered: set[int] = set()
    failures: dict[int, Failure] = {}
    for change in changes:
        status, reason = answer.results.get(change.delivery_key, ("missing", "no result for this item"))
        if status in DONE:
            delivered.add(change.pk)
        elif status == "rejected":
            failures[change.pk] = Failure(FailureKind.REFUSED, f"{status}: {reason}"[:2000], answer.http_status)
        else:  # an answer that forgot the item says nothing about its content
            failures[change.pk] = Failure(FailureKind.SERVER_ERROR, f"{status}: {reason}"[:2000], answer.http_status)
    if delivered:
        outcome.delivered += PlatformChange.objects.filter(pk__in=delivered, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DELIVERED,
            delivered_at=Now(),
            leased_until=None,
            next_attempt_at=None,
            last_error="",
            failure="",
        )
    retried, parked = _reschedule([c for c in changes if c.pk not in delivered], failures, now=now)
    outcome.retried += retried
    outcome.parked += parked


# The platform's state ----------------------------------------------------------------------------------------------


def probe_delay_seconds(failures: int) -> float:
    """The pause after the n-th failed contact in a row: exponential with equal jitter, capped at
    PLATFORM_PROBE_MAX_SECONDS so that a platform back after an outage of any length is found within that."""
    step = min(settings.PLATFORM_PROBE_MAX_SECONDS, settings.PLATFORM_RETRY_BASE_SECONDS * 2 ** max(0, failures - 1))
    return step / 2 + random.uniform(0, step / 2)  # noqa: S311 - jitter, not a secret


def _state_locked() -> PlatformState:
    state, _created = PlatformState.objects.select_for_update().get_or_create(pk=PlatformState.SINGLETON)
    return state


def platform_failed(
    *, kind: FailureKind, error: str, retry_after: float | None = None, probe: bool = False
) -> PlatformState:
    """A contact failed for a reason of the platform's own: no batch is sent until the pause ends (and, after an
    outage, a probe answers). A 429 only pauses for its Retry-After."""
    with transaction.atomic():
        _fast_commit()
        state = _state_locked()
        now = db_now()
        if kind == FailureKind.THROTTLED:
            wait = retry_after if retry_after is not None else settings.PLATFORM_RETRY_BASE_SECONDS
            state.paused_until = max(state.paused_until or now, now + timedelta(seconds=wait))
        else:
            state.failures += 1
            state.failing_since = state.failing_since or now
            state.paused_until = now + timedelta(seconds=probe_delay_seconds(state.failures))
        state.last_error, state.last_error_kind, state.last_error_at = error[:2000], kind, now
        if probe:
            state.last_probe_at, state.last_probe_ok = now, False
        state.save()
    if kind != FailureKind.THROTTLED and state.failures == 1:
        log.warning("the platform is failing (%s); delivery pauses and probes it", error[:200])
    return state


def platform_answered(*, probe: bool = False) -> int:
    """The platform answered: delivery reopens and every change that waited for it is due at once, whatever its own
    backoff said. Returns how many changes were pulled forward."""
    state = PlatformState.objects.filter(pk=PlatformState.SINGLETON)
    if probe:
        # A probe reopens delivery; only a delivered batch proves the platform healthy again (a platform that answers
        # probes but fails batches is probed at the growing interval, not hammered).
        reopened = state.update(paused_until=None, last_probe_at=Now(), last_probe_ok=True)
    else:
        reopened = state.filter(failing_since__isnull=False).update(failing_since=None, failures=0, paused_until=None)
    if not reopened:
        return 0
    pulled = PlatformChange.objects.filter(
        status=OutboxStatus.PENDING, failure__in=WAITS_FOR_PLATFORM, next_attempt_at__gt=Now()
    ).update(next_attempt_at=None)
    if not probe:
        log.warning("the platform answers again; %s waiting changes are due now", pulled)
    return pulled


@dataclass(frozen=True)
class Gate:
    """Whether delivery may send now: `paused` until the platform's pause ends; then `probe` first if it was failing."""

    paused: bool = False
    probe: bool = False
    failing: bool = False


def platform_gate() -> Gate:
    row = PlatformState.objects.filter(pk=PlatformState.SINGLETON).values("failing_since", "paused_until", now=Now())
    state = row.first()
    if state is None:
        return Gate()
    failing = state["failing_since"] is not None
    paused_until = state["paused_until"]
    if paused_until is None:
        return Gate(failing=failing)
    if paused_until > state["now"]:
        return Gate(paused=True, failing=failing)
    return Gate(probe=failing, failing=failing)


def platform_probe() -> bool:
    """One signed request for the first entry of the platform's listing; an answer reopens delivery."""
    answer = client.probe(now=db_now().timestamp())
    if answer.ok:
        pulled = platform_answered(probe=True)
        log.info("the platform answered a probe; %s waiting changes are due now", pulled)
        return True
    platform_failed(kind=answer.kind or FailureKind.SERVER_ERROR, error=answer.summary, probe=True)
    return False


def deliver_due(*, max_batches: int | None = None) -> BatchOutcome:
    """Claims and sends batches until nothing is due (or the platform fails or says to wait). Safe to run in many
    workers. While the platform is paused nothing is sent; when its pause has ended after failures, it is probed
    first."""
    total = BatchOutcome()
    batches = 0
    if not delivery_enabled():
        return total
    gate = platform_gate()
    if gate.paused or (gate.probe and not platform_probe()):
        total.paused = True
        return total
    failing = gate.failing
    while max_batches is None or batches < max_batches:
        changes = changes_claim()
        if not changes:
            break
        outcome = batch_deliver(changes, platform_failing=failing)
        batches += 1
        total.add(outcome)
        failing = outcome.platform_failed or (failing and not outcome.delivered)
        if outcome.throttled or outcome.platform_failed or outcome.delivered == 0:
            # The platform is failing or throttling: leave the rest to the probe instead of hammering it.
            break
    return total


def anything_due() -> bool:
    """Whether a delivery task has work: due changes while the platform is not paused, or a probe that is due."""
    if not delivery_enabled():
        return False
    gate = platform_gate()
    if gate.paused:
        return False
    return gate.probe or claimable().exists()


REPLAY = {
    "status": OutboxStatus.PENDING,
    "attempts": 0,
    "refusals": 0,
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
    re-queues the latest change of every record the platform lacks or holds at an older version. The platform's
    listing is of records: changes of other kinds are left alone."""
    holdings = client.platform_holdings(now=db_now().timestamp())
    records = PlatformChange.objects.filter(object_type=ContentType.objects.get_for_model(DishonestyRecord))
    latest = (
        records.filter(status=OutboxStatus.DELIVERED).values("object_id").annotate(version=Max("version")).order_by()
    )
    # Records with a change still on its way are left to the delivery itself.
    in_flight = set(records.exclude(status=OutboxStatus.DELIVERED).values_list("object_id", flat=True).distinct())
    requeue: list[int] = []
    checked = 0
    for row in latest.iterator(chunk_size=5000):
        checked += 1
        if row["object_id"] in in_flight:
            continue
        if holdings.get(row["object_id"], 0) < row["version"]:
            requeue.append(row["object_id"])
    requeued: list[int] = []
    for record_id in requeue:
        change = records.filter(object_id=record_id, status=OutboxStatus.DELIVERED).order_by("-version")[0]
        updated = PlatformChange.objects.filter(pk=change.pk, status=OutboxStatus.DELIVERED).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            refusals=0,
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


# Answers of delivered changes are kept this long for the operations page, then pruned (hourly, with reconciliation).
ANSWERS_KEPT = timedelta(days=30)


def answers_prune() -> int:
    """Deletes the answers older than ANSWERS_KEPT of changes since delivered; a parked or pending change keeps all."""
    old = PlatformAnswer.objects.filter(at__lt=Now() - ANSWERS_KEPT, change__status=OutboxStatus.DELIVERED)
    deleted, _by_model = old.delete()
    return deleted


@dataclass
class DeliveryStatus:
    """What an operator sees of delivery: the counts of their own scope (pending, parked, lag, why changes wait) and
    the platform's state, which is the same for everyone."""

    enabled: bool
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    now: datetime
    # Pending changes whose last try failed because of the platform (no answer, 5xx, credentials) / of their content.
    waiting_for_platform: int = 0
    refused_pending: int = 0
    platform: PlatformState | None = None

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

    @property
    def platform_failing(self) -> bool:
        return self.platform is not None and self.platform.failing_since is not None

    @property
    def next_probe_at(self) -> datetime | None:
        if not self.platform_failing:
            return None
        assert self.platform is not None
        return self.platform.paused_until


def delivery_status(*, changes: "QuerySet[PlatformChange]") -> DeliveryStatus:
    """`changes`: the caller's scope (`PlatformChange.objects.visible_to(user)`), the same queryset the page lists
    parked changes from. Its counts in one statement over the pending and parked partial indexes; the platform's
    state, its last delivery (an index) and the database's clock beside."""
    pending = Q(status=OutboxStatus.PENDING)
    counts = changes.filter(status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED)).aggregate(
        pending=Count("pk", filter=pending),
        oldest=Min("created_at", filter=pending),
        failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
        waiting=Count("pk", filter=pending & Q(failure__in=WAITS_FOR_PLATFORM)),
        refused=Count("pk", filter=pending & Q(failure=FailureKind.REFUSED)),
    )
    return DeliveryStatus(
        enabled=delivery_enabled(),
        pending=counts["pending"],
        failed=counts["failed"],
        oldest_pending_at=counts["oldest"],
        last_delivered_at=PlatformChange.objects.aggregate(last=Max("delivered_at"))["last"],
        now=db_now(),
        waiting_for_platform=counts["waiting"],
        refused_pending=counts["refused"],
        platform=PlatformState.objects.filter(pk=PlatformState.SINGLETON).first(),
    )
