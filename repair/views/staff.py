"""Staff pages of objections, complaints and credit repair: the queue of what is due and late, each case with its
timeline, attachments and the steps the user may take, the upholding of an objection, mitigation (主动自新), and
filing on a subject's behalf.

Cases are fetched through `<Model>.objects.visible_to(user)` (404 outside it): the credit office sees its region's
cases, an agency's clerks and reviewers the cases about their agency's records (read-only), an outsider nothing.
Buttons are shown by `may_handle` and the services' own MOVES tables; the services stay the judge: NotAllowed
becomes the 403 page, a DomainError the page again with its message beside the input it names and nothing written.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.scope import may_decide_records_about, may_manage_agencies_under
from kernel.errors import DomainError, NotAllowed
from kernel.transitions import StateMachine
from records.models import AppliedMeasure, DishonestyRecord, MeasureTarget
from repair import services
from repair.forms import CaseFilterForm, MaterialRequestForm, MitigationForm, ReasonForm, UpholdForm
from repair.models import (
    CaseAttachment,
    CaseQuerySet,
    Complaint,
    Mitigation,
    Objection,
    ObjectionOutcome,
    RepairApplication,
)
from repair.services import complaints as complaint_services
from repair.services import objections as objection_services
from repair.services import repairs as repair_services
from repair.views.cases import (
    COMPLAINT,
    FILING_FORMS,
    KINDS,
    OBJECTION,
    REPAIR,
    Case,
    Kind,
    RecordSummary,
    add_rule_errors,
    event_rows,
    file_case,
    filed_page,
    filing_page,
    put_error,
    status_label,
)
from repair.views.public import decision_context

logger = logging.getLogger(__name__)

STAFF_LAYOUT = "base.html"
QUEUE_PAGE_SIZE = 20


# Who may do what ---------------------------------------------------------------------------------------------------


def may_handle(user: User, kind: Kind, case: Case) -> bool:
    """The role-and-scope half of every step on a case (the other half is its status); mirrors the services."""
    if kind is COMPLAINT:
        assert isinstance(case, Complaint)
        return may_manage_agencies_under(user, case.handling_agency) and user.role in (
            Role.CREDIT_OFFICE,
            Role.ADMINISTRATOR,
        )
    return may_decide_records_about(user, case.record.subject_agency)


@dataclass(frozen=True)
class Action:
    key: str  # the key of the service's MOVES table
    label: str | Promise
    service: Callable[..., Any]
    form: type[forms.Form] | None  # None: a plain button
    done: str | Promise
    danger: bool = False

    @property
    def slug(self) -> str:
        return self.key.replace("_", "-")


# The services' own tables of allowed moves decide which buttons a case in a given status shows.
MOVES: dict[str, StateMachine[Any]] = {
    "objection": objection_services.MOVES,
    "complaint": complaint_services.MOVES,
    "repair": repair_services.MOVES,
}
ACTIONS: dict[str, list[Action]] = {
    "objection": [
        Action("accept", gettext_lazy("Accept"), services.objection_accept, None, gettext_lazy("Accepted.")),
        Action(
            "verify",
            gettext_lazy("Send to the data-providing unit for verification"),
            services.objection_send_for_verification,
            None,
            gettext_lazy("Sent for verification."),
        ),
        Action(
            "not_accept",
            gettext_lazy("Do not accept"),
            services.objection_not_accept,
            ReasonForm,
            gettext_lazy("Not accepted."),
            True,
        ),
        Action(
            "reject", gettext_lazy("Reject"), services.objection_reject, ReasonForm, gettext_lazy("Rejected."), True
        ),
    ],
    "complaint": [
        Action("accept", gettext_lazy("Accept"), services.complaint_accept, None, gettext_lazy("Accepted.")),
        Action("resolve", gettext_lazy("Resolve"), services.complaint_resolve, ReasonForm, gettext_lazy("Resolved.")),
        Action(
            "not_accept",
            gettext_lazy("Do not accept"),
            services.complaint_not_accept,
            ReasonForm,
            gettext_lazy("Not accepted."),
            True,
        ),
        Action(
            "dismiss", gettext_lazy("Dismiss"), services.complaint_dismiss, ReasonForm, gettext_lazy("Dismissed."), True
        ),
    ],
    "repair": [
        Action("accept", gettext_lazy("Accept"), services.repair_accept, None, gettext_lazy("Accepted.")),
        Action(
            "grant",
            gettext_lazy("Grant the repair"),
            services.repair_grant,
            ReasonForm,
            gettext_lazy("Credit repair granted: the record has left public disclosure."),
        ),
        Action(
            "request_material",
            gettext_lazy("Request missing material"),
            services.repair_request_material,
            MaterialRequestForm,
            gettext_lazy("The filer was asked for the missing material."),
        ),
        Action(
            "not_accept",
            gettext_lazy("Do not accept"),
            services.repair_not_accept,
            ReasonForm,
            gettext_lazy("Not accepted."),
            True,
        ),
        Action("refuse", gettext_lazy("Refuse"), services.repair_refuse, ReasonForm, gettext_lazy("Refused."), True),
    ],
}


def _allowed_from(kind: Kind, action: Action, case: Case) -> bool:
    if action.key == "request_material" and getattr(case, "material_requested_at", None) is not None:
        return False  # once only (repair_request_material)
    return MOVES[kind.key].allows(case.status, action.key)


def _action(kind: Kind, slug: str) -> Action:
    for action in ACTIONS[kind.key]:
        if action.slug == slug:
            return action
    raise Http404


def available_actions(user: User, kind: Kind, case: Case) -> list[Action]:
    if not may_handle(user, kind, case):
        return []
    return [action for action in ACTIONS[kind.key] if _allowed_from(kind, action, case)]


def may_uphold(user: User, case: Case) -> bool:
    return (
        isinstance(case, Objection)
        and MOVES["objection"].allows(case.status, "uphold")
        and may_handle(user, OBJECTION, case)
    )


# The queue ---------------------------------------------------------------------------------------------------------


def visible_cases(user: User, kind: Kind) -> CaseQuerySet:
    queryset = kind.model.objects.visible_to(user).select_related("record__subject_agency")  # type: ignore[attr-defined]
    if kind is COMPLAINT:
        queryset = queryset.select_related("handling_agency")
    return queryset.defer(
        "statement", "decision_reason", "record__facts", "record__legal_basis", "record__search_grams"
    )


@dataclass
class QueueSection:
    key: str
    kind: Kind
    group: str  # "late", "due", or a status
    title: str
    queryset: QuerySet[Any]
    page_number: str | None
    params: Any  # the request's query parameters, for the page links

    @cached_property
    def page(self) -> Page:
        return Paginator(self.queryset, QUEUE_PAGE_SIZE).get_page(self.page_number)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    def _link(self, number: int) -> str:
        params = self.params.copy()
        params[f"{self.key}-page"] = str(number)
        return f"?{params.urlencode()}"

    @property
    def previous_url(self) -> str:
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self._link(self.page.next_page_number()) if self.page.has_next() else ""


KIND_TITLES = {
    "objection": gettext_lazy("Objections"),
    "complaint": gettext_lazy("Complaints"),
    "repair": gettext_lazy("Credit repair applications"),
}


def queue_sections(request: AuthenticatedRequest, form: CaseFilterForm, today: datetime.date) -> list[QueueSection]:
    """Per kind: what is late and what is due (open cases by stage deadline), or the cases in one status.
    Each section costs two queries (its count and its page) whatever its size."""
    user = request.user
    data = form.cleaned_data if form.is_valid() else {}
    kinds = [KINDS[data["kind"]]] if data.get("kind") else list(KINDS.values())
    status = data.get("status") or ""
    sections = []
    for kind in kinds:
        cases = visible_cases(user, kind)
        if status:
            if status not in kind.statuses.values:
                continue
            groups = [(status, status_label(kind, status), cases.filter(status=status).order_by("-created_at", "-pk"))]
        else:
            open_cases = cases.filter(closed_at__isnull=True)
            groups = [
                ("late", _("Late"), cases.overdue(today).order_by("stage_due_on", "pk")),
                (
                    "due",
                    _("Due"),
                    open_cases.filter(Q(stage_due_on__gte=today) | Q(stage_due_on__isnull=True)).order_by(
                        "stage_due_on", "pk"
                    ),
                ),
            ]
        for group, label, queryset in groups:
            key = f"{kind.key}-{group}"
            sections.append(
                QueueSection(
                    key=key,
                    kind=kind,
                    group=group,
                    title=f"{KIND_TITLES[kind.key]} · {label}",
                    queryset=queryset,
                    page_number=request.GET.get(f"{key}-page"),
                    params=request.GET,
                )
            )
    return sections


@login_required
@require_GET
def case_queue(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CaseFilterForm(request.GET or None)
    sections = queue_sections(request, form, today)
    for section in sections:
        for case in section.page.object_list:
            case.late = case.is_overdue_on(today)
            case.status_text = status_label(section.kind, case.status)
    context = {"section": "cases", "form": form, "sections": sections, "today": today}
    return render(request, "repair/queue.html", context)


# One case ----------------------------------------------------------------------------------------------------------


def _visible_case(request: AuthenticatedRequest, kind: Kind, pk: int) -> Case:
    queryset = kind.model.objects.visible_to(request.user).select_related(  # type: ignore[attr-defined]
        "record__subject_agency", "record__subject_person", "record__data_source_agency", "filed_by"
    )
    if kind is COMPLAINT:
        queryset = queryset.select_related("handling_agency", "objection")
    if kind is REPAIR:
        queryset = queryset.select_related("decided_by__agency")
    return get_object_or_404(queryset, pk=pk)


def record_measures(record: DishonestyRecord, user: User) -> list[AppliedMeasure]:
    """The record's measures, each marked whether `user` may grant mitigation (主动自新) on it."""
    measures = list(
        record.measures.select_related("measure_type", "target_agency", "target_person", "mitigation__approved_by")
    )
    decides = may_decide_records_about(user, record.subject_agency)
    for measure in measures:
        try:
            measure.mitigation_row = measure.mitigation
        except ObjectDoesNotExist:
            measure.mitigation_row = None
        measure.personal = measure.target_person_id is not None and measure.measure_type.target != MeasureTarget.UNIT
        measure.mitigable = decides and measure.personal and measure.mitigation_row is None
    return measures


def _case_page(
    request: AuthenticatedRequest,
    kind: Kind,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    actions = available_actions(user, kind, case)
    forms_by_action = {
        action.key: bound.get(action.key) or action.form(auto_id=f"{action.slug}-%s")
        for action in actions
        if action.form is not None
    }
    context: dict[str, Any] = {
        "section": "cases",
        "kind": kind.key,
        "case": case,
        "status_label": status_label(kind, case.status),
        "overdue": case.is_overdue_on(today),
        "summary": RecordSummary.of(case.record, public=False),
        "record": case.record,
        "events": event_rows(case, with_actors=True),
        "attachments": list(CaseAttachment.objects.filter(**{kind.key: case})),
        "actions": [(action, forms_by_action.get(action.key)) for action in actions],
        "may_uphold": may_uphold(user, case),
        "measures": record_measures(case.record, user),
        "error": error,
        "today": today,
    }
    if isinstance(case, Objection):
        context["outcome_label"] = ObjectionOutcome(case.outcome).label if case.outcome else ""
        context["complaints"] = list(Complaint.objects.visible_to(user).filter(objection=case))
    return render(request, "repair/case_detail.html", context, status=status)


def _case_detail(kind: Kind) -> Callable[[AuthenticatedRequest, int], HttpResponse]:
    @login_required
    @require_GET
    def view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
        return _case_page(request, kind, _visible_case(request, kind, pk))

    view.__name__ = f"{kind.key}_detail"
    return view


objection_detail = _case_detail(OBJECTION)
complaint_detail = _case_detail(COMPLAINT)
repair_detail = _case_detail(REPAIR)


@login_required
@require_POST
def case_action(request: AuthenticatedRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """One step on a case (accept, not accept, verify, reject, resolve, dismiss, request material, grant, refuse)."""
    case_kind = KINDS[kind]
    case = _visible_case(request, case_kind, pk)
    step = _action(case_kind, action)
    if not may_handle(request.user, case_kind, case):
        raise PermissionDenied(_("Your role does not allow this step on this case."))
    form = step.form(request.POST, auto_id=f"{step.slug}-%s") if step.form is not None else None
    if form is not None and not form.is_valid():
        return _case_page(request, case_kind, case, bound={step.key: form})
    try:
        step.service(actor=request.user, **{case_kind.service_arg: case}, **(form.cleaned_data if form else {}))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if form is not None and exc.field in form.fields:
            put_error(form, exc)
            return _case_page(request, case_kind, case, bound={step.key: form})
        case.refresh_from_db()
        status = 409 if exc.code in ("illegal_transition", "already_requested") else 400
        return _case_page(request, case_kind, case, error=exc, status=status)
    messages.success(request, str(step.done))
    return redirect(f"repair:{case_kind.key}_detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def objection_uphold(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Uphold an objection: correct the record (the correction form's fields) or revoke it; name wrongful measures."""
    objection = _visible_case(request, OBJECTION, pk)
    assert isinstance(objection, Objection)
    if not may_handle(request.user, OBJECTION, objection):
        raise PermissionDenied(_("Only the credit office of the region handles objections."))
    if not may_uphold(request.user, objection):
        messages.error(request, _("This objection cannot be upheld in its present state."))
        return redirect("repair:objection_detail", pk=objection.pk)
    form = UpholdForm(request.POST if request.method == "POST" else None, record=objection.record)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]
        try:
            services.objection_uphold(
                actor=request.user,
                objection=objection,
                outcome=outcome,
                reason=data["reason"],
                changes=form.changes() if outcome == ObjectionOutcome.CORRECTED else None,
                wrongful_measures=list(data["wrongful_measures"]),
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("The objection was upheld."))
            return redirect("repair:objection_detail", pk=objection.pk)
    context = {
        "section": "cases",
        "case": objection,
        "summary": RecordSummary.of(objection.record, public=False),
        "form": form,
    }
    return render(request, "repair/objection_uphold.html", context)


@login_required
@never_cache
@require_GET
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Only to those who see the case; always as a download, never rendered by the browser."""
    user = request.user
    visible = (
        Q(objection__in=Objection.objects.visible_to(user).values("pk"))
        | Q(complaint__in=Complaint.objects.visible_to(user).values("pk"))
        | Q(repair__in=RepairApplication.objects.visible_to(user).values("pk"))
    )
    attachment = get_object_or_404(CaseAttachment.objects.filter(visible), pk=pk)
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Case attachment %s is missing from storage", attachment.pk)
        raise Http404 from exc
    response = FileResponse(
        stored, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@never_cache
@require_GET
def repair_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _visible_case(request, REPAIR, pk)
    assert isinstance(application, RepairApplication)
    if application.status != "granted":
        raise Http404
    context = {"section": "cases", "layout": STAFF_LAYOUT, **decision_context(application, public=False)}
    return render(request, "repair/decision.html", context)


# A record's cases, filing on a subject's behalf, mitigation -------------------------------------------------------


def _visible_record(request: AuthenticatedRequest, record_id: int) -> DishonestyRecord:
    records = DishonestyRecord.objects.visible_to(request.user).select_related("subject_agency", "subject_person")
    return get_object_or_404(records, pk=record_id)


@login_required
@require_GET
def record_cases(request: AuthenticatedRequest, record_id: int) -> HttpResponse:
    """A record's objections, complaints and repair applications, its measures (with mitigation), and the links to
    file a case on the subject's behalf."""
    user = request.user
    record = _visible_record(request, record_id)
    today = timezone.localdate()
    lists = []
    for kind in KINDS.values():
        cases = list(visible_cases(user, kind).filter(record=record).order_by("-created_at", "-pk"))
        for case in cases:
            case.late = case.is_overdue_on(today)
            case.status_text = status_label(kind, case.status)
        lists.append((kind.key, KIND_TITLES[kind.key], cases))
    context = {
        "section": "cases",
        "record": record,
        "summary": RecordSummary.of(record, public=False),
        "lists": lists,
        "measures": record_measures(record, user),
        "may_file": record.is_in_force,
        "repair_open": record.repair_possible_on(today),
    }
    return render(request, "repair/record_cases.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_filing(request: AuthenticatedRequest, record_id: int, kind: str) -> HttpResponse:
    """Staff file an objection, a repair application or a complaint for a subject (filed_by is the user); the
    subject gets the query code from them."""
    if kind not in FILING_FORMS:
        raise Http404
    record = _visible_record(request, record_id)
    context = {
        "section": "cases",
        "layout": STAFF_LAYOUT,
        "public": False,
        "record": record,
        "summary": RecordSummary.of(record, public=False),
    }
    form_class = FILING_FORMS[kind]
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    if form.is_bound and not form.is_valid():
        add_rule_errors(kind, form, record=record, public=False)
    elif form.is_bound:
        try:
            case, code = file_case(kind, form, record, filed_by=request.user)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            put_error(form, exc)
        else:
            return filed_page(request, case=case, code=code, context=context)
    return filing_page(request, kind=kind, record=record, form=form, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def mitigation(request: AuthenticatedRequest, measure_id: int) -> HttpResponse:
    """主动自新 (docs/domain.md §5): the credit office spares a civil servant who made amends a personal measure."""
    user = request.user
    measure = get_object_or_404(
        AppliedMeasure.objects.visible_to(user).select_related(
            "record__subject_agency", "measure_type", "target_person", "target_agency"
        ),
        pk=measure_id,
    )
    if not may_decide_records_about(user, measure.record.subject_agency):
        raise PermissionDenied(_("Only the credit office of the region approves mitigation."))
    existing = Mitigation.objects.filter(measure=measure).select_related("approved_by").first()
    form = MitigationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.mitigation_grant(
                actor=user, measure=measure, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"]
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("The mitigation was recorded."))
            return redirect("repair:record_cases", record_id=measure.record_id)
    context = {
        "section": "cases",
        "measure": measure,
        "record": measure.record,
        "existing": existing,
        "form": form,
    }
    return render(request, "repair/mitigation.html", context)
