"""The evaluation in the admin: read-only views of what the services write (sets are changed through new versions)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from evaluation.models import GradeRule, Indicator, IndicatorSet, ManualScore, Period, Score, Snapshot, VetoRule


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ReadOnly):
    list_display = ["name", "year", "version", "status"]
    list_filter = ["status", "year"]
    exclude = ["unit_kinds"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnly):
    list_display = ["code", "name", "indicator_set", "level", "weight", "formula"]
    list_filter = ["indicator_set", "level", "formula"]
    # Codes and parameters are read on the staff page of the set, in words.
    exclude = ["params", "applies_to", "source_code"]
    search_fields = ["code", "name"]


@admin.register(GradeRule)
class GradeRuleAdmin(ReadOnly):
    list_display = ["indicator_set", "grade", "label", "min_score"]


@admin.register(VetoRule)
class VetoRuleAdmin(ReadOnly):
    list_display = ["indicator_set", "code", "kind"]
    exclude = ["source_code", "level"]


@admin.register(Period)
class PeriodAdmin(ReadOnly):
    list_display = ["year", "half", "start", "end", "status", "indicator_set"]
    list_filter = ["status", "half"]


@admin.register(Score)
class ScoreAdmin(ReadOnly):
    list_display = ["agency", "period", "total", "grade", "vetoed", "rank", "rank_of"]
    list_filter = ["period", "grade", "vetoed"]
    # The lines are explained on the staff score page (evaluation:score_detail).
    exclude = ["lines", "groups", "veto_reasons", "kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "period"]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ["period", "version", "frozen_by", "frozen_at", "sha256"]
    exclude = ["content"]


@admin.register(ManualScore)
class ManualScoreAdmin(ReadOnly):
    list_display = ["agency", "period", "indicator", "points", "entered_by", "entered_at"]
    exclude = ["evidence"]  # its stored path is a code, not text for a reader
    list_select_related = ["agency", "period", "indicator", "entered_by"]
