"""REST endpoints of the honest street and town creation (`/api/v1/sectors/streets/…`), scoped by
accounts.scope.sector_data_q: an application outside the caller's scope is "not found". The list and a read are
generic views; each review is a POST on its own small view that calls one service. Applying (with evidence files)
is done on the staff pages. Errors in the one shape (accounts/api_support.py): 400 input refused, 403 a role or
level that may not, 404 outside scope, 409 a step the application's status does not allow."""

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
from sectors.models import CreationApplication, CreationEvent
from sectors.services import streets as services
from subjects.models import Agency

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    ListView = generics.ListAPIView[CreationApplication]
    DetailView = generics.RetrieveAPIView[CreationApplication]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    ListView = generics.ListAPIView
    DetailView = generics.RetrieveAPIView


class CreationAgencySerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc", "kind"]


class CreationEventSerializer(ModelSerializer):
    class Meta:
        model = CreationEvent
        fields = ["kind", "from_status", "to_status", "reason", "at"]


class CreationApplicationSerializer(ModelSerializer):
    agency = CreationAgencySerializer()
    checklist_version = serializers.IntegerField(source="checklist.version")

    class Meta:
        model = CreationApplication
        fields = [
            "id",
            "agency",
            "year",
            "checklist_version",
            "status",
            "notice_starts_on",
            "notice_ends_on",
            "named_on",
            "revoked_on",
            "revocation_reason",
        ]


class CreationApplicationDetailSerializer(CreationApplicationSerializer):
    evaluation = serializers.JSONField(help_text=_("Each criterion's code → whether it was met, as last reviewed."))
    events = CreationEventSerializer(many=True)

    class Meta(CreationApplicationSerializer.Meta):
        fields = [*CreationApplicationSerializer.Meta.fields, "self_evaluation", "evaluation", "events"]


class CreationReviewInputSerializer(Serializer):
    decision = serializers.ChoiceField(
        choices=[
            ("district_pass", _("District passes")),
            ("district_return", _("District returns")),
            ("city_pass", _("City passes")),
            ("city_reject", _("City rejects")),
            ("revoke", _("Revoke the naming")),
        ]
    )
    reason = serializers.CharField(allow_blank=True, default="", max_length=2000)


class CreationObjectionInputSerializer(Serializer):
    received_on = serializers.DateField()
    text = serializers.CharField(max_length=5000)


def _applications(request: Request) -> QuerySet[CreationApplication]:
    return CreationApplication.objects.visible_to(request.user).select_related("agency", "checklist")


def _detail(request: Request, pk: int) -> Response:
    application = _applications(request).prefetch_related("events").get(pk=pk)
    return Response(CreationApplicationDetailSerializer(application).data)


STEP_RESPONSES: dict[int, Any] = {
    200: CreationApplicationDetailSerializer,
    403: OpenApiResponse(description="Your role or level may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The application's status does not allow this (`illegal_transition`)."),
}


class CreationListApi(ListView):
    """Honest street and town applications in your scope, paged by id."""

    serializer_class = CreationApplicationSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[CreationApplication]:
        return _applications(self.request).order_by("pk")


class CreationDetailApi(DetailView):
    """One application with its criteria evaluation and events."""

    serializer_class = CreationApplicationDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[CreationApplication]:
        return _applications(self.request).prefetch_related("events")


class CreationReviewApi(APIView):
    """A review step: the district passes or returns, the city passes (the notice opens) or rejects, the credit
    office revokes a naming. A return, a rejection and a revocation need the reason."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="creation_applications_review", request=CreationReviewInputSerializer, responses=STEP_RESPONSES
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(_applications(request), pk=pk)
        data = CreationReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision, reason = data.validated_data["decision"], data.validated_data["reason"]
        actor = acting_user(request)
        if decision == "revoke":
            services.application_revoke(application=application, actor=actor, reason=reason)
        elif decision.startswith("district"):
            services.application_district_review(
                actor=actor, application=application, passed=decision == "district_pass", reason=reason
            )
        else:
            services.application_city_review(
                actor=actor, application=application, passed=decision == "city_pass", reason=reason
            )
        return _detail(request, pk)


class CreationObjectionApi(APIView):
    """Notes an objection received during the public notice."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="creation_applications_objection",
        request=CreationObjectionInputSerializer,
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(_applications(request), pk=pk)
        data = CreationObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.objection_note(actor=acting_user(request), application=application, **data.validated_data)
        return _detail(request, pk)


urlpatterns: list[URLPattern] = [
    path("streets/applications/", CreationListApi.as_view(), name="creation-application-list"),
    path("streets/applications/<int:pk>/", CreationDetailApi.as_view(), name="creation-application-detail"),
    path("streets/applications/<int:pk>/review/", CreationReviewApi.as_view(), name="creation-application-review"),
    path(
        "streets/applications/<int:pk>/objections/",
        CreationObjectionApi.as_view(),
        name="creation-application-objection",
    ),
]
