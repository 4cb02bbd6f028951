"""REST endpoints of tendering under /api/v1/sectors/tendering/: bad-behaviour records (with the party's score),
parties with their scores, sanctions, the scoring scheme's versions and tender projects, scoped by
accounts.scope.sector_data_q (a row outside the caller's scope is "not found"). Writes call the services; a rule's
refusal is a 400 naming the input, a role or region that may not write a 403, in the one error shape."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Sector
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from accounts.scope import sector_data_q
from sectors.models.tendering import (
    BadBehaviour,
    PartyKind,
    ScoringItem,
    ScoringScheme,
    ScoringThreshold,
    TenderBreach,
    TenderParty,
    TenderProject,
    TenderSanction,
)
from sectors.services import tendering as services
from subjects.api import AgencyRefSerializer
from subjects.models import Agency


class TenderPartySerializer(serializers.ModelSerializer[TenderParty]):
    code = serializers.CharField(source="public_code", read_only=True)
    score = serializers.IntegerField(read_only=True)

    class Meta:
        model = TenderParty
        fields = ["id", "kind", "name", "code", "score"]
        read_only_fields = fields


class TenderBehaviourSerializer(serializers.ModelSerializer[BadBehaviour]):
    party = TenderPartySerializer(read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    decided_by = AgencyRefSerializer(read_only=True)

    class Meta:
        model = BadBehaviour
        fields = [
            "id",
            "party",
            "item_code",
            "points",
            "decided_by",
            "document_number",
            "decided_on",
            "facts",
            "project_name",
            "publish_by",
            "published_on",
            "public_until",
            "archived_on",
        ]
        read_only_fields = fields


class TenderBehaviourInputSerializer(serializers.Serializer[Any]):
    decided_by = serializers.IntegerField(min_value=1)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(max_length=200)
    party_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    party_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    item_code = serializers.CharField(max_length=30)
    document_number = serializers.CharField(max_length=100)
    decided_on = serializers.DateField()
    facts = serializers.CharField(max_length=5000)
    project_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TenderSanctionSerializer(serializers.ModelSerializer[TenderSanction]):
    party = TenderPartySerializer(read_only=True)

    class Meta:
        model = TenderSanction
        fields = [
            "id",
            "party",
            "kind",
            "score",
            "starts_on",
            "ends_on",
            "trigger",
            "published_at",
            "status",
            "revoked_on",
            "revocation_reason",
        ]
        read_only_fields = fields


class TenderItemSerializer(serializers.ModelSerializer[ScoringItem]):
    class Meta:
        model = ScoringItem
        fields = ["id", "party_kind", "code", "description", "points", "basis"]
        read_only_fields = fields


class TenderThresholdSerializer(serializers.ModelSerializer[ScoringThreshold]):
    class Meta:
        model = ScoringThreshold
        fields = ["id", "party_kind", "basis", "points", "sanction", "months"]
        read_only_fields = fields


class TenderSchemeSerializer(serializers.ModelSerializer[ScoringScheme]):
    items = TenderItemSerializer(many=True, read_only=True)
    thresholds = TenderThresholdSerializer(many=True, read_only=True)

    class Meta:
        model = ScoringScheme
        fields = ["id", "code", "version", "name", "cycle", "effective_from", "basis", "items", "thresholds"]
        read_only_fields = fields


class TenderBreachSerializer(serializers.ModelSerializer[TenderBreach]):
    class Meta:
        model = TenderBreach
        fields = ["id", "kind", "detected_on", "facts", "record"]
        read_only_fields = fields


class TenderProjectSerializer(serializers.ModelSerializer[TenderProject]):
    agency = AgencyRefSerializer(read_only=True)
    breaches = TenderBreachSerializer(many=True, read_only=True)

    class Meta:
        model = TenderProject
        fields = [
            "id",
            "agency",
            "code",
            "name",
            "agent_name",
            "agent_uscc",
            "announced_on",
            "opened_on",
            "awarded_on",
            "winner_name",
            "winner_uscc",
            "contract_signed_on",
            "deposits_refunded_on",
            "breaches",
        ]
        read_only_fields = fields


class TenderProjectInputSerializer(serializers.Serializer[Any]):
    agency = serializers.IntegerField(min_value=1)
    code = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=200)
    agent_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agent_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    announced_on = serializers.DateField()
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)
    awarded_on = serializers.DateField(required=False, allow_null=True, default=None)
    winner_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    winner_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    contract_signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    deposits_refunded_on = serializers.DateField(required=False, allow_null=True, default=None)


def _agency(user: Any, pk: int, name: str) -> Agency:
    agency: Agency | None = Agency.objects.filter(sector_data_q(user, Sector.TENDERING, ""), pk=pk).first()
    if agency is None:
        raise serializers.ValidationError({name: [_("No agency in your reach has this id.")]})
    return agency


class TenderBehaviourListApi(generics.ListAPIView[BadBehaviour]):
    """Bad-behaviour records in your scope, paged by id, with the party's current score. POST records one."""

    serializer_class = TenderBehaviourSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[BadBehaviour]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no database
            return BadBehaviour.objects.none()
        parties = services.parties_with_scores(TenderParty.objects.all())
        return (
            BadBehaviour.objects.visible_to(self.request.user)
            .select_related("item", "decided_by")
            .prefetch_related(Prefetch("party", queryset=parties))
            .order_by("pk")
        )

    @extend_schema(
        operation_id="tendering_behaviours_create",
        request=TenderBehaviourInputSerializer,
        responses={201: TenderBehaviourSerializer},
    )
    def post(self, request: Request) -> Response:
        data = TenderBehaviourInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        user = acting_user(request)
        values["decided_by"] = _agency(user, values["decided_by"], "decided_by")
        behaviour = services.behaviour_record(actor=user, data=services.BehaviourInput(**values))
        party = services.parties_with_scores(TenderParty.objects.filter(pk=behaviour.party_id)).get()
        behaviour.party = party
        return Response(TenderBehaviourSerializer(behaviour).data, status=status.HTTP_201_CREATED)


class TenderBehaviourDetailApi(generics.RetrieveAPIView[BadBehaviour]):
    serializer_class = TenderBehaviourSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[BadBehaviour]:
        return TenderBehaviourListApi.get_queryset(self)  # type: ignore[arg-type]


class TenderPartyListApi(generics.ListAPIView[TenderParty]):
    """Parties in your scope with their one current score."""

    serializer_class = TenderPartySerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[TenderParty]:
        if getattr(self, "swagger_fake_view", False):
            return TenderParty.objects.none()
        return services.parties_with_scores(TenderParty.objects.visible_to(self.request.user)).order_by("pk")


class TenderSanctionListApi(generics.ListAPIView[TenderSanction]):
    """Sanctions applied by thresholds, in your scope."""

    serializer_class = TenderSanctionSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[TenderSanction]:
        if getattr(self, "swagger_fake_view", False):
            return TenderSanction.objects.none()
        parties = services.parties_with_scores(TenderParty.objects.all())
        return (
            TenderSanction.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("party", queryset=parties))
            .order_by("pk")
        )


class TenderSchemeListApi(generics.ListAPIView[ScoringScheme]):
    """Every version of the scoring scheme with its items and thresholds."""

    serializer_class = TenderSchemeSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[ScoringScheme]:
        return ScoringScheme.objects.prefetch_related("items", "thresholds").order_by("pk")


class TenderProjectListApi(generics.ListAPIView[TenderProject]):
    """Tender projects of agencies as tenderers, in your scope, with their breaches. POST enters one."""

    serializer_class = TenderProjectSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[TenderProject]:
        return (
            TenderProject.objects.visible_to(self.request.user)
            .select_related("agency")
            .prefetch_related("breaches")
            .order_by("pk")
        )

    @extend_schema(
        operation_id="tendering_projects_create",
        request=TenderProjectInputSerializer,
        responses={201: TenderProjectSerializer},
    )
    def post(self, request: Request) -> Response:
        data = TenderProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        user = acting_user(request)
        values["agency"] = _agency(user, values["agency"], "agency")
        project = services.project_create(actor=user, data=services.ProjectInput(**values))
        return Response(TenderProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class TenderProjectDetailApi(generics.RetrieveAPIView[TenderProject]):
    serializer_class = TenderProjectSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[TenderProject]:
        return TenderProject.objects.visible_to(self.request.user).select_related("agency").prefetch_related("breaches")


urlpatterns: list[URLPattern] = [
    path("tendering/behaviours/", TenderBehaviourListApi.as_view(), name="tendering_behaviours"),
    path("tendering/behaviours/<int:pk>/", TenderBehaviourDetailApi.as_view(), name="tendering_behaviour"),
    path("tendering/parties/", TenderPartyListApi.as_view(), name="tendering_parties"),
    path("tendering/sanctions/", TenderSanctionListApi.as_view(), name="tendering_sanctions"),
    path("tendering/schemes/", TenderSchemeListApi.as_view(), name="tendering_schemes"),
    path("tendering/projects/", TenderProjectListApi.as_view(), name="tendering_projects"),
    path("tendering/projects/<int:pk>/", TenderProjectDetailApi.as_view(), name="tendering_project"),
]
