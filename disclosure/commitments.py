"""What the public site reads of public commitments (docs/domain.md §6): the agency page's commitments of a year, the
commitment page, the yearly report card of an agency or a district, and the commitments the search finds.

Every commitment comes from `Commitment.objects.public()` (published, in progress, stalled or decided): a draft, a
submitted or a withdrawn one is never read here. Templates get `PublicCommitment` and `PublicProgress`, built here
from the public fields only: the responsible person is named 张某, a narrative or a ground has that person's name
masked, and no evidence file is named (the record page names none either).

A report card sorts each commitment into one standing: kept, partly kept, broken, lawfully changed (the credit
office's outcome), or, while it is open, overdue (past its due date) or in progress. The counts are one GROUP BY and
the lists one windowed query, whatever the number of commitments: a district of 5,000 agencies reads its year once.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, TextChoices, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    OPEN_STATUSES,
    ChangeGround,
    Commitment,
    CommitmentKind,
    CommitmentQuerySet,
    CommitmentStatus,
    ProgressReport,
    ServiceArea,
)
from disclosure.queries import CODE_QUERY, label, url_prefix
from subjects.masking import mask_person_name, redact_person_text
from subjects.search import query_grams

# How many commitments of each standing a report card lists before "all of them" (a page of their own).
REPORT_LIST_SIZE = 20
# How many of its commitments of a year the agency page lists; the report card has them all.
AGENCY_PAGE_COMMITMENTS = 30
STANDING_PAGE_SIZE = 20
# A word of code characters this long is the beginning of the promising agency's credit code.
CODE_PREFIX_MIN = 8
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

LIST_FIELDS = (
    "id",
    "code",
    "title",
    "kind",
    "service_area",
    "status",
    "progress_percent",
    "last_progress_on",
    "promised_on",
    "due_on",
    "year",
    "baseline",
    "target_value",
    "unit",
    "recurring_standard",
    "outcome_reason",
    "outcome_decided_at",
    "change_ground",
    "change_authority",
    "change_description",
    "agency__id",
    "agency__name",
    "agency__uscc",
    "responsible_person__id",
    "responsible_person__name",
)
DETAIL_FIELDS = (
    *LIST_FIELDS,
    "content",
    "liability",
    "source_document_number",
    "source_date",
    "source_url",
    "legality_review_on",
    "collective_decision_on",
    "counterparty_notified_on",
    "change_published_on",
    "compensation_amount",
    "published_at",
    "updated_at",
)


class Standing(TextChoices):
    """Where a commitment stands on a report card: exactly one of these."""

    KEPT = "kept", _("Kept")
    PARTLY_KEPT = "partly_kept", _("Partly kept")
    BROKEN = "broken", _("Broken")
    CHANGED = "changed", _("Lawfully changed")
    OVERDUE = "overdue", _("Overdue")
    IN_PROGRESS = "in_progress", _("In progress")


OUTCOME_STANDINGS = (Standing.KEPT, Standing.PARTLY_KEPT, Standing.BROKEN, Standing.CHANGED)


def standing_of(status: str, due_on: datetime.date, today: datetime.date) -> str:
    if status in OUTCOME_STANDINGS:
        return status
    return Standing.OVERDUE if due_on < today else Standing.IN_PROGRESS


def _standing_expression(today: datetime.date) -> Case:
    """standing_of() in SQL."""
    return Case(
        *(When(status=status, then=Value(str(status))) for status in OUTCOME_STANDINGS),
        When(due_on__lt=today, then=Value(str(Standing.OVERDUE))),
        default=Value(str(Standing.IN_PROGRESS)),
        output_field=CharField(),
    )


def _standing_q(standing: str, today: datetime.date) -> Q:
    if standing in OUTCOME_STANDINGS:
        return Q(status=standing)
    if standing == Standing.OVERDUE:
        return Q(status__in=OPEN_STATUSES, due_on__lt=today)
    return Q(status__in=OPEN_STATUSES, due_on__gte=today)


def _plain_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def target_text(row: Any) -> str:
    """Commitment.target_text from a row of values."""
    if row["target_value"] is None:
        return str(row["recurring_standard"])
    target = _plain_number(row["target_value"])
    if row["baseline"] is not None:
        return f"{_plain_number(row['baseline'])} → {target} {row['unit']}".strip()
    return f"{target} {row['unit']}".strip()


@dataclass(frozen=True)
class PublicProgress:
    reported_on: datetime.date
    percent: int
    narrative: str


@dataclass(frozen=True)
class PublicCommitment:
    """A published commitment as the public may see it."""

    pk: int
    code: str
    title: str
    agency_id: int
    agency_name: str
    agency_uscc: str
    kind: str  # the label
    service_area: str  # the label, or ""
    status: str
    status_label: str
    standing: str
    standing_label: str
    progress_percent: int
    last_progress_on: datetime.date | None
    promised_on: datetime.date
    due_on: datetime.date
    year: int
    target: str
    responsible_person: str  # 张某, or ""
    outcome_reason: str
    outcome_decided_on: datetime.date | None
    change_ground: str  # the label, or ""
    change_authority: str
    change_description: str
    # The commitment page only.
    content: str = ""
    liability: str = ""
    source_document_number: str = ""
    source_date: datetime.date | None = None
    source_url: str = ""
    legality_review_on: datetime.date | None = None
    collective_decision_on: datetime.date | None = None
    counterparty_notified_on: datetime.date | None = None
    change_published_on: datetime.date | None = None
    compensation_amount: str = ""
    published_on: datetime.date | None = None
    updated_at: datetime.datetime | None = None
    progress: tuple[PublicProgress, ...] = ()

    @property
    def url(self) -> str:
        return f"{url_prefix('disclosure:commitment')}{self.pk}/"

    @property
    def is_overdue(self) -> bool:
        return self.standing == Standing.OVERDUE

    @property
    def has_outcome(self) -> bool:
        return self.standing in OUTCOME_STANDINGS

    @property
    def is_changed(self) -> bool:
        return self.standing == Standing.CHANGED

    @classmethod
    def of(
        cls, row: dict[str, Any], today: datetime.date, *, detail: bool = False, progress: tuple[Any, ...] = ()
    ) -> "PublicCommitment":
        person = row["responsible_person__name"] or ""

        def text(value: str) -> str:
            return redact_person_text(value or "", full_name=person)

        standing = standing_of(row["status"], row["due_on"], today)
        decided = row["outcome_decided_at"]
        summary: dict[str, Any] = {
            "pk": row["id"],
            "code": row["code"],
            "title": text(row["title"]),
            "agency_id": row["agency__id"],
            "agency_name": row["agency__name"],
            "agency_uscc": row["agency__uscc"],
            "kind": label(CommitmentKind, row["kind"]),
            "service_area": label(ServiceArea, row["service_area"]) if row["service_area"] else "",
            "status": row["status"],
            "status_label": label(CommitmentStatus, row["status"]),
            "standing": standing,
            "standing_label": label(Standing, standing),
            "progress_percent": row["progress_percent"],
            "last_progress_on": row["last_progress_on"],
            "promised_on": row["promised_on"],
            "due_on": row["due_on"],
            "year": row["year"],
            "target": text(target_text(row)),
            # Only the surname leaves this function.
            "responsible_person": mask_person_name(person) if person else "",
            "outcome_reason": text(row["outcome_reason"]),
            "outcome_decided_on": timezone.localdate(decided) if decided else None,
            "change_ground": label(ChangeGround, row["change_ground"]) if row["change_ground"] else "",
            "change_authority": row["change_authority"],
            "change_description": text(row["change_description"]),
        }
        if not detail:
            return cls(**summary)
        compensation = row["compensation_amount"]
        published = row["published_at"]
        return cls(
            **summary,
            content=text(row["content"]),
            liability=text(row["liability"]),
            source_document_number=row["source_document_number"],
            source_date=row["source_date"],
            source_url=row["source_url"],
            legality_review_on=row["legality_review_on"],
            collective_decision_on=row["collective_decision_on"],
            counterparty_notified_on=row["counterparty_notified_on"],
            change_published_on=row["change_published_on"],
            compensation_amount="" if compensation is None else _plain_number(compensation),
            published_on=timezone.localdate(published) if published else None,
            updated_at=row["updated_at"],
            progress=tuple(
                PublicProgress(reported_on=p["reported_on"], percent=p["percent"], narrative=text(p["narrative"]))
                for p in progress
            ),
        )


def commitment_rows_html(
    commitments: Iterable[PublicCommitment], *, with_agency: bool = False, with_grounds: bool = False
) -> SafeString:
    """The rows of templates/disclosure/_commitment_table.html, labels translated once a table (a report card has
    six tables of up to twenty rows: as a template loop they took half its time, measured)."""
    l_commitment, l_agency = escape(gettext("Commitment")), escape(gettext("Promising agency"))
    l_target = escape(gettext("Target"))
    l_due, l_progress = escape(gettext("Due on")), escape(gettext("Progress"))
    l_status, l_grounds = escape(gettext("Status")), escape(gettext("Grounds of the outcome"))
    overdue = f'<span class="public-badge public-badge-overdue">{escape(gettext("Overdue"))}</span>'
    agency_prefix = url_prefix("disclosure:agency")
    rows = []
    for c in commitments:
        due = c.due_on.isoformat()
        cells = [
            f'<tr data-commitment="{c.pk}" data-standing="{c.standing}">\n'
            f'  <th scope="row" data-label="{l_commitment}">\n'
            f'    <a href="{escape(c.url)}" class="commitment-title">{escape(c.title)}</a>\n'
            f'    <span class="public-subnote code">{escape(c.code)}</span>\n'
            "  </th>\n"
        ]
        if with_agency:
            link = f'<a href="{agency_prefix}{c.agency_id}/">{escape(c.agency_name)}</a>'
            cells.append(f'  <td data-label="{l_agency}">{link}</td>\n')
        cells.append(
            f'  <td data-label="{l_target}">{escape(c.target)}</td>\n'
            f'  <td data-label="{l_due}"><time datetime="{due}">{due}</time></td>\n'
            f'  <td data-label="{l_progress}"><span class="public-progress" data-value="{c.progress_percent}">'
            f"{c.progress_percent}%</span></td>\n"
            f'  <td data-label="{l_status}"><span class="public-standing public-standing-{c.standing}">'
            f"{escape(c.status_label)}</span>{' ' + overdue if c.is_overdue else ''}</td>\n"
        )
        if with_grounds:
            cells.append(f'  <td data-label="{l_grounds}" class="commitment-grounds">{escape(grounds_text(c))}</td>\n')
        cells.append("</tr>\n")
        rows.append("".join(cells))
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def grounds_text(c: PublicCommitment) -> str:
    """What a report card says of a commitment's standing: the grounds of its outcome, its lawful change, or how far
    an overdue one got."""
    if c.is_changed:
        return f"{c.change_ground} · {c.change_authority}：{c.change_description}"
    if c.has_outcome:
        return c.outcome_reason
    if c.is_overdue:
        return gettext("Due on %(due)s, %(percent)s%% done.") % {
            "due": c.due_on.isoformat(),
            "percent": c.progress_percent,
        }
    return "—"


def public_commitments() -> CommitmentQuerySet:
    return Commitment.objects.public()


def to_public(rows: Any, today: datetime.date) -> list[PublicCommitment]:
    return [PublicCommitment.of(row, today) for row in rows]


def public_commitment(pk: int, on: datetime.date | None = None) -> PublicCommitment | None:
    """The commitment page: None for a draft, a submitted or a withdrawn commitment, and for no such commitment."""
    today = on or timezone.localdate()
    rows = list(public_commitments().filter(pk=pk).order_by().values(*DETAIL_FIELDS)[:1])
    if not rows:
        return None
    progress = ProgressReport.objects.filter(commitment_id=pk).order_by("-reported_on", "-pk")
    return PublicCommitment.of(
        rows[0], today, detail=True, progress=tuple(progress.values("reported_on", "percent", "narrative"))
    )


# Years


def year_of(value: str | None) -> int | None:
    """A year asked for in the address; None when it is missing. ValueError when it is not a plausible year."""
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not EARLIEST_YEAR <= int(value) <= LATEST_YEAR:
        raise ValueError(value)
    return int(value)


def _years(commitments: QuerySet[Commitment]) -> list[int]:
    return list(commitments.order_by("-year").values_list("year", flat=True).distinct())


def chosen_year(asked: int | None, years: list[int], today: datetime.date) -> int:
    """The year asked for; else this year if it has commitments, else the latest that has, else this year."""
    if asked is not None:
        return asked
    if today.year in years or not years:
        return today.year
    return years[0]


# Report card


@dataclass(frozen=True)
class StandingList:
    standing: str
    label: str
    count: int
    commitments: list[PublicCommitment]

    @property
    def more(self) -> int:
        return self.count - len(self.commitments)


@dataclass(frozen=True)
class ReportCard:
    year: int
    years: list[int]
    total: int
    standings: list[StandingList]

    @property
    def counts(self) -> dict[str, int]:
        return {entry.standing: entry.count for entry in self.standings}

    @property
    def decided(self) -> int:
        return sum(entry.count for entry in self.standings if entry.standing in OUTCOME_STANDINGS)


def _scope(*, agency_ids: list[int] | None = None, path: str = "") -> CommitmentQuerySet:
    """An agency (with the agencies it took over) or a district (an agency and its whole subtree)."""
    commitments = public_commitments()
    if agency_ids is not None:
        return commitments.filter(agency_id__in=agency_ids)
    return commitments.filter(agency__path__startswith=path)


def standing_counts(commitments: QuerySet[Commitment], today: datetime.date) -> dict[str, int]:
    """How many of `commitments` stand where, in one GROUP BY over their statuses."""
    counts = dict.fromkeys(Standing.values, 0)
    rows = (
        commitments.order_by()
        .values("status")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        .values_list("status", "n", "late")
    )
    for status, n, late in rows:
        if status in OUTCOME_STANDINGS:
            counts[status] += n
        else:
            counts[Standing.OVERDUE] += late
            counts[Standing.IN_PROGRESS] += n - late
    return counts


def report_card(
    *,
    agency_ids: list[int] | None = None,
    path: str = "",
    year: int | None,
    on: datetime.date | None = None,
    list_size: int = REPORT_LIST_SIZE,
) -> ReportCard:
    """The yearly report card: the years that have public commitments, then for the year the count of each standing
    and its first `list_size` commitments (oldest due date first). Four queries, whatever the numbers."""
    today = on or timezone.localdate()
    scope = _scope(agency_ids=agency_ids, path=path)
    years = _years(scope)
    year = chosen_year(year, years, today)
    of_year = scope.filter(year=year)
    counts = standing_counts(of_year, today)
    listed: dict[str, list[PublicCommitment]] = {standing: [] for standing in Standing.values}
    if sum(counts.values()) and list_size:
        standing = _standing_expression(today)
        rows = (
            of_year.annotate(
                standing=standing,
                place=Window(RowNumber(), partition_by=[standing], order_by=[F("due_on").asc(), F("pk").asc()]),
            )
            .filter(place__lte=list_size)
            .order_by("due_on", "pk")
            .values(*LIST_FIELDS)
        )
        for commitment in to_public(rows, today):
            listed[commitment.standing].append(commitment)
    return ReportCard(
        year=year,
        years=years,
        total=sum(counts.values()),
        standings=[
            StandingList(standing=value, label=str(text), count=counts[value], commitments=listed[value])
            for value, text in Standing.choices
        ],
    )


def standing_page_rows(
    *, agency_ids: list[int] | None = None, path: str = "", year: int, standing: str, on: datetime.date | None = None
) -> QuerySet[Commitment, dict[str, Any]]:
    """Every commitment of one standing of a report card, for a page of its own (oldest due date first)."""
    today = on or timezone.localdate()
    return (
        _scope(agency_ids=agency_ids, path=path)
        .filter(_standing_q(standing, today), year=year)
        .order_by("due_on", "pk")
        .values(*LIST_FIELDS)
    )


# The agency page


@dataclass(frozen=True)
class AgencyCommitments:
    year: int
    years: list[int]
    counts: dict[str, int]
    total: int
    commitments: list[PublicCommitment]

    @property
    def more(self) -> int:
        return self.total - len(self.commitments)

    @property
    def standings(self) -> list[tuple[str, str, int]]:
        return [(value, str(text), self.counts[value]) for value, text in Standing.choices]


def agency_commitments(
    agency_ids: list[int], *, year: int | None, on: datetime.date | None = None
) -> AgencyCommitments:
    """An agency's (and its predecessors') public commitments of a year, with the year's counts: three queries, the
    agency_year index (commitment_agency_year_idx) serving each."""
    today = on or timezone.localdate()
    scope = _scope(agency_ids=agency_ids)
    years = _years(scope)
    year = chosen_year(year, years, today)
    of_year = scope.filter(year=year)
    counts = standing_counts(of_year, today)
    total = sum(counts.values())
    rows = of_year.order_by("due_on", "pk").values(*LIST_FIELDS)[:AGENCY_PAGE_COMMITMENTS] if total else []
    return AgencyCommitments(year=year, years=years, counts=counts, total=total, commitments=to_public(rows, today))


# Search


def commitments_matching(words: list[str], *, within: str = "") -> CommitmentQuerySet:
    """Public commitments whose title or promising agency's name holds every word (or, for a word of code
    characters, whose agency's credit code begins with it), within a district; most recent year first.

    The words' grams find the candidates through the GIN index of Commitment.search_grams (grams of the title and the
    agency's name, commitments/migrations/0002); a word of three characters or more is then checked whole."""
    if not words and not within:
        return Commitment.objects.none()
    commitments = public_commitments()
    grams: set[str] = set()
    for word in words:
        if CODE_QUERY.match(word) and len(word) >= CODE_PREFIX_MIN:
            commitments = commitments.filter(agency__uscc__startswith=word)
            continue
        grams.update(query_grams(word))
        if len(word) > 2:
            lookup = "contains" if word.lower() == word.upper() else "icontains"
            commitments = commitments.filter(Q(**{f"title__{lookup}": word}) | Q(**{f"agency__name__{lookup}": word}))
    if grams:
        commitments = commitments.filter(search_grams__has_all=sorted(grams))
    if within:
        commitments = commitments.filter(agency__path__startswith=within)
    return commitments.order_by("-year", "due_on", "pk")


def commitment_rows(pks: list[int]) -> QuerySet[Commitment, dict[str, Any]]:
    """The rows of a page of commitments chosen by id (the search's)."""
    return Commitment.objects.filter(pk__in=pks).order_by("-year", "due_on", "pk").values(*LIST_FIELDS)
