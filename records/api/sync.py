"""The change feed for systems that keep a copy (`/sync/changes/?after=<cursor>&limit=<n>`).

Every change of a record's disclosure state — the rows of kind "record" of the transactional outbox
(outbox.PlatformChange: published, corrected, revoked, repaired, expired, objection opened or closed), each with the
record as it then stood in the national 双公示 field codes — in commit order, so that a client polling with the `next`
cursor never misses a change or sees two in the wrong order, even when transactions commit out of id order.

How (PostgreSQL): each row carries the id of the transaction that wrote it (`commit_xid`). The feed shows only rows
whose transaction is older than the oldest transaction of this database still running when its query started (the
horizon, FeedHorizon): all of those have ended, so nothing can ever appear below that line, and the rows under it,
ordered by (commit_xid, id), are a final prefix. The cursor is the last (commit_xid, id) a client has. A transaction
that stays open holds the line back — changes after it wait, they are not skipped. SQLite serialises writers, so there
the id order is the commit order.

Who sees what is accounts/scope.py's: the changes of records in the caller's scope (record_q) in full; and, for an API
client with public:read, every other change with only what the public could see — the record's public content when
the change leaves it on the public site, and otherwise the bare change (id, version, type; `record` null), which is
what a copy of the public site needs to drop the record.

Changes of other kinds (public commitments: kind "commitment") come only to a client that asks for them by name
(`?kind=commitment`, or `?kind=record&kind=commitment` for both in one order), so a client written for records reads
exactly what it read before. Each change says its `kind` and `object_id`; a record's change keeps `record_id` and
`record`, a change of another kind has them null and carries the object as it then stood in `object`. Its scope is
the one its app registered (outbox.kinds): in scope, the whole payload; for a public:read client outside it, what the
kind's public view lets anyone read (a published commitment, ID numbers taken out of its free text), else bare.

"On the public site after the change" is the test of DishonestyRecord.objects.disclosed(), applied to the record as
the change left it (its payload) on the day of the change: a change that keeps or puts the record in force
(published, corrected, objection opened or closed), publicly disclosed (`gkbz` "1", not the minor tier), and inside
its window (the change's day before `cf_gsjzq`). Revoked, repaired and expired changes take the record off the site:
bare, even for a record the public saw until then — the public never sees the revoked or repaired version, and a
copy needs only to learn that the record left. A record never publicly disclosed (minor, or corrected out of its
window before anyone saw it) is bare in every change.
"""

import base64
import binascii
import datetime
import operator
import re
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Case, F, Func, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AnyUser
from accounts.permissions import ANY_SCOPE
from accounts.scope import may_read_public_changes, record_q
from outbox.kinds import kind_names, kind_of
from outbox.models import RECORD_KIND, ChangeType, PlatformChange
from records.models import IN_FORCE_STATUSES
from subjects.masking import redact_person_text
from subjects.personal_data import mask_id_numbers_in_text

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# The payload's free-text fields: an entry clerk may have written a name or an ID number into them.
FREE_TEXT_CODES = ("cf_sy", "cf_yj", "cf_cflb", "cf_nr")
_CURSOR = re.compile(r"1\.(\d{1,19})\.(\d{1,19})")


class FeedHorizon(Func):
    """PostgreSQL: the oldest transaction of this database still running when the statement's snapshot was taken, or
    the snapshot's xmax when none is; every transaction of this database below it has committed or rolled back.

    It is `pg_snapshot_xmin(pg_current_snapshot())` without the transactions that pg_stat_activity shows running in
    other databases of the server: transaction ids are the whole server's, and a long job next door (a benchmark, a
    report, another application) would otherwise hold this feed back, though it can write none of its rows. An id
    only leaves the list on that positive evidence — a transaction stays in the database it began in — so a
    transaction the view cannot show (it ended meanwhile, or the role may not see other roles' sessions without
    pg_read_all_stats) keeps the line where xmin puts it: later, never wrong.
    """

    template = (
        "(SELECT LEAST(pg_snapshot_xmax(s.snap)::text::bigint, ("
        "SELECT min(x::text::bigint) FROM pg_snapshot_xip(s.snap) AS x WHERE NOT EXISTS ("
        "SELECT 1 FROM pg_stat_activity AS a WHERE a.backend_xid::text::bigint = mod(x::text::bigint, 4294967296) "
        "AND a.datname <> current_database()))) "
        "FROM (SELECT pg_current_snapshot() AS snap) AS s)"
    )
    arity = 0
    output_field = BigIntegerField()


def encode_cursor(commit_xid: int | None, pk: int) -> str:
    return base64.urlsafe_b64encode(f"1.{commit_xid or 0}.{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(commit_xid, id) of a cursor this feed handed out; ValueError for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(cursor) from exc
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise ValueError(cursor)
    commit_xid, pk = int(match[1]), int(match[2])
    if commit_xid >= 2**63 or pk >= 2**63:
        raise ValueError(cursor)
    return commit_xid, pk


START = encode_cursor(0, 0)


def _flag(condition: Q) -> Any:
    """`condition` as a column; Q() (everything) and NOTHING become constants."""
    if not condition:
        return Value(True)
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _scope(user: AnyUser, kind: str) -> Q:
    # A record's change is seen by whoever sees the record as it stands now; another kind's, by its app's scope.
    return record_q(user, "record__") if kind == RECORD_KIND else kind_of(kind).scope(user)


def _changes(
    user: AnyUser, *, after: tuple[int, int], limit: int, kinds: tuple[str, ...] = (RECORD_KIND,)
) -> list[dict[str, Any]]:
    """Up to limit + 1 changes of `kinds` after `after` that `user` may see, in commit order; one query."""
    if len(kinds) == 1:
        rows: QuerySet[PlatformChange] = PlatformChange.objects.filter(kind=kinds[0]).order_by()
        in_scope = _scope(user, kinds[0])
    else:
        rows = PlatformChange.objects.filter(kind__in=kinds).order_by()
        in_scope = reduce(operator.or_, (Q(kind=kind) & _scope(user, kind) for kind in kinds))
    fields = ["pk", "commit_xid", "kind", "object_id", "record_id", "version", "change_type", "created_at", "payload"]
    if may_read_public_changes(user):
        rows = rows.annotate(in_scope=_flag(in_scope), person_name=F("record__subject_person__name"))
        fields += ["in_scope", "person_name"]
    else:
        rows = rows.filter(in_scope)
    commit_xid, pk = after
    if connection.vendor == "postgresql":
        rows = rows.filter(commit_xid__lt=FeedHorizon())
        # The first condition lets the (commit_xid, id) index seek to the cursor instead of scanning up to it.
        rows = rows.filter(Q(commit_xid__gte=commit_xid), Q(commit_xid__gt=commit_xid) | Q(pk__gt=pk))
        rows = rows.order_by("commit_xid", "pk")
    else:
        rows = rows.filter(pk__gt=pk).order_by("pk")
    return list(rows.values(*fields)[: limit + 1])


# The changes after which the record can be on the public site; the others take it off.
CHANGES_KEEPING_IT_PUBLIC = frozenset(
    {ChangeType.PUBLISHED, ChangeType.CORRECTED, ChangeType.OBJECTION_OPENED, ChangeType.OBJECTION_CLOSED}
)


def public_after(row: dict[str, Any]) -> bool:
    """Whether the public site showed the record as this change left it (the module's docstring)."""
    payload: dict[str, Any] = row["payload"]
    if row["change_type"] not in CHANGES_KEEPING_IT_PUBLIC:
        return False
    if payload.get("gkbz") != "1" or payload.get("zt") not in IN_FORCE_STATUSES:
        return False
    try:
        ends_on = datetime.date.fromisoformat(payload["cf_gsjzq"])
    except (KeyError, TypeError, ValueError):
        return False  # no window to show it in
    return timezone.localdate(row["created_at"]) <= ends_on  # cf_gsjzq is the last day shown


def _record(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["kind"] != RECORD_KIND:
        return None
    payload: dict[str, Any] = row["payload"]
    if row.get("in_scope", True):
        # Staff read ID numbers masked wherever they appear (docs/domain.md §2), as in the records API.
        return {**payload, **{code: mask_id_numbers_in_text(payload.get(code, "")) for code in FREE_TEXT_CODES}}
    if not public_after(row):
        return None  # not for the public: only that the change happened
    # The public rule of subjects/masking.py: no full name of a civil servant, no ID number.
    full_name = row["person_name"] or ""
    return {
        **payload,
        **{code: redact_person_text(payload.get(code, ""), full_name=full_name) for code in FREE_TEXT_CODES},
    }


def _object(row: dict[str, Any]) -> dict[str, Any] | None:
    """A change of another kind than record: the object in full in scope, else what its kind lets the public read."""
    if row["kind"] == RECORD_KIND:
        return None
    payload: dict[str, Any] = row["payload"]
    if row.get("in_scope", True):
        return payload
    public = kind_of(row["kind"]).public
    return public(payload) if public is not None else None


class ChangeFeedQuerySerializer(serializers.Serializer):
    after = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("The `next` of your previous page; leave it out to start from the first change."),
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT, help_text=_("Changes per page.")
    )
    kind = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        required=False,
        default=[RECORD_KIND],
        max_length=10,
        help_text=_(
            "The kinds of object whose changes you follow (repeat the parameter for several); records only when left "
            "out. Keep the same kinds with a cursor."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds the apps registered (outbox.kinds), known once they are ready.
        self.fields["kind"].child.choices = kind_names()  # type: ignore[attr-defined]

    def validate_kind(self, value: list[str]) -> tuple[str, ...]:
        return tuple(sorted(set(value))) or (RECORD_KIND,)

    def validate_after(self, value: str) -> tuple[int, int]:
        if not value:
            return (0, 0)
        try:
            return decode_cursor(value)
        except ValueError as exc:
            raise serializers.ValidationError(_("The cursor is not valid.")) from exc


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text=_("This change's place in the feed."))
    kind = serializers.CharField(help_text=_("What changed: `record`, or the kind you asked for (`commitment`)."))
    object_id = serializers.IntegerField(help_text=_("The id of what changed, among the objects of its kind."))
    record_id = serializers.IntegerField(allow_null=True, help_text=_("A record's id; null for other kinds."))
    version = serializers.IntegerField(help_text=_("The object's version after the change; keep the highest."))
    change_type = serializers.ChoiceField(choices=ChangeType.choices)
    at = serializers.DateTimeField(source="created_at")
    record = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "The record as it stood after the change, in the national field codes (cf_xdr_mc, cf_wsh, cf_sy, …; gkbz "
            "1 publicly disclosed, zt its status, yybz under objection). Null when you may only learn that it changed "
            "— for the public, when the change leaves the record off the public site (revoked, repaired, expired, or "
            "never publicly disclosed): drop your copy. Null for other kinds."
        ),
    )
    object = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "For a kind other than record: the object as it stood after the change (a commitment: code, agency_name, "
            "title, target, due_on, status, …). Null for records, and when you may only learn that it changed."
        ),
    )


class ChangeFeedSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    next = serializers.CharField(help_text=_("Send it as `after` next time; given even when no change came."))
    has_more = serializers.BooleanField(help_text=_("More changes are ready now: ask again at once."))


class ChangeFeedApi(APIView):
    """Every change of a record's disclosure state in commit order, from a cursor: poll with `after=<next>`; with
    `kind=commitment`, public commitments' changes too."""

    client_read_scopes = ANY_SCOPE

    @extend_schema(
        operation_id="sync_changes",
        parameters=[ChangeFeedQuerySerializer],
        responses={
            200: ChangeFeedSerializer,
            400: OpenApiResponse(
                description="A cursor this feed did not hand out, a limit out of 1–500, or an unknown kind."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = ChangeFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after: tuple[int, int] = query.validated_data.get("after", (0, 0))
        limit: int = query.validated_data["limit"]
        kinds: tuple[str, ...] = query.validated_data["kind"]
        rows = _changes(request.user, after=after, limit=limit, kinds=kinds)
        page = rows[:limit]
        changes = [
            {
                **row,
                "cursor": encode_cursor(row["commit_xid"], row["pk"]),
                "record": _record(row),
                "object": _object(row),
            }
            for row in page
        ]
        last = page[-1] if page else None
        body = {
            "changes": ChangeSerializer(changes, many=True).data,
            "next": encode_cursor(last["commit_xid"], last["pk"]) if last else encode_cursor(*after),
            "has_more": len(rows) > limit,
        }
        response = Response(body)
        patch_cache_control(response, private=True, no_cache=True)
        return response
