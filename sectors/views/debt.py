"""Staff pages of local government debt: the regions' yearly figures with their computed indicators and tiers, the
bonds, the repayments and the disclosures, each with its form, and Excel in and out for bonds and repayments. Rows
are fetched through `visible_to(user)`: outside it, 404. The services judge every write: NotAllowed is the 403 page,
any other DomainError the page again with its messages and nothing written."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel import debt as excel
from sectors.forms.debt import (
    BondForm,
    DisclosureForm,
    ImportForm,
    RepaymentForm,
    YearForm,
    apply_errors,
    debt_regions_for,
)
from sectors.models.debt import DebtBond, DebtDisclosure, DebtRegionYear, DebtRepayment, RiskTierRule
from sectors.services import debt as services

LIST_LIMIT = 200


def _fail(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(str(exc.message))
    apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})


@login_required
@require_GET
def debt_years(request: AuthenticatedRequest) -> HttpResponse:
    rules = list(RiskTierRule.objects.all())
    rows = (
        DebtRegionYear.objects.visible_to(request.user)
        .with_indicators()
        .select_related("region")
        .order_by("region__name", "-year")[:LIST_LIMIT]
    )
    items = [{"row": row, "assessment": services.debt_indicators(row, rules=rules)} for row in rows]
    return render(request, "sectors/debt/years.html", {"items": items, "section": "debt"})


def _form_page(request: AuthenticatedRequest, form_class: Any, save: Any, title: str, back: str) -> HttpResponse:
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sectors/debt/form.html",
        {"form": form, "title": title, "back": back, "section": "debt"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def debt_year_form(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        YearForm,
        lambda data: services.debt_year_save(actor=request.user, values=data),
        _("A region's yearly debt figures"),
        "sectors:debt_years",
    )


@login_required
@require_POST
def debt_year_publish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    row = get_object_or_404(DebtRegionYear.objects.visible_to(request.user), pk=pk)
    try:
        services.debt_year_publish(actor=request.user, row=row)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Published."))
    return redirect("sectors:debt_years")


@login_required
@require_GET
def debt_bonds(request: AuthenticatedRequest) -> HttpResponse:
    bonds = DebtBond.objects.visible_to(request.user).select_related("region").order_by("-issued_on", "code")
    return render(request, "sectors/debt/bonds.html", {"bonds": bonds[:LIST_LIMIT], "section": "debt"})


@login_required
@require_http_methods(["GET", "POST"])
def debt_bond_form(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        BondForm,
        lambda data: services.debt_bond_create(actor=request.user, values=data),
        _("New government bond"),
        "sectors:debt_bonds",
    )


@login_required
@require_GET
def debt_repayments(request: AuthenticatedRequest) -> HttpResponse:
    rows = (
        DebtRepayment.objects.visible_to(request.user)
        .select_related("bond", "bond__region", "record")
        .order_by("-due_on", "pk")
    )
    return render(request, "sectors/debt/repayments.html", {"repayments": rows[:LIST_LIMIT], "section": "debt"})


@login_required
@require_http_methods(["GET", "POST"])
def debt_repayment_form(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        RepaymentForm,
        lambda data: services.debt_repayment_create(actor=request.user, values=data),
        _("New repayment of principal or interest"),
        "sectors:debt_repayments",
    )


@login_required
@require_GET
def debt_disclosures(request: AuthenticatedRequest) -> HttpResponse:
    rows = (
        DebtDisclosure.objects.visible_to(request.user)
        .select_related("region", "deadline")
        .order_by("-deadline__year", "region__name")
    )
    return render(request, "sectors/debt/disclosures.html", {"disclosures": rows[:LIST_LIMIT], "section": "debt"})


@login_required
@require_http_methods(["GET", "POST"])
def debt_disclosure_form(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        DisclosureForm,
        lambda data: services.debt_disclosure_record(actor=request.user, **data),
        _("Record a disclosure"),
        "sectors:debt_disclosures",
    )


def _which(kind: str) -> excel.Sheet:
    sheet = excel.SHEETS.get(kind)
    if sheet is None:
        raise Http404
    return sheet


@login_required
@require_GET
def debt_excel_template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    sheet = _which(kind)
    if not debt_regions_for(request.user).exists():
        raise PermissionDenied(_("Your role does not enter government debt."))
    response = HttpResponse(excel.build_template(sheet), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, sheet.template_name)  # type: ignore[assignment]
    return response


@login_required
@require_GET
def debt_excel_export(request: AuthenticatedRequest, kind: str) -> FileResponse:
    sheet = _which(kind)
    stream, name = excel.debt_export(bonds=DebtBond.objects.visible_to(request.user), sheet=sheet)
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def debt_excel_import(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    sheet = _which(kind)
    if not debt_regions_for(request.user).exists():
        raise PermissionDenied(_("Your role does not enter government debt."))
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors: list[dict[str, object]] = []
    error_count = 0
    status = 200
    if form.is_bound and form.is_valid():
        try:
            outcome = excel.debt_import(actor=request.user, upload=form.cleaned_data["file"], sheet=sheet)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            form.add_error("file", str(exc.message))
            status = 400
        else:
            if not outcome.errors:
                messages.success(
                    request,
                    ngettext("%(count)d row was imported.", "%(count)d rows were imported.", outcome.created)
                    % {"count": outcome.created},
                )
                return redirect("sectors:debt_bonds" if sheet is excel.BONDS else "sectors:debt_repayments")
            error_count = len(outcome.errors)
            errors = [error.as_dict() for error in outcome.errors[:500]]
            status = 400
    context = {"section": "debt", "form": form, "sheet": sheet, "errors": errors, "error_count": error_count}
    return render(request, "sectors/debt/excel_import.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("debt/", debt_years, name="debt_years"),
    path("debt/years/new/", debt_year_form, name="debt_year_form"),
    path("debt/years/<int:pk>/publish/", debt_year_publish, name="debt_year_publish"),
    path("debt/bonds/", debt_bonds, name="debt_bonds"),
    path("debt/bonds/new/", debt_bond_form, name="debt_bond_form"),
    path("debt/repayments/", debt_repayments, name="debt_repayments"),
    path("debt/repayments/new/", debt_repayment_form, name="debt_repayment_form"),
    path("debt/disclosures/", debt_disclosures, name="debt_disclosures"),
    path("debt/disclosures/new/", debt_disclosure_form, name="debt_disclosure_form"),
    path("debt/excel/<str:kind>/template/", debt_excel_template, name="debt_excel_template"),
    path("debt/excel/<str:kind>/export/", debt_excel_export, name="debt_excel_export"),
    path("debt/excel/<str:kind>/import/", debt_excel_import, name="debt_excel_import"),
]
