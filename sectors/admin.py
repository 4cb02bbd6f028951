"""The sector duties in the admin console: read-only (every write goes through the sectors' services), each user
sees the rows in reach (accounts.scope.sector_data_q). Each sector adds its classes here."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from accounts.admin import ReadOnlyScopedAdmin
from accounts.models import Sector, User
from accounts.scope import sector_data_q
from sectors.models import (
    Contract,
    OverdueDisclosure,
    Payment,
    PaymentObligation,
    ProcurementEvent,
    SupplierBan,
    SupplierEvaluation,
)

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
