"""Admin console of the sector duties: each sector's admin classes, read here; rows move only through the services
(the staff pages each row links to)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin
from sectors.models import PppBreach, PppPaymentObligation, PppProject, PppProjectEvent, PppStageAssignment
from subjects.admin import ReadOnlyInline

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
