"""Staff pages of the honest street and town creation: the applications with their filters, an application's page
(criteria evaluation, self-evaluation and evidence, objections, timeline) with the buttons of each role, the apply
and resubmit forms, the Excel export of the yearly results. An application is fetched through
`CreationApplication.objects.visible_to(user)`: outside it, 404. The services judge every write."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel.streets import creation_export
from sectors.forms.streets import (
    ApplicationForm,
    CreationFilterForm,
    ObjectionForm,
    ReasonForm,
    apply_errors,
    applying_agencies,
)
from sectors.models.streets import CreationAnswer, CreationApplication, CreationEvidence, CreationStatus
from sectors.services import streets as services

PAGE_SIZE = 50


def filtered_applications(user: User, params: Any) -> tuple[CreationFilterForm, QuerySet[CreationApplication]]:
    form = CreationFilterForm(params)
    rows = CreationApplication.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        rows = rows.filter(agency__name__contains=data["q"].strip())
    if data["year"]:
        rows = rows.filter(year=data["year"])
    if data["status"]:
        rows = rows.filter(status=data["status"])
    return form, rows


@login_required
@require_GET
def creation_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_applications(request.user, request.GET)
    page = Paginator(rows.select_related("agency", "checklist").order_by("-year", "agency__name", "pk"), PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "streets",
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "export_query": params.urlencode(),
        "may_apply": applying_agencies(request.user).exists(),
        "apply_year": timezone.localdate().year,
    }
    return render(request, "sectors/streets/list.html", context)


def _visible(user: User, pk: int) -> CreationApplication:
    answers = CreationAnswer.objects.select_related("criterion").prefetch_related(
        Prefetch("evidence", queryset=CreationEvidence.objects.order_by("pk"))
    )
    return get_object_or_404(
        CreationApplication.objects.visible_to(user)
        .select_related("agency", "checklist", "created_by")
        .prefetch_related(Prefetch("answers", queryset=answers), "checklist__criteria"),
        pk=pk,
    )


def _detail(
    request: AuthenticatedRequest, application: CreationApplication, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    context = {
        "section": "streets",
        "application": application,
        "results": services.criteria_evaluate(application),
        "answers": application.answers.all(),
        "objections": application.objections.select_related("noted_by"),
        "events": application.events.select_related("actor"),
        "may_district": application.status == CreationStatus.DISTRICT_REVIEW
        and services.may_review_district(user, application),
        "may_city": application.status in (CreationStatus.CITY_REVIEW, CreationStatus.NOTICE)
        and services.may_review_city(user, application),
        "may_object": application.status == CreationStatus.NOTICE and services.may_oversee(user, application.agency),
        "may_revoke": application.status == CreationStatus.NAMED and services.may_oversee(user, application.agency),
        "may_resubmit": application.status == CreationStatus.RETURNED and services.may_apply(user, application.agency),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
    }
    return render(request, "sectors/streets/detail.html", context, status=status)


@login_required
@require_GET
def creation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def creation_apply(request: AuthenticatedRequest, year: int) -> HttpResponse:
    checklist = services.checklist_current(year)
    if checklist is None:
        raise Http404(_("There is no creation checklist for %(year)d yet.") % {"year": year})
    if not applying_agencies(request.user).exists():
        raise PermissionDenied(_("You may not apply for a sub-district or town."))
    form = ApplicationForm(request.POST or None, request.FILES or None, user=request.user, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        data = services.ApplicationInput(
            agency=form.cleaned_data["agency"],
            year=year,
            self_evaluation=form.cleaned_data["self_evaluation"],
            answers=form.answers(),
        )
        try:
            application = services.application_create(actor=request.user, data=data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The application is sent to the district."))
            return redirect("sectors:creation_detail", application.pk)
    status = 400 if request.method == "POST" else 200
    context = {"section": "streets", "form": form, "checklist": checklist, "year": year}
    return render(request, "sectors/streets/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def creation_resubmit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _visible(request.user, pk)
    if not services.may_apply(request.user, application.agency):
        raise PermissionDenied(_("You may not apply for this sub-district or town."))
    initial: dict[str, Any] = {"self_evaluation": application.self_evaluation}
    for answer in application.answers.all():
        initial[f"met_{answer.criterion.code}"] = answer.met
        initial[f"note_{answer.criterion.code}"] = answer.note
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        checklist=application.checklist,
        resubmit=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = services.ApplicationInput(
            agency=application.agency,
            year=application.year,
            self_evaluation=form.cleaned_data["self_evaluation"],
            answers=form.answers(),
        )
        try:
            services.application_resubmit(actor=request.user, application=application, data=data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The application is sent to the district again."))
            return redirect("sectors:creation_detail", application.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "section": "streets",
        "form": form,
        "checklist": application.checklist,
        "year": application.year,
        "application": application,
    }
    return render(request, "sectors/streets/form.html", context, status=status)


REVIEWS = {
    "district-pass": (services.application_district_review, True),
    "district-return": (services.application_district_review, False),
    "city-pass": (services.application_city_review, True),
    "city-reject": (services.application_city_review, False),
}


@login_required
@require_POST
def creation_review(request: AuthenticatedRequest, pk: int, decision: str) -> HttpResponseBase:
    application = _visible(request.user, pk)
    if decision not in REVIEWS and decision != "revoke":
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason") or ""
    try:
        if decision == "revoke":
            services.application_revoke(application=application, actor=request.user, reason=reason)
        else:
            review, passed = REVIEWS[decision]
            review(actor=request.user, application=application, passed=passed, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        return _detail(request, application, status=400, reason_form=form)
    messages.success(request, _("Done."))
    return redirect("sectors:creation_detail", application.pk)


@login_required
@require_POST
def creation_objection(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = _visible(request.user, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_note(
                actor=request.user,
                application=application,
                received_on=form.cleaned_data["received_on"],
                text=form.cleaned_data["text"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The objection is noted."))
            return redirect("sectors:creation_detail", application.pk)
    return _detail(request, application, status=400, objection_form=form)


@login_required
@require_GET
def creation_evidence(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> FileResponse:
    application = _visible(request.user, pk)
    evidence = get_object_or_404(CreationEvidence, pk=evidence_pk, answer__application=application)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_GET
def creation_export_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form, rows = filtered_applications(request.user, request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filter cannot be read."))
    handle, name = creation_export(applications=rows)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("streets/", creation_list, name="creation_list"),
    path("streets/apply/<int:year>/", creation_apply, name="creation_apply"),
    path("streets/export/", creation_export_view, name="creation_export"),
    path("streets/<int:pk>/", creation_detail, name="creation_detail"),
    path("streets/<int:pk>/resubmit/", creation_resubmit, name="creation_resubmit"),
    path("streets/<int:pk>/review/<str:decision>/", creation_review, name="creation_review"),
    path("streets/<int:pk>/objections/", creation_objection, name="creation_objection"),
    path("streets/<int:pk>/evidence/<int:evidence_pk>/", creation_evidence, name="creation_evidence"),
]
