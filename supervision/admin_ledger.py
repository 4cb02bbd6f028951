"""Admin console of the inspections and the work ledger: read-only and scoped (the staff pages write through the
services), except the ledger's unit names, which the credit office keeps here."""

from django.contrib import admin

from accounts.admin import CONSOLE_ROLES, ReadOnlyScopedAdmin, ScopedAdmin
from subjects.admin import ReadOnlyInline
from supervision.models import (
    Inspection,
    InspectionFinding,
    InspectionResult,
    LedgerAssignment,
    LedgerEvent,
    LedgerTask,
    LedgerUnitAlias,
    RectificationEvent,
    RectificationItem,
)


class RectificationEventInline(ReadOnlyInline):
    model = RectificationEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")


class LedgerEventInline(ReadOnlyInline):
    model = LedgerEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")


class InspectionAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "kind", "year", "region", "inspecting_body", "starts_on", "ends_on")
    list_filter = ("kind", "year")
    list_select_related = ("region",)
    search_fields = ("title", "inspecting_body")


class InspectionFindingAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "inspection", "severity", "created_at")
    list_filter = ("severity",)
    list_select_related = ("agency", "inspection")
    search_fields = ("agency__name", "text")


class RectificationItemAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "text", "due_on", "status", "submitted_on", "accepted_on", "candidate_record")
    list_filter = ("status",)
    list_select_related = ("agency", "candidate_record")
    search_fields = ("agency__name", "text")
    date_hierarchy = "due_on"
    inlines = (RectificationEventInline,)


class InspectionResultAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "inspection", "score", "grade")
    list_select_related = ("agency", "inspection")


class LedgerTaskAdmin(ReadOnlyScopedAdmin):
    list_display = ("year", "number", "group", "region", "schedule_text", "due_on", "check_plan")
    list_filter = ("year", "schedule_kind")
    list_select_related = ("region",)
    search_fields = ("content", "group", "responsibility")


class LedgerAssignmentAdmin(ReadOnlyScopedAdmin):
    list_display = ("task", "agency", "role", "status", "done_on", "mid_year_result", "year_end_result")
    list_filter = ("status", "role")
    list_select_related = ("task", "agency")
    search_fields = ("agency__name",)
    inlines = (LedgerEventInline,)


class LedgerUnitAliasAdmin(ScopedAdmin):
    """The names the region's ledger uses for its units (区发改委 → the unit): the import reads names through them."""

    viewer_roles = CONSOLE_ROLES
    editor_roles = CONSOLE_ROLES
    list_display = ("alias", "agency", "region")
    list_select_related = ("agency", "region")
    search_fields = ("alias", "agency__name")
    autocomplete_fields = ("region", "agency")


def register() -> None:
    admin.site.register(Inspection, InspectionAdmin)
    admin.site.register(InspectionFinding, InspectionFindingAdmin)
    admin.site.register(RectificationItem, RectificationItemAdmin)
    admin.site.register(InspectionResult, InspectionResultAdmin)
    admin.site.register(LedgerTask, LedgerTaskAdmin)
    admin.site.register(LedgerAssignment, LedgerAssignmentAdmin)
    admin.site.register(LedgerUnitAlias, LedgerUnitAliasAdmin)
