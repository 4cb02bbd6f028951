"""REST endpoints of breach complaints and 12345 tickets (`/api/v1/supervision/…`).

Staff: lists and reads scoped by `visible_to` (outside it: "not found"), and each handling step a POST on a small
view that calls one service. The public: `/api/v1/supervision/public/complaints/` files a complaint with the same
rules and limits as the public page (repair/throttle.py: only complaints filed count), every field error at once in
the one error shape. Errors: 400 input refused, 403 a role that may not, 404 outside scope, 409 a step the status does
not allow, 429 a filing limit reached."""

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
from repair.api.cases import QUERY_CODE_HELP
from repair.api.public import AttachmentsField, PublicFilingApi, filing_input
from subjects.models import Agency
from supervision.models.complaints import (
    BreachCategory,
    BreachComplaint,
    BreachComplaintEvent,
    ComplainantKind,
)
from supervision.models.hotline import HotlineTicket
from supervision.services import complaints as services

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer


class AgencyBriefSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc"]


class ComplaintEventSerializer(ModelSerializer):
    class Meta:
        model = BreachComplaintEvent
        fields = ["action", "from_status", "to_status", "reason", "public", "at"]


class BreachComplaintSerializer(ModelSerializer):
    respondent = AgencyBriefSerializer()
    handling_agency = AgencyBriefSerializer(allow_null=True)

    class Meta:
        model = BreachComplaint
        fields = [
            "id",
            "tracking_number",
            "channel",
            "complainant_kind",
            "complainant_name",
            "respondent",
            "handling_agency",
            "category",
            "amount",
            "status",
            "received_on",
            "stage_due_on",
            "stage_due_provisional",
            "rectification_due_on",
            "late_stages",
            "closed_on",
            "record",
        ]


class BreachComplaintDetailSerializer(BreachComplaintSerializer):
    events = ComplaintEventSerializer(many=True)

    class Meta(BreachComplaintSerializer.Meta):
        fields = [
            *BreachComplaintSerializer.Meta.fields,
            "complainant_uscc",
            "complainant_contact",
            "channel_reference",
            "facts",
            "public_reasons",
            "events",
        ]


def _complaints(request: Request) -> QuerySet[BreachComplaint]:
    return BreachComplaint.objects.visible_to(request.user).select_related("respondent", "handling_agency")


class ComplaintListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """Breach complaints in your scope, paged by id."""

    serializer_class = BreachComplaintSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[BreachComplaint]:
        return _complaints(self.request).order_by("pk")


class ComplaintDetailApi(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One breach complaint with its timeline (never its query code)."""

    serializer_class = BreachComplaintDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[BreachComplaint]:
        return _complaints(self.request).prefetch_related("events")


class ComplaintStepInputSerializer(Serializer):
    action = serializers.ChoiceField(
        choices=[(action, services.ACTION_LABELS[action]) for action in services.MACHINE.moves if action != "rectified"]
    )
    reason = serializers.CharField(allow_blank=True, default="", max_length=5000)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


STEP_RESPONSES: dict[int, Any] = {
    200: BreachComplaintDetailSerializer,
    403: OpenApiResponse(description="Your role or level may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The complaint's status does not allow this (`illegal_transition`)."),
}


class ComplaintStepApi(APIView):
    """A handling step: accept, refuse, transfer, verify (untrue, or true with a rectification deadline), confirm the
    breach. A rectification with its evidence files is reported on the staff page."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="breach_complaints_step", request=ComplaintStepInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        complaint = get_object_or_404(_complaints(request), pk=pk)
        data = ComplaintStepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action, reason = data.validated_data["action"], data.validated_data["reason"]
        actor = acting_user(request)
        if action == "accept":
            services.complaint_accept(actor=actor, complaint=complaint, reason=reason)
        elif action == "refuse":
            services.complaint_refuse(actor=actor, complaint=complaint, reason=reason)
        elif action == "transfer":
            services.complaint_transfer(actor=actor, complaint=complaint, reason=reason)
        elif action == "verify_untrue":
            services.complaint_verify_untrue(actor=actor, complaint=complaint, reason=reason)
        elif action == "order_rectification":
            services.complaint_order_rectification(
                actor=actor, complaint=complaint, due_on=data.validated_data["due_on"], reason=reason
            )
        else:
            services.complaint_confirm_breach(actor=actor, complaint=complaint, reason=reason)
        return Response(
            BreachComplaintDetailSerializer(_complaints(request).prefetch_related("events").get(pk=pk)).data
        )


# The public's filing -------------------------------------------------------------------------------------------------


class PublicBreachComplaintInputSerializer(Serializer):
    complainant_kind = serializers.ChoiceField(choices=ComplainantKind.choices)
    complainant_name = serializers.CharField(max_length=200, allow_blank=True)
    complainant_uscc = serializers.CharField(max_length=30, allow_blank=True, required=False, default="")
    complainant_contact = serializers.CharField(max_length=100, allow_blank=True)
    complainant_email = serializers.EmailField(max_length=254, allow_blank=True, required=False, default="")
    respondent = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(active=True), help_text=_("The government body complained about.")
    )
    category = serializers.ChoiceField(choices=BreachCategory.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True, default=None)
    facts = serializers.CharField(max_length=10000, allow_blank=True)
    attachments = AttachmentsField(required=False, help_text=_("Evidence: PDF, OFD, PNG or JPEG files."))


class PublicComplaintFiledSerializer(Serializer):
    tracking_number = serializers.CharField()
    query_code = serializers.CharField(help_text=QUERY_CODE_HELP)
    status = serializers.CharField()
    stage_due_on = serializers.DateField(help_text=_("The day by which it is accepted or refused (working days)."))
    stage_due_provisional = serializers.BooleanField()


def _rules(values: dict[str, Any]) -> Any:
    return services.complaint_errors(values)


class PublicComplaintFileApi(PublicFilingApi):
    """Anyone may complain that a government body broke a contract or a promise; the answer carries the tracking
    number and the query code, once."""

    @extend_schema(
        operation_id="public_breach_complaints_file",
        request=PublicBreachComplaintInputSerializer,
        responses={
            201: PublicComplaintFiledSerializer,
            400: OpenApiResponse(description="Bad input: `fields` names every input at fault."),
            429: OpenApiResponse(description="Too many complaints filed from your address or with this contact."),
        },
    )
    def post(self, request: Request) -> Response:
        data = filing_input(PublicBreachComplaintInputSerializer, request, _rules)
        self.filer_allowed(data["complainant_contact"])
        complaint, code = services.complaint_file(
            data=services.ComplaintInput(
                channel="site",
                complainant_kind=data["complainant_kind"],
                complainant_name=data["complainant_name"],
                complainant_uscc=data.get("complainant_uscc") or "",
                complainant_contact=data["complainant_contact"],
                complainant_email=data.get("complainant_email") or "",
                respondent=data["respondent"],
                category=data["category"],
                amount=data.get("amount"),
                facts=data["facts"],
                attachments=tuple(data.get("attachments") or ()),
            )
        )
        from repair import throttle

        throttle.filing_counted(request, contact=complaint.complainant_contact)
        body = {
            "tracking_number": complaint.tracking_number,
            "query_code": code,
            "status": complaint.status,
            "stage_due_on": complaint.stage_due_on,
            "stage_due_provisional": complaint.stage_due_provisional,
        }
        return Response(PublicComplaintFiledSerializer(body).data, status=status.HTTP_201_CREATED)


# 12345 tickets -------------------------------------------------------------------------------------------------------


class HotlineTicketSerializer(ModelSerializer):
    unit = AgencyBriefSerializer()

    class Meta:
        model = HotlineTicket
        fields = [
            "id",
            "number",
            "type",
            "unit",
            "summary",
            "received_on",
            "due_on",
            "closed_on",
            "satisfaction",
            "reopened_count",
        ]


class HotlineListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """12345 tickets of the units in your scope, paged by id (imported from Excel on the staff pages)."""

    serializer_class = HotlineTicketSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[HotlineTicket]:
        return HotlineTicket.objects.visible_to(self.request.user).select_related("unit").order_by("pk")


class HotlineDetailApi(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = HotlineTicketSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[HotlineTicket]:
        return HotlineTicket.objects.visible_to(self.request.user).select_related("unit")


urlpatterns: list[URLPattern] = [
    path("complaints/", ComplaintListApi.as_view(), name="breach-complaint-list"),
    path("complaints/<int:pk>/", ComplaintDetailApi.as_view(), name="breach-complaint-detail"),
    path("complaints/<int:pk>/steps/", ComplaintStepApi.as_view(), name="breach-complaint-step"),
    path("public/complaints/", PublicComplaintFileApi.as_view(), name="public-breach-complaint-file"),
    path("hotline/tickets/", HotlineListApi.as_view(), name="hotline-ticket-list"),
    path("hotline/tickets/<int:pk>/", HotlineDetailApi.as_view(), name="hotline-ticket-detail"),
]
