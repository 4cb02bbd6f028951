"""REST endpoints of the work ledger (`/api/v1/supervision/ledger/…`), scoped by the models' `visible_to`: a row
outside the caller's scope is "not found". The units' tasks are listed soonest deadline first; a unit sets its status
with a POST that calls the service (evidence files on the staff page). Errors in the one shape
(accounts/api_support.py): 400 input refused, 403 a role that may not, 404 outside scope, 409 a status the task's
does not allow."""

from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from supervision.models.ledger import LedgerAssignment, LedgerTask
from supervision.services import ledger as services

if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    TaskListView = generics.ListAPIView[LedgerTask]
    AssignmentListView = generics.ListAPIView[LedgerAssignment]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    TaskListView = generics.ListAPIView
    AssignmentListView = generics.ListAPIView


class LedgerTaskSerializer(ModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = LedgerTask
        fields = [
            "id",
            "region",
            "year",
            "number",
            "group",
            "content",
            "responsibility",
            "schedule_kind",
            "schedule_text",
            "due_on",
            "check_plan",
            "check_mid_year",
            "check_year_end",
        ]


class LedgerAssignmentSerializer(ModelSerializer):
    unit = serializers.CharField(source="agency.name")
    unit_id = serializers.IntegerField(source="agency_id")
    task_number = serializers.IntegerField(source="task.number")
    year = serializers.IntegerField(source="task.year")
    due_on = serializers.DateField(source="task.due_on", allow_null=True)

    class Meta:
        model = LedgerAssignment
        fields = [
            "id",
            "task",
            "task_number",
            "year",
            "unit",
            "unit_id",
            "role",
            "due_on",
            "status",
            "done_on",
            "note",
            "mid_year_result",
            "year_end_result",
        ]


class LedgerStatusInputSerializer(Serializer):
    status = serializers.ChoiceField(choices=[(s, s) for s in services.SETTABLE])
    note = serializers.CharField(allow_blank=True, default="", max_length=5000)
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class LedgerTaskListApi(TaskListView):
    """Ledger tasks in your scope (of your region, or naming your unit), by year and number."""

    serializer_class = LedgerTaskSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[LedgerTask]:
        return LedgerTask.objects.visible_to(self.request.user).select_related("region").order_by("year", "number")


def _assignments(request: Request) -> QuerySet[LedgerAssignment]:
    return LedgerAssignment.objects.visible_to(request.user).select_related("agency", "task")


class LedgerAssignmentListApi(AssignmentListView):
    """Each unit's part in a task, in your scope, soonest deadline first (continuous tasks last)."""

    serializer_class = LedgerAssignmentSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[LedgerAssignment]:
        return _assignments(self.request).order_by(F("task__due_on").asc(nulls_last=True), "task__number", "pk")


class LedgerStatusApi(APIView):
    """The unit sets its status on a task: in progress, or done (with a note)."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="ledger_assignments_status",
        request=LedgerStatusInputSerializer,
        responses={
            200: LedgerAssignmentSerializer,
            403: OpenApiResponse(description="Your role may not do this (`not_allowed`)."),
            409: OpenApiResponse(description="The current status does not allow this (`illegal_transition`)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = get_object_or_404(_assignments(request), pk=pk)
        data = LedgerStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.status_set(actor=acting_user(request), assignment=assignment, **data.validated_data)
        return Response(LedgerAssignmentSerializer(_assignments(request).get(pk=pk)).data)


urlpatterns: list[URLPattern] = [
    path("ledger/tasks/", LedgerTaskListApi.as_view(), name="ledger-task-list"),
    path("ledger/assignments/", LedgerAssignmentListApi.as_view(), name="ledger-assignment-list"),
    path("ledger/assignments/<int:pk>/status/", LedgerStatusApi.as_view(), name="ledger-assignment-status"),
]
