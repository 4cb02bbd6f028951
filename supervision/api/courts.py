"""REST endpoints of court cases where an agency is a party (`/api/v1/supervision/court-cases/…`), scoped by
CourtCase.objects.visible_to: a case outside the caller's scope is "not found". Hearings with an absence need an
evidence file and are recorded on the staff pages; the judgment and its performance are POSTs here. Errors in the
one shape (accounts/api_support.py)."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from supervision.models.courts import CourtCase, CourtEvent, CourtHearing, JudgmentResult, JudicialSuggestion
from supervision.services import courts as services

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    ListView = generics.ListAPIView[CourtCase]
    DetailView = generics.RetrieveAPIView[CourtCase]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    ListView = generics.ListAPIView
    DetailView = generics.RetrieveAPIView


class CourtHearingSerializer(ModelSerializer):
    class Meta:
        model = CourtHearing
        fields = ["held_on", "head_appeared", "head_name", "absence_reason"]


class JudicialSuggestionSerializer(ModelSerializer):
    class Meta:
        model = JudicialSuggestion
        fields = ["id", "received_on", "content", "answered_on", "answer"]


class CourtEventSerializer(ModelSerializer):
    class Meta:
        model = CourtEvent
        fields = ["kind", "from_status", "to_status", "reason", "at"]


class CourtCaseSerializer(ModelSerializer):
    agency_name = serializers.CharField(source="agency.name")

    class Meta:
        model = CourtCase
        fields = [
            "id",
            "case_number",
            "court",
            "kind",
            "agency",
            "agency_name",
            "party_role",
            "cause",
            "counterparty",
            "filing_notice_on",
            "status",
            "judged_on",
            "result",
            "obligation",
            "performance_due_on",
            "performed_on",
            "record",
        ]


class CourtCaseDetailSerializer(CourtCaseSerializer):
    hearings = CourtHearingSerializer(many=True)
    judicial_suggestions = JudicialSuggestionSerializer(many=True)
    events = CourtEventSerializer(many=True)

    class Meta(CourtCaseSerializer.Meta):
        fields = [*CourtCaseSerializer.Meta.fields, "hearings", "judicial_suggestions", "events"]


class JudgmentInputSerializer(Serializer):
    judged_on = serializers.DateField(allow_null=True, default=None)
    result = serializers.ChoiceField(choices=JudgmentResult.choices, allow_blank=True, default="")
    obligation = serializers.CharField(allow_blank=True, default="")
    performance_due_on = serializers.DateField(allow_null=True, default=None)


class PerformInputSerializer(Serializer):
    performed_on = serializers.DateField(allow_null=True, default=None)


def _cases(request: Request) -> QuerySet[CourtCase]:
    return CourtCase.objects.visible_to(request.user).select_related("agency")


def _detail(request: Request, pk: int) -> Response:
    case = _cases(request).prefetch_related("hearings", "judicial_suggestions", "events").get(pk=pk)
    return Response(CourtCaseDetailSerializer(case).data)


STEP_RESPONSES: dict[int, Any] = {
    200: CourtCaseDetailSerializer,
    403: OpenApiResponse(description="Your role may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The case's status does not allow this (`illegal_transition`)."),
}


class CourtCaseListApi(ListView):
    """Court cases of the agencies in your scope, paged by id."""

    serializer_class = CourtCaseSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[CourtCase]:
        return _cases(self.request).order_by("pk")


class CourtCaseDetailApi(DetailView):
    """One case with its hearings, judicial suggestions and events."""

    serializer_class = CourtCaseDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[CourtCase]:
        return _cases(self.request).prefetch_related("hearings", "judicial_suggestions", "events")


class CourtJudgmentApi(APIView):
    """Records the judgment; with an obligation on the agency, its performance deadline."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="supervision_court_cases_judgment", request=JudgmentInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(_cases(request), pk=pk)
        data = JudgmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        judgment = services.JudgmentInput(**data.validated_data)
        services.judgment_record(actor=acting_user(request), case=case, data=judgment)
        return _detail(request, pk)


class CourtPerformApi(APIView):
    """Records the day the judgment's obligation was performed."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="supervision_court_cases_perform", request=PerformInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(_cases(request), pk=pk)
        data = PerformInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.judgment_perform(actor=acting_user(request), case=case, **data.validated_data)
        return _detail(request, pk)


urlpatterns: list[URLPattern] = [
    path("court-cases/", CourtCaseListApi.as_view(), name="supervision-court-case-list"),
    path("court-cases/<int:pk>/", CourtCaseDetailApi.as_view(), name="supervision-court-case-detail"),
    path("court-cases/<int:pk>/judgment/", CourtJudgmentApi.as_view(), name="supervision-court-case-judgment"),
    path("court-cases/<int:pk>/perform/", CourtPerformApi.as_view(), name="supervision-court-case-perform"),
]
