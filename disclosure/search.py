"""The public search (templates/disclosure/search.html): credit subjects (agencies) and the dishonesty records in
their disclosure period, by words and filters, each list with the number found.

Words. A query of several words ("东城 财政") finds only what matches every word (subjects.search.query_words). An
agency matches a word in its name (grams, subjects/search.py) or, for a word of code characters, at the start of its
Unified Social Credit Code (disclosure.queries.agencies_matching). A record matches when its subject agency matches
every word; when no agency does, the words are taken for a document number (文书号): a record matches when its
number holds every word, whole or as a fragment of three characters or more. A civil servant's name is never
searched: a search cannot confirm who has a record.

Filters. The district (a government directly under a top-level one, with every agency below it: the tree the scopes
use) narrows both lists; severity, source and decision year are properties of records, so setting one shows the
records. Every record comes from `DishonestyRecord.objects.disclosed()`.

Query shapes, measured at 1,000,000 records and 5,000 agencies (bench/bench_public_search.py): the agencies a search
names are read first (a millisecond over the agency table) and the records are then asked for by those ids, so the
planner knows how many agencies it is looking for: a few agencies' records come from record_public_agency_idx, many
agencies' (or none: a filter alone) from walking record_public_decision_idx in the list's order, a source from
record_public_filter_idx, all three covering the filters and the window so that the counts read no table row, and
document numbers from the trigram index record_public_document_trgm (records/migrations/0025_public_search_indexes.py).
Counts stop at RECORD_COUNT_CAP: the reader is told "more than", and a narrower search is the way on.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field, replace
from operator import or_
from typing import Any

from django.core.paginator import Page
from django.db.models import Q, QuerySet, TextChoices, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.cache import cache_get, cache_set, public_version
from disclosure.commitments import PublicCommitment, commitment_rows, commitments_matching
from disclosure.commitments import to_public as commitments_to_public
from disclosure.queries import (
    SEARCH_PAGE_SIZE,
    SUMMARY_FIELDS,
    AgencyHit,
    CountedPaginator,
    PublicRecord,
    agencies_matching,
    agencies_matching_count,
    agency_hits,
    public_records,
    query_terms,
    to_public,
)
from records.models import DishonestyRecord, RecordQuerySet
from subjects.models import Agency, AgencyKind

# Beyond this many records the count says "more than": counting a million rows costs a few hundred ms, and no one
# pages through a hundred pages of records.
RECORD_COUNT_CAP = 1_000
# The most agencies a record search names by their ids (_agency_restriction).
LISTED_AGENCIES = 1_000
# pg_trgm finds nothing shorter than three characters through its index, and a shorter fragment of a document
# number ("12") says nothing anyway.
DOCUMENT_FRAGMENT_MIN = 3
# Document numbers are written with 六角括号 (〔2026〕, GB/T 9704); readers type the brackets at hand.
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕"})
CLOSING_BRACKET = re.compile(r"[〕\]】)）]")
GOVERNMENT_SUFFIX = "人民政府"
DISTRICTS_KEY = "disclosure:districts"
DISTRICTS_CACHE_SECONDS = 3600


class SearchKind(TextChoices):
    AGENCIES = "agencies", _("Credit subjects")
    RECORDS = "records", _("Dishonesty records")
    COMMITMENTS = "commitments", _("Public commitments")


@dataclass(frozen=True)
class District:
    pk: int
    name: str  # 临江市东城区, from 临江市东城区人民政府
    path: str


def public_districts() -> list[District]:
    """The districts the search filters by: active governments directly under a top-level government (a city's
    districts and counties), in the order they were created.

    Every search page asks (3 ms, measured), and they change only with the agencies: kept under the public version,
    which every agency change replaces (disclosure/cache.py)."""
    version = public_version()
    key = f"{DISTRICTS_KEY}:{version}"
    if version is not None:
        kept = cache_get(key)
        if isinstance(kept, list):
            return kept
    rows = (
        Agency.objects.filter(
            kind=AgencyKind.GOVERNMENT, active=True, parent__isnull=False, parent__parent__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "name", "path")
    )
    districts = [
        District(pk=pk, name=name.removesuffix(GOVERNMENT_SUFFIX) or name, path=path) for pk, name, path in rows
    ]
    if version is not None:
        cache_set(key, districts, DISTRICTS_CACHE_SECONDS)
    return districts


@dataclass(frozen=True)
class PublicSearch:
    """What a reader asked for, checked (disclosure.forms.SearchForm)."""

    text: str = ""
    kind: str = ""  # a SearchKind, or empty: the results choose (see search_run)
    district: District | None = None
    severity: str = ""
    source: str = ""
    year: int | None = None

    @functools.cached_property
    def words(self) -> list[str]:
        return query_terms(self.text)

    @property
    def within(self) -> str:
        return self.district.path if self.district else ""

    @property
    def narrows_records(self) -> bool:
        """A filter only records have: the results are records."""
        return bool(self.severity or self.source or self.year)

    @property
    def has_filters(self) -> bool:
        return self.district is not None or self.narrows_records

    @property
    def is_blank(self) -> bool:
        return not self.words and self.district is None and not self.narrows_records


def _document_q(words: list[str]) -> Q | None:
    """Every word in the document number, as typed or with its brackets made 六角括号; None when no word is long
    enough to be a fragment of one."""
    if not any(len(word) >= DOCUMENT_FRAGMENT_MIN for word in words):
        return None
    condition = Q()
    for word in words:
        variants = sorted({word, word.translate(BRACKETS)})
        condition &= functools.reduce(or_, (_fragment_q(variant) for variant in variants))
    return condition


def _fragment_q(fragment: str) -> Q:
    """A document number holding `fragment`.

    A document number is the agency's prefix, the year in brackets and a sequence number (临财决〔2026〕12号,
    GB/T 9704): the prefix and year are shared by thousands of records, and the trigram index pays for every
    record holding each of their trigrams (35 ms for a whole number at 1,000,000 records, measured). So the index
    is asked for what follows the year (12号) and the whole fragment is checked on the few rows found, with a
    function the index does not serve (0.5 ms).
    """
    tail = CLOSING_BRACKET.split(fragment)[-1]
    if len(tail) < DOCUMENT_FRAGMENT_MIN or tail == fragment:
        return Q(document_number__contains=fragment)
    whole: GreaterThan = GreaterThan(StrIndex("document_number", Value(fragment)), 0)
    return Q(document_number__contains=tail) & Q(whole)


def matching_agency_ids(search: PublicSearch) -> list[int]:
    """The ids of the agencies the words name within the district, no more than LISTED_AGENCIES + 1."""
    agencies = agencies_matching(search.text, within=search.within, for_ids=True)
    return list(agencies.values_list("pk", flat=True)[: LISTED_AGENCIES + 1])


def _agency_restriction(search: PublicSearch, ids: list[int]) -> Q | None:
    """The records' condition on their subject agency for the search's words and district, given the ids of the
    agencies they name (matching_agency_ids); None when none matches.

    Ids rather than a subquery: the planner then knows how many agencies it is looking for (it guesses a LIKE's
    share, and a wrong guess for 第3街道 took 450 ms instead of 1). But the planner weighs a list element by element
    (20 ms to plan 5,000 ids): past LISTED_AGENCIES, the agencies that do not match are listed instead, and if they
    are too many as well (half of a very large city), the subquery it is.
    """
    if not ids:
        return None
    if len(ids) <= LISTED_AGENCIES:
        return Q(subject_agency_id__in=ids)
    agencies = agencies_matching(search.text, within=search.within, for_ids=True)
    if search.district is None:
        others = Agency.objects.exclude(pk__in=agencies.values("pk")).order_by()
        other_ids = list(others.values_list("pk", flat=True)[: LISTED_AGENCIES + 1])
        if len(other_ids) <= LISTED_AGENCIES:
            return ~Q(subject_agency_id__in=other_ids) if other_ids else Q()
    return Q(subject_agency_id__in=agencies.values("pk"))


def records_matching(
    search: PublicSearch, on: datetime.date | None = None, *, agency_ids: list[int] | None = None
) -> RecordQuerySet:
    """The disclosed records the search finds, newest decision first; `agency_ids`: matching_agency_ids(search),
    when the caller has them already."""
    records = public_records(on)
    if search.severity:
        records = records.filter(severity=search.severity)
    if search.source:
        records = records.filter(source=search.source)
    if search.year is not None:
        # A range on the column rather than __year, which the decision index cannot serve.
        records = records.filter(
            decision_date__gte=datetime.date(search.year, 1, 1), decision_date__lte=datetime.date(search.year, 12, 31)
        )
    if search.words or search.district is not None:
        # Names and codes first; words no agency matches are taken for a document number. Either, not both: an OR
        # of the two makes every plan read the rows of both sides (70 ms for 第9区 村 with a filter, measured).
        if agency_ids is None:
            agency_ids = matching_agency_ids(search)
        condition = _agency_restriction(search, agency_ids)
        if condition is None:
            condition = _document_q(search.words)
            if condition is not None and search.district is not None:
                condition &= Q(subject_agency__path__startswith=search.within)
        if condition is None:
            return records.none()
        records = records.filter(condition)
    return records.order_by("-decision_date", "-pk")


def records_matching_count(records: RecordQuerySet) -> int:
    """How many of `records` there are, counting no further than one past RECORD_COUNT_CAP."""
    return records.order_by().values("pk")[: RECORD_COUNT_CAP + 1].count()


@dataclass(frozen=True)
class SearchResults:
    search: PublicSearch
    kind: str
    agency_count: int
    # At most RECORD_COUNT_CAP + 1, which reads "more than RECORD_COUNT_CAP"; None: not counted (agencies shown).
    record_count: int | None
    page: Page
    hits: list[AgencyHit]
    records: list[PublicRecord]
    cap: int = RECORD_COUNT_CAP
    # Public commitments the words name (counted as records are); None: not counted (a record filter is set).
    commitment_count: int | None = None
    commitments: list[PublicCommitment] = field(default_factory=list)

    @property
    def shows_records(self) -> bool:
        return self.kind == SearchKind.RECORDS

    @property
    def shows_commitments(self) -> bool:
        return self.kind == SearchKind.COMMITMENTS

    @property
    def found(self) -> int:
        if self.shows_commitments:
            return min(self.commitment_count or 0, self.cap)
        return (self.record_count or 0) if self.shows_records else self.agency_count

    @property
    def commitments_more_than_cap(self) -> bool:
        return self.commitment_count is not None and self.commitment_count > self.cap

    @property
    def commitment_count_label(self) -> str:
        if self.commitment_count is None:
            return ""
        return f"{self.cap}+" if self.commitments_more_than_cap else str(self.commitment_count)

    @property
    def more_than_cap(self) -> bool:
        return self.record_count is not None and self.record_count > self.cap

    @property
    def record_count_label(self) -> str:
        if self.record_count is None:
            return ""
        return f"{self.cap}+" if self.more_than_cap else str(self.record_count)


def search_run(search: PublicSearch, *, page_number: str | None, on: datetime.date | None = None) -> SearchResults:
    """The list asked for, paged and counted, with the number the other lists would show where that is cheap.

    Without a choice: records when a record filter is set or only records match (a document number typed in the
    header's box), agencies otherwise, and the public commitments when nothing else matches; the records are then
    counted only when no agency matches, and the commitments only when asked for or when nothing else matches (a
    one-character word is in most commitments' grams: counting them would cost every search several ms).
    """
    on = on or timezone.localdate()
    commitments = None if search.narrows_records else commitments_matching(search.words, within=search.within)
    if search.kind == SearchKind.COMMITMENTS and commitments is not None:
        return _commitment_results(search, commitments, _capped_count(commitments), page_number, on)
    results = _search_run(search, page_number=page_number, on=on)
    if results.found == 0 and not search.kind and commitments is not None:
        count = _capped_count(commitments)
        if count:
            return _commitment_results(
                search,
                commitments,
                count,
                page_number,
                on,
                agency_count=results.agency_count,
                record_count=results.record_count,
            )
        return replace(results, commitment_count=0)
    return results


def _capped_count(queryset: QuerySet[Any]) -> int:
    return queryset.order_by().values("pk")[: RECORD_COUNT_CAP + 1].count()


def _commitment_results(
    search: PublicSearch,
    commitments: QuerySet[Any],
    count: int,
    page_number: str | None,
    on: datetime.date,
    *,
    agency_count: int | None = None,
    record_count: int | None = None,
) -> SearchResults:
    """A page of the public commitments found: their ids first (the GIN index alone), then those rows."""
    if agency_count is None:
        agency_count = agencies_matching_count(search.text, within=search.within)
    shown = min(count, RECORD_COUNT_CAP)
    page = CountedPaginator(commitments.values("pk"), SEARCH_PAGE_SIZE, count=lambda: shown).get_page(page_number)
    pks = [row["pk"] for row in page.object_list]
    return SearchResults(
        search=search,
        kind=SearchKind.COMMITMENTS,
        agency_count=agency_count,
        record_count=record_count,
        page=page,
        hits=[],
        records=[],
        commitment_count=count,
        commitments=commitments_to_public(commitment_rows(pks), on),
    )


def _search_run(search: PublicSearch, *, page_number: str | None, on: datetime.date) -> SearchResults:
    """Credit subjects or records (search_run)."""
    wants_records = search.narrows_records or search.kind == SearchKind.RECORDS
    agency_ids: list[int] | None = None
    if wants_records and (search.words or search.district is not None):
        # The records need the agencies' ids: their number is the agencies' count, unless there are too many.
        agency_ids = matching_agency_ids(search)
    if agency_ids is not None and len(agency_ids) <= LISTED_AGENCIES:
        agency_count = len(agency_ids)
    else:
        agency_count = agencies_matching_count(search.text, within=search.within)
    if agency_count == 0:
        agency_ids = []  # no agency matches: the words can only be a document number
    if not (wants_records or agency_count == 0):
        agencies = agencies_matching(search.text, within=search.within)
        page = CountedPaginator(agencies, SEARCH_PAGE_SIZE, count=lambda: agency_count).get_page(page_number)
        return SearchResults(
            search=search,
            kind=SearchKind.AGENCIES,
            agency_count=agency_count,
            record_count=None,
            page=page,
            hits=agency_hits(list(page.object_list), on),
            records=[],
        )
    records = records_matching(search, on, agency_ids=agency_ids)
    record_count = records_matching_count(records)
    kind = SearchKind.RECORDS if wants_records or (not search.kind and record_count) else SearchKind.AGENCIES
    if kind == SearchKind.AGENCIES:  # nothing found at all, or no agency in the list asked for
        empty = CountedPaginator(Agency.objects.none(), SEARCH_PAGE_SIZE, count=lambda: 0).get_page(1)
        return SearchResults(search, kind, agency_count, record_count, empty, [], [], RECORD_COUNT_CAP)
    shown = min(record_count, RECORD_COUNT_CAP)
    page = CountedPaginator(records.values("pk"), SEARCH_PAGE_SIZE, count=lambda: shown).get_page(page_number)
    # The page's ids first, then their rows: choosing the ten reads the indexes alone (they cover the filters), and
    # only those ten rows are read from the table (a district with a source filter read 12,000 rows, 70 ms).
    rows = DishonestyRecord.objects.filter(pk__in=page.object_list).order_by("-decision_date", "-pk")
    return SearchResults(
        search=search,
        kind=kind,
        agency_count=agency_count,
        record_count=record_count,
        page=page,
        hits=[],
        records=to_public(rows.values(*SUMMARY_FIELDS)),
        cap=RECORD_COUNT_CAP,
    )
