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
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import AnyUser, Sector
from accounts.scope import may_enter_sector_data
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel import debt as excel
from sectors.forms.debt import (
    BondForm,
    DisclosureForm,
    ImportForm,
    PayForm,
    RepaymentForm,
    YearForm,
    apply_errors,
    debt_regions_for,
)
from sectors.models.debt import DebtBond, DebtDisclosure, DebtRegionYear, DebtRepayment, RiskTierRule
from sectors.services import debt as services
from subjects.models import Agency

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
    items = [
        {
            "row": row,
            "assessment": services.debt_indicators(row, rules=rules),
            "may_enter": may_enter_sector_data(request.user, Sector.DEBT, row.region),
        }
        for row in rows
    ]
    context = {"items": items, "can_enter": debt_regions_for(request.user).exists(), "section": "debt"}
    return render(request, "sectors/debt/years.html", context)


def _form_page(
    request: AuthenticatedRequest,
    form_class: Any,
    save: Any,
    title: str,
    back: str,
    *,
    initial: dict[str, Any] | None = None,
    note: str = "",
    facts: list[tuple[str, object]] | None = None,
    **form_kwargs: Any,
) -> HttpResponse:
    """A form page: GET shows it (prefilled with `initial` when editing); POST hands the values to `save` (a service
    call). Any refusal shows the page again with every message, the typed values kept, status 400."""
    form = form_class(request.POST or None, user=request.user, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title, "back": back, "note": note, "facts": facts or [], "section": "debt"}
    return render(request, "sectors/debt/form.html", context, status=status)


def _may_enter(user: AnyUser, region: Agency) -> None:
    """A row the user sees but may not change: the 403 page before any form is shown."""
    if not may_enter_sector_data(user, Sector.DEBT, region):
        raise PermissionDenied(
            _("Only the finance authority or the credit office of the region may enter its debt figures.")
        )


def _enterable(user: AnyUser, regions: Any) -> set[int]:
    """The ids of the listed regions whose rows the user may change (no query: the regions are already fetched)."""
    return {region.pk for region in regions if may_enter_sector_data(user, Sector.DEBT, region)}


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
@require_http_methods(["GET", "POST"])
def debt_year_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(DebtRegionYear.objects.visible_to(request.user).select_related("region"), pk=pk)
    _may_enter(request.user, row.region)
    fields = ("limit_general", "limit_special", "balance_general", "balance_special", "fiscal_capacity")
    initial: dict[str, Any] = {"region": row.region_id, "year": row.year, **{f: getattr(row, f) for f in fields}}
    note = ""
    if row.published_at is not None:
        note = _(
            "These figures are published. Saving corrects them: the public page shows the new figures and the "
            "correction is sent on as a new version."
        )
    return _form_page(
        request,
        YearForm,
        lambda data: services.debt_year_save(
            actor=request.user, values={**data, "region": row.region, "year": row.year}
        ),
        _("Edit %(region)s's debt figures for %(year)d") % {"region": row.region.name, "year": row.year},
        "sectors:debt_years",
        initial=initial,
        note=note,
        fixed=True,
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
    bonds = list(
        DebtBond.objects.visible_to(request.user).select_related("region").order_by("-issued_on", "code")[:LIST_LIMIT]
    )
    context = {
        "bonds": bonds,
        "enterable": _enterable(request.user, {bond.region for bond in bonds}),
        "can_enter": debt_regions_for(request.user).exists(),
        "section": "debt",
    }
    return render(request, "sectors/debt/bonds.html", context)


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
@require_http_methods(["GET", "POST"])
def debt_bond_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    bond = get_object_or_404(DebtBond.objects.visible_to(request.user).select_related("region"), pk=pk)
    _may_enter(request.user, bond.region)
    initial = {field: getattr(bond, field) for field in BondForm.base_fields if field != "region"}
    return _form_page(
        request,
        BondForm,
        lambda data: services.debt_bond_update(actor=request.user, bond=bond, values=data),
        _("Edit bond %(code)s") % {"code": bond.code},
        "sectors:debt_bonds",
        initial={**initial, "region": bond.region_id},
    )


@login_required
@require_GET
def debt_repayments(request: AuthenticatedRequest) -> HttpResponse:
    rows = list(
        DebtRepayment.objects.visible_to(request.user)
        .select_related("bond", "bond__region", "record")
        .order_by("-due_on", "pk")[:LIST_LIMIT]
    )
    context = {
        "repayments": rows,
        "enterable": _enterable(request.user, {row.bond.region for row in rows}),
        "can_enter": debt_regions_for(request.user).exists(),
        "section": "debt",
    }
    return render(request, "sectors/debt/repayments.html", context)


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


def _repayment_for_change(request: AuthenticatedRequest, pk: int) -> DebtRepayment:
    repayment = get_object_or_404(
        DebtRepayment.objects.visible_to(request.user).select_related("bond", "bond__region"), pk=pk
    )
    _may_enter(request.user, repayment.bond.region)
    return repayment


@login_required
@require_http_methods(["GET", "POST"])
def debt_repayment_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    repayment = _repayment_for_change(request, pk)
    initial = {field: getattr(repayment, field) for field in RepaymentForm.base_fields if field != "bond"}
    return _form_page(
        request,
        RepaymentForm,
        lambda data: services.debt_repayment_update(actor=request.user, repayment=repayment, values=data),
        _("Edit the repayment %(repayment)s") % {"repayment": repayment},
        "sectors:debt_repayments",
        initial={**initial, "bond": repayment.bond_id},
    )


@login_required
@require_http_methods(["GET", "POST"])
def debt_repayment_pay(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    repayment = _repayment_for_change(request, pk)
    facts: list[tuple[str, object]] = [
        (_("Bond code"), repayment.bond.code),
        (_("Kind"), repayment.get_kind_display()),
        (_("Due on"), repayment.due_on.isoformat()),
        (_("Amount due (10,000 yuan)"), repayment.amount_due),
        (_("Paid (10,000 yuan)"), repayment.paid_amount),
        (_("Paid on"), repayment.paid_on.isoformat() if repayment.paid_on else "—"),
    ]
    return _form_page(
        request,
        PayForm,
        lambda data: services.debt_repayment_pay(actor=request.user, repayment=repayment, **data),
        _("Record a payment"),
        "sectors:debt_repayments",
        initial={"paid_amount": repayment.amount_due, "paid_on": timezone.localdate()},
        facts=facts,
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
    path("debt/years/<int:pk>/edit/", debt_year_edit, name="debt_year_edit"),
    path("debt/years/<int:pk>/publish/", debt_year_publish, name="debt_year_publish"),
    path("debt/bonds/", debt_bonds, name="debt_bonds"),
    path("debt/bonds/new/", debt_bond_form, name="debt_bond_form"),
    path("debt/bonds/<int:pk>/edit/", debt_bond_edit, name="debt_bond_edit"),
    path("debt/repayments/", debt_repayments, name="debt_repayments"),
    path("debt/repayments/new/", debt_repayment_form, name="debt_repayment_form"),
    path("debt/repayments/<int:pk>/edit/", debt_repayment_edit, name="debt_repayment_edit"),
    path("debt/repayments/<int:pk>/pay/", debt_repayment_pay, name="debt_repayment_pay"),
    path("debt/disclosures/", debt_disclosures, name="debt_disclosures"),
    path("debt/disclosures/new/", debt_disclosure_form, name="debt_disclosure_form"),
    path("debt/excel/<str:kind>/template/", debt_excel_template, name="debt_excel_template"),
    path("debt/excel/<str:kind>/export/", debt_excel_export, name="debt_excel_export"),
    path("debt/excel/<str:kind>/import/", debt_excel_import, name="debt_excel_import"),
]
