"""Admin console of NPC suggestions and court cases: read-only and scoped (the staff pages write through the
services). Imported by supervision/admin.py."""

from django.contrib import admin

from accounts.admin import ReadOnlyScopedAdmin
from subjects.admin import ReadOnlyInline
from supervision.models import CourtCase, CourtEvent, CourtHearing, JudicialSuggestion, Suggestion, SuggestionEvent


class SuggestionEventInline(ReadOnlyInline):
    model = SuggestionEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "kind", "title", "lead_unit", "due_on", "status", "reply_class", "satisfaction")
    list_filter = ("kind", "status", "reply_class", "satisfaction")
    list_select_related = ("lead_unit",)
    search_fields = ("number", "title", "deputy")
    date_hierarchy = "due_on"
    exclude = ("co_units",)
    inlines = (SuggestionEventInline,)


class CourtHearingInline(ReadOnlyInline):
    model = CourtHearing
    fields = ("held_on", "head_appeared", "head_name", "absence_reason")


class JudicialSuggestionInline(ReadOnlyInline):
    model = JudicialSuggestion
    fields = ("received_on", "content", "answered_on", "answer")


class CourtEventInline(ReadOnlyInline):
    model = CourtEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")


@admin.register(CourtCase)
class CourtCaseAdmin(ReadOnlyScopedAdmin):
    list_display = ("case_number", "court", "kind", "agency", "status", "performance_due_on", "performed_on")
    list_filter = ("kind", "status", "result")
    list_select_related = ("agency",)
    search_fields = ("case_number", "court", "cause")
    inlines = (CourtHearingInline, JudicialSuggestionInline, CourtEventInline)
