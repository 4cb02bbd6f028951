"""Read-only REST endpoints of the evaluation under /api/v1/evaluation/: periods, indicator sets, and the scores in
the caller's scope (accounts.scope.agency_q; a score outside it is "not found")."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from rest_framework import generics, serializers

from accounts.permissions import RECORD_READ_SCOPES
from accounts.scope import agency_q
from evaluation.models import GradeRule, Indicator, IndicatorSet, Period, Score, VetoRule

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    PeriodListView = generics.ListAPIView[Period]
    SetListView = generics.ListAPIView[IndicatorSet]
    SetDetailView = generics.RetrieveAPIView[IndicatorSet]
    ScoreListView = generics.ListAPIView[Score]
    ScoreDetailView = generics.RetrieveAPIView[Score]
else:
    ModelSerializer = serializers.ModelSerializer
    PeriodListView = ScoreListView = SetListView = generics.ListAPIView
    SetDetailView = ScoreDetailView = generics.RetrieveAPIView


class PeriodSerializer(ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "year", "half", "start", "end", "status", "indicator_set"]


class IndicatorSerializer(ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "level",
            "parent_code",
            "name",
            "weight",
            "applies_to",
            "formula",
            "params",
            "source_code",
            "basis",
        ]


class GradeRuleSerializer(ModelSerializer):
    class Meta:
        model = GradeRule
        fields = ["grade", "label", "min_score"]


class VetoRuleSerializer(ModelSerializer):
    class Meta:
        model = VetoRule
        fields = ["code", "kind", "source_code", "level", "basis"]


class IndicatorSetSerializer(ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    grade_rules = GradeRuleSerializer(many=True, read_only=True)
    veto_rules = VetoRuleSerializer(many=True, read_only=True)

    class Meta:
        model = IndicatorSet
        fields = [
            "id",
            "year",
            "version",
            "name",
            "status",
            "unit_kinds",
            "basis",
            "indicators",
            "grade_rules",
            "veto_rules",
        ]


class ScoreSerializer(ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    rank_change = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "period",
            "agency",
            "agency_name",
            "kind",
            "parent",
            "total",
            "grade",
            "vetoed",
            "veto_reasons",
            "rank",
            "rank_of",
            "previous_rank",
            "rank_change",
            "no_data",
            "groups",
            "lines",
            "computed_at",
        ]


class PeriodListApi(PeriodListView):
    """Evaluation periods (mid-year check, year-end assessment) and whether each is frozen."""

    serializer_class = PeriodSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Period]:
        return Period.objects.order_by("pk")


class IndicatorSetListApi(SetListView):
    """Indicator sets with their indicators, grades and veto rules."""

    serializer_class = IndicatorSetSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[IndicatorSet]:
        return IndicatorSet.objects.prefetch_related("indicators__parent", "grade_rules", "veto_rules").order_by("pk")


class IndicatorSetDetailApi(SetDetailView):
    serializer_class = IndicatorSetSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[IndicatorSet]:
        return IndicatorSet.objects.prefetch_related("indicators__parent", "grade_rules", "veto_rules")


class ScoreListApi(ScoreListView):
    """The scores in your scope; `?period=` narrows to one period."""

    serializer_class = ScoreSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Score]:
        scores = Score.objects.filter(agency_q(self.request.user, "agency")).select_related("agency").order_by("pk")
        raw = self.request.query_params.get("period", "")
        return scores.filter(period_id=int(raw)) if raw.isdigit() else scores


class ScoreDetailApi(ScoreDetailView):
    serializer_class = ScoreSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Score]:
        return Score.objects.filter(agency_q(self.request.user, "agency")).select_related("agency")


urlpatterns: list[URLPattern] = [
    path("periods/", PeriodListApi.as_view(), name="evaluation_periods"),
    path("indicator-sets/", IndicatorSetListApi.as_view(), name="evaluation_sets"),
    path("indicator-sets/<int:pk>/", IndicatorSetDetailApi.as_view(), name="evaluation_set"),
    path("scores/", ScoreListApi.as_view(), name="evaluation_scores"),
    path("scores/<int:pk>/", ScoreDetailApi.as_view(), name="evaluation_score"),
]
