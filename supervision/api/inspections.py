"""REST endpoints of the inspections (`/api/v1/supervision/inspections/…` and `…/rectifications/…`), scoped by the
models' `visible_to`: a row outside the caller's scope is "not found". Lists and reads are generic views; each step
is a POST on its own small view that calls one service. Evidence files are uploaded on the staff pages. Errors in the
one shape (accounts/api_support.py): 400 input refused, 403 a role that may not, 404 outside scope, 409 a step the
item's status does not allow."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from supervision.models.inspections import Inspection, RectificationEvent, RectificationItem
from supervision.services import inspections as services

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    InspectionListView = generics.ListAPIView[Inspection]
    ItemListView = generics.ListAPIView[RectificationItem]
    ItemDetailView = generics.RetrieveAPIView[RectificationItem]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    InspectionListView = generics.ListAPIView
    ItemListView = generics.ListAPIView
    ItemDetailView = generics.RetrieveAPIView


class InspectionSerializer(ModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = Inspection
        fields = ["id", "kind", "year", "title", "inspecting_body", "region", "starts_on", "ends_on"]


class RectificationEventSerializer(ModelSerializer):
    class Meta:
        model = RectificationEvent
        fields = ["kind", "from_status", "to_status", "reason", "at"]


class RectificationItemSerializer(ModelSerializer):
    unit = serializers.CharField(source="agency.name")
    unit_id = serializers.IntegerField(source="agency_id")
    inspection = serializers.IntegerField(source="finding.inspection_id")
    finding = serializers.CharField(source="finding.text")
    severity = serializers.CharField(source="finding.severity")

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "inspection",
            "unit",
            "unit_id",
            "finding",
            "severity",
            "text",
            "due_on",
            "status",
            "submitted_on",
            "accepted_on",
            "candidate_record",
        ]


class RectificationItemDetailSerializer(RectificationItemSerializer):
    events = RectificationEventSerializer(many=True)

    class Meta(RectificationItemSerializer.Meta):
        fields = [*RectificationItemSerializer.Meta.fields, "report", "events"]


class RectificationSubmitInputSerializer(Serializer):
    report = serializers.CharField(max_length=10000)


class RectificationDecisionInputSerializer(Serializer):
    decision = serializers.ChoiceField(
        choices=[
            ("accept", _("Accept")),
            ("return", _("Return for more rectification")),
            ("refuse", _("Note as refused or not done")),
        ]
    )
    reason = serializers.CharField(allow_blank=True, default="", max_length=2000)


def _items(request: Request) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.visible_to(request.user).select_related("agency", "finding")


STEP_RESPONSES: dict[int, Any] = {
    200: RectificationItemDetailSerializer,
    403: OpenApiResponse(description="Your role may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The item's status does not allow this (`illegal_transition`)."),
}


class InspectionListApi(InspectionListView):
    """Inspections in your scope (of your region, or with a finding about your unit), paged by id."""

    serializer_class = InspectionSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Inspection]:
        return Inspection.objects.visible_to(self.request.user).select_related("region").order_by("pk")


class RectificationListApi(ItemListView):
    """Rectification items in your scope, soonest deadline first."""

    serializer_class = RectificationItemSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[RectificationItem]:
        return _items(self.request).order_by("due_on", "pk")


class RectificationDetailApi(ItemDetailView):
    """One rectification item with its report and events."""

    serializer_class = RectificationItemDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[RectificationItem]:
        return _items(self.request).prefetch_related("events")


def _detail(request: Request, pk: int) -> Response:
    return Response(RectificationItemDetailSerializer(_items(request).prefetch_related("events").get(pk=pk)).data)


class RectificationSubmitApi(APIView):
    """The unit submits its rectification report (evidence files are added on the staff page)."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="rectifications_submit", request=RectificationSubmitInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(_items(request), pk=pk)
        data = RectificationSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.item_submit(actor=acting_user(request), item=item, report=data.validated_data["report"], files=[])
        return _detail(request, pk)


class RectificationDecisionApi(APIView):
    """The inspecting side accepts, returns (with the reason) or notes the rectification as refused (reason)."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="rectifications_decide", request=RectificationDecisionInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(_items(request), pk=pk)
        data = RectificationDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision, reason = data.validated_data["decision"], data.validated_data["reason"]
        actor = acting_user(request)
        if decision == "refuse":
            services.item_refuse(actor=actor, item=item, reason=reason)
        else:
            services.item_verify(actor=actor, item=item, accepted=decision == "accept", reason=reason)
        return _detail(request, pk)


urlpatterns: list[URLPattern] = [
    path("inspections/", InspectionListApi.as_view(), name="inspection-list"),
    path("rectifications/", RectificationListApi.as_view(), name="rectification-list"),
    path("rectifications/<int:pk>/", RectificationDetailApi.as_view(), name="rectification-detail"),
    path("rectifications/<int:pk>/submit/", RectificationSubmitApi.as_view(), name="rectification-submit"),
    path("rectifications/<int:pk>/decide/", RectificationDecisionApi.as_view(), name="rectification-decide"),
]
