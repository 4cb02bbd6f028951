"""Staff pages for dishonesty records: the list, a record with its timeline, measures and evidence, the entry and
correction forms, and the workflow buttons.

A record is fetched through `DishonestyRecord.objects.visible_to(user)`, so an id typed into a URL obeys the list's
scope (404 outside it). Buttons are shown by `record_actions`; the services stay the final judge: NotAllowed becomes
the 403 page, any other DomainError the page again with its message and nothing changed.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.scope import (
    may_decide_records_about,
    may_enter_records_for,
    may_read_people,
    may_submit_records_for,
    record_q,
)
from kernel.errors import DomainError, NotAllowed
from records import services
from records.filters import RecordFilter
from records.forms import (
    CorrectionForm,
    EvidenceForm,
    ExplanationForm,
    MeasureStateForm,
    PublishConfirmForm,
    ReasonForm,
    RecordForm,
    RectificationAnswerForm,
    ResponsibleFormSet,
    RevokeConfirmForm,
    dress_record_filter_form,
    people_for_records,
    pick_record_filter_agency,
    record_form_initial_from,
    responsible_initial,
)
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    EvidenceFile,
    MeasureEvent,
    MeasureState,
    RecordEvent,
    RecordEventKind,
    RecordStatus,
    Rectification,
)
from records.services.candidates import EXPLAINABLE_STATUSES
from records.services.dishonesty import TRANSITIONS
from records.services.evidence import may_attach_evidence
from records.services.measures import MEASURE_MOVES
from subjects.agency_picker import AgencyPickerField
from subjects.forms import entering_agencies
from subjects.models import Agency, CivilServant

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# A city office may see a million rows: the list counts at most this many (COUNT(*) over 1M rows took 0.2 s)
# and says "more than" beyond it; narrower filters reach the rest.
COUNT_CAP = 10_000
HISTORY_LIMIT = 50
SORTABLE = ("subject_name", "severity", "decision_date", "published_at", "updated_at")
DEFAULT_ORDERING = "-decision_date"
EXPORT_FORMATS = ("xlsx", "csv")
UNSHOWN_FILTERS = ("subject_agency", "data_source_agency", "subject_person", "updated_after")
DECIDING_ACTIONS = ("return", "publish", "correct", "revoke")
REVIEWING_ACTIONS = ("submit", "send_back")
# Shown on the record page under its data, in this order.
WORKFLOW_ACTIONS = ("request_review", "submit", "send_back", "return", "publish", "revoke")
# Given with a reason typed on the record page.
REASONED_ACTIONS = ("send_back", "return")
# Irreversible or public: taken only from a confirmation page that says what will happen (GET shows it, a POST
# without the ticked box shows it again).
CONFIRMED_ACTIONS = ("publish", "revoke")
# Left out of the history's change lists: bookkeeping that the timeline and the window section already tell.
UNSHOWN_FIELDS = frozenset({"version", "published_at", "disclosure_rule"})


# Who may press what ------------------------------------------------------------------------------------------------


def _may_press(user: User, record: DishonestyRecord, action: str) -> bool:
    """The role-and-scope half of an action (the other half is the record's status)."""
    if action == "edit":
        return may_enter_records_for(user, record.data_source_agency)
    if action == "request_review":
        # The clerk's hand-off; whoever may submit does so directly.
        return may_enter_records_for(user, record.data_source_agency) and not may_submit_records_for(
            user, record.data_source_agency
        )
    if action in REVIEWING_ACTIONS:
        return may_submit_records_for(user, record.data_source_agency)
    if action in DECIDING_ACTIONS:
        return may_decide_records_about(user, record.subject_agency)
    if action == "attach_evidence":
        return may_attach_evidence(user, record)
    raise ValueError(action)


def _status_allows(record: DishonestyRecord, action: str) -> bool:
    if action == "edit":
        return record.is_editable
    if action == "attach_evidence":
        return True
    return TRANSITIONS.allows(record.status, action)


def record_actions(user: User, record: DishonestyRecord) -> list[str]:
    """The buttons `user` sees on `record`: edit, request_review, submit, send_back, return, publish, correct,
    revoke, attach_evidence."""
    return [
        action
        for action in ("edit", "request_review", *REVIEWING_ACTIONS, *DECIDING_ACTIONS, "attach_evidence")
        if _status_allows(record, action) and _may_press(user, record, action)
    ]


# Lists -------------------------------------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` says there are more."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _capped_count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._capped_count > self.cap


def listed_records(queryset: QuerySet[DishonestyRecord]) -> QuerySet[DishonestyRecord]:
    """What a list row shows, in one query whatever the number of rows."""
    return queryset.select_related("subject_agency", "subject_person").defer(
        "facts", "legal_basis", "loss_description", "social_impact", "search_grams"
    )


def _sort_links(request: HttpRequest) -> dict[str, dict[str, str]]:
    current = request.GET.get("ordering") or DEFAULT_ORDERING
    links = {}
    for name in SORTABLE:
        if current == name:
            next_value, state = f"-{name}", "ascending"
        elif current == f"-{name}":
            next_value, state = name, "descending"
        else:
            next_value, state = (name if name == "subject_name" else f"-{name}"), "none"
        params = request.GET.copy()
        params["ordering"] = next_value
        params.pop("page", None)
        links[name] = {"url": f"?{params.urlencode()}", "sort": state}
    return links


def filtered_records(
    request: HttpRequest, *, for_page: bool = False
) -> tuple[RecordFilter, QuerySet[DishonestyRecord]]:
    """The user's records through RecordFilter; an unreadable filter shows its errors and no rows."""
    visible = DishonestyRecord.objects.visible_to(request.user)
    filterset = RecordFilter(request.GET, queryset=visible, request=request)
    pick_record_filter_agency(filterset.form, request.user)
    if for_page:  # before validation: the form's bound fields keep the labels they had then
        dress_record_filter_form(filterset.form, request.user)
    if not filterset.is_valid():
        return filterset, visible.none()
    queryset = filterset.qs
    if queryset.query.order_by:  # an explicit sort: the id breaks ties so pages neither skip nor repeat rows
        queryset = queryset.order_by(*queryset.query.order_by, "-pk")
    return filterset, queryset


BULK_ACTIONS: dict[str, Any] = {
    "submit": gettext_lazy("Submit to the credit office"),
    "publish": gettext_lazy("Verify and publish"),
}


def bulk_actions_for(user: User) -> list[tuple[str, Any]]:
    """The bulk steps the record list offers `user` (records.views.bulk; the services decide record by record)."""
    offered = []
    if user.is_administrator or user.role in (Role.REVIEWER, Role.CREDIT_OFFICE):
        offered.append("submit")
    if user.is_administrator or user.role == Role.CREDIT_OFFICE:
        offered.append("publish")
    return [(action, BULK_ACTIONS[action]) for action in offered]


@login_required
@require_GET
def record_list(request: AuthenticatedRequest) -> HttpResponse:
    filterset, queryset = filtered_records(request, for_page=True)
    paginator = CappedPaginator(listed_records(queryset), PAGE_SIZE, cap=COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    # Filters the form does not show (links from the work queue and elsewhere) travel on as hidden inputs.
    unshown = [(name, value) for name in UNSHOWN_FILTERS for value in request.GET.getlist(name) if value]
    context = {
        "section": "records",
        "form": filterset.form,
        "unshown_filters": unshown,
        "unshown_labels": sorted({str(filterset.form.fields[name].label) for name, _value in unshown}),
        "page": page,
        "sort": _sort_links(request),
        "export_query": params.urlencode(),
        "export_formats": EXPORT_FORMATS,
        "may_create": entering_agencies(request.user).exists(),
        "bulk_actions": bulk_actions_for(request.user),
    }
    return render(request, "records/record_list.html", context)


# One record --------------------------------------------------------------------------------------------------------


def _visible_records(user: User) -> QuerySet[DishonestyRecord]:
    return DishonestyRecord.objects.visible_to(user).select_related(
        "subject_agency", "subject_person", "deciding_agency", "data_source_agency", "disclosure_rule", "created_by"
    )


def _visible_record(request: AuthenticatedRequest, pk: int) -> DishonestyRecord:
    return get_object_or_404(_visible_records(request.user), pk=pk)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime.datetime
    user: User | None
    kind: str
    changes: list[Change] = field(default_factory=list)


class _Shown:
    """Turns stored values (ids, choice codes) into what a reader recognises, looking names up in bulk."""

    FOREIGN_KEYS = {"subject_agency", "deciding_agency", "data_source_agency", "subject_person"}

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        agency_ids: set[int] = set()
        person_ids: set[int] = set()
        for name, value in pairs:
            if value in (None, "") or name not in self.FOREIGN_KEYS:
                continue
            (person_ids if name == "subject_person" else agency_ids).add(int(value))
        self.agencies = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name")) if agency_ids else {}
        self.people = (
            dict(CivilServant.objects.filter(pk__in=person_ids).values_list("pk", "name")) if person_ids else {}
        )

    @staticmethod
    def field(name: str) -> "models.Field[Any, Any]":
        """A column of the record, named in a change; FieldDoesNotExist for one since removed (an old event)."""
        found = DishonestyRecord._meta.get_field(name)
        if not isinstance(found, models.Field):
            raise FieldDoesNotExist(name)
        return found

    @classmethod
    def label(cls, name: str) -> str:
        try:
            return str(cls.field(name).verbose_name)
        except FieldDoesNotExist:  # a field since removed, named in an old event
            return name

    def value(self, name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if name in self.FOREIGN_KEYS:
            names = self.people if name == "subject_person" else self.agencies
            return names.get(int(value), f"#{value}")
        try:
            choices = dict(self.field(name).flatchoices)
        except FieldDoesNotExist:
            choices = {}
        return str(choices.get(value, value))

    def change(self, name: str, old: Any, new: Any) -> Change:
        return Change(self.label(name), self.value(name, old), self.value(name, new))


def _history(record: DishonestyRecord) -> list[HistoryEntry]:
    """django-simple-history's rows, newest first, each with what it changed against the one before."""
    rows = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1]
    )
    deltas = [
        (row, row.diff_against(older, excluded_fields=UNSHOWN_FIELDS) if older is not None else None)
        for row, older in zip(rows[:HISTORY_LIMIT], [*rows[1:], None], strict=False)
    ]
    shown = _Shown([(c.field, v) for _row, d in deltas if d for c in d.changes for v in (c.old, c.new)])
    return [
        HistoryEntry(
            at=row.history_date,
            user=row.history_user,
            kind=row.get_history_type_display(),
            changes=[shown.change(c.field, c.old, c.new) for c in delta.changes] if delta else [],
        )
        for row, delta in deltas
    ]


def _events(record: DishonestyRecord) -> list[Any]:
    events: list[Any] = list(record.events.select_related("actor"))
    shown = _Shown([(name, v) for e in events for name, pair in e.changes.items() for v in pair])
    for event in events:
        event.shown_changes = [shown.change(name, old, new) for name, (old, new) in sorted(event.changes.items())]
    return events


def _measures(record: DishonestyRecord, user: User, today: datetime.date) -> list[Any]:
    """The record's measures, each with what the page shows beside it (next states, its rectification)."""
    measures: list[Any] = list(
        record.measures.select_related(
            "measure_type", "target_agency", "target_person", "executing_agency", "rectification__submitted_by"
        ).prefetch_related(Prefetch("events", queryset=MeasureEvent.objects.select_related("actor")))
    )
    decides = may_decide_records_about(user, record.subject_agency)
    for measure in measures:
        measure.next_states = (
            [
                (state, MeasureState(state).label)
                for state in MeasureState.values
                if state in MEASURE_MOVES.targets_from(measure.state)
            ]
            if decides
            else []
        )
        try:
            rectification = measure.rectification
        except ObjectDoesNotExist:
            rectification = None
        measure.rect = rectification
        if rectification is not None:
            rectification.measure = measure
            rectification.overdue = rectification.is_overdue_on(today)
            rectification.answerable = (
                measure.state == MeasureState.ACTIVE
                and rectification.submitted_at is None
                and may_enter_records_for(user, measure.target_agency)
            )
    return measures


def _render_detail(
    request: AuthenticatedRequest,
    record: DishonestyRecord,
    *,
    status: int = 200,
    error: DomainError | None = None,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The record page. `bound` carries a refused form back to its place (by action, `measure-<id>`,
    `rectification-<id>` or `evidence`), `error` a refusal that belongs to no field."""
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    measures = _measures(record, user, today)
    for measure in measures:
        measure.form = bound.get(f"measure-{measure.pk}")
        if measure.rect is not None:
            measure.rect.form = bound.get(f"rectification-{measure.rect.pk}")
    actions = record_actions(user, record)
    events = _events(record)
    context = {
        "section": "records",
        "record": record,
        "actions": actions,
        "workflow_actions": [action for action in WORKFLOW_ACTIONS if action in actions],
        "hand_off": _hand_off(record, events),
        "may_read_people": may_read_people(user),
        "error": error,
        "responsibilities": record.responsibilities.select_related("person__agency").order_by("pk"),
        "events": events,
        "measures": measures,
        "evidence": record.evidence.select_related("uploaded_by"),
        "history": _history(record),
        "reason_forms": {
            action: bound.get(action) or ReasonForm(auto_id=f"{action}-%s") for action in REASONED_ACTIONS
        },
        "evidence_form": bound.get("evidence") or EvidenceForm(auto_id="evidence-%s"),
        "today": today,
        **_candidate_context(user, record, bound),
    }
    return render(request, "records/record_detail.html", context, status=status)


def _candidate_context(user: User, record: DishonestyRecord, bound: dict[str, forms.Form]) -> dict[str, Any]:
    """A record found by another app (records/services/candidates.py): where it was found, the agency's written
    explanation while the record is with it, and the credit office's dismissal."""
    if record.origin_type_id is None:
        return {}
    origin = record.origin
    explainable = record.status in EXPLAINABLE_STATUSES and may_enter_records_for(user, record.data_source_agency)
    dismissable = TRANSITIONS.allows(record.status, "dismiss") and may_decide_records_about(user, record.subject_agency)
    return {
        "origin_url": origin.get_absolute_url() if origin is not None and hasattr(origin, "get_absolute_url") else "",
        "explain_form": (
            bound.get("explain") or ExplanationForm(auto_id="explain-%s", initial={"explanation": record.explanation})
        )
        if explainable
        else None,
        "dismiss_form": (bound.get("dismiss") or ReasonForm(auto_id="dismiss-%s")) if dismissable else None,
    }


def _hand_off(record: DishonestyRecord, events: list[RecordEvent]) -> RecordEvent | None:
    """The event that put the record where it waits: why it was returned, or when it was sent for review. Shown at
    the top of the record, where the one who must act next sees it first."""
    waits_after: dict[str, str] = {
        RecordStatus.RETURNED: RecordEventKind.RETURNED,
        RecordStatus.AWAITING_REVIEW: RecordEventKind.REVIEW_REQUESTED,
    }
    kind = waits_after.get(record.status)
    if kind is None:
        return None
    return next((event for event in reversed(events) if event.kind == kind), None)


@login_required
@require_GET
def record_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible_record(request, pk))


def _refused(
    request: AuthenticatedRequest, record: DishonestyRecord, exc: DomainError, **bound: forms.Form
) -> HttpResponse:
    """A move the service refused: the page as it now is, with why. 409 when the record had already moved on."""
    record.refresh_from_db()
    status = 409 if exc.code == "illegal_transition" else 200
    return _render_detail(request, record, status=status, error=exc, bound=bound)


def _form_error(form: forms.Form, exc: DomainError) -> bool:
    """Puts a service's messages on the fields they name; False when they name none of this form's fields."""
    placed = False
    for name, messages_ in exc.field_errors().items():
        if name in form.fields:
            for message in messages_:
                form.add_error(name, message)
            placed = True
    return placed


# Workflow ----------------------------------------------------------------------------------------------------------

SUCCESS_MESSAGES = {
    "request_review": gettext_lazy("The record was sent to your agency's reviewer."),
    "submit": gettext_lazy("The record was submitted to the credit office."),
    "send_back": gettext_lazy("The record was returned to the clerk."),
    "return": gettext_lazy("The record was returned to the agency."),
    "publish": gettext_lazy("The record was published."),
    "revoke": gettext_lazy("The record was revoked."),
}


def record_move(user: User, record: DishonestyRecord, action: str, reason: str = "") -> DishonestyRecord:
    """One workflow step through its service (the record page, the confirmation pages and the bulk actions)."""
    if action == "request_review":
        return services.record_request_review(actor=user, record=record)
    if action == "submit":
        return services.record_submit(actor=user, record=record)
    if action == "send_back":
        return services.record_send_back(actor=user, record=record, reason=reason)
    if action == "return":
        return services.record_return(actor=user, record=record, reason=reason)
    if action == "publish":
        return services.record_publish(actor=user, record=record)
    if action == "revoke":
        return services.record_revoke(actor=user, record=record, reason=reason)
    raise ValueError(action)


@login_required
@require_http_methods(["GET", "POST"])
def record_transition(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """request_review, submit, send_back and return from the record page (POST); publish and revoke from their
    confirmation page (GET shows it). Only for those the role and scope allow."""
    if action not in CONFIRMED_ACTIONS and request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    record = _visible_record(request, pk)
    if not _may_press(user, record, action):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    if action in CONFIRMED_ACTIONS:
        return _confirmed_transition(request, record, action)
    form: ReasonForm | None = None
    reason = ""
    if action in REASONED_ACTIONS:
        form = ReasonForm(request.POST, auto_id=f"{action}-%s")
        if not form.is_valid():
            return _render_detail(request, record, bound={action: form})
        reason = form.cleaned_data["reason"]
    try:
        record_move(user, record, action, reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if form is not None and _form_error(form, exc):
            return _render_detail(request, record, bound={action: form})
        return _refused(request, record, exc)
    messages.success(request, SUCCESS_MESSAGES[action])
    return redirect("records:record_detail", pk=record.pk)


def _confirmed_transition(request: AuthenticatedRequest, record: DishonestyRecord, action: str) -> HttpResponse:
    """The confirmation page of publish or revoke: what will happen, and a box to tick. Works without JavaScript."""
    form_class = PublishConfirmForm if action == "publish" else RevokeConfirmForm
    form = form_class(request.POST if request.method == "POST" else None, auto_id=f"{action}-%s")
    error: DomainError | None = None
    status = 200
    if not _status_allows(record, action):
        # Someone else moved it meanwhile, or an old link: say so instead of offering the step.
        error = DomainError(
            _("A %(status)s record cannot be %(action)s.")
            % {"status": record.get_status_display(), "action": ACTION_PAST[action]},
            code="illegal_transition",
        )
        status = 409 if request.method == "POST" else 200
    elif form.is_bound and form.is_valid():
        try:
            record_move(request.user, record, action, form.cleaned_data.get("reason", ""))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            if not _form_error(form, exc):
                error = exc
                status = 409 if exc.code == "illegal_transition" else 200
            record.refresh_from_db()
        else:
            messages.success(request, SUCCESS_MESSAGES[action])
            return redirect("records:record_detail", pk=record.pk)
    elif form.is_bound:
        status = 400
    context = {
        "section": "records",
        "record": record,
        "action": action,
        "form": form,
        "error": error,
        "preview": _publish_preview(record) if action == "publish" else None,
        "measures_in_force": record.measures.filter(state__in=[MeasureState.ACTIVE, MeasureState.SUSPENDED]).count(),
    }
    return render(request, "records/record_confirm.html", context, status=status)


ACTION_PAST = {
    "publish": gettext_lazy("published"),
    "revoke": gettext_lazy("revoked"),
}


def _publish_preview(record: DishonestyRecord) -> services.PublishPreview | None:
    try:
        return services.record_publish_preview(record=record)
    except DomainError:  # no disclosure rule covers it: publish itself will say so
        return None


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The credit office corrects a published record: the fields a correction may change, and why."""
    user = request.user
    record = _visible_record(request, pk)
    if not _may_press(user, record, "correct"):
        raise PermissionDenied(_("Only the credit office of the region may correct records."))
    if not _status_allows(record, "correct"):
        messages.error(request, _("Only a published record can be corrected."))
        return redirect("records:record_detail", pk=record.pk)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None, initial=CorrectionForm.initial_for(record)
    )
    if form.is_bound and form.is_valid():
        try:
            services.record_correct(
                actor=user, record=record, changes=form.changes_to(record), reason=form.cleaned_data["reason"]
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            if not _form_error(form, exc):
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The record was corrected."))
            return redirect("records:record_detail", pk=record.pk)
    context = {"section": "records", "record": record, "form": form}
    return render(request, "records/record_correct.html", context)


# Entry forms -------------------------------------------------------------------------------------------------------


def _people_with(people: list[CivilServant], record: DishonestyRecord | None) -> list[CivilServant]:
    """The people a form offers, plus those the record already names (who may since have left or moved)."""
    if record is None:
        return people
    known = {person.pk for person in people}
    named = [
        row.person for row in record.responsibilities.select_related("person__agency") if row.person_id not in known
    ]
    if record.subject_person is not None and record.subject_person_id not in known:
        named.append(record.subject_person)
    unique = {person.pk: person for person in named}
    return [*people, *unique.values()]


def _record_form_page(request: AuthenticatedRequest, record: DishonestyRecord | None) -> HttpResponse:
    """Create or edit. The people offered are those of the chosen subject agency: after choosing another agency the
    user presses "show this agency's people" (the page's script does it for them), which shows the form again with
    what was typed, unsaved."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    if record is not None:
        initial = RecordForm.initial_for(record)
        rows = responsible_initial(record)
    else:
        initial = {}
        if user.agency_id is not None and entering_agencies(user).filter(pk=user.agency_id).exists():
            initial = {"subject_agency": user.agency_id, "data_source_agency": user.agency_id}
        rows = []
    if data is not None and "reload_people" in data:
        initial, rows = record_form_initial_from(data)
        data = None
    typed = data.get("subject_agency") if data is not None else None
    subject_agency = picked_agency_id(entering_agencies(user), typed or initial.get("subject_agency"))
    people = _people_with(people_for_records(user, subject_agency), record)
    form = RecordForm(data, user=user, people=people, initial=initial)
    formset = ResponsibleFormSet(data, initial=rows, prefix="responsible", form_kwargs={"people": people})
    if data is not None and form.is_valid() and formset.is_valid():
        record_input = form.to_input(formset.responsible())
        try:
            if record is None:
                saved = services.record_create(actor=user, data=record_input)
            else:
                saved = services.record_update(actor=user, record=record, data=record_input)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _record_form_errors(form, formset, exc)
        else:
            return _after_save(request, saved)
    elif data is not None:
        # What the form could read still goes through the rules, so every error shows on this one answer.
        rule_errors = services.record_rule_errors(form.readable_values(), record_id=record.pk if record else None)
        for name, field_messages in rule_errors.items():
            if name in form.fields and name not in form.errors:
                for message in field_messages:
                    form.add_error(name, message)
    context = {
        "section": "records",
        "record": record,
        "form": form,
        "formset": formset,
        "may_request_review": _may_request_review(user, record),
        "title": _("Edit record") if record is not None else _("New dishonesty record"),
        "cancel_url": (
            reverse("records:record_detail", args=[record.pk]) if record is not None else reverse("records:record_list")
        ),
    }
    return render(request, "records/record_form.html", context)


def picked_agency_id(agencies: QuerySet[Agency], typed: Any) -> int | None:
    """The agency a picker's text names among `agencies`, if it names exactly one (the form says why otherwise)."""
    try:
        picked = AgencyPickerField(agencies, as_id=True, required=False).clean(typed)
    except forms.ValidationError:
        return None
    return int(picked) if picked is not None else None


def _record_form_errors(form: RecordForm, formset: Any, exc: DomainError) -> None:
    """Every error a service gave, each on its input: the responsible persons' above their rows, the rest on the
    form's fields, anything else above the form."""
    by_field: Iterable[tuple[str | None, list[str]]] = exc.field_errors().items() or [(None, [str(exc.message)])]
    for name, field_messages in by_field:
        for message in field_messages:
            if name == "responsible":
                formset.add_non_form_error(message)
            elif name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


def _may_request_review(user: User, record: DishonestyRecord | None) -> bool:
    """The clerk's form offers "save and send for review" (a reviewer submits from the record page instead)."""
    agency = record.data_source_agency if record is not None else getattr(user, "agency", None)
    if agency is None or (record is not None and not TRANSITIONS.allows(record.status, "request_review")):
        return False
    return may_enter_records_for(user, agency) and not may_submit_records_for(user, agency)


def _after_save(request: AuthenticatedRequest, saved: DishonestyRecord) -> HttpResponse:
    """Saved; with "save and send for review" the record then goes to the reviewer (a refusal is said, the record
    stays saved)."""
    if request.POST.get("then") != "review":
        messages.success(request, _("Saved as a draft."))
        return redirect("records:record_detail", pk=saved.pk)
    try:
        services.record_request_review(actor=request.user, record=saved)
    except DomainError as exc:
        messages.error(request, _("Saved, but not sent for review: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Saved and sent to your agency's reviewer."))
    return redirect("records:record_detail", pk=saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: AuthenticatedRequest) -> HttpResponse:
    if not entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter records."))
    return _record_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    if not _may_press(request.user, record, "edit"):
        raise PermissionDenied(_("You may not edit this record."))
    if not record.is_editable:
        messages.error(request, _("Only draft or returned records can be edited; a published one is corrected."))
        return redirect("records:record_detail", pk=record.pk)
    return _record_form_page(request, record)


# Measures and rectification ---------------------------------------------------------------------------------------


@login_required
@require_POST
def measure_state(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The credit office suspends, resumes, lifts or completes a measure."""
    user = request.user
    measure = get_object_or_404(AppliedMeasure.objects.visible_to(user).select_related("record__subject_agency"), pk=pk)
    if not may_decide_records_about(user, measure.record.subject_agency):
        raise PermissionDenied(_("Only the credit office of the region may change measures."))
    record = _visible_record(request, measure.record_id)
    form = MeasureStateForm(request.POST, auto_id=f"measure-{pk}-%s")
    key = f"measure-{pk}"
    if not form.is_valid():
        return _render_detail(request, record, bound={key: form})
    try:
        services.measure_set_state(
            actor=user, measure=measure, to_state=form.cleaned_data["to_state"], reason=form.cleaned_data["reason"]
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if _form_error(form, exc):
            return _render_detail(request, record, bound={key: form})
        return _refused(request, record, exc)
    messages.success(request, _("The measure's state was changed."))
    return redirect(f"{reverse('records:record_detail', args=[record.pk])}#measure-{pk}")


@login_required
@require_POST
def rectification_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The agency under a rectification order explains what it rectified."""
    user = request.user
    rectification = get_object_or_404(
        Rectification.objects.visible_to(user).select_related("measure__target_agency"), pk=pk
    )
    if not may_enter_records_for(user, rectification.measure.target_agency):
        raise PermissionDenied(_("Only the agency concerned may answer this rectification."))
    record = _visible_record(request, rectification.measure.record_id)
    form = RectificationAnswerForm(request.POST, auto_id=f"rectification-{pk}-%s")
    key = f"rectification-{pk}"
    if not form.is_valid():
        return _render_detail(request, record, bound={key: form})
    try:
        services.rectification_submit(
            actor=user, rectification=rectification, explanation=form.cleaned_data["explanation"]
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if _form_error(form, exc):
            return _render_detail(request, record, bound={key: form})
        return _refused(request, record, exc)
    messages.success(request, _("Your explanation was recorded."))
    return redirect(f"{reverse('records:record_detail', args=[record.pk])}#measure-{rectification.measure_id}")


# Evidence ----------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    record = _visible_record(request, pk)
    if not may_attach_evidence(user, record):
        raise PermissionDenied(_("You may not add evidence to this record."))
    form = EvidenceForm(request.POST, request.FILES, auto_id="evidence-%s")
    if form.is_valid():
        try:
            services.evidence_attach(actor=user, record=record, upload=form.cleaned_data["file"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            if not _form_error(form, exc):
                return _refused(request, record, exc, evidence=form)
        else:
            messages.success(request, _("The file was added."))
            return redirect(f"{reverse('records:record_detail', args=[record.pk])}#evidence")
    return _render_detail(request, record, bound={"evidence": form})


@login_required
@never_cache
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Only to those who see the record; always as a download, never rendered by the browser."""
    evidence = get_object_or_404(EvidenceFile.objects.filter(record_q(request.user, "record__")), pk=pk)
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Evidence file %s is missing from storage", evidence.pk)
        raise Http404 from exc
    response = FileResponse(
        stored, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened anyway (a browser told to ignore the attachment): no script, no plugin, no same-origin access.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
