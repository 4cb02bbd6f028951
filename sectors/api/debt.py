"""REST endpoints of local government debt (`/api/v1/sectors/debt/…`), scoped by accounts.scope.sector_data_q: a row
outside the caller's scope is "not found". The indicators and the tier are computed (sectors.services.debt), never
accepted as input. Errors in the one shape (accounts/api_support.py): 400 input a rule refused (a balance above its
limit among them), 403 a role that may not, 404 outside scope."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from sectors.models import DebtBond, DebtRegionYear, DebtRepayment, RiskTierRule
from sectors.models.debt import DebtKind, RepaymentKind
from sectors.services import debt as services
from subjects.models import Agency

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    YearListView = generics.ListAPIView[DebtRegionYear]
    BondListView = generics.ListAPIView[DebtBond]
    RepaymentListView = generics.ListAPIView[DebtRepayment]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    YearListView = BondListView = RepaymentListView = generics.ListAPIView


class DebtIndicatorsSerializer(Serializer):
    debt_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    limit_use = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    repayment_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    overdue_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class DebtYearSerializer(ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    indicators = serializers.SerializerMethodField(help_text=_("Computed: fractions, 1.2 is 120 %."))
    tier = serializers.SerializerMethodField(help_text=_("green, yellow, orange or red: the worst indicator's tier."))

    class Meta:
        model = DebtRegionYear
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "limit_general",
            "limit_special",
            "balance_general",
            "balance_special",
            "fiscal_capacity",
            "published_at",
            "indicators",
            "tier",
        ]

    def _assessment(self, obj: DebtRegionYear) -> services.DebtAssessment:
        cached = getattr(obj, "_assessment", None)
        if cached is None:
            rules = self.context.get("rules")
            cached = services.debt_indicators(obj, rules=rules)
            obj._assessment = cached  # type: ignore[attr-defined]
        return cached

    @extend_schema(responses=DebtIndicatorsSerializer)
    def get_indicators(self, obj: DebtRegionYear) -> dict[str, Any]:
        return DebtIndicatorsSerializer(self._assessment(obj).values).data

    def get_tier(self, obj: DebtRegionYear) -> str:
        return self._assessment(obj).tier


class DebtYearInputSerializer(Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    year = serializers.IntegerField()
    limit_general = serializers.DecimalField(max_digits=16, decimal_places=2)
    limit_special = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance_general = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance_special = serializers.DecimalField(max_digits=16, decimal_places=2)
    fiscal_capacity = serializers.DecimalField(max_digits=16, decimal_places=2)


class DebtBondSerializer(ModelSerializer):
    class Meta:
        model = DebtBond
        fields = [
            "id",
            "region",
            "code",
            "kind",
            "amount",
            "issued_on",
            "term_years",
            "rate",
            "use_of_funds",
            "project",
            "revenue_plan",
        ]


class DebtBondInputSerializer(Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    code = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=DebtKind.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    issued_on = serializers.DateField()
    term_years = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    use_of_funds = serializers.CharField()
    project = serializers.CharField(required=False, allow_blank=True, default="")
    revenue_plan = serializers.CharField(required=False, allow_blank=True, default="")


class DebtRepaymentSerializer(ModelSerializer):
    class Meta:
        model = DebtRepayment
        fields = ["id", "bond", "kind", "due_on", "amount_due", "paid_amount", "paid_on", "late", "defaulted", "record"]


class DebtRepaymentInputSerializer(Serializer):
    bond = serializers.PrimaryKeyRelatedField(queryset=DebtBond.objects.all())
    kind = serializers.ChoiceField(choices=RepaymentKind.choices)
    due_on = serializers.DateField()
    amount_due = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=Decimal(0))
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    defaulted = serializers.BooleanField(required=False, default=False)


class DebtRepaymentPayInputSerializer(Serializer):
    paid_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("The total paid so far (10,000 yuan); it replaces the one before.")
    )
    paid_on = serializers.DateField(help_text=_("The date of the payment; not in the future."))


class DebtYearListApi(YearListView):
    """Regions' yearly debt figures in your scope, with the computed indicators and tier. POST enters or updates a
    region's year (a balance above its limit is refused)."""

    serializer_class = DebtYearSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[DebtRegionYear]:
        return DebtRegionYear.objects.visible_to(self.request.user).with_indicators().order_by("pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "rules": list(RiskTierRule.objects.all())}

    @extend_schema(operation_id="debt_years_save", request=DebtYearInputSerializer, responses={201: DebtYearSerializer})
    def post(self, request: Request) -> Response:
        data = DebtYearInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.debt_year_save(actor=acting_user(request), values=data.validated_data)
        return Response(DebtYearSerializer(row).data, status=status.HTTP_201_CREATED)


class DebtYearPublishApi(APIView):
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="debt_years_publish",
        request=None,
        responses={
            200: DebtYearSerializer,
            403: OpenApiResponse(description="Your role or region may not do this (`not_allowed`)."),
            409: OpenApiResponse(description="The figures are already published (`illegal_transition`)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(DebtRegionYear.objects.visible_to(request.user), pk=pk)
        row = services.debt_year_publish(actor=acting_user(request), row=row)
        return Response(DebtYearSerializer(row).data)


class DebtBondListApi(BondListView):
    """Government bonds in your scope. POST records a bond."""

    serializer_class = DebtBondSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[DebtBond]:
        return DebtBond.objects.visible_to(self.request.user).order_by("pk")

    @extend_schema(
        operation_id="debt_bonds_create", request=DebtBondInputSerializer, responses={201: DebtBondSerializer}
    )
    def post(self, request: Request) -> Response:
        data = DebtBondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bond = services.debt_bond_create(actor=acting_user(request), values=data.validated_data)
        return Response(DebtBondSerializer(bond).data, status=status.HTTP_201_CREATED)


class DebtRepaymentListApi(RepaymentListView):
    """Repayments of principal and interest in your scope. POST records one."""

    serializer_class = DebtRepaymentSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[DebtRepayment]:
        return DebtRepayment.objects.visible_to(self.request.user).order_by("pk")

    @extend_schema(
        operation_id="debt_repayments_create",
        request=DebtRepaymentInputSerializer,
        responses={201: DebtRepaymentSerializer},
    )
    def post(self, request: Request) -> Response:
        data = DebtRepaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["bond"] = get_object_or_404(DebtBond.objects.visible_to(request.user), pk=values["bond"].pk)
        repayment = services.debt_repayment_create(actor=acting_user(request), values=values)
        return Response(DebtRepaymentSerializer(repayment).data, status=status.HTTP_201_CREATED)


class DebtRepaymentPayApi(APIView):
    """Records a later payment of a repayment: the total paid to date and its date. The late flag follows the
    scheduled job's rule (a payment after the due date stays late)."""

    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="debt_repayments_pay",
        request=DebtRepaymentPayInputSerializer,
        responses={
            200: DebtRepaymentSerializer,
            400: OpenApiResponse(description="An amount not above zero or a date in the future (`invalid`)."),
            403: OpenApiResponse(description="Your role or region may not do this (`not_allowed`)."),
            404: OpenApiResponse(description="No such repayment in your scope."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        repayment = get_object_or_404(
            DebtRepayment.objects.visible_to(request.user).select_related("bond", "bond__region"), pk=pk
        )
        data = DebtRepaymentPayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repayment = services.debt_repayment_pay(actor=acting_user(request), repayment=repayment, **data.validated_data)
        return Response(DebtRepaymentSerializer(repayment).data)


urlpatterns: list[URLPattern] = [
    path("debt/years/", DebtYearListApi.as_view(), name="debt-year-list"),
    path("debt/years/<int:pk>/publish/", DebtYearPublishApi.as_view(), name="debt-year-publish"),
    path("debt/bonds/", DebtBondListApi.as_view(), name="debt-bond-list"),
    path("debt/repayments/", DebtRepaymentListApi.as_view(), name="debt-repayment-list"),
    path("debt/repayments/<int:pk>/pay/", DebtRepaymentPayApi.as_view(), name="debt-repayment-pay"),
]
