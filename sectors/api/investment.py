"""REST endpoints of investment promotion under /api/v1/sectors/investment/, scoped by accounts.scope.sector_data_q.

Agreements are listed, read and entered (with their obligations); each step on an obligation (fulfil with evidence
files, lawful change, breach) is a POST on its own small view that validates, calls one service and answers with the
agreement as it now is. Outside the caller's scope everything is "not found". Errors in the one error shape
(accounts/api_support.py): 400 input a rule refused (`refused_ground` for a change of government, leaders, person or
division: declare a breach instead), 403 a role or region that may not take the step, 409 a step the obligation's
status does not allow.
"""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from commitments.models import ChangeGround, Commitment
from sectors.models import (
    InvestmentAgreement,
    InvestmentObligation,
    InvestorResponse,
    ObligationChange,
    ObligationEvidence,
    ObligationStatus,
    RefusedGround,
)
from sectors.services import investment as services
from subjects.models import Agency, CivilServant


class InvestmentChangeSerializer(serializers.ModelSerializer[ObligationChange]):
    class Meta:
        model = ObligationChange
        fields = [
            "id",
            "ground",
            "authority",
            "decision_number",
            "description",
            "previous_due_on",
            "previous_amount",
            "new_due_on",
            "new_amount",
            "legality_review_on",
            "collective_decision_on",
            "investor_notified_on",
            "published_on",
            "compensation_amount",
            "investor_response",
            "investor_response_note",
            "created_at",
        ]


class InvestmentEvidenceSerializer(serializers.ModelSerializer[ObligationEvidence]):
    class Meta:
        model = ObligationEvidence
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class InvestmentObligationSerializer(serializers.ModelSerializer[InvestmentObligation]):
    changes = InvestmentChangeSerializer(many=True, read_only=True)
    evidence = InvestmentEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = InvestmentObligation
        fields = [
            "id",
            "description",
            "amount",
            "amount_is_secret",
            "due_on",
            "status",
            "fulfilled_on",
            "fulfilment_note",
            "reminded_on",
            "breach_reason",
            "breach_record",
            "changes",
            "evidence",
        ]


class InvestmentAgreementSerializer(serializers.ModelSerializer[InvestmentAgreement]):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = InvestmentAgreement
        fields = [
            "id",
            "agency",
            "agency_name",
            "number",
            "investor_name",
            "investor_uscc",
            "signed_on",
            "project",
            "total_investment",
            "investment_is_secret",
            "responsible_person",
            "updated_at",
        ]


class InvestmentAgreementDetailSerializer(InvestmentAgreementSerializer):
    obligations = InvestmentObligationSerializer(many=True, read_only=True)
    commitments: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(InvestmentAgreementSerializer.Meta):
        fields = [*InvestmentAgreementSerializer.Meta.fields, "summary", "secret_terms", "commitments", "obligations"]


class InvestmentObligationInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=500)
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)
    amount_is_secret = serializers.BooleanField(required=False, default=False)


class InvestmentAgreementInputSerializer(serializers.Serializer[Any]):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    number = serializers.CharField(max_length=100)
    investor_name = serializers.CharField(max_length=200)
    investor_uscc = serializers.CharField(max_length=18)
    signed_on = serializers.DateField()
    project = serializers.CharField(max_length=200)
    total_investment = serializers.DecimalField(max_digits=18, decimal_places=2)
    summary = serializers.CharField(max_length=5000)
    secret_terms = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    investment_is_secret = serializers.BooleanField(required=False, default=False)
    responsible_person = serializers.PrimaryKeyRelatedField(
        queryset=CivilServant.objects.all(), required=False, allow_null=True
    )
    commitments = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all(), many=True, required=False)
    obligations: Any = InvestmentObligationInputSerializer(many=True, required=False, max_length=200)  # type: ignore[call-arg]


class InvestmentChangeInputSerializer(serializers.Serializer[Any]):
    ground = serializers.ChoiceField(
        choices=[*ChangeGround.choices, *RefusedGround.choices],
        help_text="A change of government, leaders, responsible person or division is refused (`refused_ground`).",
    )
    authority = serializers.CharField(max_length=200)
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000)
    legality_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    collective_decision_on = serializers.DateField(required=False, allow_null=True, default=None)
    investor_notified_on = serializers.DateField(required=False, allow_null=True, default=None)
    published_on = serializers.DateField(required=False, allow_null=True, default=None)
    compensation_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )
    investor_response = serializers.ChoiceField(choices=InvestorResponse.choices)
    investor_response_note = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    new_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )


class InvestmentBreakInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)


class InvestmentFulfilInputSerializer(serializers.Serializer[Any]):
    fulfilled_on = serializers.DateField()
    note = serializers.CharField(max_length=5000)
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10)


class InvestmentAgreementApiFilter(filters.FilterSet):  # type: ignore[misc]  # django_filters is untyped
    q = filters.CharFilter(method="search", label="Investor, project or number contains")
    status = filters.ChoiceFilter(
        choices=ObligationStatus.choices, method="with_status", label="Has an obligation in this status"
    )
    signed_year = filters.NumberFilter(field_name="signed_on", lookup_expr="year")

    class Meta:
        model = InvestmentAgreement
        fields = ["agency"]

    def search(self, queryset: QuerySet[InvestmentAgreement], name: str, value: str) -> QuerySet[InvestmentAgreement]:
        return queryset.filter(
            Q(investor_name__icontains=value) | Q(project__icontains=value) | Q(number__icontains=value)
        )

    def with_status(
        self, queryset: QuerySet[InvestmentAgreement], name: str, value: str
    ) -> QuerySet[InvestmentAgreement]:
        return queryset.filter(pk__in=InvestmentObligation.objects.filter(status=value).values("agreement_id"))


def _detail_rows(request: Request) -> QuerySet[InvestmentAgreement]:
    return (
        InvestmentAgreement.objects.visible_to(request.user)
        .select_related("agency")
        .prefetch_related(
            "commitments",
            Prefetch(
                "obligations",
                queryset=InvestmentObligation.objects.order_by("due_on", "pk").prefetch_related("changes", "evidence"),
            ),
        )
    )


def _answer(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(InvestmentAgreementDetailSerializer(_detail_rows(request).get(pk=pk)).data, status=code)


FORBIDDEN = OpenApiResponse(description="Your role or region may not do this (`not_allowed`).")
ILLEGAL = OpenApiResponse(description="The obligation's status does not allow this (`illegal_transition`).")
STEP_RESPONSES: dict[int, Any] = {200: InvestmentAgreementDetailSerializer, 403: FORBIDDEN, 409: ILLEGAL}


class AgreementListApi(generics.ListAPIView[InvestmentAgreement]):
    """Investment-promotion agreements in your scope, paged by id. POST enters one with its obligations."""

    serializer_class = InvestmentAgreementSerializer
    filterset_class = InvestmentAgreementApiFilter
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[InvestmentAgreement]:
        return InvestmentAgreement.objects.visible_to(self.request.user).select_related("agency")

    @extend_schema(
        operation_id="investment_agreements_create",
        request=InvestmentAgreementInputSerializer,
        responses={201: InvestmentAgreementDetailSerializer, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        body = InvestmentAgreementInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        obligations = [services.ObligationInput(**item) for item in data.pop("obligations", [])]
        data["commitments"] = list(data.get("commitments") or [])
        agreement = services.agreement_create(
            actor=acting_user(request), data=services.AgreementInput(**data), obligations=obligations
        )
        return _answer(request, agreement.pk, status.HTTP_201_CREATED)


class AgreementUpdateSerializer(InvestmentAgreementInputSerializer):
    """An agreement's particulars; its obligations change only by their own steps."""

    obligations = None


class AgreementDetailApi(generics.RetrieveAPIView[InvestmentAgreement]):
    """One agreement with its obligations, their changes and evidence, and its linked policy commitments. PUT edits its
    particulars (the whole of them; obligations are added with POST …/obligations/)."""

    serializer_class = InvestmentAgreementDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[InvestmentAgreement]:
        return _detail_rows(self.request)

    @extend_schema(
        operation_id="investment_agreements_update",
        request=AgreementUpdateSerializer,
        responses={200: InvestmentAgreementDetailSerializer, 403: FORBIDDEN},
    )
    def put(self, request: Request, pk: int) -> Response:
        agreement = get_object_or_404(InvestmentAgreement.objects.visible_to(request.user), pk=pk)
        body = AgreementUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["commitments"] = list(data.get("commitments") or [])
        services.agreement_update(actor=acting_user(request), agreement=agreement, data=services.AgreementInput(**data))
        return _answer(request, agreement.pk)


class AgreementObligationsApi(APIView):
    """Adds a government-side obligation to an agreement."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="investment_agreements_obligations_create",
        request=InvestmentObligationInputSerializer,
        responses={201: InvestmentAgreementDetailSerializer, 403: FORBIDDEN},
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = get_object_or_404(InvestmentAgreement.objects.visible_to(request.user), pk=pk)
        body = InvestmentObligationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.obligation_add(
            actor=acting_user(request), agreement=agreement, data=services.ObligationInput(**body.validated_data)
        )
        return _answer(request, agreement.pk, status.HTTP_201_CREATED)


class ObligationStepApi(APIView):
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_obligation(self, request: Request, pk: int) -> InvestmentObligation:
        rows = InvestmentObligation.objects.visible_to(request.user).select_related(
            "agreement", "agreement__agency", "agreement__responsible_person"
        )
        return get_object_or_404(rows, pk=pk)


class ObligationChangeApi(ObligationStepApi):
    """The credit office or the investment authority records a lawful change with its dated steps."""

    @extend_schema(
        operation_id="investment_obligations_change",
        request=InvestmentChangeInputSerializer,
        responses={
            **STEP_RESPONSES,
            400: OpenApiResponse(
                description="A rule refused the input; `refused_ground` when the ground is a change of government, "
                "of leaders, of the responsible person or of the administrative division (declare a breach instead)."
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        obligation = self.get_obligation(request, pk)
        body = InvestmentChangeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.obligation_change(
            actor=acting_user(request),
            obligation=obligation,
            change=services.ObligationChangeInput(**body.validated_data),
        )
        return _answer(request, obligation.agreement_id)


class ObligationBreakApi(ObligationStepApi):
    """The credit office or the investment authority declares an obligation broken: a candidate record follows."""

    @extend_schema(
        operation_id="investment_obligations_break", request=InvestmentBreakInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        obligation = self.get_obligation(request, pk)
        body = InvestmentBreakInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.obligation_break(
            actor=acting_user(request), obligation=obligation, reason=body.validated_data["reason"]
        )
        return _answer(request, obligation.agreement_id)


class ObligationFulfilApi(ObligationStepApi):
    """The agency records that it met an obligation, with evidence files (multipart)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="investment_obligations_fulfil",
        request={"multipart/form-data": InvestmentFulfilInputSerializer},
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        obligation = self.get_obligation(request, pk)
        body = InvestmentFulfilInputSerializer(
            data={
                "fulfilled_on": request.data.get("fulfilled_on"),
                "note": request.data.get("note"),
                "files": request.FILES.getlist("files"),
            }
        )
        body.is_valid(raise_exception=True)
        services.obligation_fulfil(
            actor=acting_user(request),
            obligation=obligation,
            fulfilled_on=body.validated_data["fulfilled_on"],
            note=body.validated_data["note"],
            files=body.validated_data["files"],
        )
        return _answer(request, obligation.agreement_id)


urlpatterns = [
    path("investment/agreements/", AgreementListApi.as_view(), name="investment-agreement-list"),
    path("investment/agreements/<int:pk>/", AgreementDetailApi.as_view(), name="investment-agreement-detail"),
    path(
        "investment/agreements/<int:pk>/obligations/",
        AgreementObligationsApi.as_view(),
        name="investment-agreement-obligations",
    ),
    path("investment/obligations/<int:pk>/change/", ObligationChangeApi.as_view(), name="investment-obligation-change"),
    path("investment/obligations/<int:pk>/break/", ObligationBreakApi.as_view(), name="investment-obligation-break"),
    path("investment/obligations/<int:pk>/fulfil/", ObligationFulfilApi.as_view(), name="investment-obligation-fulfil"),
]
