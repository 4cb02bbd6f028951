"""REST endpoints of procurement under /api/v1/sectors/procurement/: contracts, payment obligations, payments and the
arrears ledger, scoped by accounts.scope.sector_data_q (a row outside the caller's scope is "not found"). Writes call
the services; a rule's refusal is a 400 naming the input (`fields`), a role or region that may not write a 403, in the
one error shape (accounts/api_support.py). API clients reach procurement data as they reach records."""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.filters import IdFilter, text_filter
from accounts.http import acting_user
from accounts.models import Sector
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from accounts.scope import sector_data_q
from sectors.models.procurement import (
    Contract,
    EnterpriseSize,
    ObligationStatus,
    Payment,
    PaymentObligation,
)
from sectors.services import procurement as services
from subjects.api import AgencyRefSerializer
from subjects.models import Agency, CivilServant


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    class Meta:
        model = Payment
        fields = ["id", "paid_on", "amount", "late_days", "interest", "note"]
        read_only_fields = ["late_days", "interest"]


class ObligationSerializer(serializers.ModelSerializer[PaymentObligation]):
    class Meta:
        model = PaymentObligation
        fields = [
            "id",
            "contract",
            "label",
            "amount",
            "delivered_on",
            "accepted_on",
            "agreed_term_days",
            "starts_on",
            "term_days",
            "term_unlawful",
            "due_on",
            "due_moved_from",
            "daily_rate",
            "disputed_amount",
            "dispute_note",
            "paid_amount",
            "status",
            "overdue_days",
            "interest",
            "computed_on",
            "settled_on",
            "reminded_on",
            "breach_record",
        ]
        read_only_fields = fields


class ObligationDetailSerializer(ObligationSerializer):
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(ObligationSerializer.Meta):
        fields = [*ObligationSerializer.Meta.fields, "payments"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer[Contract]):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "agency",
            "number",
            "supplier_name",
            "supplier_uscc",
            "supplier_size",
            "subject",
            "amount",
            "signed_on",
            "budget_funded",
            "acceptance_conditions_payment",
            "agreed_term_days",
            "agreed_daily_rate",
            "responsible_person",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    obligations = ObligationSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "obligations"]
        read_only_fields = fields


class ContractInputSerializer(serializers.Serializer[Any]):
    """The shape of a new contract; the rules are the services' (sectors.rules.procurement)."""

    agency = serializers.IntegerField(min_value=1)
    number = serializers.CharField(max_length=60)
    supplier_name = serializers.CharField(max_length=200)
    supplier_uscc = serializers.CharField(max_length=18)
    supplier_size = serializers.ChoiceField(choices=EnterpriseSize.choices)
    subject = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    signed_on = serializers.DateField()
    budget_funded = serializers.BooleanField(default=True)
    acceptance_conditions_payment = serializers.BooleanField(default=False)
    agreed_term_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    agreed_daily_rate = serializers.DecimalField(max_digits=8, decimal_places=6, required=False, allow_null=True)
    responsible_person = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ObligationInputSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(min_value=1)
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]  # a field named like Field.label
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    delivered_on = serializers.DateField()
    accepted_on = serializers.DateField(required=False, allow_null=True)
    agreed_term_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    disputed_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=Decimal("0"))
    dispute_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PaymentInputSerializer(serializers.Serializer[Any]):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class LedgerRowSerializer(serializers.Serializer[Any]):
    agency_id = serializers.IntegerField()
    agency_name = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    oldest_days = serializers.IntegerField()
    interest = serializers.DecimalField(max_digits=18, decimal_places=2)


class LedgerSerializer(serializers.Serializer[Any]):
    rows = LedgerRowSerializer(many=True)
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    oldest_days = serializers.IntegerField()
    interest = serializers.DecimalField(max_digits=18, decimal_places=2)


class ContractFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter has no type hints
    agency = IdFilter(
        method="in_subtree", help_text=_("An agency id: its contracts and those of the agencies below it.")
    )
    supplier_size = filters.MultipleChoiceFilter(choices=EnterpriseSize.choices)
    signed_from = filters.DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_to = filters.DateFilter(field_name="signed_on", lookup_expr="lte")
    supplier_uscc = text_filter(max_length=18)
    number = text_filter(max_length=60)

    class Meta:
        model = Contract
        fields: list[str] = []

    def in_subtree(self, queryset: QuerySet[Contract], name: str, value: int) -> QuerySet[Contract]:
        path = Agency.objects.filter(pk=value).values_list("path", flat=True).first() or "//none//"
        return queryset.filter(agency__path__startswith=path)


class ObligationFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter has no type hints
    contract = IdFilter(field_name="contract_id")
    agency = IdFilter(
        method="in_subtree", help_text=_("An agency id: its payments and those of the agencies below it.")
    )
    status = filters.MultipleChoiceFilter(choices=ObligationStatus.choices)
    sme = filters.BooleanFilter(field_name="is_sme")
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = PaymentObligation
        fields: list[str] = []

    def in_subtree(self, queryset: QuerySet[PaymentObligation], name: str, value: int) -> QuerySet[PaymentObligation]:
        path = Agency.objects.filter(pk=value).values_list("path", flat=True).first() or "//none//"
        return queryset.filter(agency__path__startswith=path)


def _reject_unknown(data: serializers.Serializer[Any]) -> None:
    data.is_valid(raise_exception=True)


class ContractListApi(generics.ListAPIView[Contract]):
    """Procurement contracts in your scope, filtered, paged by id. POST enters one."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[Contract]:
        return Contract.objects.visible_to(self.request.user).select_related("agency").order_by("pk")

    @extend_schema(
        operation_id="procurement_contracts_create",
        request=ContractInputSerializer,
        responses={201: ContractDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = ContractInputSerializer(data=request.data)
        _reject_unknown(data)
        values: dict[str, Any] = dict(data.validated_data)
        user = acting_user(request)
        agency = Agency.objects.filter(sector_data_q(user, Sector.PROCUREMENT, ""), pk=values["agency"]).first()
        if agency is None:
            raise serializers.ValidationError({"agency": [_("No agency in your reach has this id.")]})
        person_id = values.pop("responsible_person", None)
        person = CivilServant.objects.filter(pk=person_id).first() if person_id else None
        if person_id and person is None:
            raise serializers.ValidationError({"responsible_person": [_("No such civil servant.")]})
        values.update(agency=agency, responsible_person=person)
        contract = services.contract_create(actor=user, data=services.ContractInput(**values))
        return Response(ContractDetailSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailApi(generics.RetrieveAPIView[Contract]):
    """One contract with its payment obligations."""

    serializer_class = ContractDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Contract]:
        return Contract.objects.visible_to(self.request.user).select_related("agency").prefetch_related("obligations")


class ObligationListApi(generics.ListAPIView[PaymentObligation]):
    """Payment obligations in your scope, filtered (status, SME, due dates, agency subtree, contract). POST adds one
    to a contract; its legal due date is computed."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[PaymentObligation]:
        return PaymentObligation.objects.visible_to(self.request.user).order_by("pk")

    @extend_schema(
        operation_id="procurement_obligations_create",
        request=ObligationInputSerializer,
        responses={201: ObligationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = ObligationInputSerializer(data=request.data)
        _reject_unknown(data)
        values: dict[str, Any] = dict(data.validated_data)
        user = acting_user(request)
        contract = Contract.objects.visible_to(user).select_related("agency").filter(pk=values.pop("contract")).first()
        if contract is None:
            raise serializers.ValidationError({"contract": [_("No contract in your reach has this id.")]})
        obligation = services.obligation_add(actor=user, contract=contract, data=services.ObligationInput(**values))
        return Response(ObligationDetailSerializer(obligation).data, status=status.HTTP_201_CREATED)


class ObligationDetailApi(generics.RetrieveAPIView[PaymentObligation]):
    """One payment obligation with its payments."""

    serializer_class = ObligationDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[PaymentObligation]:
        return PaymentObligation.objects.visible_to(self.request.user).prefetch_related("payments")


class PaymentCreateApi(APIView):
    """Records a payment against an obligation: it pays the undisputed part first; the part paid late carries its
    interest."""

    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="procurement_payments_create",
        request=PaymentInputSerializer,
        responses={201: ObligationDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        obligation = get_object_or_404(
            PaymentObligation.objects.visible_to(user).select_related("contract", "contract__agency"), pk=pk
        )
        data = PaymentInputSerializer(data=request.data)
        _reject_unknown(data)
        services.payment_record(actor=user, obligation=obligation, **data.validated_data)
        obligation = PaymentObligation.objects.prefetch_related("payments").get(pk=pk)
        return Response(ObligationDetailSerializer(obligation).data, status=status.HTTP_201_CREATED)


class LedgerApi(APIView):
    """The arrears ledger of an agency in your scope and the agencies below it (`own=true`: the agency only)."""

    client_read_scopes = RECORD_READ_SCOPES

    @extend_schema(
        operation_id="procurement_ledger",
        parameters=[OpenApiParameter("own", bool, description="true: the agency's own payments only.")],
        responses={200: LedgerSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        agency = get_object_or_404(Agency.objects.filter(sector_data_q(user, Sector.PROCUREMENT, "")), pk=pk)
        own = str(request.query_params.get("own", "")).lower() in {"1", "true"}
        ledger = services.arrears_ledger(under=agency, own_only=own)
        return Response(LedgerSerializer(ledger).data)


urlpatterns: list[URLPattern] = [
    path("procurement/contracts/", ContractListApi.as_view(), name="procurement-contract-list"),
    path("procurement/contracts/<int:pk>/", ContractDetailApi.as_view(), name="procurement-contract-detail"),
    path("procurement/obligations/", ObligationListApi.as_view(), name="procurement-obligation-list"),
    path("procurement/obligations/<int:pk>/", ObligationDetailApi.as_view(), name="procurement-obligation-detail"),
    path("procurement/obligations/<int:pk>/payments/", PaymentCreateApi.as_view(), name="procurement-payment-create"),
    path("procurement/ledger/<int:pk>/", LedgerApi.as_view(), name="procurement-ledger"),
]
