"""Staff pages of public commitments: the list (filters, counts by status, bulk submit and publish), a commitment with
its timeline, progress reports and evidence, the entry form, the workflow steps, and the warning queue.

A commitment is fetched through `Commitment.objects.visible_to(user)`, so an id typed into a URL obeys the list's scope
(404 outside it). Buttons are shown by `commitment_actions`; the services stay the final judge: NotAllowed becomes the
403 page, any other DomainError the form again with its messages and nothing changed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.scope import commitment_q, may_decide_records_about, may_enter_records_for, may_submit_records_for
from commitments import services
from commitments.forms import (
    BulkForm,
    ChangeForm,
    CommitmentFilterForm,
    CommitmentForm,
    DecideForm,
    ProgressForm,
    ReasonForm,
)
from commitments.models import (
    OPEN_STATUSES,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentStatus,
    ProgressEvidence,
    ProgressReport,
)
from kernel.errors import DomainError, NotAllowed
from records.forms import people_for_records
from records.models import DishonestyRecord
from records.views.dishonesty import CappedPaginator, picked_agency_id
from subjects.forms import entering_agencies
from subjects.models import Agency, CivilServant

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
COUNT_CAP = 10_000
BULK_LIMIT = 100
S = CommitmentStatus

# Steps taken with a reason typed on the commitment page (or on their own page when the reason was refused).
REASONED_ACTIONS = ("return", "withdraw", "stall")
# Steps taken with one press.
PLAIN_ACTIONS = ("submit", "publish")
ALL_ACTIONS = ("edit", "submit", "publish", "return", "withdraw", "progress", "stall", "decide", "change")


# Who may press what ------------------------------------------------------------------------------------------------


def _may_press(user: User, commitment: Commitment, action: str) -> bool:
    """The role-and-scope half of an action (the other half is the commitment's status)."""
    agency = commitment.agency
    if action in ("edit", "withdraw", "progress"):
        return may_enter_records_for(user, agency)
    if action == "submit":
        return may_submit_records_for(user, agency)
    if action in ("return", "publish", "decide", "change"):
        return may_decide_records_about(user, agency)
    if action == "stall":
        return may_submit_records_for(user, agency) or may_decide_records_about(user, agency)
    raise ValueError(action)


def _status_allows(commitment: Commitment, action: str) -> bool:
    if action == "edit":
        return commitment.is_editable
    if action == "progress":
        return commitment.is_open
    if action == "decide":
        return any(services.TRANSITIONS.allows(commitment.status, move) for move in services.OUTCOME_ACTIONS.values())
    return services.TRANSITIONS.allows(commitment.status, action)


def commitment_actions(user: User, commitment: Commitment) -> list[str]:
    """The buttons `user` sees on `commitment`."""
    return [
        action for action in ALL_ACTIONS if _status_allows(commitment, action) and _may_press(user, commitment, action)
    ]


def _form_error(form: forms.Form, exc: DomainError, renamed: dict[str, str] | None = None) -> None:
    """A service's messages on the fields they name (`renamed`: the form's name of a service's field); the rest above
    the form."""
    placed = False
    for service_name, field_messages in exc.field_errors().items():
        name = (renamed or {}).get(service_name, service_name)
        for message in field_messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
            else:
                form.add_error(None, message)
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# The list ----------------------------------------------------------------------------------------------------------

BULK_ACTIONS: dict[str, Any] = {
    "submit": gettext_lazy("Submit to the credit office"),
    "publish": gettext_lazy("Publish"),
}


def bulk_actions_for(user: User) -> list[tuple[str, Any]]:
    offered = []
    if user.is_administrator or user.role in (Role.REVIEWER, Role.CREDIT_OFFICE):
        offered.append("submit")
    if user.is_administrator or user.role == Role.CREDIT_OFFICE:
        offered.append("publish")
    return [(action, BULK_ACTIONS[action]) for action in offered]


def listed_commitments(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """What a list row shows, in one query whatever the number of rows."""
    return queryset.select_related("agency").defer(
        "content", "liability", "search_grams", "outcome_reason", "change_description"
    )


def filtered_commitments(request: AuthenticatedRequest) -> tuple[CommitmentFilterForm, QuerySet[Commitment]]:
    """The user's commitments through the list's filters (also for the Excel export); an unreadable filter shows its
    errors and no rows."""
    visible = Commitment.objects.visible_to(request.user)
    form = CommitmentFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, visible.none()
    return form, form.apply(visible, today=timezone.localdate())


@login_required
@require_GET
def commitment_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form, queryset = filtered_commitments(request)
    if form.is_bound and not form.errors:
        # The counts by status of every other filter, beside each status (one grouped query).
        others = form.apply(Commitment.objects.visible_to(user), today=timezone.localdate(), statuses=False)
        counts = dict(others.order_by().values_list("status").annotate(n=Count("pk")))
        status_field = form.fields["status"]
        status_field.choices = [  # type: ignore[attr-defined]
            (value, f"{label} ({counts.get(value, 0)})") for value, label in S.choices
        ]
    paginator = CappedPaginator(listed_commitments(queryset), PAGE_SIZE, cap=COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "commitments",
        "form": form,
        "page": page,
        "today": timezone.localdate(),
        "filter_query": params.urlencode(),
        "open_statuses": OPEN_STATUSES,
        "may_create": entering_agencies(user).exists(),
        "bulk_actions": bulk_actions_for(user),
    }
    return render(request, "commitments/commitment_list.html", context)


@dataclass
class BulkRow:
    pk: int
    commitment: Commitment | None
    outcome: str = ""  # "done", "refused", "not_found"; empty while only previewed
    message: str = ""


BULK_SERVICES: dict[str, Callable[..., Commitment]] = {
    "submit": services.commitment_submit,
    "publish": services.commitment_publish,
}


def _bulk_preview(user: User, action: str, rows: list[BulkRow]) -> None:
    """What cannot move, said before anything is done."""
    for row in rows:
        commitment = row.commitment
        if commitment is None:
            row.outcome, row.message = "not_found", _("Not found in your scope.")
        elif not _may_press(user, commitment, action):
            row.outcome, row.message = "refused", _("Your role does not allow this step on this commitment.")
        elif not _status_allows(commitment, action):
            row.outcome = "refused"
            row.message = _("A commitment that is %(status)s cannot be %(action)s.") % {
                "status": commitment.get_status_display(),
                "action": services.ACTION_LABELS[action](),
            }


@login_required
@require_POST
def commitment_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Submit or publish the ticked commitments, each through its service in its own transaction; every refusal is
    reported by commitment. Publishing answers first with a confirmation (a ticked box)."""
    user = request.user
    offered = dict(bulk_actions_for(user))
    if not offered:
        raise PermissionDenied(_("Your role does not move commitments on."))
    form = BulkForm(request.POST, actions=list(offered.items()))
    context: dict[str, Any] = {"section": "commitments", "form": form}
    unconfirmed = set(form.errors) == {"confirm"}
    if not form.is_valid() and not unconfirmed:
        return render(request, "commitments/commitment_bulk.html", context, status=400)
    action = form.cleaned_data["action"]
    ids = form.cleaned_data["ids"]
    found = {c.pk: c for c in listed_commitments(Commitment.objects.visible_to(user).filter(pk__in=ids))}
    rows = [BulkRow(pk=pk, commitment=found.get(pk)) for pk in ids]
    context.update(action=action, action_label=offered[action], rows=rows)
    if action == "publish" and not form.cleaned_data.get("confirm"):
        _bulk_preview(user, action, rows)
        context["confirming"] = True
        return render(request, "commitments/commitment_bulk.html", context, status=400 if unconfirmed else 200)
    movable = [row.commitment for row in rows if row.commitment is not None]
    done, refused = services.commitments_bulk(actor=user, commitments=movable, action=BULK_SERVICES[action])
    moved = {c.pk: c for c in done}
    for row in rows:
        if row.commitment is None:
            row.outcome, row.message = "not_found", _("Not found in your scope.")
        elif row.pk in moved:
            row.outcome, row.commitment = "done", moved[row.pk]
        else:
            row.outcome, row.message = "refused", refused.get(row.pk, "")
    context["done"] = len(done)
    return render(request, "commitments/commitment_bulk.html", context)


# One commitment ----------------------------------------------------------------------------------------------------


def _visible_commitment(request: AuthenticatedRequest, pk: int) -> Commitment:
    queryset = Commitment.objects.visible_to(request.user).select_related(
        "agency", "responsible_person", "created_by", "breach_record"
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass
class Change:
    label: str
    old: str
    new: str


def _shown_changes(events: list[Any]) -> None:
    """The changes of an edit as a reader knows them: the field's label, a choice by its label, a name for an id."""
    agency_ids: set[int] = set()
    person_ids: set[int] = set()
    for event in events:
        if event.kind != CommitmentEventKind.EDITED:
            continue
        for name, pair in event.changes.items():
            ids = agency_ids if name == "agency" else person_ids if name == "responsible_person" else None
            if ids is not None:
                ids.update(int(v) for v in pair if v not in (None, "") and str(v).isdigit())
    names = {
        "agency": {str(k): v for k, v in Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name")}
        if agency_ids
        else {},
        "responsible_person": {
            str(k): v for k, v in CivilServant.objects.filter(pk__in=person_ids).values_list("pk", "name")
        }
        if person_ids
        else {},
    }

    def shown(name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if name in names:
            return str(names[name].get(str(value), f"#{value}"))
        try:
            choices = dict(Commitment._meta.get_field(name).flatchoices)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            choices = {}
        return str(choices.get(value, value))

    for event in events:
        event.shown_changes = []
        if event.kind != CommitmentEventKind.EDITED:
            continue
        for name, (old, new) in sorted(event.changes.items()):
            try:
                label = str(Commitment._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            except FieldDoesNotExist:
                label = name
            event.shown_changes.append(Change(label, shown(name, old), shown(name, new)))


def _render_detail(
    request: AuthenticatedRequest,
    commitment: Commitment,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    actions = commitment_actions(user, commitment)
    events: list[Any] = list(
        CommitmentEvent.objects.filter(commitment=commitment).select_related("actor").order_by("at", "pk")
    )
    _shown_changes(events)
    reports = (
        ProgressReport.objects.filter(commitment=commitment)
        .select_related("created_by")
        .prefetch_related(Prefetch("evidence", queryset=ProgressEvidence.objects.select_related("uploaded_by")))
    )
    breach = None
    if commitment.breach_record_id is not None:
        # Shown as a link only to those who may open the record (a sector authority may read the commitment only).
        breach = DishonestyRecord.objects.visible_to(user).filter(pk=commitment.breach_record_id).first()
    context = {
        "section": "commitments",
        "commitment": commitment,
        "actions": actions,
        "error": error,
        "events": events,
        "reports": reports,
        "warnings": commitment.warnings.active().order_by("-raised_on", "pk"),
        "breach": breach,
        "overdue": commitment.is_overdue(),
        "reason_forms": {
            action: bound.get(action) or ReasonForm(auto_id=f"{action}-%s") for action in REASONED_ACTIONS
        },
    }
    return render(request, "commitments/commitment_detail.html", context, status=status)


@login_required
@require_GET
def commitment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible_commitment(request, pk))


@login_required
@never_cache
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Only to those who see the commitment; always as a download, never rendered by the browser."""
    evidence = get_object_or_404(
        ProgressEvidence.objects.filter(commitment_q(request.user, "report__commitment__")), pk=pk
    )
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Progress evidence file %s is missing from storage", evidence.pk)
        raise Http404 from exc
    response = FileResponse(
        stored, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Entry -------------------------------------------------------------------------------------------------------------


def _people_with(people: list[CivilServant], commitment: Commitment | None) -> list[CivilServant]:
    """The people offered, plus the one the commitment already names (who may since have moved)."""
    person = commitment.responsible_person if commitment is not None else None
    if person is None or any(p.pk == person.pk for p in people):
        return people
    return [*people, person]


def _form_page(request: AuthenticatedRequest, commitment: Commitment | None) -> HttpResponse:
    """Create or edit a draft. The people offered are those of the chosen agency: "show this agency's people" shows
    the form again with what was typed, unsaved."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    if commitment is not None:
        initial = CommitmentForm.initial_for(commitment)
    else:
        initial = {}
        if user.agency_id is not None and entering_agencies(user).filter(pk=user.agency_id).exists():
            initial = {"agency": user.agency_id}
    if data is not None and "reload_people" in data:
        initial = CommitmentForm.initial_from(data)
        data = None
    typed = data.get("agency") if data is not None else None
    agency_id = picked_agency_id(entering_agencies(user), typed or initial.get("agency"))
    people = _people_with(people_for_records(user, agency_id), commitment)
    form = CommitmentForm(data, user=user, people=people, initial=initial)
    if data is not None and form.is_valid():
        try:
            if commitment is None:
                saved = services.commitment_create(actor=user, data=form.to_input())
            else:
                saved = services.commitment_update(actor=user, commitment=commitment, data=form.to_input())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("commitments:detail", pk=saved.pk)
    context = {
        "section": "commitments",
        "commitment": commitment,
        "form": form,
        "title": _("Edit commitment") if commitment is not None else _("New public commitment"),
        "cancel_url": commitment.get_absolute_url() if commitment is not None else reverse("commitments:list"),
    }
    return render(request, "commitments/commitment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: AuthenticatedRequest) -> HttpResponse:
    if not entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter commitments."))
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    commitment = _visible_commitment(request, pk)
    if not _may_press(request.user, commitment, "edit"):
        raise PermissionDenied(_("You may not edit this commitment."))
    if not commitment.is_editable:
        messages.error(request, _("Only a draft commitment can be edited; a published one changes only lawfully."))
        return redirect(commitment)
    return _form_page(request, commitment)


# Workflow ----------------------------------------------------------------------------------------------------------

SUCCESS_MESSAGES = {
    "submit": gettext_lazy("The commitment was submitted to the credit office."),
    "publish": gettext_lazy("The commitment was published."),
    "return": gettext_lazy("The commitment was returned to the agency."),
    "withdraw": gettext_lazy("The commitment was withdrawn."),
    "stall": gettext_lazy("The commitment was marked stalled."),
    "progress": gettext_lazy("The progress report was recorded."),
    "decide": gettext_lazy("The outcome was recorded."),
    "change": gettext_lazy("The lawful change was recorded."),
}
STEP_TITLES = {
    "return": gettext_lazy("Return to the agency"),
    "withdraw": gettext_lazy("Withdraw the commitment"),
    "stall": gettext_lazy("Mark stalled"),
    "progress": gettext_lazy("Report progress"),
    "decide": gettext_lazy("Decide the outcome"),
    "change": gettext_lazy("Record a lawful change"),
}
STEP_HELP = {
    "return": gettext_lazy("The agency gets the commitment back as a draft, with your reason."),
    "withdraw": gettext_lazy("Only before publication. The commitment is kept, marked withdrawn."),
    "stall": gettext_lazy("The next progress report resumes it."),
    "progress": gettext_lazy("The first report starts a published commitment; a report on a stalled one resumes it."),
    "decide": gettext_lazy("Whether the commitment was kept, partly kept or broken, on what grounds and evidence."),
    "change": gettext_lazy(
        "Only on national interest, public interest or another legal ground, after a legality review and a "
        "collective decision, published; a counterparty is notified and compensated for its loss."
    ),
}


def _guarded(request: AuthenticatedRequest, pk: int, action: str) -> Commitment | HttpResponse:
    """The commitment, if `user` may take `action` on it; otherwise 403, or back to it saying why when its status
    does not allow the step (someone else moved it meanwhile)."""
    commitment = _visible_commitment(request, pk)
    if not _may_press(request.user, commitment, action):
        raise PermissionDenied(_("Your role does not allow this step on this commitment."))
    if not _status_allows(commitment, action):
        messages.error(
            request,
            _("This step is not open for a commitment that is %(status)s.")
            % {"status": commitment.get_status_display()},
        )
        return redirect(commitment)
    return commitment


def _step_page(
    request: AuthenticatedRequest, commitment: Commitment, action: str, form: forms.Form, *, multipart: bool = False
) -> HttpResponse:
    context = {
        "section": "commitments",
        "commitment": commitment,
        "action": action,
        "title": STEP_TITLES[action],
        "help": STEP_HELP[action],
        "form": form,
        "multipart": multipart,
        "action_url": reverse(f"commitments:{action}", args=[commitment.pk]),
    }
    return render(request, "commitments/commitment_step.html", context)


@login_required
@require_POST
def commitment_move(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Submit or publish from the commitment page."""
    guarded = _guarded(request, pk, action)
    if isinstance(guarded, HttpResponse):
        return guarded
    try:
        BULK_SERVICES[action](actor=request.user, commitment=guarded)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        guarded.refresh_from_db()
        return _render_detail(request, guarded, error=exc, status=409 if exc.code == "illegal_transition" else 200)
    messages.success(request, SUCCESS_MESSAGES[action])
    return redirect(guarded)


def _reasoned(user: User, commitment: Commitment, action: str, reason: str) -> Commitment:
    if action == "return":
        return services.commitment_return(actor=user, commitment=commitment, reason=reason)
    if action == "withdraw":
        return services.commitment_withdraw(actor=user, commitment=commitment, reason=reason)
    if action == "stall":
        return services.commitment_mark_stalled(actor=user, commitment=commitment, reason=reason)
    raise ValueError(action)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_reasoned(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Return, withdraw or mark stalled, with the reason (typed on the commitment page; this page shows a refused
    one again)."""
    guarded = _guarded(request, pk, action)
    if isinstance(guarded, HttpResponse):
        return guarded
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            _reasoned(request.user, guarded, action, form.cleaned_data["reason"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, SUCCESS_MESSAGES[action])
            return redirect(guarded)
    return _step_page(request, guarded, action, form)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guarded = _guarded(request, pk, "progress")
    if isinstance(guarded, HttpResponse):
        return guarded
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES)
    else:
        form = ProgressForm(initial={"reported_on": timezone.localdate(), "percent": guarded.progress_percent})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_report_progress(
                actor=request.user,
                commitment=guarded,
                reported_on=data["reported_on"],
                percent=data["percent"],
                narrative=data["narrative"],
                files=data["evidence"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_error(form, exc, {"files": "evidence"})
        else:
            messages.success(request, SUCCESS_MESSAGES["progress"])
            return redirect(f"{guarded.get_absolute_url()}#progress")
    return _step_page(request, guarded, "progress", form, multipart=True)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guarded = _guarded(request, pk, "decide")
    if isinstance(guarded, HttpResponse):
        return guarded
    form = DecideForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.commitment_decide(
                actor=request.user,
                commitment=guarded,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, SUCCESS_MESSAGES["decide"])
            return redirect(guarded)
    return _step_page(request, guarded, "decide", form)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guarded = _guarded(request, pk, "change")
    if isinstance(guarded, HttpResponse):
        return guarded
    form = ChangeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.commitment_change(actor=request.user, commitment=guarded, change=form.to_change())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, SUCCESS_MESSAGES["change"])
            return redirect(guarded)
    return _step_page(request, guarded, "change", form)


# Warnings ----------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def warning_queue(request: AuthenticatedRequest) -> HttpResponse:
    """The active warnings in the user's scope, the most urgent first (services.commitment_warning_queue)."""
    paginator = Paginator(services.commitment_warning_queue(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "section": "commitments",
        "page": page,
        "today": timezone.localdate(),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "commitments/warning_queue.html", context)
