"""Admin console of the sector duties: read-only and scoped (the staff pages write through the services)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin
from accounts.models import Sector, User
from accounts.scope import sector_data_q
from sectors.models import (
    BadBehaviour,
    Contract,
    CreationApplication,
    CreationChecklist,
    CreationCriterion,
    CreationEvent,
    CreationVeto,
    InvestmentAgreement,
    InvestmentEvent,
    InvestmentObligation,
    ObligationChange,
    OverdueDisclosure,
    Payment,
    PaymentObligation,
    PppBreach,
    PppPaymentObligation,
    PppProject,
    PppProjectEvent,
    PppStageAssignment,
    ProcurementEvent,
    ScoringScheme,
    SupplierBan,
    SupplierEvaluation,
    TenderBreach,
    TenderParty,
    TenderProject,
    TenderSanction,
)
from subjects.admin import ReadOnlyInline

# Investment promotion ---------------------------------------------------------------------------------------------


@admin.register(InvestmentAgreement)
class InvestmentAgreementAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "investor_name", "project", "agency", "signed_on")
    list_select_related = ("agency",)
    search_fields = ("number", "investor_name", "project")
    date_hierarchy = "signed_on"
    exclude = ("commitments",)


@admin.register(InvestmentObligation)
class InvestmentObligationAdmin(ReadOnlyScopedAdmin):
    list_display = ("description", "agreement", "due_on", "status", "breach_record")
    list_filter = ("status",)
    list_select_related = ("agreement", "breach_record")
    search_fields = ("description", "agreement__number")


@admin.register(ObligationChange)
class ObligationChangeAdmin(ReadOnlyScopedAdmin):
    list_display = ("obligation", "ground", "authority", "published_on", "investor_response")
    list_filter = ("ground", "investor_response")
    list_select_related = ("obligation",)

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.INVESTMENT, "obligation__agreement__agency"))


@admin.register(InvestmentEvent)
class InvestmentEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "agreement", "obligation", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("agreement", "obligation", "actor")

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.INVESTMENT, "agreement__agency"))


# PPP ----------------------------------------------------------------------------------------------------------------


class PppAssignmentInline(ReadOnlyInline):
    model = PppStageAssignment
    fields = ("stage", "agency", "person", "starts_on", "ends_on", "handover_note")
    verbose_name_plural = _("Responsibility per stage")


class PppPaymentInline(ReadOnlyInline):
    model = PppPaymentObligation
    fields = ("year", "kind", "amount_due", "due_on", "paid_amount", "paid_on", "late")


class PppBreachInline(ReadOnlyInline):
    model = PppBreach
    fields = ("occurred_on", "stage", "agency", "person", "record")


class PppEventInline(ReadOnlyInline):
    model = PppProjectEvent
    fields = ("at", "kind", "from_stage", "to_stage", "actor", "reason")


@admin.register(PppProject)
class PppProjectAdmin(ReadOnlyScopedAdmin):
    list_display = ("code", "name", "agency", "mode", "stage", "published_at")
    list_filter = ("stage", "mode", "regime", "return_mechanism")
    search_fields = ("code", "name", "partner_name")
    list_select_related = ("agency",)
    inlines = (PppAssignmentInline, PppPaymentInline, PppBreachInline, PppEventInline)

    def get_readonly_fields(self, request: object, obj: object = None) -> list[str]:
        return [field.name for field in PppProject._meta.concrete_fields]


# Procurement --------------------------------------------------------------------------------------------------------


class ProcurementAdmin(ReadOnlyScopedAdmin):
    agency_path = "agency"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.PROCUREMENT, self.agency_path))


@admin.register(Contract)
class ContractAdmin(ProcurementAdmin):
    list_display = ("number", "agency", "supplier_name", "supplier_size", "amount", "signed_on")
    list_filter = ("supplier_size", "acceptance_conditions_payment")
    list_select_related = ("agency",)
    search_fields = ("number", "supplier_name", "supplier_uscc")


@admin.register(PaymentObligation)
class PaymentObligationAdmin(ProcurementAdmin):
    list_display = ("contract", "label", "amount", "due_on", "status", "overdue_days", "interest")
    list_filter = ("status", "is_sme", "term_unlawful")
    list_select_related = ("contract",)
    search_fields = ("contract__number", "contract__supplier_name")


@admin.register(Payment)
class PaymentAdmin(ProcurementAdmin):
    agency_path = "obligation__agency"
    list_display = ("obligation", "paid_on", "amount", "late_days", "interest")
    list_select_related = ("obligation", "obligation__contract")


@admin.register(SupplierEvaluation)
class SupplierEvaluationAdmin(ProcurementAdmin):
    agency_path = "contract__agency"
    list_display = ("contract", "evaluated_on", "score", "grade")
    list_select_related = ("contract",)


@admin.register(SupplierBan)
class SupplierBanAdmin(ProcurementAdmin):
    agency_path = "decided_by"
    list_display = ("supplier_name", "supplier_uscc", "document_number", "starts_on", "ends_on", "revoked_at")
    search_fields = ("supplier_name", "supplier_uscc", "document_number")


@admin.register(OverdueDisclosure)
class OverdueDisclosureAdmin(ProcurementAdmin):
    list_display = ("agency", "year", "obligation_count", "amount", "published_at")
    list_select_related = ("agency",)


@admin.register(ProcurementEvent)
class ProcurementEventAdmin(ProcurementAdmin):
    agency_path = "contract__agency"
    list_display = ("at", "contract", "kind", "actor")
    list_select_related = ("contract", "actor")


# Honest streets and towns -------------------------------------------------------------------------------------------


class CreationCriterionInline(ReadOnlyInline):
    model = CreationCriterion
    fields = ("position", "code", "text", "kind", "rule", "threshold")


@admin.register(CreationChecklist)
class CreationChecklistAdmin(ReadOnlyScopedAdmin):
    """A checklist is set through the service (a new version each time); a used one is never edited."""

    list_display = ("year", "version", "title", "created_at")
    inlines = (CreationCriterionInline,)

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset  # the criteria are public


class CreationEventInline(ReadOnlyInline):
    model = CreationEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")


@admin.register(CreationApplication)
class CreationApplicationAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "year", "status", "notice_ends_on", "named_on", "revoked_on")
    list_filter = ("status", "year")
    list_select_related = ("agency",)
    search_fields = ("agency__name",)
    inlines = (CreationEventInline,)
    # The stored evaluation is shown criterion by criterion in words, not as its JSON.
    exclude = ("evaluation",)
    readonly_fields = ("criteria",)

    @admin.display(description=_("criteria evaluation"))
    def criteria(self, obj: CreationApplication) -> str:
        return format_html_join(
            "",
            "<div>{} {}{}</div>",
            (
                (
                    code,
                    _("met") if result.get("met") else _("not met"),
                    f"：{result['detail']}" if result.get("detail") else "",
                )
                for code, result in (obj.evaluation or {}).items()
            ),
        )

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.STREETS_TOWNS))


@admin.register(CreationVeto)
class CreationVetoAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "year", "declared_at", "declared_by")
    list_select_related = ("agency", "declared_by")

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.STREETS_TOWNS))


# Local government debt ---------------------------------------------------------------------------------------------

from sectors.models import (  # noqa: E402 - each sector's admin block stands on its own
    DebtBond,
    DebtDisclosure,
    DebtDisclosureDeadline,
    DebtRegionYear,
    DebtRepayment,
    RiskTierRule,
)


class DebtAdmin(ReadOnlyScopedAdmin):
    agency_path = "region"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(sector_data_q(user, Sector.DEBT, self.agency_path))


@admin.register(DebtRegionYear)
class DebtRegionYearAdmin(DebtAdmin):
    list_display = ("region", "year", "limit_general", "limit_special", "balance_general", "balance_special")
    list_select_related = ("region",)


@admin.register(DebtBond)
class DebtBondAdmin(DebtAdmin):
    list_display = ("code", "region", "kind", "amount", "issued_on", "term_years", "rate")
    list_select_related = ("region",)
    search_fields = ("code", "project")


@admin.register(DebtRepayment)
class DebtRepaymentAdmin(DebtAdmin):
    agency_path = "bond__region"
    list_display = ("bond", "kind", "due_on", "amount_due", "paid_amount", "paid_on", "late", "defaulted")
    list_filter = ("late", "defaulted", "kind")
    list_select_related = ("bond",)


@admin.register(DebtDisclosure)
class DebtDisclosureAdmin(DebtAdmin):
    list_display = ("region", "deadline", "disclosed_on", "days_late")
    list_select_related = ("region", "deadline")


@admin.register(DebtDisclosureDeadline)
class DebtDisclosureDeadlineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "kind", "due_on")
    list_filter = ("kind",)


@admin.register(RiskTierRule)
class RiskTierRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Risk tiers are data: add a rule with a later effective date; one in force (used) is never edited."""

    list_display = ("indicator", "yellow_from", "orange_from", "red_from", "effective_from", "effective_to")
    list_filter = ("indicator",)
    readonly_fields = ("created_at",)

    def has_change_permission(self, request: Any, obj: RiskTierRule | None = None) -> bool:
        if obj is not None and obj.is_used():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: RiskTierRule | None = None) -> bool:
        if obj is not None and obj.is_used():
            return False
        return super().has_delete_permission(request, obj)


# Tendering: read in the console; written by the services (a scheme in use is never edited).


class TenderingAdmin(ReadOnlyScopedAdmin):
    agency_path = "agency"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        if not self.agency_path:
            return queryset
        return queryset.filter(sector_data_q(user, Sector.TENDERING, self.agency_path))


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(TenderingAdmin):
    agency_path = ""
    list_display = ("code", "version", "name", "cycle", "effective_from")


@admin.register(TenderParty)
class TenderPartyAdmin(TenderingAdmin):
    agency_path = "registered_by"
    list_display = ("name", "kind", "uscc", "id_number_masked")
    list_filter = ("kind",)
    search_fields = ("name", "uscc")


@admin.register(BadBehaviour)
class BadBehaviourAdmin(TenderingAdmin):
    agency_path = "decided_by"
    list_display = ("party", "item", "points", "decided_on", "published_on", "public_until")
    list_select_related = ("party", "item")
    search_fields = ("party__name", "party__uscc", "document_number")


@admin.register(TenderSanction)
class TenderSanctionAdmin(TenderingAdmin):
    agency_path = "trigger__decided_by"
    list_display = ("party", "kind", "starts_on", "ends_on", "published_at")
    list_filter = ("kind",)
    list_select_related = ("party",)


@admin.register(TenderProject)
class TenderProjectAdmin(TenderingAdmin):
    list_display = ("code", "name", "agency", "awarded_on", "contract_signed_on", "deposits_refunded_on")
    list_select_related = ("agency",)
    search_fields = ("code", "name", "winner_name")


@admin.register(TenderBreach)
class TenderBreachAdmin(TenderingAdmin):
    agency_path = "project__agency"
    list_display = ("project", "kind", "detected_on", "record")
    list_select_related = ("project",)
