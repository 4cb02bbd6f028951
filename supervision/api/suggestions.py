"""REST endpoints of NPC suggestions and CPPCC proposals (`/api/v1/supervision/suggestions/…`), scoped by
Suggestion.objects.visible_to: one outside the caller's scope is "not found". The list (sorted by due date) and a
read are generic views; entry and each step are a POST on a small view that calls one service. Reply files are
uploaded on the staff pages. Errors in the one shape (accounts/api_support.py): 400 input refused (every field at
once), 403 a role that may not, 404 outside scope, 409 a step the status does not allow."""

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
from subjects.models import Agency
from supervision.models.suggestions import (
    ReplyClass,
    Satisfaction,
    Suggestion,
    SuggestionEvent,
    SuggestionKind,
)
from supervision.services import suggestions as services

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    ListView = generics.ListAPIView[Suggestion]
    DetailView = generics.RetrieveAPIView[Suggestion]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    ListView = generics.ListAPIView
    DetailView = generics.RetrieveAPIView


class SuggestionUnitSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc"]


class SuggestionEventSerializer(ModelSerializer):
    class Meta:
        model = SuggestionEvent
        fields = ["kind", "from_status", "to_status", "reason", "at"]


class SuggestionSerializer(ModelSerializer):
    lead_unit = SuggestionUnitSerializer()
    co_units = SuggestionUnitSerializer(many=True)
    commitment_id = serializers.IntegerField(allow_null=True, help_text=_("The commitment a class-B reply became."))

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "number",
            "kind",
            "session",
            "title",
            "deputy",
            "lead_unit",
            "co_units",
            "assigned_on",
            "due_on",
            "extended",
            "status",
            "consulted_on",
            "reply_class",
            "replied_on",
            "reply_summary",
            "promised_due_on",
            "commitment_id",
            "satisfaction",
            "feedback_on",
            "rehandle_due_on",
            "rereply_class",
            "rereplied_on",
            "final_satisfaction",
        ]


class SuggestionDetailSerializer(SuggestionSerializer):
    events = SuggestionEventSerializer(many=True)

    class Meta(SuggestionSerializer.Meta):
        fields = [
            *SuggestionSerializer.Meta.fields,
            "content",
            "deputy_contact",
            "extension_approval",
            "consultation_note",
            "reply_text",
            "rereply_text",
            "events",
        ]


class SuggestionInputSerializer(Serializer):
    number = serializers.CharField(max_length=40, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=SuggestionKind.choices, allow_blank=True, default="")
    session = serializers.CharField(max_length=100, allow_blank=True, default="")
    title = serializers.CharField(max_length=300, allow_blank=True, default="")
    content = serializers.CharField(allow_blank=True, default="")
    deputy = serializers.CharField(max_length=100, allow_blank=True, default="")
    deputy_contact = serializers.CharField(max_length=100, allow_blank=True, default="")
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), allow_null=True, default=None)
    co_units = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, default=list)
    assigned_on = serializers.DateField(allow_null=True, default=None)
    due_on = serializers.DateField(
        allow_null=True, default=None, help_text=_("Empty: three calendar months after the assignment.")
    )


class ExtendInputSerializer(Serializer):
    approval = serializers.CharField(max_length=200, allow_blank=True, default="")


class ConsultInputSerializer(Serializer):
    held_on = serializers.DateField(allow_null=True, default=None)
    note = serializers.CharField(allow_blank=True, default="")


class ReplyInputSerializer(Serializer):
    reply_class = serializers.ChoiceField(choices=ReplyClass.choices, allow_blank=True, default="")
    replied_on = serializers.DateField(allow_null=True, default=None)
    text = serializers.CharField(allow_blank=True, default="")
    summary = serializers.CharField(max_length=500, allow_blank=True, default="")
    promised_due_on = serializers.DateField(
        allow_null=True, default=None, help_text=_("Class B: the date by which it is solved (it becomes a commitment).")
    )


class FeedbackInputSerializer(Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, default="")
    feedback_on = serializers.DateField(allow_null=True, default=None)
    rehandle_due_on = serializers.DateField(
        allow_null=True, default=None, help_text=_("Unsatisfied: the new due date, 1 to 3 months after the opinion.")
    )
    note = serializers.CharField(allow_blank=True, default="")


def _suggestions(request: Request) -> QuerySet[Suggestion]:
    return Suggestion.objects.visible_to(request.user).select_related("lead_unit").prefetch_related("co_units")


def _detail(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    suggestion = _suggestions(request).prefetch_related("events").get(pk=pk)
    return Response(SuggestionDetailSerializer(suggestion).data, status=code)


STEP_RESPONSES: dict[int, Any] = {
    200: SuggestionDetailSerializer,
    403: OpenApiResponse(description="Your role may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The suggestion's status does not allow this (`illegal_transition`)."),
}


class SuggestionListApi(ListView):
    """NPC suggestions and CPPCC proposals in your scope (lead or co-handling unit), soonest due first."""

    serializer_class = SuggestionSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[Suggestion]:
        return _suggestions(self.request).order_by("due_on", "pk")

    @extend_schema(
        operation_id="supervision_suggestions_create",
        request=SuggestionInputSerializer,
        responses={201: SuggestionDetailSerializer, 403: STEP_RESPONSES[403]},
    )
    def post(self, request: Request) -> Response:
        """Enters an assigned suggestion or proposal (due three calendar months later unless `due_on` is given)."""
        data = SuggestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = services.suggestion_create(
            actor=acting_user(request), data=services.SuggestionInput(**data.validated_data)
        )
        return _detail(request, suggestion.pk, status.HTTP_201_CREATED)


class SuggestionDetailApi(DetailView):
    """One suggestion or proposal with its handling and events."""

    serializer_class = SuggestionDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Suggestion]:
        return _suggestions(self.request).prefetch_related("events")


class SuggestionExtendApi(APIView):
    """The credit office approves the extension of the due date (to six calendar months after the assignment)."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="supervision_suggestions_extend", request=ExtendInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(_suggestions(request), pk=pk)
        data = ExtendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.suggestion_extend(actor=acting_user(request), suggestion=suggestion, **data.validated_data)
        return _detail(request, pk)


class SuggestionConsultApi(APIView):
    """Records the consultation with the deputy (面商)."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="supervision_suggestions_consult", request=ConsultInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(_suggestions(request), pk=pk)
        data = ConsultInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.suggestion_consult(actor=acting_user(request), suggestion=suggestion, **data.validated_data)
        return _detail(request, pk)


class SuggestionReplyApi(APIView):
    """The lead unit's reply (or second reply after a re-handling); a class-B reply becomes a commitment."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="supervision_suggestions_reply", request=ReplyInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(_suggestions(request), pk=pk)
        data = ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.suggestion_reply(
            actor=acting_user(request), suggestion=suggestion, data=services.ReplyInput(**data.validated_data)
        )
        return _detail(request, pk)


class SuggestionFeedbackApi(APIView):
    """The deputy's opinion of the reply; unsatisfied sends it back for a re-handling due 1–3 months later."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="supervision_suggestions_feedback", request=FeedbackInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(_suggestions(request), pk=pk)
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.suggestion_feedback(actor=acting_user(request), suggestion=suggestion, **data.validated_data)
        return _detail(request, pk)


urlpatterns: list[URLPattern] = [
    path("suggestions/", SuggestionListApi.as_view(), name="supervision-suggestion-list"),
    path("suggestions/<int:pk>/", SuggestionDetailApi.as_view(), name="supervision-suggestion-detail"),
    path("suggestions/<int:pk>/extend/", SuggestionExtendApi.as_view(), name="supervision-suggestion-extend"),
    path("suggestions/<int:pk>/consult/", SuggestionConsultApi.as_view(), name="supervision-suggestion-consult"),
    path("suggestions/<int:pk>/reply/", SuggestionReplyApi.as_view(), name="supervision-suggestion-reply"),
    path("suggestions/<int:pk>/feedback/", SuggestionFeedbackApi.as_view(), name="supervision-suggestion-feedback"),
]
