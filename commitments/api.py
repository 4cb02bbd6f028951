"""REST endpoints on public commitments for staff and REST clients (`/commitments/`), scoped by accounts/scope.py
(commitment_q).

List, read, enter and edit drafts; each workflow step is a POST on its own small view that validates, calls one
service and answers with the commitment as it now is; progress reports are listed and filed (multipart, with evidence
files) under the commitment. A commitment outside the caller's scope is "not found" everywhere; nothing is deleted.
Status codes, in the one error shape (accounts/api_support.py): 400 input a rule refused (`fields` names the input,
every field at fault in one answer, in the words of commitments.rules), 403 a role that may not take the step
(`not_allowed`), 404 outside the caller's scope, 409 a step the commitment's status does not allow
(`illegal_transition`).

API clients reach commitments as they reach records (accounts.scope.commitment_q): records:read reads those of its
agencies, records:write enters, submits, withdraws, marks stalled and reports progress for its one agency. The credit
office's steps (return, publish, decide, lawful change) are closed to clients, as a record's are.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.fields import SkipField
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.filters import IdFilter, MomentFilter, StrictBooleanFilter
from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from commitments import rules
from commitments.models import (
    ChangeGround,
    Commitment,
    CommitmentEvent,
    CommitmentKind,
    CommitmentStatus,
    ProgressEvidence,
    ProgressReport,
    ServiceArea,
)
from commitments.services import (
    OUTCOME_ACTIONS,
    CommitmentInput,
    LawfulChange,
    commitment_change,
    commitment_create,
    commitment_decide,
    commitment_mark_stalled,
    commitment_publish,
    commitment_report_progress,
    commitment_return,
    commitment_submit,
    commitment_update,
    commitment_withdraw,
)
from kernel.errors import DomainError
from records.api.dishonesty import AgencyCodeSerializer, InScopeField, MaskedTextField, PersonRefSerializer
from records.rules import AGENCY_NOT_FOUND
from records.services.evidence import evidence_check
from subjects.models import Agency, CivilServant
from subjects.personal_data import mask_id_numbers_in_text

if TYPE_CHECKING:
    # The stubs make DRF's classes generic; the classes themselves take no parameters at run time.
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    ListAPIView = generics.ListAPIView[Any]
    RetrieveAPIView = generics.RetrieveAPIView[Any]
else:
    ModelSerializer, Serializer = serializers.ModelSerializer, serializers.Serializer
    ListAPIView, RetrieveAPIView = generics.ListAPIView, generics.RetrieveAPIView

# Output ------------------------------------------------------------------------------------------------------------


class CommitmentSerializer(ModelSerializer):
    agency = AgencyCodeSerializer()
    responsible_person = PersonRefSerializer(allow_null=True)
    content = MaskedTextField()
    liability = MaskedTextField()
    outcome_reason = MaskedTextField()
    change_description = MaskedTextField()
    target = serializers.CharField(
        source="target_text",
        help_text=_("The target as the public reads it: baseline → target value and unit, or the recurring standard."),
    )
    overdue = serializers.SerializerMethodField(help_text=_("Published, without an outcome, and past its due date."))
    version = serializers.IntegerField(help_text=_("Bumped on every change the credit platform must receive."))
    created_by = serializers.CharField(source="created_by.username")
    # Blank when not given: declared so, as the generated schema would otherwise not allow "".
    service_area = serializers.ChoiceField(choices=ServiceArea.choices, allow_blank=True, read_only=True)
    change_ground = serializers.ChoiceField(choices=ChangeGround.choices, allow_blank=True, read_only=True)
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "code",
            "status",
            "agency",
            "responsible_person",
            "kind",
            "sector",
            "service_area",
            "title",
            "content",
            "baseline",
            "target_value",
            "unit",
            "recurring_standard",
            "target",
            "source_document_number",
            "source_date",
            "source_url",
            "counterparty_name",
            "counterparty_uscc",
            "promised_on",
            "due_on",
            "liability",
            "year",
            "progress_percent",
            "last_progress_on",
            "overdue",
            "outcome_reason",
            "outcome_decided_at",
            "change_ground",
            "change_authority",
            "change_description",
            "legality_review_on",
            "collective_decision_on",
            "counterparty_notified_on",
            "change_published_on",
            "compensation_amount",
            "breach_record",
            "version",
            "published_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Commitment) -> bool:
        return obj.is_overdue(timezone.localdate())


class CommitmentEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, help_text=_("Null for scheduled jobs."))
    reason = MaskedTextField()
    changes = serializers.SerializerMethodField(help_text=_("What the step changed, by field."))

    class Meta:
        model = CommitmentEvent
        fields = ["id", "kind", "from_status", "to_status", "reason", "changes", "actor", "at"]

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_changes(self, obj: CommitmentEvent) -> dict[str, Any]:
        return {name: _masked(value) for name, value in obj.changes.items()}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_id_numbers_in_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


class CommitmentDetailSerializer(CommitmentSerializer):
    events = CommitmentEventSerializer(many=True, help_text=_("The timeline: who, when, from, to, why."))

    class Meta(CommitmentSerializer.Meta):
        fields = [*CommitmentSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ProgressEvidenceSerializer(ModelSerializer):
    """What is known of an evidence file; the file itself is served only by the staff pages, which check scope."""

    class Meta:
        model = ProgressEvidence
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class ProgressReportSerializer(ModelSerializer):
    narrative = MaskedTextField()
    created_by = serializers.CharField(source="created_by.username")
    evidence = ProgressEvidenceSerializer(many=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "reported_on", "percent", "narrative", "created_by", "created_at", "evidence"]
        read_only_fields = fields


# Input -------------------------------------------------------------------------------------------------------------


class CommitmentAgencyField(InScopeField):
    """An agency among those the caller may see; any other id is refused as an agency the caller cannot name."""

    def fail(self, key: str, **kwargs: Any) -> Any:
        if key == "does_not_exist":
            raise serializers.ValidationError(str(AGENCY_NOT_FOUND) % {"text": kwargs["pk_value"]}, code=key)
        return super().fail(key, **kwargs)


def _text(name: str, **kwargs: Any) -> serializers.CharField:
    """Text with the limit and the words of commitments.rules; blank only where the rules allow it."""
    if name in rules.LIMITS:
        kwargs.setdefault("max_length", rules.LIMITS[name])
    if name not in rules.REQUIRED:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
    return serializers.CharField(error_messages=rules.error_messages(name), **kwargs)


def _number(name: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, default=None, error_messages=rules.error_messages(name)
    )


class CommitmentInputSerializer(Serializer):
    """A commitment as a clerk or a client system enters it. Shapes only: the rules are commitments.rules' (whose
    limits and messages the fields take) and the services'; the keys are those of CommitmentInput, so an error from
    a rule names the key that was sent."""

    agency = CommitmentAgencyField(
        queryset=Agency.objects.all(),
        error_messages=rules.error_messages("agency"),
        help_text=_("The promising agency, in your scope."),
    )
    kind = serializers.ChoiceField(choices=CommitmentKind.choices, error_messages=rules.error_messages("kind"))
    title = _text("title")
    content = _text("content")
    source_document_number = _text("source_document_number")
    source_date = serializers.DateField(error_messages=rules.error_messages("source_date"))
    promised_on = serializers.DateField(error_messages=rules.error_messages("promised_on"))
    due_on = serializers.DateField(error_messages=rules.error_messages("due_on"))
    liability = _text("liability")
    year = serializers.IntegerField(min_value=2000, max_value=2100, error_messages=rules.error_messages("year"))
    responsible_person = InScopeField(
        queryset=CivilServant.objects.all(),
        allow_null=True,
        default=None,
        help_text=_("A civil servant of the promising agency, in your scope."),
    )
    service_area = serializers.ChoiceField(
        choices=ServiceArea.choices,
        allow_blank=True,
        default="",
        error_messages=rules.error_messages("service_area"),
        help_text=_("Only for a sub-district or town public-service commitment, which must name one."),
    )
    baseline = _number("baseline")
    target_value = _number("target_value")
    unit = _text("unit")
    recurring_standard = _text(
        "recurring_standard", help_text=_("Without a target value: the standard kept every time.")
    )
    source_url = serializers.URLField(
        max_length=rules.LIMITS["source_url"],
        allow_blank=True,
        default="",
        error_messages=rules.error_messages("source_url"),
    )
    counterparty_name = _text("counterparty_name")
    counterparty_uscc = _text("counterparty_uscc", max_length=18)
    code = _text("code", max_length=40, help_text=_("Left empty, a code is given (CN<year>-<number>)."))


INPUT_FIELDS = tuple(CommitmentInput.__dataclass_fields__)


def _input_rule_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    return rules.by_field(rules.commitment_problems(values))


def _check(serializer: Serializer, rule_errors: Callable[[dict[str, Any]], dict[str, list[str]]] | None = None) -> None:
    """Shape and rules in one answer: when the body's shape is wrong, what could be read still goes through the
    rules, and the 400 names every field at fault (not the shape errors first, the rules on the next try)."""
    if serializer.is_valid():
        return
    errors: dict[str, Any] = dict(serializer.errors)
    if rule_errors is None or not isinstance(serializer.initial_data, Mapping):
        raise serializers.ValidationError(errors)
    readable: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if name in errors or field.read_only:
            continue
        try:
            readable[name] = field.run_validation(field.get_value(serializer.initial_data))
        except (serializers.ValidationError, SkipField):
            continue
    for name, messages in rule_errors(readable).items():
        errors.setdefault(name, messages)
    raise serializers.ValidationError(errors)


def _commitment_input(
    validated: dict[str, Any], *, commitment: Commitment | None = None, partial: bool = False
) -> CommitmentInput:
    """The services' CommitmentInput from the validated body; a PATCH keeps whatever it does not name."""
    values: dict[str, Any] = {}
    if commitment is not None and partial:
        values = {name: getattr(commitment, name) for name in INPUT_FIELDS}
    values.update(validated)
    return CommitmentInput(**values)


class CommitmentReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Kept on the commitment's timeline."))


OUTCOME_CHOICES = [(status, CommitmentStatus(status).label) for status in OUTCOME_ACTIONS]
CHOOSE_OUTCOME = _("Choose kept, partly kept or broken.")


class DecisionSerializer(Serializer):
    outcome = serializers.ChoiceField(
        choices=OUTCOME_CHOICES,
        error_messages={"invalid_choice": CHOOSE_OUTCOME, "required": CHOOSE_OUTCOME, "null": CHOOSE_OUTCOME},
    )
    reason = serializers.CharField(
        max_length=5000, help_text=_("The grounds and the evidence of the outcome; kept on the timeline.")
    )


class LawfulChangeSerializer(Serializer):
    """A lawful change (seed 000 §(十一)): the rules (commitments.rules.change_problems) say what is required."""

    ground = serializers.ChoiceField(choices=ChangeGround.choices, allow_blank=True, default="")
    authority = serializers.CharField(max_length=200, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000, allow_blank=True, default="")
    legality_review_on = serializers.DateField(allow_null=True, default=None)
    collective_decision_on = serializers.DateField(allow_null=True, default=None)
    published_on = serializers.DateField(allow_null=True, default=None, help_text=_("When the change was published."))
    counterparty_notified_on = serializers.DateField(
        allow_null=True, default=None, help_text=_("Required when the commitment names a counterparty.")
    )
    compensation_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, default=None, help_text=_("Compensation paid, in yuan.")
    )


PROGRESS_DATE = _("Give the date of the report.")
PROGRESS_PERCENT = _("Give a percentage from 0 to 100.")
PROGRESS_NARRATIVE = _("Say what was done.")


class ProgressReportInputSerializer(Serializer):
    reported_on = serializers.DateField(error_messages={"required": PROGRESS_DATE, "null": PROGRESS_DATE})
    percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        error_messages={
            key: PROGRESS_PERCENT
            for key in ("required", "null", "invalid", "min_value", "max_value", "max_string_length")
        },
    )
    narrative = serializers.CharField(
        max_length=5000, error_messages={"required": PROGRESS_NARRATIVE, "blank": PROGRESS_NARRATIVE}
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("Evidence files (multipart), checked as record evidence is: PDF, images, Office documents."),
    )


def _file_errors(files: Any) -> dict[str, list[str]]:
    """The evidence files' problems in the service's words, for an answer that refuses the rest of the body too."""
    messages = []
    for upload in files if isinstance(files, list) else []:
        if not hasattr(upload, "chunks"):
            continue
        try:
            evidence_check(upload)
        except DomainError as exc:
            messages.append(f"{getattr(upload, 'name', '')}: {exc}")
    return {"files": messages} if messages else {}


# Filters -----------------------------------------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(filters.NumberFilter):  # type: ignore[misc]  # django-filter has no types
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=2000, max_value=2100, **kwargs)


class CommitmentApiFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter has no types
    """The API's filters on commitments; a value a filter cannot read is a 400, never ignored."""

    year = YearFilter(field_name="year", help_text=_("The year of the commitment."))
    kind = filters.MultipleChoiceFilter(choices=CommitmentKind.choices)
    status = filters.MultipleChoiceFilter(choices=CommitmentStatus.choices)
    agency = IdFilter(field_name="agency_id", help_text=_("Commitments of this agency."))
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte", help_text=_("Due on or after."))
    due_to = filters.DateFilter(field_name="due_on", lookup_expr="lte", help_text=_("Due on or before."))
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        help_text=_("true: published, without an outcome, past the due date; false: the others."),
    )
    updated_after = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("Changed at or after this moment (ISO 8601), inclusive: incremental pulls miss nothing."),
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet[Commitment], name: str, value: bool) -> QuerySet[Commitment]:
        late = Commitment.objects.open().filter(due_on__lt=timezone.localdate())
        return queryset.filter(pk__in=late.values("pk")) if value else queryset.exclude(pk__in=late.values("pk"))


# Views -------------------------------------------------------------------------------------------------------------


def _commitments(request: Request, *, detail: bool = False) -> QuerySet[Commitment]:
    """The caller's commitments with everything the serializers read, in a number of queries that does not grow."""
    rows = Commitment.objects.visible_to(request.user).select_related("agency", "responsible_person", "created_by")
    if detail:
        rows = rows.prefetch_related(
            Prefetch("events", queryset=CommitmentEvent.objects.select_related("actor").order_by("at", "pk"))
        )
    return rows


def _detail(request: Request, commitment: Commitment) -> dict[str, Any]:
    return CommitmentDetailSerializer(_commitments(request, detail=True).get(pk=commitment.pk)).data


FORBIDDEN_STEP = OpenApiResponse(description="Your role may not do this to the commitment (`not_allowed`).")
ILLEGAL_STEP = OpenApiResponse(
    description="The commitment's status does not allow this (`illegal_transition`), e.g. someone moved it first."
)
STEP_RESPONSES: dict[int, Any] = {200: CommitmentDetailSerializer, 403: FORBIDDEN_STEP, 409: ILLEGAL_STEP}


class CommitmentListApi(ListAPIView):
    """Commitments in your scope, filtered, paged by id; `updated_after` for incremental pulls. POST enters a draft."""

    serializer_class = CommitmentSerializer
    filterset_class = CommitmentApiFilter
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[Commitment]:
        return _commitments(self.request)

    @extend_schema(
        operation_id="commitments_create",
        request=CommitmentInputSerializer,
        responses={201: CommitmentDetailSerializer, 403: FORBIDDEN_STEP},
    )
    def post(self, request: Request) -> Response:
        data = CommitmentInputSerializer(data=request.data, context={"request": request})
        _check(data, _input_rule_errors)
        commitment = commitment_create(actor=acting_user(request), data=_commitment_input(data.validated_data))
        return Response(_detail(request, commitment), status=status.HTTP_201_CREATED)


class CommitmentDetailApi(RetrieveAPIView):
    """One commitment with its timeline; PUT or PATCH edits a draft. A published commitment changes only lawfully
    (`change/`); nothing is deleted."""

    serializer_class = CommitmentDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[Commitment]:
        return _commitments(self.request, detail=True)

    @extend_schema(operation_id="commitments_update", request=CommitmentInputSerializer, responses=STEP_RESPONSES)
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="commitments_partial_update", request=CommitmentInputSerializer, responses=STEP_RESPONSES
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        commitment = self.get_object()
        data = CommitmentInputSerializer(data=request.data, partial=partial, context={"request": request})
        # A PATCH is held to the rules with what it leaves as it is.
        kept = {name: getattr(commitment, name) for name in INPUT_FIELDS} if partial else {}
        _check(data, lambda values: _input_rule_errors({**kept, **values}))
        values = _commitment_input(data.validated_data, commitment=commitment, partial=partial)
        commitment = commitment_update(actor=acting_user(request), commitment=commitment, data=values)
        return Response(_detail(request, commitment))


class CommitmentStepApi(APIView):
    """A workflow step on a commitment in the caller's scope ("not found" otherwise): one service, then the
    commitment. Closed to API clients but for the steps that name the scope they need."""

    def get_commitment(self, request: Request, pk: int) -> Commitment:
        return get_object_or_404(Commitment.objects.visible_to(request.user).select_related("agency"), pk=pk)

    def reason(self, request: Request) -> str:
        data = CommitmentReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason: str = data.validated_data["reason"]
        return reason

    def answer(self, request: Request, commitment: Commitment) -> Response:
        return Response(_detail(request, commitment))


class CommitmentSubmitApi(CommitmentStepApi):
    """The agency's reviewer (or its client system) sends a draft to the credit office."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="commitments_submit", request=None, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        return self.answer(request, commitment_submit(actor=acting_user(request), commitment=commitment))


class CommitmentReturnApi(CommitmentStepApi):
    """The credit office sends a submitted commitment back to the agency as a draft, saying why."""

    @extend_schema(operation_id="commitments_return", request=CommitmentReasonSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        moved = commitment_return(actor=acting_user(request), commitment=commitment, reason=self.reason(request))
        return self.answer(request, moved)


class CommitmentWithdrawApi(CommitmentStepApi):
    """The agency withdraws a commitment it has not yet had published, saying why."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="commitments_withdraw", request=CommitmentReasonSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        moved = commitment_withdraw(actor=acting_user(request), commitment=commitment, reason=self.reason(request))
        return self.answer(request, moved)


class CommitmentPublishApi(CommitmentStepApi):
    """The credit office publishes a submitted commitment: the public sees it, the platform hears of it."""

    @extend_schema(operation_id="commitments_publish", request=None, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        return self.answer(request, commitment_publish(actor=acting_user(request), commitment=commitment))


class CommitmentStallApi(CommitmentStepApi):
    """The agency's reviewer or the credit office marks an open commitment stalled; the next progress report resumes
    it."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="commitments_stall", request=CommitmentReasonSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        moved = commitment_mark_stalled(actor=acting_user(request), commitment=commitment, reason=self.reason(request))
        return self.answer(request, moved)


class CommitmentDecideApi(CommitmentStepApi):
    """The credit office decides (or revises, with a reason) the outcome: kept, partly kept or broken. A broken
    commitment proposes a candidate dishonesty record (its id in `breach_record`)."""

    @extend_schema(
        operation_id="commitments_decide",
        request=DecisionSerializer,
        responses={
            **STEP_RESPONSES,
            400: OpenApiResponse(description="No outcome or no grounds, or the same outcome."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = commitment_decide(
            actor=acting_user(request),
            commitment=commitment,
            outcome=data.validated_data["outcome"],
            reason=data.validated_data["reason"],
        )
        return self.answer(request, decided)


class CommitmentChangeApi(CommitmentStepApi):
    """The credit office records a lawful change of a published commitment: the ground (never a change of
    government, person or institution), the authority, the legal steps with their dates, the compensation paid."""

    @extend_schema(operation_id="commitments_change", request=LawfulChangeSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.get_commitment(request, pk)
        data = LawfulChangeSerializer(data=request.data)

        def change_errors(values: dict[str, Any]) -> dict[str, list[str]]:
            problems = rules.change_problems(
                values, has_counterparty=bool(commitment.counterparty_name), today=timezone.localdate()
            )
            return rules.by_field(problems)

        _check(data, change_errors)
        change = LawfulChange(new_due_on=None, **data.validated_data)
        return self.answer(request, commitment_change(actor=acting_user(request), commitment=commitment, change=change))


class ProgressReportListApi(ListAPIView):
    """The progress reports of a commitment in your scope, oldest first, with what is known of their evidence. POST
    files a report (multipart for evidence files): the first report starts a published commitment, a report on a
    stalled one resumes it."""

    serializer_class = ProgressReportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def commitment(self) -> Commitment:
        rows = Commitment.objects.visible_to(self.request.user).select_related("agency")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[ProgressReport]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no commitment
            return ProgressReport.objects.none()
        return (
            ProgressReport.objects.filter(commitment=self.commitment())
            .select_related("created_by")
            .prefetch_related(Prefetch("evidence", queryset=ProgressEvidence.objects.order_by("uploaded_at", "pk")))
        )

    @extend_schema(
        operation_id="commitments_progress_create",
        request={
            "multipart/form-data": ProgressReportInputSerializer,
            "application/json": ProgressReportInputSerializer,
        },
        responses={
            201: ProgressReportSerializer,
            403: FORBIDDEN_STEP,
            409: OpenApiResponse(description="Only a published commitment without an outcome takes reports."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        commitment = self.commitment()
        data = ProgressReportInputSerializer(data=request.data)
        if not data.is_valid():
            files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
            raise exceptions.ValidationError({**_file_errors(files), **data.errors})
        report = commitment_report_progress(
            actor=acting_user(request),
            commitment=commitment,
            reported_on=data.validated_data["reported_on"],
            percent=data.validated_data["percent"],
            narrative=data.validated_data["narrative"],
            files=data.validated_data["files"],
        )
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(ProgressReportSerializer(fresh).data, status=status.HTTP_201_CREATED)
