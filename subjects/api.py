"""REST endpoints on credit subjects: agencies and civil servants, read-only, scoped by accounts/scope.py.

A civil servant's full ID number never appears here except in the inspector's reveal; every file read, look-up and
reveal is logged through records.services.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_support import ConditionalRetrieveMixin, conditional_get_schema
from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from subjects.filters import AgencyFilter, CivilServantFilter
from subjects.models import (
    Agency,
    AnnualAssessment,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalMattersReport,
)
from subjects.services import (
    civil_servant_file_read,
    civil_servant_lookup_by_id_number,
    civil_servant_reveal_id_number,
)

# Agencies ---------------------------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(read_only=True, help_text=_("1 for a root of the tree, 2 for its children, …"))

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "uscc", "region_code", "parent", "successor", "active", "depth", "updated_at"]
        read_only_fields = fields


def _agencies(request: Request) -> QuerySet[Agency]:
    return Agency.objects.visible_to(request.user).select_related("parent", "successor")


class AgencyListApi(generics.ListAPIView):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Agency]:
        return _agencies(self.request)


@extend_schema_view(get=conditional_get_schema(AgencySerializer))
class AgencyDetailApi(ConditionalRetrieveMixin, generics.RetrieveAPIView):
    """One agency; answers with an ETag and honours If-None-Match."""

    serializer_class = AgencySerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[Agency]:
        return _agencies(self.request)

    def etag_parts(self, obj: Agency) -> tuple[object, ...]:
        # The path too: moving an ancestor rewrites it (and the depth shown) without touching this row's time.
        return (obj.pk, obj.updated_at, obj.path)


# Civil servants ---------------------------------------------------------------------------------------------------


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name"]


class CivilServantSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = CivilServant
        fields = [
            "id",
            "name",
            "id_number_masked",
            "agency",
            "position",
            "rank",
            "is_principal",
            "active",
            "updated_at",
        ]
        read_only_fields = fields


def _people(request: Request) -> QuerySet[CivilServant]:
    return CivilServant.objects.visible_to(request.user).select_related("agency")


class CivilServantListApi(generics.ListAPIView):
    serializer_class = CivilServantSerializer
    filterset_class = CivilServantFilter
    # An API client reads people only to name them on the records it writes (accounts/scope.py).
    client_read_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[CivilServant]:
        return _people(self.request)


@extend_schema_view(get=conditional_get_schema(CivilServantSerializer))
class CivilServantDetailApi(ConditionalRetrieveMixin, generics.RetrieveAPIView):
    """One civil servant; the read is logged (a 304 too: the caller still looked). Answers with an ETag and honours
    If-None-Match."""

    serializer_class = CivilServantSerializer
    client_read_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[CivilServant]:
        return _people(self.request)

    def object_read(self, obj: CivilServant) -> None:
        civil_servant_file_read(actor=acting_user(self.request), person=obj, channel="api")

    def etag_parts(self, obj: CivilServant) -> tuple[object, ...]:
        return (obj.pk, obj.updated_at, obj.agency_id, obj.agency.updated_at)


class CivilServantLookupApi(APIView):
    """Finds a person in your scope by full ID number. POSTed so the number stays out of URLs and logs."""

    # JSON only: the browsable renderer would echo the ID number back into its form.
    renderer_classes = [JSONRenderer]
    client_write_scopes = RECORD_WRITE_SCOPES

    class LookupSerializer(serializers.Serializer):
        id_number = serializers.CharField(max_length=32, help_text=_("The 18-character resident ID number."))

    @extend_schema(
        operation_id="civil_servants_lookup",
        request=LookupSerializer,
        responses={
            200: CivilServantSerializer,
            400: OpenApiResponse(description="Not a valid ID number (`fields.id_number`)."),
            404: OpenApiResponse(description="Nobody in your scope has this ID number."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.LookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = civil_servant_lookup_by_id_number(
            actor=acting_user(request), id_number=data.validated_data["id_number"], channel="api"
        )
        if person is None:
            raise Http404
        return Response(CivilServantSerializer(person).data)


class CivilServantRevealIdNumberApi(APIView):
    """The full ID number, for inspectors only; each reveal is logged with its purpose."""

    renderer_classes = [JSONRenderer]

    class RevealSerializer(serializers.Serializer):
        purpose = serializers.CharField(
            max_length=200, help_text=_("Why you need the number, e.g. the credit review it is for.")
        )

    class RevealedIdNumberSerializer(serializers.Serializer):
        id_number = serializers.CharField()

    @extend_schema(
        operation_id="civil_servants_reveal_id_number",
        request=RevealSerializer,
        responses={
            200: RevealedIdNumberSerializer,
            403: OpenApiResponse(description="Only inspectors may see a full ID number (`not_allowed`)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(_people(request), pk=pk)
        data = self.RevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        id_number = civil_servant_reveal_id_number(
            actor=acting_user(request), person=person, channel="api", purpose=data.validated_data["purpose"]
        )
        response = Response(self.RevealedIdNumberSerializer({"id_number": id_number}).data)
        add_never_cache_headers(response)
        return response


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualAssessment
        fields = ["id", "year", "result", "note", "created_at"]


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntegrityTraining
        fields = ["id", "title", "organizer", "attended_on", "hours", "created_at"]


class MattersReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonalMattersReport
        fields = ["id", "year", "reported_on", "summary", "created_at"]


class MoveSerializer(serializers.ModelSerializer):
    from_agency = AgencyRefSerializer(read_only=True)
    to_agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = CivilServantMove
        fields = ["id", "from_agency", "to_agency", "moved_on", "reason"]


class IntegrityFileSerializer(serializers.Serializer):
    person = CivilServantSerializer(source="*")
    assessments = AssessmentSerializer(many=True)
    trainings = TrainingSerializer(many=True)
    matters_reports = MattersReportSerializer(many=True)
    moves = MoveSerializer(many=True)


class CivilServantIntegrityFileApi(APIView):
    """The integrity file (诚信档案): assessments, trainings, personal-matters reports and moves. The read is logged."""

    @extend_schema(operation_id="civil_servants_integrity_file", responses=IntegrityFileSerializer)
    def get(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(
            _people(request).prefetch_related(
                "assessments",
                "trainings",
                "matters_reports",
                Prefetch("moves", queryset=CivilServantMove.objects.select_related("from_agency", "to_agency")),
            ),
            pk=pk,
        )
        civil_servant_file_read(actor=acting_user(request), person=person, channel="api")
        return Response(IntegrityFileSerializer(person).data)
