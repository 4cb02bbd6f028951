"""What the public site reads: every record it shows comes from `DishonestyRecord.objects.disclosed()`.

Templates never receive a model instance: they get `PublicRecord` (and `AgencyHit`), built here from the public
fields only, with a civil servant named as surname + 某. A staff-only field therefore cannot reach a public page by
a slip in a template, and a later state (objection, repair) hides a record everywhere by changing `disclosed()`.

The search page's own module, disclosure/search.py, builds on the agency search here.

Query shapes were measured at 1,000,000 records and 5,000 agencies (bench/bench_public_search.py, indexes in
records/migrations/0006_public_indexes.py): agency search uses the GIN-indexed grams of subjects/search.py with a
substring test, the counts per agency come from one GROUP BY over the page's agencies (index-only), and the agency
page and the recently-published list read ordered partial indexes, the latter with a keyset cursor: never OFFSET or
COUNT(*) over the records.
"""

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, TextChoices
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from accounts.models import Sector
from disclosure.cache import cache_get, cache_set
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureState,
    MeasureTarget,
    RecordQuerySet,
    RecordSource,
    RecordStatus,
    Severity,
    disclosed_until_of,
)
from subjects.masking import mask_person_name, redact_person_text
from subjects.models import Agency, AgencyKind, AgencyQuerySet
from subjects.search import MAX_QUERY_LENGTH, query_grams, query_words

PAGE_SIZE = 20
# Search results: ten a page, as public search engines show them (and shorter to read on a phone).
SEARCH_PAGE_SIZE = 10
HOME_RECENT = 8
COUNTS_CACHE_SECONDS = 600
# A query made only of code characters, two or more, is a Unified Social Credit Code or its beginning.
CODE_QUERY = re.compile(r"^[0-9A-Z]{2,18}$")

# What a list row shows, and what the record page adds: read as plain values (a model instance per row costs
# twice as much), and nothing else is ever read for the public.
SUMMARY_FIELDS = (
    "id",
    "subject_agency_id",
    "subject_person_id",
    "subject_name",
    "source",
    "sector",
    "severity",
    "document_number",
    "deciding_body_name",
    "decision_date",
    "status",
    "earliest_repair_on",
    "publicly_disclosed",
    "disclosure_ends_on",
    "published_at",
    "under_objection",
    "subject_agency__name",
    "subject_agency__uscc",
)
DETAIL_FIELDS = (
    *SUMMARY_FIELDS,
    "deciding_body_uscc",
    "facts",
    "legal_basis",
    "categories",
    "fine_amount",
    "other_amount",
    "updated_at",
    "subject_agency__updated_at",
    # 数据来源单位 (the platform's cf_sjly / cf_sjlydm): the agency that supplied the record.
    "data_source_agency__name",
    "data_source_agency__uscc",
    "data_source_agency__updated_at",
)
# The measures the record page lists: those in force. A lifted one no longer applies (after an upheld objection it
# should never have applied), so it is not shown; a suspended one is, as suspended.
MEASURE_FIELDS = (
    "measure_type__name",
    "measure_type__target",
    "executing_agency__name",
    "starts_on",
    "ends_on",
    "state",
)
Row = dict[str, Any]


def public_records(on: datetime.date | None = None) -> RecordQuerySet:
    return DishonestyRecord.objects.disclosed(on)


def label(choices: type[TextChoices], value: str) -> str:
    """A choice's label in the current language. Django's get_FOO_display() rebuilds and hashes the whole choice
    list on every call (lazy strings re-translated each time): 14 ms of a 20-row page, measured. Memoized per
    language: three labels a row otherwise cost three gettext() calls a row."""
    return _label(choices, value, get_language())


@functools.lru_cache(maxsize=1024)
def _label(choices: type[TextChoices], value: str, language: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _iso(day: datetime.date | None) -> str:
    # disclosed() lets only publicly disclosed records through: a public row always has its last day.
    return "" if day is None else day.isoformat()


@dataclass(frozen=True)
class PublicRecord:
    """A disclosed record as the public may see it."""

    pk: int
    subject: str  # the agency's name, or 张某 for a civil servant
    is_person: bool
    agency_id: int
    agency_name: str
    agency_uscc: str
    source: str
    sector: str
    severity: str
    severity_label: str
    document_number: str
    deciding_body_name: str
    decision_date: datetime.date
    earliest_repair_on: datetime.date
    # 公示截止日期: the last day shown (records.models.disclosed_until_of, as on staff pages, the API and the platform).
    disclosed_until: datetime.date | None
    corrected: bool
    published_at: datetime.datetime | None
    # An accepted objection is being checked or verified: the page says so and the measures are suspended. The flag
    # stored on the record, the one every platform payload carries (yybz).
    under_objection: bool = False
    # The record page only (empty on lists).
    deciding_body_uscc: str = ""
    facts: str = ""
    legal_basis: str = ""
    categories: str = ""
    fine_amount: str = ""
    other_amount: str = ""
    data_source_name: str = ""
    data_source_uscc: str = ""
    measures: tuple["PublicMeasure", ...] = ()
    # 更新日期: the last change of anything the record page shows.
    updated_at: datetime.datetime | None = None

    @property
    def url(self) -> str:
        return f"{url_prefix('disclosure:record')}{self.pk}/"

    @classmethod
    def of(cls, row: Row, *, detail: bool = False, measures: Sequence[Row] = ()) -> "PublicRecord":
        """From a row of SUMMARY_FIELDS (DETAIL_FIELDS with `detail`, and its rows of MEASURE_FIELDS)."""
        is_person = row["subject_person_id"] is not None
        name = row["subject_name"]
        summary = {
            "pk": row["id"],
            # For a person, subject_name is the person's full name: only its surname leaves this function.
            "subject": mask_person_name(name) if is_person else name,
            "is_person": is_person,
            "agency_id": row["subject_agency_id"],
            "agency_name": row["subject_agency__name"],
            "agency_uscc": row["subject_agency__uscc"],
            "source": label(RecordSource, row["source"]),
            "sector": label(Sector, row["sector"]),
            "severity": row["severity"],
            "severity_label": label(Severity, row["severity"]),
            "document_number": row["document_number"],
            "deciding_body_name": row["deciding_body_name"],
            "decision_date": row["decision_date"],
            "earliest_repair_on": row["earliest_repair_on"],
            "disclosed_until": disclosed_until_of(
                publicly_disclosed=row["publicly_disclosed"], disclosure_ends_on=row["disclosure_ends_on"]
            ),
            "corrected": row["status"] == RecordStatus.CORRECTED,
            "published_at": row["published_at"],
            "under_objection": row["under_objection"],
        }
        if not detail:
            return cls(**summary)

        def text(value: str) -> str:
            return redact_person_text(value, full_name=name if is_person else "")

        return cls(
            **summary,
            deciding_body_uscc=row["deciding_body_uscc"],
            facts=text(row["facts"]),
            legal_basis=text(row["legal_basis"]),
            categories=text(row["categories"]),
            fine_amount=_amount(row["fine_amount"]),
            other_amount=_amount(row["other_amount"]),
            data_source_name=row["data_source_agency__name"],
            data_source_uscc=row["data_source_agency__uscc"],
            measures=tuple(PublicMeasure.of(measure) for measure in measures),
            # The page shows the agencies' names too: it changes when any of the rows does (a measure's change
            # touches the record's, records.services.measures.record_touch).
            updated_at=max(row["updated_at"], row["subject_agency__updated_at"], row["data_source_agency__updated_at"]),
        )


@dataclass(frozen=True)
class PublicMeasure:
    """A punishment measure in force on a record, as the public may see it: whom it applies to is said by role
    (the agency, the civil servant, the principal responsible person), never by name."""

    name: str
    applies_to: str
    executing_agency: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    suspended: bool

    @classmethod
    def of(cls, row: Row) -> "PublicMeasure":
        return cls(
            name=row["measure_type__name"],
            applies_to=label(MeasureTarget, row["measure_type__target"]),
            executing_agency=row["executing_agency__name"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            suspended=row["state"] == MeasureState.SUSPENDED,
        )


@functools.cache
def url_prefix(name: str) -> str:
    """The path before the id, "/records/" for "disclosure:record" (records/<int:pk>/): one reverse() per process
    rather than one per row of a list (24 µs each, measured)."""
    return reverse(name, args=[0]).removesuffix("0/")


def _summaries(records: RecordQuerySet) -> QuerySet[DishonestyRecord, dict[str, Any]]:
    return records.values(*SUMMARY_FIELDS)


def public_record(pk: int, on: datetime.date | None = None) -> PublicRecord | None:
    """The record page: None for anything not disclosed today, whatever the reason (and for no such record)."""
    rows = list(public_records(on).filter(pk=pk).order_by().values(*DETAIL_FIELDS)[:1])
    if not rows:
        return None
    measures = AppliedMeasure.objects.in_force().filter(record_id=pk).order_by("pk").values(*MEASURE_FIELDS)
    return PublicRecord.of(rows[0], detail=True, measures=list(measures))


# Search


def normalize_query(text: str) -> str:
    return "".join(text.split())[:MAX_QUERY_LENGTH]


def is_code_query(text: str) -> bool:
    return bool(CODE_QUERY.match(normalize_query(text).upper()))


def query_terms(text: str) -> list[str]:
    """The words a search must all match (subjects.search.query_words); a code typed in groups ("11 3301 00") is
    one word, upper-cased."""
    if is_code_query(text):
        return [normalize_query(text).upper()]
    return [word.upper() if CODE_QUERY.match(word.upper()) else word for word in query_words(text)]


def _is_code(word: str) -> bool:
    return bool(CODE_QUERY.match(word))


def _agency_words_q(words: Sequence[str], *, with_grams: bool) -> Q:
    """Every word in the agency's name, or the beginning of its code for a word made of code characters."""
    condition = Q()
    name_words = [word for word in words if not _is_code(word)]
    for word in words:
        # The uscc unique index's varchar_pattern_ops twin serves the prefix.
        condition &= Q(uscc__startswith=word) if _is_code(word) else _contains(word)
    if with_grams and name_words:
        # One containment of every word's grams: one GIN condition, which the planner weighs better than several.
        condition &= Q(name_grams__has_all=sorted({gram for word in name_words for gram in query_grams(word)}))
    return condition


def agencies_matching(text: str, *, within: str = "", for_ids: bool = False) -> AgencyQuerySet:
    """Agencies by name fragments or by code (full or its beginning), every word matching, shortest names first;
    `within`: only the agencies under this tree path (a district's, the search's filter).

    Public search covers agencies only: a civil servant's name finds nothing here, so a search cannot confirm who
    has a record. The fragments' grams find the candidates through the GIN index (exact for one or two
    characters); the substring test makes longer fragments exact, and is there for short ones too because it
    rejects a row ~20x faster than splitting its grams does, so the first page of a common fragment walks
    agency_public_order_idx cheaply past the shorter names that lack it. 1-2 ms for any fragment over 5,000
    agencies, measured. `for_ids`: unordered, and with the substring test alone, which is what reading them all
    costs least (agencies_matching_count).
    """
    words = query_terms(text)
    if not words and not within:
        return Agency.objects.none()
    agencies = Agency.objects.filter(_agency_words_q(words, with_grams=not for_ids))
    if within:
        agencies = agencies.filter(path__startswith=within)
    if for_ids:
        return agencies.order_by()
    agencies = agencies.only("id", "name", "uscc", "kind", "successor_id")
    if words and all(_is_code(word) for word in words):
        return agencies.order_by("uscc")
    return agencies.order_by(Length("name"), "name", "pk")


def _contains(text: str) -> Q:
    # The grams are upper-cased; Chinese and digits have no case, and a plain LIKE is cheaper than UPPER() LIKE.
    return Q(name__contains=text) if text.lower() == text.upper() else Q(name__icontains=text)


def agencies_matching_count(text: str, *, within: str = "") -> int:
    """How many agencies agencies_matching(text, within=within) finds, counted the cheap way.

    Every match contains each fragment, and everything containing them has their grams: the substrings alone give
    the same number. PostgreSQL scans agencies sequentially for a common fragment either way (its planner prices
    string_to_array() like an addition), and there LIKE costs ~0.2 µs a row where splitting the grams costs ~4:
    1 ms instead of 22 ms for 委 over 5,000 agencies, measured.
    """
    words = query_terms(text)
    if not words and not within:
        return 0
    agencies = Agency.objects.filter(_agency_words_q(words, with_grams=False))
    if within:
        agencies = agencies.filter(path__startswith=within)
    return agencies.count()


class CountedPaginator(Paginator):
    """A Paginator told how to count (Django's counts object_list, the costlier query here)."""

    def __init__(self, object_list: QuerySet[Any, Any], per_page: int, *, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @functools.cached_property
    def count(self) -> int:
        return self._count()


@dataclass(frozen=True)
class AgencyHit:
    pk: int
    name: str
    uscc: str
    kind: str
    succeeded: bool
    records_in_force: int

    @property
    def url(self) -> str:
        return f"{url_prefix('disclosure:agency')}{self.pk}/"


@functools.lru_cache(maxsize=4)
def _counts_by_agency_sql(on: datetime.date) -> tuple[str, tuple[Any, ...]]:
    """disclosed(on)'s records counted per agency of the CTE's chain, compiled once a day rather than per page."""
    per_agency = (
        public_records(on)
        .filter(subject_agency_id__in=RawSQL("SELECT agency_id FROM chain", []))
        .order_by()  # no Meta ordering in the GROUP BY
        .values("subject_agency_id")
        .annotate(n=Count("pk"))
    )
    sql, params = per_agency.query.sql_with_params()
    return sql, tuple(params)


def records_in_force_by_lineage(agency_ids: Sequence[int], on: datetime.date | None = None) -> dict[int, int]:
    """For each agency, its disclosed records and those of every agency renamed or merged into it, at any depth.

    One round trip for a page of search results: a recursive CTE walks the successor links (agency.lineage() takes
    a query per level, fine for one agency page), and the records are counted by disclosed() itself, its SQL
    embedded here, through the index-only record_public_agency_idx.
    """
    if not agency_ids:
        return {}
    table = connection.ops.quote_name(Agency._meta.db_table)
    placeholders = ", ".join(["%s"] * len(agency_ids))
    inner_sql, inner_params = _counts_by_agency_sql(on or timezone.localdate())
    sql = (
        "WITH RECURSIVE chain(root_id, agency_id) AS ("  # noqa: S608 - names from the models, values bound
        f" SELECT id, id FROM {table} WHERE id IN ({placeholders})"
        f" UNION SELECT chain.root_id, a.id FROM {table} a JOIN chain ON a.successor_id = chain.agency_id"
        f") SELECT chain.root_id, SUM(counted.n) FROM ({inner_sql}) counted"
        " JOIN chain ON chain.agency_id = counted.subject_agency_id GROUP BY chain.root_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*agency_ids, *inner_params])
        return {root_id: int(n) for root_id, n in cursor.fetchall()}


def agency_hits(agencies: Sequence[Agency], on: datetime.date | None = None) -> list[AgencyHit]:
    """A page of search results with the number of records in force of each agency and its predecessors."""
    counts = records_in_force_by_lineage([a.pk for a in agencies], on)
    return [
        AgencyHit(
            pk=a.pk,
            name=a.name,
            uscc=a.uscc,
            kind=label(AgencyKind, a.kind),
            succeeded=a.successor_id is not None,
            records_in_force=counts.get(a.pk, 0),
        )
        for a in agencies
    ]


def agency_hits_html(hits: Iterable[AgencyHit]) -> SafeString:
    """The search results' list items (templates/disclosure/search.html), labels translated once a page."""
    l_uscc = escape(gettext("Unified Social Credit Code"))
    l_kind = escape(gettext("Kind"))
    l_records = escape(gettext("Dishonesty records in force"))
    l_succeeded = escape(gettext("This agency has been reorganised; its records follow its successor."))
    items = []
    for hit in hits:
        uscc = escape(hit.uscc)
        n = hit.records_in_force
        has_records = " has-records" if n else ""
        items.append(
            f'<li class="public-result" data-agency="{hit.pk}" data-uscc="{uscc}" data-records="{n}">\n'
            f'  <h2 class="public-result-name"><a href="{escape(hit.url)}">{escape(hit.name)}</a></h2>\n'
            "  <dl>\n"
            f'    <div><dt>{l_uscc}</dt><dd class="code">{uscc}</dd></div>\n'
            f"    <div><dt>{l_kind}</dt><dd>{escape(hit.kind)}</dd></div>\n"
            f'    <div><dt>{l_records}</dt><dd class="public-result-count{has_records}">{n}</dd></div>\n'
            "  </dl>\n" + (f'  <p class="public-subnote">{l_succeeded}</p>\n' if hit.succeeded else "") + "</li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


# Agency page


@dataclass(frozen=True)
class PublicAgency:
    pk: int
    name: str
    uscc: str
    kind: str  # the label, in the current language
    region_code: str
    successor_id: int | None
    successor_name: str
    path: str = ""
    # Agencies sit below it: it is a district of its own, with a report card of its whole subtree.
    has_subagencies: bool = False


def agency_with_lineage(pk: int) -> tuple[PublicAgency | None, list[PublicAgency]]:
    """An agency and every agency renamed or merged into it at any depth (Agency.lineage(), which takes a query per
    level), in one round trip: a recursive CTE over the successor links. Predecessors come oldest first (by id)."""
    table = connection.ops.quote_name(Agency._meta.db_table)
    sql = (
        "WITH RECURSIVE chain(id) AS ("  # noqa: S608 - names from the models, values bound
        f" SELECT id FROM {table} WHERE id = %s"
        f" UNION SELECT a.id FROM {table} a JOIN chain ON a.successor_id = chain.id"
        f") SELECT a.id, a.name, a.uscc, a.kind, a.region_code, a.successor_id, s.name, a.path,"
        f" EXISTS (SELECT 1 FROM {table} c WHERE c.parent_id = a.id) FROM {table} a"
        f" JOIN chain ON chain.id = a.id LEFT JOIN {table} s ON s.id = a.successor_id ORDER BY a.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    agencies = [
        PublicAgency(
            pk=row[0],
            name=row[1],
            uscc=row[2],
            kind=label(AgencyKind, row[3]),
            region_code=row[4],
            successor_id=row[5],
            successor_name=row[6] or "",
            path=row[7],
            has_subagencies=bool(row[8]),
        )
        for row in rows
    ]
    agency = next((a for a in agencies if a.pk == pk), None)
    return agency, [a for a in agencies if a.pk != pk]


def agency_records(
    agency_ids: Iterable[int], on: datetime.date | None = None
) -> QuerySet[DishonestyRecord, dict[str, Any]]:
    """The disclosed records of an agency and its predecessors, newest decision first (record_public_agency_idx)."""
    return _summaries(public_records(on).filter(subject_agency_id__in=list(agency_ids))).order_by(
        "-decision_date", "-pk"
    )


def record_rows_html(records: Iterable[PublicRecord]) -> SafeString:
    """The rows of templates/disclosure/_record_table.html, labels translated once a table."""
    l_subject = escape(gettext("Subject"))
    l_document = escape(gettext("Document number"))
    l_body = escape(gettext("Deciding body"))
    l_date = escape(gettext("Decision date"))
    l_severity = escape(gettext("Severity"))
    l_until = escape(gettext("Disclosed until"))
    corrected = (
        f'<span class="public-badge public-badge-corrected" data-corrected="1">{escape(gettext("Corrected"))}</span>'
    )
    rows = []
    for r in records:
        severity = escape(r.severity)
        rows.append(
            f'<tr data-record="{r.pk}">\n'
            f'  <th scope="row" data-label="{l_subject}">\n'
            f'    <a href="{escape(r.url)}" class="record-subject">{escape(r.subject)}</a>\n'
            + (f'    <span class="public-subnote">{escape(r.agency_name)}</span>\n' if r.is_person else "")
            + (f"    {corrected}\n" if r.corrected else "")
            + "  </th>\n"
            f'  <td data-label="{l_document}">{escape(r.document_number)}</td>\n'
            f'  <td data-label="{l_body}">{escape(r.deciding_body_name)}</td>\n'
            f'  <td data-label="{l_date}"><time>{r.decision_date.isoformat()}</time></td>\n'
            f'  <td data-label="{l_severity}"><span class="public-severity public-severity-{severity}">'
            f"{escape(r.severity_label)}</span></td>\n"
            f'  <td data-label="{l_until}"><time>{_iso(r.disclosed_until)}</time></td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def to_public(rows: Iterable[Row]) -> list[PublicRecord]:
    return [PublicRecord.of(row) for row in rows]


# Recently published: keyset pagination over record_public_recent_idx (records/migrations/0006_public_indexes.py).


@dataclass(frozen=True)
class Cursor:
    """A position in the recently-published list: a record's publication time and id."""

    published_at: datetime.datetime
    pk: int

    PATTERN = re.compile(r"^(\d{1,18})\.(\d{1,18})$")

    def encode(self) -> str:
        delta = self.published_at - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.pk}"

    @classmethod
    def decode(cls, value: str) -> "Cursor | None":
        match = cls.PATTERN.match(value)
        if match is None:
            return None
        micros, pk = int(match.group(1)), int(match.group(2))
        try:
            at = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(published_at=at, pk=pk)

    @classmethod
    def of(cls, record: PublicRecord) -> "Cursor":
        if record.published_at is None:  # the list filters these out
            raise ValueError("An unpublished record has no place in the recently-published list.")
        return cls(published_at=record.published_at, pk=record.pk)


@dataclass(frozen=True)
class RecentPage:
    records: list[PublicRecord]
    newer: Cursor | None  # link to the page before this one (towards the newest), if any
    older: Cursor | None  # link to the page after this one, if any


def recent_page(
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
    on: datetime.date | None = None,
) -> RecentPage:
    """One page of disclosed records, most recently published first, starting after `before` (older) or ending
    before `after` (newer). Asks for one row more than it shows to know whether there is a further page."""
    records = _summaries(public_records(on).filter(published_at__isnull=False))
    if after is not None:
        # Walk towards the newest, then turn the page round.
        rows = list(
            records.filter(
                Q(published_at__gt=after.published_at) | Q(published_at=after.published_at, pk__gt=after.pk),
                published_at__gte=after.published_at,
            ).order_by("published_at", "pk")[: size + 1]
        )
        more_newer = len(rows) > size
        shown = to_public(reversed(rows[:size]))
        return RecentPage(
            records=shown,
            newer=Cursor.of(shown[0]) if shown and more_newer else None,
            older=Cursor.of(shown[-1]) if shown else None,
        )
    if before is not None:
        # published_at <= cursor is what the index range uses; the OR settles ties on the id.
        records = records.filter(
            Q(published_at__lt=before.published_at) | Q(published_at=before.published_at, pk__lt=before.pk),
            published_at__lte=before.published_at,
        )
    rows = list(records.order_by("-published_at", "-pk")[: size + 1])
    shown = to_public(rows[:size])
    return RecentPage(
        records=shown,
        newer=Cursor.of(shown[0]) if shown and before is not None else None,
        older=Cursor.of(shown[-1]) if len(rows) > size else None,
    )


# Home


@dataclass(frozen=True)
class PublicCounts:
    records_in_force: int
    agencies: int


def public_counts(on: datetime.date | None = None) -> PublicCounts:
    """Headline figures for the home page. Counting a million rows takes a few hundred ms: cached for ten minutes,
    per day (the window test moves at midnight)."""
    on = on or timezone.localdate()
    key = f"disclosure:counts:{on.isoformat()}"
    cached = cache_get(key)
    if isinstance(cached, PublicCounts):
        return cached
    counts = PublicCounts(
        records_in_force=public_records(on).count(),
        agencies=Agency.objects.count(),
    )
    cache_set(key, counts, COUNTS_CACHE_SECONDS)
    return counts
