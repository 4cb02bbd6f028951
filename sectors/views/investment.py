"""Staff pages of investment promotion (招商引资): the agreements list, an agreement with its obligations, changes,
linked policy commitments and timeline, the entry forms, the workflow forms (fulfil with evidence, lawful change,
breach) and the Excel template, import and export.

Every agreement is fetched through `InvestmentAgreement.objects.visible_to(user)` (404 outside the scope); the
services judge every write: NotAllowed becomes the 403 page, any other DomainError the form again with its words.
"""

import io
import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import Sector
from accounts.scope import sector_data_q
from kernel.errors import DomainError, NotAllowed
from records.views.dishonesty import CappedPaginator
from sectors.excel.investment import TEMPLATE_NAME, agreements_export, agreements_import, build_template
from sectors.forms.investment import (
    AgreementFilterForm,
    AgreementForm,
    BreakForm,
    ChangeForm,
    FulfilForm,
    ObligationForm,
    ObligationFormSet,
    investment_entering_agencies,
)
from sectors.models import (
    InvestmentAgreement,
    InvestmentEvent,
    InvestmentObligation,
    ObligationEvidence,
    ObligationStatus,
    RefusedGround,
)
from sectors.services import investment as services

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
COUNT_CAP = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(request: AuthenticatedRequest) -> QuerySet[InvestmentAgreement]:
    return InvestmentAgreement.objects.visible_to(request.user)


def _agreement(request: AuthenticatedRequest, pk: int) -> InvestmentAgreement:
    return get_object_or_404(_visible(request).select_related("agency", "responsible_person"), pk=pk)


def _obligation(request: AuthenticatedRequest, pk: int) -> InvestmentObligation:
    rows = InvestmentObligation.objects.visible_to(request.user).select_related(
        "agreement", "agreement__agency", "agreement__responsible_person"
    )
    return get_object_or_404(rows, pk=pk)


def _form_errors(form: forms.Form, exc: DomainError, formset: Any = None) -> None:
    for name, found in exc.field_errors().items():
        parts = name.split(".")
        for message in found:
            if formset is not None and len(parts) == 3 and parts[0] == "obligations" and parts[1].isdigit():
                target = formset.forms[int(parts[1])] if int(parts[1]) < len(formset.forms) else form
                target.add_error(parts[2] if parts[2] in target.fields else None, message)
            elif name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)
    if not exc.field_errors():
        form.add_error(None, str(exc.message))


# The list ------------------------------------------------------------------------------------------------------


def listed_agreements(queryset: QuerySet[InvestmentAgreement]) -> QuerySet[InvestmentAgreement]:
    """What a list row shows of the agreement itself, in one query whatever the number of rows."""
    return queryset.select_related("agency").defer("summary", "secret_terms").order_by("-signed_on", "-pk")


def with_obligation_counts(agreements: list[InvestmentAgreement]) -> list[InvestmentAgreement]:
    """The page's agreements with their obligations counted by status, in one grouped query over that page only
    (counting in the list's own query made PostgreSQL count every agreement of the region before the first 50)."""
    counts: dict[tuple[int, str], int] = {}
    rows = (
        InvestmentObligation.objects.filter(agreement_id__in=[a.pk for a in agreements])
        .order_by()
        .values_list("agreement_id", "status")
        .annotate(n=Count("pk"))
    )
    for agreement_id, state, n in rows:
        counts[(agreement_id, state)] = n
    for agreement in agreements:
        found = {state: counts.get((agreement.pk, state), 0) for state in ObligationStatus.values}
        agreement.obligation_count = sum(found.values())  # type: ignore[attr-defined]
        agreement.overdue_count = found[ObligationStatus.OVERDUE]  # type: ignore[attr-defined]
        agreement.changed_count = found[ObligationStatus.CHANGED]  # type: ignore[attr-defined]
        agreement.broken_count = found[ObligationStatus.BROKEN]  # type: ignore[attr-defined]
    return agreements


def filtered_agreements(request: AuthenticatedRequest) -> tuple[AgreementFilterForm, QuerySet[InvestmentAgreement]]:
    form = AgreementFilterForm(request.GET or None)
    rows = _visible(request)
    if form.is_bound and not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data if form.is_bound else {}
    if data.get("q"):
        text = data["q"].strip()
        rows = rows.filter(Q(investor_name__icontains=text) | Q(project__icontains=text) | Q(number__icontains=text))
    if data.get("status"):
        rows = rows.filter(
            Exists(InvestmentObligation.objects.filter(agreement_id=OuterRef("pk"), status=data["status"]))
        )
    if data.get("year"):
        rows = rows.filter(signed_on__year=data["year"])
    return form, rows


@login_required
@require_GET
def agreement_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_agreements(request)
    paginator = CappedPaginator(listed_agreements(rows), PAGE_SIZE, cap=COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_obligation_counts(list(page.object_list))
    context = {
        "section": "investment",
        "form": form,
        "page": page,
        "capped": paginator.capped,
        "may_create": investment_entering_agencies(request.user).exists(),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "sectors/investment/agreement_list.html", context)


# An agreement -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    obligations = agreement.obligations.select_related("breach_record").prefetch_related("changes", "evidence")
    context = {
        "section": "investment",
        "agreement": agreement,
        "obligations": list(obligations),
        "commitments": list(agreement.commitments.order_by("code")),
        "events": list(
            InvestmentEvent.objects.filter(agreement=agreement).select_related("actor", "obligation").order_by("at")
        ),
        "actions": services.agreement_actions(request.user, agreement),
        "owed": services.OWED,
    }
    return render(request, "sectors/investment/agreement_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not investment_entering_agencies(user).exists():
        raise PermissionDenied(_("You may not enter investment-promotion agreements."))
    data = request.POST if request.method == "POST" else None
    single = investment_entering_agencies(user)[:2]
    default_agency = single[0] if len(single) == 1 else None
    form = AgreementForm(data, user=user, agency=default_agency, initial={"agency": default_agency})
    formset = ObligationFormSet(data, prefix="obligations")
    if data is not None and form.is_valid() and formset.is_valid():
        items = [f.obligation_input() for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            agreement = services.agreement_create(actor=user, data=form.agreement_input(), obligations=items)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc, formset)
        else:
            messages.success(request, _("The agreement was entered."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    context = {"section": "investment", "form": form, "formset": formset, "agreement": None}
    return render(request, "sectors/investment/agreement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _agreement(request, pk)
    if not services.agreement_actions(user, agreement)["edit"]:
        raise PermissionDenied(_("You may not edit this agreement."))
    initial = {
        "agency": agreement.agency_id,
        "number": agreement.number,
        "investor_name": agreement.investor_name,
        "investor_uscc": agreement.investor_uscc,
        "signed_on": agreement.signed_on,
        "project": agreement.project,
        "total_investment": agreement.total_investment,
        "investment_is_secret": agreement.investment_is_secret,
        "summary": agreement.summary,
        "secret_terms": agreement.secret_terms,
        "responsible_person": agreement.responsible_person_id,
        "commitments": list(agreement.commitments.values_list("pk", flat=True)),
    }
    data = request.POST if request.method == "POST" else None
    form = AgreementForm(data, user=user, agency=agreement.agency, initial=initial)
    if data is not None and form.is_valid():
        try:
            services.agreement_update(actor=user, agreement=agreement, data=form.agreement_input())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    context = {"section": "investment", "form": form, "formset": None, "agreement": agreement}
    return render(request, "sectors/investment/agreement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    if not services.agreement_actions(request.user, agreement)["edit"]:
        raise PermissionDenied(_("You may not edit this agreement."))
    form = ObligationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.obligation_add(actor=request.user, agreement=agreement, data=form.obligation_input())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The obligation was added."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    return _step_page(request, agreement, None, form, "add")


def _step_page(
    request: AuthenticatedRequest,
    agreement: InvestmentAgreement,
    obligation: InvestmentObligation | None,
    form: forms.Form,
    step: str,
    **extra: Any,
) -> HttpResponse:
    context = {
        "section": "investment",
        "agreement": agreement,
        "obligation": obligation,
        "form": form,
        "step": step,
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "sectors/investment/obligation_step.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_fulfil(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    obligation = _obligation(request, pk)
    agreement = obligation.agreement
    if not services.agreement_actions(request.user, agreement)["edit"]:
        raise PermissionDenied(_("You may not record the fulfilment of this obligation."))
    form = FulfilForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        try:
            services.obligation_fulfil(
                actor=request.user,
                obligation=obligation,
                fulfilled_on=form.cleaned_data["fulfilled_on"],
                note=form.cleaned_data["note"],
                files=request.FILES.getlist("files"),
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The fulfilment was recorded."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    return _step_page(request, agreement, obligation, form, "fulfil")


@login_required
@require_http_methods(["GET", "POST"])
def obligation_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A lawful change. A ground that is no ground (a change of government, leaders, person or division) is answered
    with the reason and a way to declare the breach instead."""
    obligation = _obligation(request, pk)
    agreement = obligation.agreement
    if not services.agreement_actions(request.user, agreement)["verify"]:
        raise PermissionDenied(
            _("Only the credit office or the investment authority of the region may record a change.")
        )
    form = ChangeForm(request.POST or None)
    refused_ground = False
    if form.is_bound and form.is_valid():
        try:
            services.obligation_change(actor=request.user, obligation=obligation, change=form.change_input())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            refused_ground = exc.code == "refused_ground"
            _form_errors(form, exc)
        else:
            messages.success(request, _("The lawful change was recorded."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    elif form.is_bound and form.data.get("ground") in RefusedGround.values:
        refused_ground = True
        form.add_error("ground", services.refused_ground_message(str(form.data["ground"])))
    return _step_page(request, agreement, obligation, form, "change", refused_ground=refused_ground)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_break(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    obligation = _obligation(request, pk)
    agreement = obligation.agreement
    if not services.agreement_actions(request.user, agreement)["verify"]:
        raise PermissionDenied(
            _("Only the credit office or the investment authority of the region may declare a breach.")
        )
    form = BreakForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.obligation_break(actor=request.user, obligation=obligation, reason=form.cleaned_data["reason"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The breach was declared; a candidate dishonesty record was proposed."))
            return redirect("sectors:investment_detail", pk=agreement.pk)
    return _step_page(request, agreement, obligation, form, "break")


@login_required
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Only to those who see the agreement; always as a download, never rendered by the browser."""
    rows = ObligationEvidence.objects.filter(
        sector_data_q(request.user, Sector.INVESTMENT, "obligation__agreement__agency")
    )
    evidence = get_object_or_404(rows, pk=pk)
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Evidence file %s is missing from storage", evidence.pk)
        raise Http404 from exc
    response = FileResponse(
        stored, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Excel ------------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def excel_template(request: AuthenticatedRequest) -> FileResponse:
    return FileResponse(io.BytesIO(build_template()), as_attachment=True, filename=TEMPLATE_NAME, content_type=XLSX)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


@login_required
@require_http_methods(["GET", "POST"])
def excel_import(request: AuthenticatedRequest) -> HttpResponse:
    if not investment_entering_agencies(request.user).exists():
        raise PermissionDenied(_("You may not enter investment-promotion agreements."))
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            outcome = agreements_import(actor=request.user, upload=form.cleaned_data["file"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _form_errors(form, exc)
            status = 400
        else:
            if not outcome.errors:
                messages.success(request, _("%(count)d agreements were entered.") % {"count": len(outcome.created)})
                return redirect("sectors:investment_list")
            status = 400
    elif form.is_bound:
        status = 400
    context = {"section": "investment", "form": form, "outcome": outcome}
    return render(request, "sectors/investment/excel_import.html", context, status=status)


@login_required
@require_GET
def excel_export(request: AuthenticatedRequest) -> FileResponse:
    _form, rows = filtered_agreements(request)
    stream, name = agreements_export(queryset=rows)
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)


urlpatterns = [
    path("investment/", agreement_list, name="investment_list"),
    path("investment/new/", agreement_create, name="investment_create"),
    path("investment/import/", excel_import, name="investment_import"),
    path("investment/import/template/", excel_template, name="investment_template"),
    path("investment/export.xlsx", excel_export, name="investment_export"),
    path("investment/<int:pk>/", agreement_detail, name="investment_detail"),
    path("investment/<int:pk>/edit/", agreement_edit, name="investment_edit"),
    path("investment/<int:pk>/obligations/new/", obligation_add, name="investment_obligation_add"),
    path("investment/obligations/<int:pk>/fulfil/", obligation_fulfil, name="investment_fulfil"),
    path("investment/obligations/<int:pk>/change/", obligation_change, name="investment_change"),
    path("investment/obligations/<int:pk>/break/", obligation_break, name="investment_break"),
    path("investment/evidence/<int:pk>/", evidence_download, name="investment_evidence"),
]
