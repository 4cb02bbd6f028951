"""Admin console for the rules behind records: disclosure periods and the measure catalogue, configured by
administrators and read by credit offices. A disclosure rule that already governs records is never rewritten, only
given an end date; a new national rule is a new row, so older records keep the periods that governed them (DOMAIN §3).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ADMINISTRATORS, ScopedAdmin
from records.models import DisclosureRule, MeasureRule, MeasureType

RULE_FIELDS = (
    "citation",
    "severity",
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

    def _value(self, data: dict[str, Any], name: str) -> Any:
        # A field the page shows read-only is not in the form: its stored value stands.
        return data.get(name) if name in self.fields else getattr(self.instance, name)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        severity = self._value(data, "severity")
        special_field = self._value(data, "special_field") or ""
        start, end = self._value(data, "effective_from"), self._value(data, "effective_to")
        low, high = self._value(data, "min_months"), self._value(data, "max_months")
        if low is not None and high is not None and low > high and "min_months" in self.fields:
            self.add_error("min_months", _("The minimum cannot exceed the maximum."))
        if start is None or severity is None:
            return data
        if end is not None and end <= start:
            self.add_error("effective_to", _("A rule ends after it starts."))
            return data
        others = DisclosureRule.objects.filter(severity=severity, special_field=special_field).exclude(
            pk=self.instance.pk
        )
        others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
        if end is not None:
            others = others.filter(effective_from__lt=end)
        clash = others.order_by("effective_from").first()
        if clash is not None:
            raise ValidationError(
                _("%(rule)s is in force for this tier and field during these dates; give it an end date first.")
                % {"rule": clash.citation}
            )
        if self.instance.pk is not None and end is not None:
            last = self.instance.records.aggregate(last=Max("decision_date"))["last"]
            if last is not None and end <= last:
                self.add_error(
                    "effective_to",
                    _("Records decided on %(date)s follow this rule; it can end only after that day.")
                    % {"date": last.isoformat()},
                )
        return data


@admin.register(DisclosureRule)
class DisclosureRuleAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Administrators add rules; a rule that governs records keeps its terms and may only be given an end date
    (a new national rule is a new row, so older records keep the periods that governed them — DOMAIN §3)."""

    editor_roles = ADMINISTRATORS
    form = DisclosureRuleForm
    list_display = (
        "citation",
        "severity",
        "special_field",
        "disclosed",
        "min_months",
        "max_months",
        "effective_from",
        "effective_to",
    )
    list_filter = ("severity", "special_field", "disclosed")
    search_fields = ("citation",)
    fields = RULE_FIELDS

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
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

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
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

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("measure_type", "severity", "for_person_records") if obj is not None else ()
