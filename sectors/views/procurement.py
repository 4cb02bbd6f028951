"""Staff pages of procurement and the SME payment clock: contracts (list with filters and counts, detail with its
obligations, payments, acceptances and timeline, forms), the arrears ledger of an agency or a district, the supplier
blacklist and the yearly disclosures of overdue payments.

Rows come through `visible_to(user)`, so an id typed into a URL obeys the list's scope (404 outside it). The services
judge every write: NotAllowed becomes the 403 page, any other DomainError the form again with its messages, nothing
written.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Sector
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel import procurement as excel
from sectors.forms.procurement import (
    AcceptanceForm,
    BanForm,
    ComplaintForm,
    ContractFilter,
    ContractForm,
    DisclosureForm,
    DisputeForm,
    EvaluationForm,
    LedgerFilter,
    ObligationForm,
    PaymentForm,
    ReasonForm,
    entering_agencies,
    procurement_agencies,
)
from sectors.models.procurement import (
    ZERO,
    Contract,
    ObligationStatus,
    OverdueDisclosure,
    PaymentObligation,
    ProcurementEvent,
    SupplierBan,
)
from sectors.services import procurement as services
from subjects.models import Agency

PAGE_SIZE = 50
SECTION = "procurement"


def _render(request: AuthenticatedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"sectors/procurement/{template}", {"section": SECTION, **context})


def _attempt(form: forms.Form, write: Callable[[], Any]) -> Any:
    """Runs a service write; its refusal lands on the form (NotAllowed is the 403 page). None when refused."""
    try:
        return write()
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        errors = exc.field_errors()
        if not errors:
            form.add_error(None, str(exc.message))
        for name, texts in errors.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
        return None


def _contract(request: AuthenticatedRequest, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(request.user).select_related("agency"), pk=pk)


def _obligation(request: AuthenticatedRequest, pk: int) -> PaymentObligation:
    return get_object_or_404(
        PaymentObligation.objects.visible_to(request.user).select_related("contract", "contract__agency"), pk=pk
    )


# Contracts ----------------------------------------------------------------------------------------------------------


def filtered_contracts(request: AuthenticatedRequest) -> tuple[ContractFilter, QuerySet[Contract]]:
    filters = ContractFilter(request.GET)
    contracts = Contract.objects.visible_to(request.user)
    if not filters.is_valid():
        return filters, contracts.none()
    wanted = filters.cleaned_data
    if wanted["q"]:
        contracts = contracts.filter(Q(number__icontains=wanted["q"]) | Q(supplier_name__icontains=wanted["q"]))
    if wanted["agency"]:
        contracts = contracts.filter(agency__path__startswith=_agency_path(wanted["agency"]))
    if wanted["supplier_size"]:
        contracts = contracts.filter(supplier_size=wanted["supplier_size"])
    if wanted["status"]:
        contracts = contracts.filter(
            pk__in=PaymentObligation.objects.filter(status=wanted["status"]).values("contract_id")
        )
    if wanted["year"]:
        contracts = contracts.filter(signed_on__year=wanted["year"])
    return filters, contracts


def _agency_path(pk: int) -> str:
    found = Agency.objects.filter(pk=pk).values_list("path", flat=True).first()
    return found or "//none//"


def _unpaid() -> Any:
    return ExpressionWrapper(
        F("obligations__amount") - F("obligations__paid_amount"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


@login_required
@require_GET
def contract_list(request: AuthenticatedRequest) -> HttpResponse:
    filters, contracts = filtered_contracts(request)
    listed = (
        contracts.select_related("agency")
        .annotate(
            obligation_count=Count("obligations"),
            overdue_count=Count("obligations", filter=Q(obligations__status=ObligationStatus.OVERDUE)),
            unpaid=Coalesce(Sum(_unpaid()), ZERO),
            interest=Coalesce(Sum("obligations__interest"), ZERO),
        )
        .order_by("-signed_on", "-pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = PaymentObligation.objects.filter(contract__in=contracts.values("pk")).aggregate(
        obligations=Count("pk"),
        overdue=Count("pk", filter=Q(status=ObligationStatus.OVERDUE)),
        interest=Coalesce(Sum("interest", filter=Q(status=ObligationStatus.OVERDUE)), ZERO),
    )
    return _render(
        request,
        "contract_list.html",
        {
            "filters": filters,
            "form": filters,
            "page": page,
            "counts": counts,
            "may_enter": entering_agencies(request.user).exists(),
            "export_query": request.GET.urlencode(),
        },
    )


def _contract_input(data: dict[str, Any]) -> services.ContractInput:
    return services.ContractInput(
        agency=data["agency"],
        number=data["number"],
        supplier_name=data["supplier_name"],
        supplier_uscc=data["supplier_uscc"],
        supplier_size=data["supplier_size"],
        subject=data["subject"],
        amount=data["amount"],
        signed_on=data["signed_on"],
        budget_funded=data["budget_funded"],
        acceptance_conditions_payment=data["acceptance_conditions_payment"],
        agreed_term_days=data.get("agreed_term_days"),
        agreed_daily_rate=data.get("agreed_daily_rate"),
        responsible_person=data.get("responsible_person"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: AuthenticatedRequest) -> HttpResponse:
    if not entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter procurement contracts."))
    form = ContractForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contract = _attempt(
            form,
            lambda: services.contract_create(actor=request.user, data=_contract_input(form.cleaned_data)),
        )
        if contract is not None:
            messages.success(request, _("The contract was entered."))
            return redirect(contract)
    return _render(request, "contract_form.html", {"form": form, "contract": None})


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    if not may_enter_sector_data(request.user, Sector.PROCUREMENT, contract.agency):
        raise PermissionDenied(_("You may not edit this contract."))
    initial = {name: getattr(contract, name) for name in services.ContractInput.__dataclass_fields__}
    initial["agency"] = contract.agency_id
    form = ContractForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.contract_update(
                actor=request.user, contract=contract, data=_contract_input(form.cleaned_data)
            ),
        )
        if done is not None:
            messages.success(request, _("The contract was saved."))
            return redirect(contract)
    return _render(request, "contract_form.html", {"form": form, "contract": contract})


@login_required
@require_GET
def contract_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("agency", "responsible_person"), pk=pk
    )
    obligations = list(
        contract.obligations.select_related("breach_record")
        .prefetch_related("payments", "acceptances")
        .order_by("delivered_on", "pk")
    )
    events = list(
        ProcurementEvent.objects.filter(contract=contract).select_related("actor", "obligation").order_by("at", "pk")
    )
    return _render(
        request,
        "contract_detail.html",
        {
            "contract": contract,
            "obligations": obligations,
            "evaluations": list(contract.evaluations.all()),
            "events": events,
            "may_enter": may_enter_sector_data(request.user, Sector.PROCUREMENT, contract.agency),
            "may_verify": may_verify_sector_data(request.user, Sector.PROCUREMENT, contract.agency),
        },
    )


def _obligation_input(data: dict[str, Any]) -> services.ObligationInput:
    return services.ObligationInput(
        label=data["label"],
        amount=data["amount"],
        delivered_on=data["delivered_on"],
        accepted_on=data.get("accepted_on"),
        agreed_term_days=data.get("agreed_term_days"),
        disputed_amount=data.get("disputed_amount") or ZERO,
        dispute_note=data.get("dispute_note") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = ObligationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.obligation_add(
                actor=request.user, contract=contract, data=_obligation_input(form.cleaned_data)
            ),
        )
        if done is not None:
            messages.success(request, _("The payment obligation was added; its legal due date is computed."))
            return redirect(contract)
    elif not may_enter_sector_data(request.user, Sector.PROCUREMENT, contract.agency):
        raise PermissionDenied(_("You may not enter procurement data for this agency."))
    return _render(request, "action_form.html", {"form": form, "contract": contract, "title": _("Add a payment")})


def _obligation_action(
    request: AuthenticatedRequest,
    pk: int,
    form_class: type[forms.Form],
    title: str,
    write: Callable[[PaymentObligation, dict[str, Any]], Any],
    done_message: str,
) -> HttpResponse:
    obligation = _obligation(request, pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(form, lambda: write(obligation, form.cleaned_data)) is not None
    ):
        messages.success(request, done_message)
        return redirect(obligation.contract)
    return _render(
        request,
        "action_form.html",
        {"form": form, "contract": obligation.contract, "obligation": obligation, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _obligation_action(
        request,
        pk,
        PaymentForm,
        _("Record a payment"),
        lambda obligation, data: services.payment_record(
            actor=request.user, obligation=obligation, paid_on=data["paid_on"], amount=data["amount"], note=data["note"]
        ),
        _("The payment was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def acceptance_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _obligation_action(
        request,
        pk,
        AcceptanceForm,
        _("Record an acceptance"),
        lambda obligation, data: services.acceptance_record(
            actor=request.user,
            obligation=obligation,
            inspected_on=data["inspected_on"],
            passed=data["passed"],
            note=data["note"],
        ),
        _("The acceptance was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _obligation_action(
        request,
        pk,
        DisputeForm,
        _("Record the disputed amount"),
        lambda obligation, data: services.obligation_dispute(
            actor=request.user, obligation=obligation, disputed_amount=data["disputed_amount"], note=data["note"]
        ),
        _("The disputed amount was recorded; the undisputed part stays due on its date."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _obligation_action(
        request,
        pk,
        ComplaintForm,
        _("Confirm a complaint of non-payment"),
        lambda obligation, data: services.obligation_complaint_confirm(
            actor=request.user, obligation=obligation, complaint=data["complaint"], note=data["note"]
        ),
        _("The complaint was confirmed and a candidate breach record proposed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.EvaluationInput(**form.cleaned_data)
        if _attempt(form, lambda: services.evaluation_record(actor=request.user, contract=contract, data=data)):
            messages.success(request, _("The evaluation was recorded."))
            return redirect(contract)
    return _render(
        request, "action_form.html", {"form": form, "contract": contract, "title": _("Evaluate the supplier")}
    )


# The arrears ledger -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def ledger(request: AuthenticatedRequest) -> HttpResponse:
    """The arrears ledger of an agency in reach (`own`: its own payments only) or of its subtree (a district)."""
    wanted = LedgerFilter(request.GET)
    if not wanted.is_valid():
        raise Http404
    agencies = procurement_agencies(request.user)
    pk = wanted.cleaned_data["agency"] or request.user.agency_id
    agency = agencies.filter(pk=pk).first() if pk else agencies.order_by("path").first()
    if agency is None:
        raise Http404
    own = bool(wanted.cleaned_data["own"])
    return _render(
        request,
        "ledger.html",
        {"agency": agency, "own": own, "ledger": services.arrears_ledger(under=agency, own_only=own)},
    )


# The supplier blacklist ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def ban_list(request: AuthenticatedRequest) -> HttpResponse:
    bans = SupplierBan.objects.visible_to(request.user).select_related("decided_by").order_by("-starts_on", "-pk")
    page = Paginator(bans, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "ban_list.html", {"page": page, "may_enter": entering_agencies(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def ban_create(request: AuthenticatedRequest) -> HttpResponse:
    if not entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not keep the supplier blacklist."))
    form = BanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = services.BanInput(**form.cleaned_data)
        if _attempt(form, lambda: services.supplier_ban_create(actor=request.user, data=data)):
            messages.success(request, _("The supplier was put on the blacklist."))
            return redirect("sectors:procurement_bans")
    return _render(request, "action_form.html", {"form": form, "title": _("Ban a supplier")})


@login_required
@require_POST
def ban_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ban = get_object_or_404(SupplierBan.objects.visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid() and _attempt(
        form, lambda: services.supplier_ban_revoke(actor=request.user, ban=ban, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, _("The ban was revoked."))
    else:
        messages.error(request, _("Say why the ban is revoked."))
    return redirect("sectors:procurement_bans")


# Yearly disclosures -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_list(request: AuthenticatedRequest) -> HttpResponse:
    form = DisclosureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.disclosure_generate(
                actor=request.user, agency=form.cleaned_data["agency"], year=form.cleaned_data["year"]
            ),
        )
        if done is not None:
            messages.success(request, _("The statement was generated; check it, then publish it."))
            return redirect("sectors:procurement_disclosures")
    disclosures = OverdueDisclosure.objects.visible_to(request.user).select_related("agency")
    page = Paginator(disclosures.order_by("-year", "agency__path"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "disclosure_list.html",
        {"form": form, "page": page, "may_enter": entering_agencies(request.user).exists()},
    )


@login_required
@require_POST
def disclosure_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    disclosure = get_object_or_404(OverdueDisclosure.objects.visible_to(request.user), pk=pk)
    try:
        services.disclosure_publish(actor=request.user, disclosure=disclosure)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The statement is published."))
    return redirect("sectors:procurement_disclosures")


# Excel ---------------------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook"),
        max_length=255,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=gettext_lazy("An .xlsx workbook made from the template."),
    )


def _require_entering(request: AuthenticatedRequest) -> None:
    if not entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter procurement contracts."))


@login_required
@require_GET
def excel_template(request: AuthenticatedRequest) -> HttpResponse:
    _require_entering(request)
    response = HttpResponse(excel.build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, excel.TEMPLATE_NAME)  # type: ignore[assignment]  # never None for an attachment
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def excel_import(request: AuthenticatedRequest) -> HttpResponse:
    """The upload; a refused workbook comes back with every problem by row and column, nothing written."""
    _require_entering(request)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors: list[dict[str, object]] = []
    if form.is_bound and form.is_valid():
        outcome = _attempt(form, lambda: excel.procurement_import(actor=request.user, upload=form.cleaned_data["file"]))
        if outcome is not None and not outcome.errors:
            messages.success(
                request,
                _("%(contracts)d contracts and %(obligations)d payment obligations were imported.")
                % {"contracts": outcome.contracts, "obligations": outcome.obligations},
            )
            return redirect("sectors:procurement_contracts")
        if outcome is not None:
            errors = [error.as_dict() for error in outcome.errors[:500]]
    return _render(
        request,
        "excel_import.html",
        {"form": form, "errors": errors, "max_rows": excel.import_max_rows()},
    )


@login_required
@never_cache
@require_GET
def excel_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """The payment obligations of the contracts the list shows (its filters), as xlsx."""
    filters, contracts = filtered_contracts(request)
    if not filters.is_valid():
        return HttpResponseBadRequest(_("The filters could not be read; correct them on the list page."))
    stored, filename = excel.procurement_export(queryset=contracts)
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("procurement/", contract_list, name="procurement_contracts"),
    path("procurement/new/", contract_create, name="procurement_contract_create"),
    path("procurement/<int:pk>/", contract_detail, name="procurement_contract"),
    path("procurement/<int:pk>/edit/", contract_edit, name="procurement_contract_edit"),
    path("procurement/<int:pk>/obligations/new/", obligation_create, name="procurement_obligation_create"),
    path("procurement/<int:pk>/evaluation/", evaluation_create, name="procurement_evaluation_create"),
    path("procurement/obligations/<int:pk>/payment/", payment_create, name="procurement_payment_create"),
    path("procurement/obligations/<int:pk>/acceptance/", acceptance_create, name="procurement_acceptance_create"),
    path("procurement/obligations/<int:pk>/dispute/", dispute_edit, name="procurement_dispute"),
    path("procurement/obligations/<int:pk>/complaint/", complaint_confirm, name="procurement_complaint"),
    path("procurement/ledger/", ledger, name="procurement_ledger"),
    path("procurement/blacklist/", ban_list, name="procurement_bans"),
    path("procurement/blacklist/new/", ban_create, name="procurement_ban_create"),
    path("procurement/blacklist/<int:pk>/revoke/", ban_revoke, name="procurement_ban_revoke"),
    path("procurement/disclosures/", disclosure_list, name="procurement_disclosures"),
    path("procurement/disclosures/<int:pk>/publish/", disclosure_publish, name="procurement_disclosure_publish"),
    path("procurement/excel/template/", excel_template, name="procurement_excel_template"),
    path("procurement/excel/import/", excel_import, name="procurement_excel_import"),
    path("procurement/excel/export.xlsx", excel_export, name="procurement_excel_export"),
]
