"""REST endpoints on dishonesty records for staff and REST clients (`/records/`), scoped by accounts/scope.py.

List, read, enter and edit drafts; each workflow step is a POST on its own small view that validates, calls one
service and answers with the record as it now is. A record outside the caller's scope is "not found" everywhere;
records are never deleted. Status codes, in the one error shape (accounts/api_support.py): 400 input a rule refused
(`fields` names the input), 403 a role or region that may not take the step (`not_allowed`), 404 a record outside the
caller's scope, 409 a step the record's current status does not allow (`illegal_transition`).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import DateTimeField, Max, OuterRef, Prefetch, QuerySet, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.fields import SkipField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_support import ConditionalRetrieveMixin, conditional_get_schema
from accounts.http import acting_user
from accounts.models import Sector
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from records import rules
from records.filters import RecordFilter
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    EvidenceFile,
    RecordEvent,
    RecordResponsibility,
    RecordSource,
    Rectification,
    ResponsibilityKind,
    Severity,
    SpecialField,
)
from records.services import (
    RecordInput,
    record_correct,
    record_create,
    record_publish,
    record_return,
    record_revoke,
    record_rule_errors,
    record_submit,
    record_update,
)
from records.services.candidates import record_candidate_dismiss, record_candidate_explain
from records.services.dishonesty import CORRECTABLE_FIELDS
from subjects.api import AgencyRefSerializer
from subjects.models import Agency, CivilServant
from subjects.personal_data import mask_id_numbers_in_text


class MaskedTextField(serializers.CharField):
    """Free text as staff read it: an ID number a clerk typed into it is shown masked (docs/domain.md §2)."""

    def to_representation(self, value: Any) -> str:
        return mask_id_numbers_in_text(str(value))


class AgencyCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc"]


class PersonRefSerializer(serializers.ModelSerializer):
    """A civil servant as a record names them: the ID number only ever masked."""

    class Meta:
        model = CivilServant
        fields = ["id", "name", "id_number_masked"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    person = PersonRefSerializer()

    class Meta:
        model = RecordResponsibility
        fields = ["person", "kind"]


class RectificationSerializer(serializers.ModelSerializer):
    explanation = MaskedTextField()
    overdue = serializers.SerializerMethodField(help_text=_("Not answered, past its deadline, measure still active."))

    class Meta:
        model = Rectification
        fields = ["deadline", "deadline_provisional", "explanation", "submitted_at", "overdue"]

    def get_overdue(self, obj: Rectification) -> bool:
        return obj.is_overdue_on(timezone.localdate())


class MeasureSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="measure_type.code")
    name = serializers.CharField(source="measure_type.name")
    target_agency = AgencyRefSerializer()
    target_person = PersonRefSerializer(allow_null=True)
    executing_agency = AgencyRefSerializer()
    state_reason = MaskedTextField()
    rectification = serializers.SerializerMethodField(help_text=_("限期整改: the deadline and the unit's answer."))

    class Meta:
        model = AppliedMeasure
        fields = [
            "id",
            "code",
            "name",
            "target_agency",
            "target_person",
            "executing_agency",
            "starts_on",
            "ends_on",
            "state",
            "state_reason",
            "wrongful",
            "rectification",
        ]

    @extend_schema_field(RectificationSerializer(allow_null=True))
    def get_rectification(self, obj: AppliedMeasure) -> dict[str, Any] | None:
        rectification = getattr(obj, "rectification", None)  # the reverse one-to-one raises when there is none
        return None if rectification is None else RectificationSerializer(rectification).data


class RecordWindowSerializer(serializers.Serializer):
    """The disclosure window, computed from the rule in force on the decision date; never typed in."""

    rule_id = serializers.IntegerField(source="disclosure_rule_id")
    rule_citation = serializers.CharField(source="disclosure_rule.citation")
    publicly_disclosed = serializers.BooleanField(help_text=_("False for tiers the rule keeps off the public site."))
    disclosure_starts_on = serializers.DateField()
    earliest_repair_on = serializers.DateField(help_text=_("Credit repair may be applied for from this day."))
    disclosure_ends_on = serializers.DateField(
        source="disclosed_until",
        allow_null=True,
        help_text=_(
            "公示截止日期: the last day the record is shown to the public (inclusive); null when it is not publicly "
            "disclosed."
        ),
    )
    disclosed_now = serializers.SerializerMethodField(help_text=_("Shown on the public site today."))

    def get_disclosed_now(self, obj: DishonestyRecord) -> bool:
        return obj.is_disclosed_on(timezone.localdate())


class RecordSerializer(serializers.ModelSerializer):
    subject_agency = AgencyCodeSerializer()
    subject_person = PersonRefSerializer(allow_null=True)
    deciding_agency = AgencyCodeSerializer(allow_null=True)
    data_source_agency = AgencyCodeSerializer()
    facts = MaskedTextField()
    legal_basis = MaskedTextField()
    categories = MaskedTextField()
    loss_description = MaskedTextField()
    social_impact = MaskedTextField()
    window = RecordWindowSerializer(source="*")
    version = serializers.IntegerField(help_text=_("Bumped on every change the credit platform must receive."))
    created_by = serializers.CharField(source="created_by.username")
    responsible = ResponsibilitySerializer(source="responsibilities", many=True, help_text=_("惩戒到人."))
    measures = MeasureSerializer(many=True)
    origin_label = serializers.CharField(
        help_text=_("A candidate record: what the breach was found in (e.g. a public commitment); empty otherwise.")
    )
    explanation = MaskedTextField(help_text=_("书面说明原因: the agency's written explanation of a candidate."))

    class Meta:
        model = DishonestyRecord
        fields = [
            "id",
            "status",
            "subject_agency",
            "subject_person",
            "subject_name",
            "source",
            "sector",
            "severity",
            "special_field",
            "document_number",
            "deciding_agency",
            "deciding_body_name",
            "deciding_body_uscc",
            "decision_date",
            "facts",
            "legal_basis",
            "categories",
            "fine_amount",
            "other_amount",
            "loss_description",
            "social_impact",
            "data_source_agency",
            "window",
            "version",
            "published_at",
            "origin_label",
            "explanation",
            "explained_at",
            "created_by",
            "created_at",
            "updated_at",
            "responsible",
            "measures",
        ]
        read_only_fields = fields


class RecordEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, help_text=_("Null for scheduled jobs."))
    reason = MaskedTextField()
    changes = serializers.SerializerMethodField(help_text=_("Changed fields: [old value, new value]."))

    class Meta:
        model = RecordEvent
        fields = ["id", "kind", "from_status", "to_status", "reason", "changes", "actor", "at"]

    def get_changes(self, obj: RecordEvent) -> dict[str, list[str]]:
        return {name: [mask_id_numbers_in_text(str(v)) for v in values] for name, values in obj.changes.items()}


class EvidenceSerializer(serializers.ModelSerializer):
    """What is known of an evidence file; the file itself is served only by the staff pages, which check scope."""

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class RecordDetailSerializer(RecordSerializer):
    events = RecordEventSerializer(many=True, help_text=_("The timeline: who, when, from, to, why."))
    evidence = EvidenceSerializer(many=True)

    class Meta(RecordSerializer.Meta):
        fields = [*RecordSerializer.Meta.fields, "events", "evidence"]
        read_only_fields = fields


# Input


class InScopeField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the caller may see (`visible_to`); any other id reads as "does not exist"."""

    def get_queryset(self) -> QuerySet[Any]:
        # Every InScopeField is given a queryset (the stubs: it may have none).
        return super().get_queryset().visible_to(self.context["request"].user)  # type: ignore[union-attr]


class AgencyField(serializers.PrimaryKeyRelatedField):
    """An agency by id; an id that names none the caller may name is refused in the words of records.rules."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        super().__init__(error_messages=rules.error_messages(name), **kwargs)
        self.input_name = name

    def fail(self, key: str, **kwargs: Any) -> Any:
        if key == "does_not_exist":
            raise serializers.ValidationError(
                rules.agency_not_found(self.input_name, kwargs["pk_value"]).message, code=key
            )
        return super().fail(key, **kwargs)


class AgencyInScopeField(AgencyField, InScopeField):
    """An agency among those the caller may see (InScopeField), refused as records.rules words it."""


class AmountField(serializers.DecimalField):
    """An amount in 10,000 yuan (万元) as a decimal string: read here, held to records.rules (sign, size, six places)
    with the record's other rules. The digits stay declared for the schema."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("In 10,000 yuan (万元), as a decimal string."))
        super().__init__(
            max_digits=rules.AMOUNT_MAX_DIGITS,
            decimal_places=rules.AMOUNT_PLACES,
            error_messages=rules.error_messages(name),
            **kwargs,
        )

    def validate_precision(self, value: Any) -> Any:
        return value  # records.rules.amount_problem

    def quantize(self, value: Any) -> Any:
        return value  # kept as sent; the rules refuse more than six places


def text_field(name: str, **kwargs: Any) -> serializers.CharField:
    """A record's text with the length and messages of records.rules."""
    if name in rules.MAX_LENGTHS:
        kwargs["max_length"] = rules.MAX_LENGTHS[name]
    return serializers.CharField(error_messages=rules.error_messages(name), **kwargs)


def choice_field(name: str, choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, error_messages=rules.error_messages(name), **kwargs)


class ResponsibleInputSerializer(serializers.Serializer):
    person = InScopeField(queryset=CivilServant.objects.all(), help_text=_("A civil servant in your scope."))
    kind = serializers.ChoiceField(
        choices=ResponsibilityKind.choices, error_messages={"invalid_choice": rules.KIND_MISSING}
    )


class RecordInputSerializer(serializers.Serializer):
    """A record as a clerk or a client system enters it. Shapes only: the rules are the services' (records.rules,
    whose limits and messages the fields take); the keys are those of the services' RecordInput, so an error from a
    rule names the key that was sent."""

    subject_agency = AgencyInScopeField(
        name="subject_agency", queryset=Agency.objects.all(), help_text=_("An agency in your scope.")
    )
    subject_person = InScopeField(
        queryset=CivilServant.objects.all(),
        allow_null=True,
        default=None,
        help_text=_("Only when the record is about one civil servant of the subject agency."),
    )
    # DRF's metaclass takes declared fields off the class; the stubs read this one as Field.source.
    source = choice_field("source", RecordSource.choices)  # type: ignore[assignment]
    sector = choice_field("sector", Sector.choices)
    severity = choice_field("severity", Severity.choices)
    special_field = choice_field("special_field", SpecialField.choices, allow_blank=True, default="")
    document_number = text_field("document_number")
    deciding_agency = AgencyField(
        name="deciding_agency",
        queryset=Agency.objects.all(),
        allow_null=True,
        default=None,
        help_text=_("When the deciding body is an agency in this system; its name and code are then taken from it."),
    )
    deciding_body_name = text_field(
        "deciding_body_name", allow_blank=True, default="", help_text=_("Otherwise the deciding body's name…")
    )
    deciding_body_uscc = text_field(
        "deciding_body_uscc", allow_blank=True, default="", help_text=_("…and its Unified Social Credit Code.")
    )
    decision_date = serializers.DateField(error_messages=rules.error_messages("decision_date"))
    facts = text_field("facts")
    legal_basis = text_field("legal_basis")
    categories = text_field("categories", allow_blank=True, default="")
    fine_amount = AmountField(name="fine_amount", allow_null=True, default=None)
    other_amount = AmountField(name="other_amount", allow_null=True, default=None)
    loss_description = text_field("loss_description", allow_blank=True, default="")
    social_impact = text_field("social_impact", allow_blank=True, default="")
    data_source_agency = AgencyInScopeField(
        name="data_source_agency",
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The agency supplying the record; by default your own (on an edit: the record's)."),
    )
    responsible = ResponsibleInputSerializer(
        many=True,
        required=False,
        help_text=_("惩戒到人. The subject agency's principal responsible person is added when none is listed."),
    )


# The input's keys are RecordInput's fields, so a DomainError's `field` names the key the caller sent.
RECORD_INPUT_FIELDS = tuple(name for name in RecordInput.__dataclass_fields__ if name != "responsible")


def _check_record_body(serializer: RecordInputSerializer, *, record: DishonestyRecord | None = None) -> None:
    """Shape and rules in one answer: when the body's shape is wrong, what could be read still goes through the
    services' rules, and the 400 names every field at fault (not the shape errors first, the rules on the next try)."""
    if serializer.is_valid():
        return
    errors: dict[str, Any] = dict(serializer.errors)
    if not isinstance(serializer.initial_data, Mapping):  # not an object at all: nothing to read the rules on
        raise serializers.ValidationError(errors)
    readable: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if name in errors or name == "responsible" or field.read_only:
            continue
        try:
            readable[name] = field.run_validation(field.get_value(serializer.initial_data))
        except (serializers.ValidationError, SkipField):
            continue
    if not serializer.partial:
        rule_errors = record_rule_errors(readable, record_id=record.pk if record is not None else None)
        for name, messages in rule_errors.items():
            errors.setdefault(name, messages)
    raise serializers.ValidationError(errors)


def _record_input(
    request: Request, validated: dict[str, Any], *, record: DishonestyRecord | None = None, partial: bool = False
) -> RecordInput:
    """The services' RecordInput from the validated body; a PATCH keeps whatever it does not name."""
    values: dict[str, Any] = {}
    if record is not None:
        values["data_source_agency"] = record.data_source_agency
        if partial:
            values.update({name: getattr(record, name) for name in RECORD_INPUT_FIELDS})
            values["responsible"] = [{"person": r.person, "kind": r.kind} for r in record.responsibilities.all()]
    values.update(validated)
    if values.get("data_source_agency") is None:
        user = acting_user(request)
        if user.agency_id is None:
            raise exceptions.ValidationError({"data_source_agency": [_("This field is required.")]})
        values["data_source_agency"] = user.agency
    values["responsible"] = [(row["person"], row["kind"]) for row in values.get("responsible", [])]
    return RecordInput(**values)


class RecordChangesSerializer(serializers.Serializer):
    """What a correction changes: only the fields named, and only those a correction may change."""

    severity = choice_field("severity", Severity.choices, required=False)
    special_field = choice_field("special_field", SpecialField.choices, allow_blank=True, required=False)
    decision_date = serializers.DateField(required=False, error_messages=rules.error_messages("decision_date"))
    document_number = text_field("document_number", required=False)
    facts = text_field("facts", required=False)
    legal_basis = text_field("legal_basis", required=False)
    categories = text_field("categories", allow_blank=True, required=False)
    fine_amount = AmountField(name="fine_amount", allow_null=True, required=False, help_text=None)
    other_amount = AmountField(name="other_amount", allow_null=True, required=False, help_text=None)
    loss_description = text_field("loss_description", allow_blank=True, required=False)
    social_impact = text_field("social_impact", allow_blank=True, required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            # Named here so the caller reads `changes.<field>`; the service refuses them too (CORRECTABLE_FIELDS).
            fixed = sorted(set(data) - CORRECTABLE_FIELDS)
            if fixed:
                raise exceptions.ValidationError({name: [_("This field cannot be corrected.")] for name in fixed})
        return super().to_internal_value(data)


class RecordCorrectionSerializer(serializers.Serializer):
    changes = RecordChangesSerializer()
    reason = serializers.CharField(max_length=2000, help_text=_("Why the record is corrected; kept on its timeline."))


class RecordReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Kept on the record's timeline."))


class RecordExplanationSerializer(serializers.Serializer):
    explanation = serializers.CharField(
        max_length=5000,
        help_text=_("书面说明原因: why the breach happened; may be rewritten until the record goes on."),
    )


# Views


def _record_prefetches(*, detail: bool) -> "list[Prefetch[Any, Any, Any]]":
    prefetches: list[Prefetch[Any, Any, Any]] = [
        Prefetch("responsibilities", queryset=RecordResponsibility.objects.select_related("person").order_by("pk")),
        Prefetch(
            "measures",
            queryset=AppliedMeasure.objects.select_related(
                "measure_type", "target_agency", "target_person", "executing_agency", "rectification"
            ).order_by("pk"),
        ),
    ]
    if detail:
        prefetches += [
            Prefetch("events", queryset=RecordEvent.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("evidence", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")),
        ]
    return prefetches


def _records(request: Request, *, detail: bool = False, prefetch: bool = True) -> QuerySet[DishonestyRecord]:
    """The caller's records with everything the serializers read, in a number of queries that does not grow."""
    records = DishonestyRecord.objects.visible_to(request.user).select_related(
        "subject_agency", "subject_person", "deciding_agency", "data_source_agency", "disclosure_rule", "created_by"
    )
    return records.prefetch_related(*_record_prefetches(detail=detail)) if prefetch else records


# Before any stored time; stands in for "none" so that one missing time does not blank the others.
_NEVER = Value(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), output_field=DateTimeField())


def _latest(model: Any, *times: str) -> Subquery:
    """The latest of `times` over the rows of `model` hanging off the outer record, or null without rows."""
    each = [Coalesce(name, _NEVER) for name in times]
    latest = Max(Greatest(*each) if len(each) > 1 else each[0])
    rows = model.objects.filter(record=OuterRef("pk")).order_by().values("record").annotate(latest=latest)
    return Subquery(rows.values("latest"), output_field=DateTimeField())


def _with_etag_stamps(records: QuerySet[DishonestyRecord]) -> QuerySet[DishonestyRecord]:
    """What the detail shows beyond the record's row and the rows fetched with it, and that can change without
    touching the record (a measure's state does touch it: records.services.measures.record_touch): evidence, answers
    to rectifications, renamed people and agencies named by measures and responsibilities. One value per table,
    inside the same query, for the ETag."""
    return records.annotate(
        evidence_stamp=_latest(EvidenceFile, "uploaded_at"),
        measures_stamp=_latest(
            AppliedMeasure,
            "rectification__submitted_at",
            "target_agency__updated_at",
            "target_person__updated_at",
            "executing_agency__updated_at",
        ),
        responsible_stamp=_latest(RecordResponsibility, "person__updated_at"),
    )


def _updated(obj: Any) -> object:
    return None if obj is None else obj.updated_at


def _record_detail(request: Request, record: DishonestyRecord) -> dict[str, Any]:
    return RecordDetailSerializer(_records(request, detail=True).get(pk=record.pk)).data


class RecordApiFilter(RecordFilter):
    # The API pages with an id cursor, which fixes the order: a sort parameter would be silently ignored.
    ordering = None  # type: ignore[assignment]


FORBIDDEN_STEP = OpenApiResponse(description="Your role or region may not do this to the record (`not_allowed`).")
ILLEGAL_STEP = OpenApiResponse(
    description="The record's status does not allow this (`illegal_transition`), e.g. someone else moved it first."
)
STEP_RESPONSES: dict[int, Any] = {200: RecordDetailSerializer, 403: FORBIDDEN_STEP, 409: ILLEGAL_STEP}


class RecordListApi(generics.ListAPIView):
    """Records in your scope, filtered, paged by id; `updated_after` for incremental pulls. POST enters a draft."""

    serializer_class = RecordSerializer
    filterset_class = RecordApiFilter
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[DishonestyRecord]:
        return _records(self.request)

    @extend_schema(
        operation_id="records_create",
        request=RecordInputSerializer,
        responses={201: RecordDetailSerializer, 403: FORBIDDEN_STEP},
    )
    def post(self, request: Request) -> Response:
        data = RecordInputSerializer(data=request.data, context={"request": request})
        _check_record_body(data)
        record = record_create(actor=acting_user(request), data=_record_input(request, data.validated_data))
        return Response(_record_detail(request, record), status=status.HTTP_201_CREATED)


@extend_schema_view(get=conditional_get_schema(RecordDetailSerializer))
class RecordDetailApi(ConditionalRetrieveMixin, generics.RetrieveAPIView):
    """One record with its timeline; PUT or PATCH edits a draft or returned record. Records are never deleted.
    GET answers with an ETag and honours If-None-Match."""

    serializer_class = RecordDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[DishonestyRecord]:
        # The ETag needs the row and its stamps only: the timeline and the rest are loaded when the answer is a body.
        return _with_etag_stamps(_records(self.request, detail=True, prefetch=False))

    def etag_parts(self, obj: Any) -> tuple[object, ...]:
        return (
            obj.pk,
            obj.version,
            obj.updated_at,
            obj.disclosure_rule_id,
            _updated(obj.subject_agency),
            _updated(obj.subject_person),
            _updated(obj.deciding_agency),
            _updated(obj.data_source_agency),
            obj.evidence_stamp,
            obj.measures_stamp,
            obj.responsible_stamp,
            # "disclosed now" and "overdue" are judged against today.
            timezone.localdate(),
        )

    def prepare(self, obj: DishonestyRecord) -> DishonestyRecord:
        prefetch_related_objects([obj], *_record_prefetches(detail=True))
        return obj

    @extend_schema(operation_id="records_update", request=RecordInputSerializer, responses=STEP_RESPONSES)
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=False)

    @extend_schema(operation_id="records_partial_update", request=RecordInputSerializer, responses=STEP_RESPONSES)
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        record = self.get_object()
        data = RecordInputSerializer(data=request.data, partial=partial, context={"request": request})
        _check_record_body(data, record=record)
        record_input = _record_input(request, data.validated_data, record=record, partial=partial)
        record = record_update(actor=acting_user(request), record=record, data=record_input)
        return Response(_record_detail(request, record))


class RecordStepApi(APIView):
    """A workflow step on a record in the caller's scope ("not found" otherwise): one service, then the record.
    Closed to API clients but for the steps that name the scope they need."""

    def get_record(self, request: Request, pk: int) -> DishonestyRecord:
        records = DishonestyRecord.objects.visible_to(request.user).select_related(
            "subject_agency", "data_source_agency"
        )
        return get_object_or_404(records, pk=pk)

    def answer(self, request: Request, record: DishonestyRecord) -> Response:
        return Response(_record_detail(request, record))


class RecordSubmitApi(RecordStepApi):
    """The agency's reviewer submits a draft or returned record to the credit office."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="records_submit", request=None, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, record_submit(actor=acting_user(request), record=self.get_record(request, pk)))


class RecordReturnApi(RecordStepApi):
    """The credit office returns a submitted record to the agency, saying why."""

    @extend_schema(operation_id="records_return", request=RecordReasonSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data = RecordReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(
            request, record_return(actor=acting_user(request), record=record, reason=data.validated_data["reason"])
        )


class RecordPublishApi(RecordStepApi):
    """The credit office verifies and publishes a submitted record: its window is fixed and its measures apply."""

    @extend_schema(
        operation_id="records_publish",
        request=None,
        responses={
            **STEP_RESPONSES,
            400: OpenApiResponse(description="Its disclosure period has already ended (`window_closed`)."),
            403: OpenApiResponse(
                description=(
                    "Not the credit office of the record's region (`not_allowed`), or the caller submitted the record "
                    "and RECORD_ALLOW_SELF_PUBLISH is off (`submitter_may_not_publish`)."
                ),
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, record_publish(actor=acting_user(request), record=self.get_record(request, pk)))


class RecordCorrectApi(RecordStepApi):
    """The credit office corrects a published record; the window follows the corrected facts."""

    @extend_schema(operation_id="records_correct", request=RecordCorrectionSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data = RecordCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        corrected = record_correct(
            actor=acting_user(request),
            record=record,
            changes=data.validated_data["changes"],
            reason=data.validated_data["reason"],
        )
        return self.answer(request, corrected)


class RecordRevokeApi(RecordStepApi):
    """The credit office revokes a published record; its measures are lifted."""

    @extend_schema(operation_id="records_revoke", request=RecordReasonSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data = RecordReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(
            request, record_revoke(actor=acting_user(request), record=record, reason=data.validated_data["reason"])
        )


class RecordExplainApi(RecordStepApi):
    """The agency explains a candidate record in writing (书面说明原因) before sending it on; an agency's system with
    records:write may do it for its agency."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="records_explain",
        request=RecordExplanationSerializer,
        responses={
            **STEP_RESPONSES,
            403: OpenApiResponse(description="Not the agency the breach was found in (`not_allowed`)."),
            409: OpenApiResponse(
                description="Not a candidate with the agency (`illegal_transition`): entered by a clerk, or sent on."
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data = RecordExplanationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        explained = record_candidate_explain(
            actor=acting_user(request), record=record, explanation=data.validated_data["explanation"]
        )
        return self.answer(request, explained)


class RecordDismissApi(RecordStepApi):
    """The credit office finds no breach in a candidate record: it is closed with the reason, never published."""

    @extend_schema(
        operation_id="records_dismiss",
        request=RecordReasonSerializer,
        responses={
            **STEP_RESPONSES,
            409: OpenApiResponse(
                description="Not a candidate found by the system, or already published or dismissed "
                "(`illegal_transition`)."
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data = RecordReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(
            request,
            record_candidate_dismiss(actor=acting_user(request), record=record, reason=data.validated_data["reason"]),
        )
