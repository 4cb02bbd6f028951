"""Staff endpoints on objections, complaints and credit repair (`/objections/`, `/complaints/`, `/repairs/`) and
mitigation (`/measures/{id}/mitigate/`), scoped by the models' `visible_to`: anything else is "not found".

Lists and cases with their timeline; each workflow step a POST on its own small view that validates the input, calls
one service and answers with the case as it now is. Staff may file an objection or a repair application on a subject's
behalf; the answer carries the case's query code, once. Neither the code nor its digest is ever shown afterwards.
"""

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.filters import IdFilter, StrictBooleanFilter
from accounts.http import acting_user
from records.api.dishonesty import InScopeField, MaskedTextField, RecordChangesSerializer
from records.models import AppliedMeasure, DishonestyRecord
from repair.models import (
    CaseAttachment,
    CaseEvent,
    Complaint,
    ComplaintStatus,
    Mitigation,
    MitigationKind,
    Objection,
    ObjectionGrounds,
    ObjectionOutcome,
    ObjectionStatus,
    RepairApplication,
    RepairStatus,
)
from repair.services import (
    complaint_accept,
    complaint_dismiss,
    complaint_not_accept,
    complaint_resolve,
    mitigation_grant,
    objection_accept,
    objection_file,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    objection_uphold,
    repair_accept,
    repair_apply,
    repair_grant,
    repair_not_accept,
    repair_refuse,
    repair_request_material,
)
from subjects.api import AgencyRefSerializer

Case = Objection | Complaint | RepairApplication

# Enums in the schema -------------------------------------------------------------------------------------------------


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named enum component.

    Three case models each have a `status` (and `kind`, `outcome` recur across the API) with their own choices: the
    schema generator's automatic enum naming would warn about the clash. Naming the enum here keeps it in this module.
    """

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def get_name(self) -> str | None:
        return str(self.target.enum_name)

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        choices = self.target.choices
        return {
            "type": "string",
            "enum": list(choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items()),
        }


def objection_status_field(**kwargs: Any) -> EnumField:
    return EnumField(ObjectionStatus.choices, enum_name="ObjectionStatusEnum", **kwargs)


def complaint_status_field(**kwargs: Any) -> EnumField:
    return EnumField(ComplaintStatus.choices, enum_name="ComplaintStatusEnum", **kwargs)


def repair_status_field(**kwargs: Any) -> EnumField:
    return EnumField(RepairStatus.choices, enum_name="RepairStatusEnum", **kwargs)


def objection_outcome_field(**kwargs: Any) -> EnumField:
    return EnumField(ObjectionOutcome.choices, enum_name="ObjectionOutcomeEnum", **kwargs)


def mitigation_kind_field(**kwargs: Any) -> EnumField:
    return EnumField(MitigationKind.choices, enum_name="MitigationKindEnum", **kwargs)


# Staff: what a case reads as --------------------------------------------------------------------------------------


class CaseRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = DishonestyRecord
        fields = ["id", "document_number", "subject_name", "status"]


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", allow_null=True, help_text=_("Null when the filer took the step.")
    )
    reason = MaskedTextField()

    class Meta:
        model = CaseEvent
        fields = ["id", "from_status", "to_status", "reason", "actor", "at"]


class CaseAttachmentSerializer(serializers.ModelSerializer):
    """What is known of a filed file; the file itself is served only by the staff pages, which check scope."""

    class Meta:
        model = CaseAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]


# Never listed: query_code_digest. The query code itself is stored nowhere.
CASE_FIELDS = [
    "id",
    "record",
    "status",
    "filer_name",
    "filed_by",
    "stage_due_on",
    "stage_due_provisional",
    "overdue",
    "created_at",
    "closed_at",
]
CASE_DETAIL_FIELDS = [
    "filer_contact",
    "filer_email",
    "statement",
    "commitment_signed",
    "decision_reason",
    "events",
    "attachments",
]


class CaseSerializer(serializers.ModelSerializer):
    record = CaseRecordSerializer()
    filed_by = serializers.CharField(
        source="filed_by.username", allow_null=True, help_text=_("Staff who filed it; null when the public did.")
    )
    overdue = serializers.SerializerMethodField(help_text=_("Open and past the deadline of its current stage."))

    def get_overdue(self, obj: Case) -> bool:
        return obj.is_overdue_on(timezone.localdate())


class CaseDetailFields(serializers.Serializer):
    # Blank when the filer gave none: documented as an address or "", as the filing input is.
    filer_email = serializers.EmailField(read_only=True, allow_blank=True, help_text=_("Notices are sent here."))
    statement = MaskedTextField()
    decision_reason = MaskedTextField()
    events = CaseEventSerializer(many=True, help_text=_("The timeline: who, when, from, to, why."))
    attachments = CaseAttachmentSerializer(many=True)


class ObjectionSerializer(CaseSerializer):
    status = objection_status_field()
    outcome = objection_outcome_field(allow_blank=True)

    class Meta:
        model = Objection
        fields = [*CASE_FIELDS, "grounds", "outcome"]
        read_only_fields = fields


class ObjectionDetailSerializer(CaseDetailFields, ObjectionSerializer):
    class Meta(ObjectionSerializer.Meta):
        fields = [*ObjectionSerializer.Meta.fields, *CASE_DETAIL_FIELDS]
        read_only_fields = fields


class ComplaintSerializer(CaseSerializer):
    status = complaint_status_field()
    handling_agency = AgencyRefSerializer(help_text=_("The credit office's agency it was routed to."))

    class Meta:
        model = Complaint
        fields = [*CASE_FIELDS, "objection", "handling_agency"]
        read_only_fields = fields


class ComplaintDetailSerializer(CaseDetailFields, ComplaintSerializer):
    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, *CASE_DETAIL_FIELDS]
        read_only_fields = fields


class RepairSerializer(CaseSerializer):
    status = repair_status_field()

    class Meta:
        model = RepairApplication
        fields = [*CASE_FIELDS, "material_due_on", "material_due_provisional", "decided_at"]
        read_only_fields = fields


class RepairDetailSerializer(CaseDetailFields, RepairSerializer):
    material_request = MaskedTextField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)

    class Meta(RepairSerializer.Meta):
        fields = [
            *RepairSerializer.Meta.fields,
            "material_requested_at",
            "material_request",
            "decided_by",
            "verification_code",
            *CASE_DETAIL_FIELDS,
        ]
        read_only_fields = fields


QUERY_CODE_HELP = _("The filer follows the case with it on the public site. Shown only this once; keep it.")


class ObjectionFiledSerializer(ObjectionDetailSerializer):
    query_code = serializers.CharField(help_text=QUERY_CODE_HELP)

    class Meta(ObjectionDetailSerializer.Meta):
        fields = [*ObjectionDetailSerializer.Meta.fields, "query_code"]
        read_only_fields = fields


class RepairFiledSerializer(RepairDetailSerializer):
    query_code = serializers.CharField(help_text=QUERY_CODE_HELP)

    class Meta(RepairDetailSerializer.Meta):
        fields = [*RepairDetailSerializer.Meta.fields, "query_code"]
        read_only_fields = fields


# Staff: the queries, in a number that does not grow with rows -----------------------------------------------------

CASE_RELATED = ("record", "filed_by")
EVENTS: "Prefetch[Any, Any, Any]" = Prefetch(
    "events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "pk")
)
ATTACHMENTS: "Prefetch[Any, Any, Any]" = Prefetch(
    "attachments", queryset=CaseAttachment.objects.order_by("uploaded_at", "pk")
)


def _objections(request: Request, *, detail: bool = False) -> QuerySet[Objection]:
    objections = Objection.objects.visible_to(request.user).select_related(*CASE_RELATED)
    return objections.prefetch_related(EVENTS, ATTACHMENTS) if detail else objections


def _complaints(request: Request, *, detail: bool = False) -> QuerySet[Complaint]:
    complaints = Complaint.objects.visible_to(request.user).select_related(*CASE_RELATED, "handling_agency")
    return complaints.prefetch_related(EVENTS, ATTACHMENTS) if detail else complaints


def _repairs(request: Request, *, detail: bool = False) -> QuerySet[RepairApplication]:
    repairs = RepairApplication.objects.visible_to(request.user).select_related(*CASE_RELATED)
    return repairs.select_related("decided_by").prefetch_related(EVENTS, ATTACHMENTS) if detail else repairs


# Staff: list filters ----------------------------------------------------------------------------------------------


class CaseFilter(filters.FilterSet):
    record = IdFilter(field_name="record_id", help_text=_("Cases about this record."))
    overdue = StrictBooleanFilter(
        method="filter_overdue", help_text=_("true: open cases past their stage's deadline; false: the others.")
    )

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        late = queryset.overdue()  # type: ignore[attr-defined]
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class ObjectionFilter(CaseFilter):
    status = filters.MultipleChoiceFilter(choices=ObjectionStatus.choices)
    grounds = filters.MultipleChoiceFilter(choices=ObjectionGrounds.choices)

    class Meta:
        model = Objection
        fields: list[str] = []


class ComplaintFilter(CaseFilter):
    status = filters.MultipleChoiceFilter(choices=ComplaintStatus.choices)

    class Meta:
        model = Complaint
        fields: list[str] = []


class RepairFilter(CaseFilter):
    status = filters.MultipleChoiceFilter(choices=RepairStatus.choices)

    class Meta:
        model = RepairApplication
        fields: list[str] = []


# Staff: input --------------------------------------------------------------------------------------------------------


class FilerSerializer(serializers.Serializer):
    """Who files and what they say. Shapes only: the rules (a disclosed record, a signed commitment…) are the
    services', and the keys are the services' own, so an error from a rule names the key that was sent."""

    statement = serializers.CharField(max_length=10000, help_text=_("The request and its reasons."))
    filer_name = serializers.CharField(max_length=100)
    filer_contact = serializers.CharField(max_length=100, help_text=_("A phone number or e-mail address."))
    filer_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default="", help_text=_("Notices are sent here.")
    )
    commitment_signed = serializers.BooleanField(help_text=_("The filer promises the material is true."))


class StaffObjectionInputSerializer(FilerSerializer):
    record = InScopeField(queryset=DishonestyRecord.objects.all(), help_text=_("A record in force in your scope."))
    grounds = serializers.ChoiceField(choices=ObjectionGrounds.choices)


class StaffRepairInputSerializer(FilerSerializer):
    record = InScopeField(queryset=DishonestyRecord.objects.all(), help_text=_("A record in force in your scope."))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Kept on the case's timeline and sent to the filer."))


class MaterialRequestSerializer(serializers.Serializer):
    request = serializers.CharField(max_length=2000, help_text=_("What is missing; asked for once, with a deadline."))


class UpholdSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ObjectionOutcome.CORRECTED, ObjectionOutcome.REVOKED],
        help_text=_("corrected: the record takes the new values; revoked: the record and all its measures go."),
    )
    reason = serializers.CharField(max_length=2000)
    changes = RecordChangesSerializer(required=False, help_text=_("The corrected values (for `corrected`)."))
    wrongful_measures = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=AppliedMeasure.objects.none(),
        help_text=_("For `corrected`: measures of the record that should never have applied; they are lifted."),
    )

    def __init__(self, *args: Any, record: DishonestyRecord | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the record's own measures: another id reads as "does not exist".
        if record is not None:
            measures = cast(serializers.ManyRelatedField, self.fields["wrongful_measures"])
            measures.child_relation.queryset = AppliedMeasure.objects.filter(record=record)


class MitigateSerializer(serializers.Serializer):
    kind = mitigation_kind_field(help_text=_("exempted: the measure is lifted; mitigated: it stays, marked so."))
    reason = serializers.CharField(max_length=2000, help_text=_("How the civil servant made amends (主动自新)."))


class MitigationSerializer(serializers.ModelSerializer):
    kind = mitigation_kind_field()
    reason = MaskedTextField()
    approved_by = serializers.CharField(source="approved_by.username")
    measure_state = serializers.CharField(source="measure.state", help_text=_("The measure's state now."))

    class Meta:
        model = Mitigation
        fields = ["id", "measure", "kind", "reason", "approved_by", "approved_at", "measure_state"]
        read_only_fields = fields


# Staff: views -------------------------------------------------------------------------------------------------------

FORBIDDEN_STEP = OpenApiResponse(description="Your role or region may not do this to the case (`not_allowed`).")
ILLEGAL_STEP = OpenApiResponse(
    description="The case's status does not allow this (`illegal_transition`), e.g. someone else moved it first."
)
FORBIDDEN_FILING = OpenApiResponse(description="You may not file about this record (`not_allowed`).")


def _step_responses(detail: type[serializers.Serializer]) -> dict[int, Any]:
    return {200: detail, 403: FORBIDDEN_STEP, 409: ILLEGAL_STEP}


def validated_input(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


class ObjectionListApi(generics.ListAPIView):
    """Objections about records in your scope, paged by id. POST files one on a subject's behalf."""

    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter

    def get_queryset(self) -> QuerySet[Objection]:
        return _objections(self.request)

    @extend_schema(
        operation_id="objections_create",
        request=StaffObjectionInputSerializer,
        responses={201: ObjectionFiledSerializer, 403: FORBIDDEN_FILING},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(StaffObjectionInputSerializer, request, context={"request": request})
        objection, code = objection_file(**data, filed_by=acting_user(request))
        filed: Any = _objections(request, detail=True).get(pk=objection.pk)
        filed.query_code = code
        return Response(ObjectionFiledSerializer(filed).data, status=status.HTTP_201_CREATED)


class ObjectionDetailApi(generics.RetrieveAPIView):
    """One objection with its timeline and what was filed with it (never the query code)."""

    serializer_class = ObjectionDetailSerializer

    def get_queryset(self) -> QuerySet[Objection]:
        return _objections(self.request, detail=True)


class ObjectionStepApi(APIView):
    """A step on an objection in the caller's scope ("not found" otherwise): one service, then the objection."""

    def get_objection(self, request: Request, pk: int) -> Objection:
        return get_object_or_404(Objection.objects.visible_to(request.user).select_related("record"), pk=pk)

    def answer(self, request: Request, objection: Objection) -> Response:
        return Response(ObjectionDetailSerializer(_objections(request, detail=True).get(pk=objection.pk)).data)


class ObjectionAcceptApi(ObjectionStepApi):
    """The credit office accepts: the record is under objection and its measures are suspended."""

    @extend_schema(operation_id="objections_accept", request=None, responses=_step_responses(ObjectionDetailSerializer))
    def post(self, request: Request, pk: int) -> Response:
        objection = objection_accept(actor=acting_user(request), objection=self.get_objection(request, pk))
        return self.answer(request, objection)


class ObjectionNotAcceptApi(ObjectionStepApi):
    """The credit office does not accept the objection, saying why."""

    @extend_schema(
        operation_id="objections_not_accept",
        request=ReasonSerializer,
        responses=_step_responses(ObjectionDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = self.get_objection(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(
            request, objection_not_accept(actor=acting_user(request), objection=objection, reason=reason)
        )


class ObjectionSendForVerificationApi(ObjectionStepApi):
    """The data-providing unit is asked to verify the record."""

    @extend_schema(
        operation_id="objections_send_for_verification",
        request=None,
        responses=_step_responses(ObjectionDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = objection_send_for_verification(
            actor=acting_user(request), objection=self.get_objection(request, pk)
        )
        return self.answer(request, objection)


class ObjectionUpholdApi(ObjectionStepApi):
    """Upheld: the record is corrected or revoked; wrongful measures are lifted and marked so, the rest resume."""

    @extend_schema(
        operation_id="objections_uphold", request=UpholdSerializer, responses=_step_responses(ObjectionDetailSerializer)
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = self.get_objection(request, pk)
        data = validated_input(UpholdSerializer, request, record=objection.record)
        upheld = objection_uphold(
            actor=acting_user(request),
            objection=objection,
            outcome=data["outcome"],
            reason=data["reason"],
            changes=data.get("changes"),
            wrongful_measures=data.get("wrongful_measures"),
        )
        return self.answer(request, upheld)


class ObjectionRejectApi(ObjectionStepApi):
    """Rejected: the reasons go to the filer and the record's measures resume."""

    @extend_schema(
        operation_id="objections_reject", request=ReasonSerializer, responses=_step_responses(ObjectionDetailSerializer)
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = self.get_objection(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(request, objection_reject(actor=acting_user(request), objection=objection, reason=reason))


class ComplaintListApi(generics.ListAPIView):
    """Complaints routed to your credit office or about records in your scope, paged by id."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def get_queryset(self) -> QuerySet[Complaint]:
        return _complaints(self.request)


class ComplaintDetailApi(generics.RetrieveAPIView):
    serializer_class = ComplaintDetailSerializer

    def get_queryset(self) -> QuerySet[Complaint]:
        return _complaints(self.request, detail=True)


class ComplaintStepApi(APIView):
    """A step on a complaint in the caller's scope, taken by the credit office it was routed to."""

    def get_complaint(self, request: Request, pk: int) -> Complaint:
        return get_object_or_404(
            Complaint.objects.visible_to(request.user).select_related("record", "handling_agency"), pk=pk
        )

    def answer(self, request: Request, complaint: Complaint) -> Response:
        return Response(ComplaintDetailSerializer(_complaints(request, detail=True).get(pk=complaint.pk)).data)


class ComplaintAcceptApi(ComplaintStepApi):
    @extend_schema(operation_id="complaints_accept", request=None, responses=_step_responses(ComplaintDetailSerializer))
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(
            request, complaint_accept(actor=acting_user(request), complaint=self.get_complaint(request, pk))
        )


class ComplaintNotAcceptApi(ComplaintStepApi):
    @extend_schema(
        operation_id="complaints_not_accept",
        request=ReasonSerializer,
        responses=_step_responses(ComplaintDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        complaint = self.get_complaint(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(
            request, complaint_not_accept(actor=acting_user(request), complaint=complaint, reason=reason)
        )


class ComplaintResolveApi(ComplaintStepApi):
    @extend_schema(
        operation_id="complaints_resolve",
        request=ReasonSerializer,
        responses=_step_responses(ComplaintDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        complaint = self.get_complaint(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(request, complaint_resolve(actor=acting_user(request), complaint=complaint, reason=reason))


class ComplaintDismissApi(ComplaintStepApi):
    @extend_schema(
        operation_id="complaints_dismiss",
        request=ReasonSerializer,
        responses=_step_responses(ComplaintDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        complaint = self.get_complaint(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(request, complaint_dismiss(actor=acting_user(request), complaint=complaint, reason=reason))


class RepairListApi(generics.ListAPIView):
    """Credit repair applications about records in your scope, paged by id. POST applies on a subject's behalf."""

    serializer_class = RepairSerializer
    filterset_class = RepairFilter

    def get_queryset(self) -> QuerySet[RepairApplication]:
        return _repairs(self.request)

    @extend_schema(
        operation_id="repairs_create",
        request=StaffRepairInputSerializer,
        responses={201: RepairFiledSerializer, 403: FORBIDDEN_FILING},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(StaffRepairInputSerializer, request, context={"request": request})
        application, code = repair_apply(**data, filed_by=acting_user(request))
        filed: Any = _repairs(request, detail=True).get(pk=application.pk)
        filed.query_code = code
        return Response(RepairFiledSerializer(filed).data, status=status.HTTP_201_CREATED)


class RepairDetailApi(generics.RetrieveAPIView):
    serializer_class = RepairDetailSerializer

    def get_queryset(self) -> QuerySet[RepairApplication]:
        return _repairs(self.request, detail=True)


class RepairStepApi(APIView):
    """A step on a repair application in the caller's scope: one service, then the application."""

    def get_application(self, request: Request, pk: int) -> RepairApplication:
        return get_object_or_404(RepairApplication.objects.visible_to(request.user).select_related("record"), pk=pk)

    def answer(self, request: Request, application: RepairApplication) -> Response:
        return Response(RepairDetailSerializer(_repairs(request, detail=True).get(pk=application.pk)).data)


class RepairAcceptApi(RepairStepApi):
    @extend_schema(operation_id="repairs_accept", request=None, responses=_step_responses(RepairDetailSerializer))
    def post(self, request: Request, pk: int) -> Response:
        application = self.get_application(request, pk)
        return self.answer(request, repair_accept(actor=acting_user(request), application=application))


class RepairNotAcceptApi(RepairStepApi):
    @extend_schema(
        operation_id="repairs_not_accept", request=ReasonSerializer, responses=_step_responses(RepairDetailSerializer)
    )
    def post(self, request: Request, pk: int) -> Response:
        application = self.get_application(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(
            request, repair_not_accept(actor=acting_user(request), application=application, reason=reason)
        )


class RepairRequestMaterialApi(RepairStepApi):
    """Missing material is requested once, with a deadline (`already_requested` the second time)."""

    @extend_schema(
        operation_id="repairs_request_material",
        request=MaterialRequestSerializer,
        responses=_step_responses(RepairDetailSerializer),
    )
    def post(self, request: Request, pk: int) -> Response:
        application = self.get_application(request, pk)
        text = validated_input(MaterialRequestSerializer, request)["request"]
        return self.answer(
            request, repair_request_material(actor=acting_user(request), application=application, request=text)
        )


class RepairGrantApi(RepairStepApi):
    """Granted: the record leaves public disclosure at once and its measures are lifted."""

    @extend_schema(
        operation_id="repairs_grant", request=ReasonSerializer, responses=_step_responses(RepairDetailSerializer)
    )
    def post(self, request: Request, pk: int) -> Response:
        application = self.get_application(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(request, repair_grant(actor=acting_user(request), application=application, reason=reason))


class RepairRefuseApi(RepairStepApi):
    @extend_schema(
        operation_id="repairs_refuse", request=ReasonSerializer, responses=_step_responses(RepairDetailSerializer)
    )
    def post(self, request: Request, pk: int) -> Response:
        application = self.get_application(request, pk)
        reason = validated_input(ReasonSerializer, request)["reason"]
        return self.answer(request, repair_refuse(actor=acting_user(request), application=application, reason=reason))


class MeasureMitigateApi(APIView):
    """主动自新: the credit office spares a civil servant who made amends a personal measure."""

    @extend_schema(
        operation_id="measures_mitigate",
        request=MitigateSerializer,
        responses={
            201: MitigationSerializer,
            400: OpenApiResponse(description="Bad input, a measure against a unit, or one already mitigated."),
            403: OpenApiResponse(description="Only the credit office of the region approves mitigation."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        measures = AppliedMeasure.objects.visible_to(request.user).select_related(
            "record__subject_agency", "measure_type"
        )
        measure = get_object_or_404(measures, pk=pk)
        data = validated_input(MitigateSerializer, request)
        mitigation = mitigation_grant(
            actor=acting_user(request), measure=measure, kind=data["kind"], reason=data["reason"]
        )
        mitigation = Mitigation.objects.select_related("measure", "approved_by").get(pk=mitigation.pk)
        return Response(MitigationSerializer(mitigation).data, status=status.HTTP_201_CREATED)
