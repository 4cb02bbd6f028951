"""Staff pages of court cases where an agency is a party: the list (judgments to perform first, by their deadline)
with its filters, a case's page (hearings, judicial suggestions, judgment, performance, the candidate record,
the timeline) with its forms, the entry form. A case is fetched through `CourtCase.objects.visible_to(user)`:
outside it, 404. The services judge every write; a refused form shows every error at once with the typed values
kept."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from supervision.forms.courts import (
    AnswerForm,
    CaseFilterForm,
    CaseForm,
    HearingForm,
    JudgmentForm,
    JudicialSuggestionForm,
    PerformForm,
)
from supervision.forms.suggestions import lead_units
from supervision.models.courts import CaseStatus, CourtCase, CourtCaseQuerySet, CourtHearing, JudicialSuggestion
from supervision.services import courts as services
from supervision.views.suggestions import SECTION, run_form

PAGE_SIZE = 50


def filtered_cases(user: User, params: Any) -> tuple[CaseFilterForm, CourtCaseQuerySet]:
    form = CaseFilterForm(params, user=user)
    rows = CourtCase.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        q = data["q"].strip()
        rows = rows.filter(Q(case_number__icontains=q) | Q(court__contains=q) | Q(cause__contains=q))
    if data["kind"]:
        rows = rows.filter(kind=data["kind"])
    if data["status"]:
        rows = rows.filter(status=data["status"])
    if data["unit"]:
        rows = rows.filter(agency=data["unit"])
    if data["state"] == "overdue":
        rows = rows.not_performed(timezone.localdate())
    return form, rows


@login_required
@require_GET
def court_case_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_cases(request.user, request.GET)
    ordered = (
        rows.select_related("agency")
        .annotate(
            to_perform=Case(
                When(status=CaseStatus.TO_PERFORM, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("to_perform", "performance_due_on", "-filing_notice_on", "pk")
    )
    page = Paginator(ordered, PAGE_SIZE)
    context = {
        "section": SECTION,
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "may_enter": lead_units(request.user).exists(),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/courts/list.html", context)


def _visible(user: User, pk: int) -> CourtCase:
    return get_object_or_404(CourtCase.objects.visible_to(user).select_related("agency", "record", "created_by"), pk=pk)


def _detail(request: AuthenticatedRequest, case: CourtCase, status: int = 200, **forms_: Any) -> HttpResponse:
    handling = services.may_handle(request.user, case.agency)
    context = {
        "section": SECTION,
        "case": case,
        "hearings": case.hearings.all(),
        "judicial_suggestions": case.judicial_suggestions.all(),
        "events": case.events.select_related("actor"),
        "today": timezone.localdate(),
        "overdue": case.is_overdue(),
        "may_handle": handling,
        "may_judge": handling and case.status == CaseStatus.PENDING,
        "may_perform": handling and case.status == CaseStatus.TO_PERFORM,
        "hearing_form": forms_.get("hearing_form") or HearingForm(),
        "suggestion_form": forms_.get("suggestion_form") or JudicialSuggestionForm(),
        "answer_form": forms_.get("answer_form") or AnswerForm(),
        "answer_for": forms_.get("answer_for"),
        "judgment_form": forms_.get("judgment_form") or JudgmentForm(),
        "perform_form": forms_.get("perform_form") or PerformForm(),
    }
    return render(request, "supervision/courts/detail.html", context, status=status)


@login_required
@require_GET
def court_case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def court_case_new(request: AuthenticatedRequest) -> HttpResponse:
    if not lead_units(request.user).exists():
        raise PermissionDenied(_("You may not enter court cases."))
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST":
        created: list[CourtCase] = []
        if run_form(
            form,
            lambda: created.append(services.case_create(actor=request.user, data=form.to_input())),
            lambda: services.case_problems(form.to_input()),
        ):
            messages.success(request, _("The case is entered."))
            return redirect("supervision:court_case_detail", created[0].pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/courts/form.html", {"section": SECTION, "form": form}, status=status)


@login_required
@require_POST
def court_case_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponseBase:
    case = _visible(request.user, pk)
    user = request.user
    form: forms.Form
    extra: dict[str, Any] = {}
    if step == "hearing":
        hearing_form = form = HearingForm(request.POST, request.FILES)
        done = run_form(
            form,
            lambda: services.hearing_add(actor=user, case=case, data=hearing_form.to_input()),
            lambda: services.hearing_problems(case, hearing_form.to_input()),
        )
        message = _("The hearing is recorded.")
    elif step == "suggestion":
        form = JudicialSuggestionForm(request.POST)
        done = run_form(
            form,
            lambda: services.judicial_suggestion_add(
                actor=user,
                case=case,
                received_on=form.cleaned_data.get("received_on"),
                content=form.cleaned_data.get("content") or "",
            ),
        )
        message = _("The judicial suggestion is recorded.")
    elif step == "answer":
        number = str(request.POST.get("judicial_suggestion", ""))
        if not number.isdigit():
            raise Http404
        target = get_object_or_404(JudicialSuggestion, case=case, pk=int(number))
        form = AnswerForm(request.POST)
        done = run_form(
            form,
            lambda: services.judicial_suggestion_answer(
                actor=user,
                suggestion=target,
                answered_on=form.cleaned_data.get("answered_on"),
                answer=form.cleaned_data.get("answer") or "",
            ),
        )
        extra = {"answer_for": target.pk}
        message = _("The answer is recorded.")
    elif step == "judgment":
        judgment_form = form = JudgmentForm(request.POST)
        done = run_form(
            form,
            lambda: services.judgment_record(actor=user, case=case, data=judgment_form.to_input()),
            lambda: services.judgment_problems(case, judgment_form.to_input()),
        )
        message = _("The judgment is recorded.")
    elif step == "perform":
        form = PerformForm(request.POST)
        done = run_form(
            form,
            lambda: services.judgment_perform(
                actor=user, case=case, performed_on=form.cleaned_data.get("performed_on")
            ),
        )
        message = _("The performance is recorded.")
    else:
        raise Http404
    if done:
        messages.success(request, message)
        return redirect("supervision:court_case_detail", case.pk)
    return _detail(request, case, status=400, **{f"{step}_form": form, **extra})


@login_required
@require_GET
def court_hearing_evidence(request: AuthenticatedRequest, pk: int, hearing_pk: int) -> FileResponse:
    case = _visible(request.user, pk)
    hearing = get_object_or_404(CourtHearing, pk=hearing_pk, case=case)
    if not hearing.evidence:
        raise Http404
    return FileResponse(hearing.evidence.open("rb"), as_attachment=True, filename=hearing.evidence_name or "evidence")


urlpatterns: list[URLPattern] = [
    path("courts/", court_case_list, name="court_case_list"),
    path("courts/new/", court_case_new, name="court_case_new"),
    path("courts/<int:pk>/", court_case_detail, name="court_case_detail"),
    path("courts/<int:pk>/hearings/<int:hearing_pk>/evidence/", court_hearing_evidence, name="court_hearing_evidence"),
    path("courts/<int:pk>/<str:step>/", court_case_step, name="court_case_step"),
]
