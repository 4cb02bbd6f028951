"""The work queue: what waits for the user, by role, and where the user's records wait for someone else — each
hand-off (clerk → reviewer → credit office, and back with a reason) shows on both sides.

| role            | sections                                                                                    |
| clerk           | to finish: its agency's drafts and records returned; waiting for review; with the office     |
| reviewer        | to review: records the clerks sent; with the clerks: drafts and returned records             |
| credit office   | to publish: submitted records about its region; returned to the agencies; rectification     |
|                 | overdue there                                                                                |
| administrator   | to publish, returned and rectifications overdue, everywhere                                  |
| everyone        | rectifications its own agency must answer                                                   |

Each section costs two queries (its count and its first rows) whatever its size.

Other apps add their sections (commitments: warnings, commitments to submit or publish) by registering a function of
the user with `register_queue_sections` in their AppConfig.ready; such a section names the template of its rows.
Candidate records (docs/domain.md §3) wait for the agency's written explanation in their own section.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.scope import record_q
from records.models import DishonestyRecord, MeasureState, RecordEvent, RecordEventKind, RecordStatus, Rectification
from records.views.dishonesty import listed_records
from subjects.models import Agency

QUEUE_ROWS = 20
TO_FINISH = (RecordStatus.DRAFT, RecordStatus.RETURNED)
S = RecordStatus


@dataclass
class QueueSection:
    key: str
    title: str | Promise
    kind: str  # "records" or "rectifications"
    queryset: QuerySet[Any]
    more_url: str = ""
    # False for the hand-offs the user made and waits on (shown on the queue page, not counted as work on the
    # start page).
    for_user: bool = True
    # The template of the rows of a section another app registered (given `rows`, `table_id` and `caption`).
    row_template: str = ""

    @cached_property
    def count(self) -> int:
        return self.queryset.count()

    @cached_property
    def rows(self) -> list[Any]:
        return list(self.queryset[:QUEUE_ROWS])


def _record_list_url(**params: Any) -> str:
    return f"{reverse('records:record_list')}?{urlencode(params, doseq=True)}"


def _records(queryset: QuerySet[DishonestyRecord]) -> QuerySet[DishonestyRecord]:
    # Oldest first: what has waited longest is done first. A returned record shows why (one subquery, no query per
    # row).
    last_return = RecordEvent.objects.filter(record=OuterRef("pk"), kind=RecordEventKind.RETURNED).order_by(
        "-at", "-pk"
    )
    return (
        listed_records(queryset)
        .annotate(last_return_reason=Subquery(last_return.values("reason")[:1]))
        .order_by("updated_at", "pk")
    )


def _rectifications(queryset: QuerySet[Rectification]) -> QuerySet[Rectification]:
    return queryset.select_related(
        "measure__measure_type", "measure__target_agency", "measure__record__subject_agency"
    ).order_by("deadline", "pk")


QueueSource = Callable[[User], list[QueueSection]]
QUEUE_SOURCES: list[QueueSource] = []


def register_queue_sections(source: QueueSource) -> QueueSource:
    if source not in QUEUE_SOURCES:
        QUEUE_SOURCES.append(source)
    return source


def queue_sections(user: User) -> list[QueueSection]:
    """The sections of `user`'s queue; counts and rows are read when first asked for."""
    sections: list[QueueSection] = []
    visible = DishonestyRecord.objects.visible_to(user)
    agency_id = user.agency_id
    if agency_id is not None and user.role in (Role.CLERK, Role.REVIEWER):
        own = visible.filter(data_source_agency_id=agency_id)

        def own_section(
            key: str, title: Promise | str, statuses: tuple[str, ...], *, for_user: bool = True
        ) -> QueueSection:
            more = _record_list_url(status=list(statuses), data_source_agency=agency_id)
            queryset = _records(own.filter(status__in=statuses))
            return QueueSection(key, title, "records", queryset, more, for_user=for_user)

        sections.append(own_section("to_explain", _("Breaches found: explain them in writing"), (S.CANDIDATE,)))
        if user.role == Role.CLERK:
            sections += [
                own_section("to_finish", _("To finish: drafts and records returned to you"), TO_FINISH),
                own_section("in_review", _("Waiting for your reviewer"), (S.AWAITING_REVIEW,), for_user=False),
                own_section("with_office", _("With the credit office"), (S.SUBMITTED,), for_user=False),
            ]
        else:
            sections += [
                own_section("to_review", _("Sent to you for review"), (S.AWAITING_REVIEW,)),
                own_section(
                    "with_clerks", _("With the clerks: drafts and records returned"), TO_FINISH, for_user=False
                ),
            ]
    if user.is_administrator or (user.role == Role.CREDIT_OFFICE and agency_id is not None):
        submitted = visible.filter(status=RecordStatus.SUBMITTED)
        returned = visible.filter(status=RecordStatus.RETURNED)
        if user.is_administrator:
            more = _record_list_url(status=RecordStatus.SUBMITTED)
            returned_more = _record_list_url(status=RecordStatus.RETURNED)
        else:
            # What this office decides on (accounts.scope.may_decide_records_about): records about its region.
            region = cast("Agency", user.agency).path  # agency_id checked above
            submitted = submitted.filter(subject_agency__path__startswith=region)
            returned = returned.filter(subject_agency__path__startswith=region)
            more = _record_list_url(status=RecordStatus.SUBMITTED, subtree_of=agency_id)
            returned_more = _record_list_url(status=RecordStatus.RETURNED, subtree_of=agency_id)
        sections.append(QueueSection("to_publish", _("To verify and publish"), "records", _records(submitted), more))
        sections.append(
            QueueSection(
                "returned",
                _("Returned, waiting for the agencies"),
                "records",
                _records(returned),
                returned_more,
                for_user=False,
            )
        )
        candidates = visible.filter(status=RecordStatus.CANDIDATE)
        if not user.is_administrator:
            candidates = candidates.filter(subject_agency__path__startswith=cast("Agency", user.agency).path)
        sections.append(
            QueueSection(
                "candidates",
                _("Candidate records waiting for the agencies' explanation"),
                "records",
                _records(candidates),
                _record_list_url(status=RecordStatus.CANDIDATE),
                for_user=False,
            )
        )
        overdue = Rectification.objects.overdue(timezone.localdate()).filter(record_q(user, "measure__record__"))
        sections.append(
            QueueSection(
                "rectification_overdue", _("Rectification overdue"), "rectifications", _rectifications(overdue)
            )
        )
    if agency_id is not None:
        due = Rectification.objects.filter(
            record_q(user, "measure__record__"),
            submitted_at__isnull=True,
            measure__state=MeasureState.ACTIVE,
            measure__target_agency_id=agency_id,
        )
        sections.append(
            QueueSection(
                "rectification_due", _("Rectification your agency must answer"), "rectifications", _rectifications(due)
            )
        )
    for source in QUEUE_SOURCES:
        sections += source(user)
    return sections


@login_required
@require_GET
def work_queue(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "section": "queue",
        "sections": queue_sections(request.user),
        "today": timezone.localdate(),
        "queue_rows": QUEUE_ROWS,
    }
    return render(request, "records/queue.html", context)
