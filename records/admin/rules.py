"""Admin console for the rules behind records: disclosure periods and the measure catalogue, configured by
administrators and read by credit offices. A disclosure rule that already governs records is never rewritten, only
given an end date; a new national rule is a new row, so older records keep the periods that governed them
(docs/domain.md §4).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ADMINISTRATORS, ScopedAdmin
from accounts.models import User
from records.models import DisclosureRule, MeasureRule, MeasureType

RULE_FIELDS = (
    "citation",
    "severity",
    "source",
    "special_field",
    "disclosed",
    "min_months",
    "max_months",
    "effective_from",
    "effective_to",
    "notes",
)


class DisclosureRuleForm(forms.ModelForm):
    class Meta:
        model = DisclosureRule
        fields = RULE_FIELDS

    # The rules (no overlap, no end before a governed record) are DisclosureRule.clean(), run by the form.


@admin.register(DisclosureRule)
class DisclosureRuleAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Administrators add rules; a rule that governs records keeps its terms and may only be given an end date
    (a new national rule is a new row, so older records keep the periods that governed them — docs/domain.md §4)."""

    editor_roles = ADMINISTRATORS
    form = DisclosureRuleForm
    list_display = (
        "citation",
        "severity",
        "source",
        "special_field",
        "disclosed",
        "min_months",
        "max_months",
        "effective_from",
        "effective_to",
    )
    list_filter = ("severity", "source", "special_field", "disclosed")
    search_fields = ("citation",)
    fields = RULE_FIELDS

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset  # the same rules for every region

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and obj.records.exists():
            return tuple(name for name in RULE_FIELDS if name != "effective_to")
        return ()


@admin.register(MeasureType)
class MeasureTypeAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """The measure catalogue. A measure is retired by switching it off, never deleted; its code stays."""

    editor_roles = ADMINISTRATORS
    list_display = (
        "code",
        "name",
        "measure_class",
        "target",
        "duration_months",
        "rectification_working_days",
        "active",
    )
    list_filter = ("target", "active", "measure_class")
    search_fields = ("code", "name")

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()


@admin.register(MeasureRule)
class MeasureRuleAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Which measures publishing applies, by tier and subject. A rule is switched off, not rewritten."""

    editor_roles = ADMINISTRATORS
    list_display = ("severity", "for_person_records", "measure_type", "active")
    list_filter = ("severity", "for_person_records", "active")
    list_select_related = ("measure_type",)
    fields = ("measure_type", "severity", "for_person_records", "active")

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("measure_type", "severity", "for_person_records") if obj is not None else ()
