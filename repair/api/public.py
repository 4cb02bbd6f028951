"""The public's endpoints (`/public/…`): anonymous filing of objections, complaints and repair applications, and
tracking a case with its query code (查询码).

Filing is limited as on the pages (repair/throttle.py): only cases actually filed count, per address and per
contact, so nobody floods the office and a caller who fixes a refused request is not locked out. The query code
travels only in the body of a POST, never in a URL, and tracking has a strict throttle of its own; a code that matches
nothing is the same "not found" whatever the reason. What the public reads names no member of staff and, like the
public site, shows a civil servant only as surname + 某 and no ID number.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Model, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from records.models import DishonestyRecord
from repair import throttle
from repair.api.cases import QUERY_CODE_HELP, FilerSerializer, validated_input
from repair.models import CaseEvent, Complaint, Objection, ObjectionGrounds, RepairApplication, RepairStatus
from repair.query_codes import query_code_candidates
from repair.services import (
    complaint_errors,
    complaint_file,
    objection_errors,
    objection_file,
    repair_apply,
    repair_errors,
    repair_supply_material,
)
from repair.services.common import MAX_ATTACHMENTS, FieldErrors
from subjects.masking import redact_person_text

Case = Objection | Complaint | RepairApplication

# Throttles ----------------------------------------------------------------------------------------------------------


class SettingsRateThrottle(ScopedRateThrottle):
    """A scoped throttle whose rate is a setting of its own (read on every request, so it can be changed in tests),
    not an entry of REST_FRAMEWORK's table. Anonymous callers are told apart by their address."""

    setting_name = ""
    default_rate = ""

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting_name, self.default_rate))


class FilingThrottled(exceptions.Throttled):
    """A filing the limits of repair/throttle.py refuse: when to try again, and how else to reach the office."""

    def __init__(self, refusal: throttle.Refusal) -> None:
        super().__init__(wait=refusal.seconds)
        self.detail = ErrorDetail(refusal_message(refusal), code="throttled")


def refusal_message(refusal: throttle.Refusal) -> str:
    if refusal.scope == "filer":
        reason = _("Too many cases were filed with this phone number or e-mail address today.")
    else:
        reason = _("Too many forms were sent from your address in a short time.")
    retry = _("You can try again %(when)s.") % {"when": refusal.when}
    office = _("The credit office: telephone %(phone)s, %(address)s.") % {
        "phone": settings.CREDIT_OFFICE_PHONE,
        "address": settings.CREDIT_OFFICE_ADDRESS,
    }
    return f"{reason} {retry} {office}"


class PublicTrackThrottle(SettingsRateThrottle):
    """Strict: a code guesser gets a handful of tries an hour (and 32^12 codes to try: docs/query-codes.md)."""

    setting_name = "PUBLIC_TRACK_RATE"
    default_rate = "10/hour"


# Filing -------------------------------------------------------------------------------------------------------------


class AttachmentsField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.FileField(), max_length=MAX_ATTACHMENTS, **kwargs)


class PublicObjectionInputSerializer(FilerSerializer):
    record = serializers.PrimaryKeyRelatedField(
        queryset=DishonestyRecord.objects.all(), help_text=_("A record on public disclosure.")
    )
    grounds = serializers.ChoiceField(choices=ObjectionGrounds.choices)
    attachments = AttachmentsField(
        required=False, help_text=_("Evidence: PDF, OFD, PNG or JPEG files (multipart/form-data).")
    )


class PublicComplaintInputSerializer(FilerSerializer):
    record = serializers.PrimaryKeyRelatedField(
        queryset=DishonestyRecord.objects.all(), help_text=_("A disclosed record, or one that carried an objection.")
    )
    objection_query_code = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("To complain about the handling of your objection: its query code."),
    )
    attachments = AttachmentsField(
        required=False, help_text=_("Evidence: PDF, OFD, PNG or JPEG files (multipart/form-data).")
    )


class PublicRepairInputSerializer(FilerSerializer):
    record = serializers.PrimaryKeyRelatedField(
        queryset=DishonestyRecord.objects.all(),
        help_text=_("A record in force whose earliest repair date has come."),
    )
    attachments = AttachmentsField(
        required=False,
        help_text=_("Proof that the obligation was fulfilled: PDF, OFD, PNG or JPEG files (multipart/form-data)."),
    )


PROVISIONAL_HELP = _(
    "True when the deadline was counted on a year whose official holiday arrangement is not configured yet: it "
    "may be recounted later, never to an earlier day."
)


class PublicFiledSerializer(serializers.Serializer):
    query_code = serializers.CharField(help_text=QUERY_CODE_HELP)
    status = serializers.CharField(help_text=_("`filed`: it waits for acceptance."))
    stage_due_on = serializers.DateField(help_text=_("The day by which it is accepted or refused (working days)."))
    stage_due_provisional = serializers.BooleanField(help_text=PROVISIONAL_HELP)


class PublicApi(APIView):
    """Anonymous, JSON answers only (the browsable renderer would echo the code into a page), never cached."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class PublicFilingApi(PublicApi):
    """Limited by repair/throttle.py rather than a DRF throttle: only a case actually filed counts, so a request sent
    back with errors costs the caller nothing."""

    throttle_classes: list[type] = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        refusal = throttle.filing_refusal(request)
        if refusal is not None:
            raise FilingThrottled(refusal)

    def filer_allowed(self, contact: str) -> None:
        refusal = throttle.filer_refusal(contact)
        if refusal is not None:
            raise FilingThrottled(refusal)

    def filed(self, request: Request, case: Case, code: str) -> Response:
        throttle.filing_counted(request, contact=case.filer_contact)
        data = {
            "query_code": code,
            "status": case.status,
            "stage_due_on": case.stage_due_on,
            "stage_due_provisional": case.stage_due_provisional,
        }
        return Response(PublicFiledSerializer(data).data, status=status.HTTP_201_CREATED)


def filing_input(
    serializer_class: type[serializers.Serializer], request: Request, rules: Callable[[dict[str, Any]], FieldErrors]
) -> dict[str, Any]:
    """Shape and rules in one answer: when the body's shape is wrong, what could be read still goes through the
    filing service's rules, and the 400 names every field at fault (not the shape errors first, a rule on the next
    try)."""
    serializer = serializer_class(data=request.data)
    if serializer.is_valid():
        return serializer.validated_data
    errors: dict[str, Any] = dict(serializer.errors)
    if isinstance(serializer.initial_data, Mapping):
        readable: dict[str, Any] = {}
        for name, field in serializer.fields.items():
            if name in errors or field.read_only:
                continue
            try:
                readable[name] = field.run_validation(field.get_value(serializer.initial_data))
            except (serializers.ValidationError, SkipField):
                continue
        for name, messages in rules(readable).errors.items():
            errors.setdefault(name, messages)
    raise serializers.ValidationError(errors)


FILING_RESPONSES: dict[int, Any] = {
    201: PublicFiledSerializer,
    400: OpenApiResponse(description="Bad input, or a rule refused it (`fields` names the input)."),
    429: OpenApiResponse(
        description="Too many cases filed from your address, or with this contact; try again after `Retry-After` "
        "seconds (the message says when, and how to reach the credit office). A request refused with a 400 does not "
        "count."
    ),
}


class PublicObjectionFileApi(PublicFilingApi):
    """Anyone may object to a record on public disclosure; the answer carries the query code, once."""

    @extend_schema(
        operation_id="public_objections_file", request=PublicObjectionInputSerializer, responses=FILING_RESPONSES
    )
    def post(self, request: Request) -> Response:
        data = filing_input(PublicObjectionInputSerializer, request, objection_errors)
        self.filer_allowed(data["filer_contact"])
        objection, code = objection_file(**data)
        return self.filed(request, objection, code)


def _objection_by_code(code: str) -> Objection | None:
    return Objection.objects.filter(query_code_digest__in=query_code_candidates(code)).first()


def _complaint_errors(values: dict[str, Any]) -> FieldErrors:
    errors = complaint_errors(values)
    code = values.get("objection_query_code")
    if code and _objection_by_code(code) is None:
        errors.add("objection_query_code", str(_("No objection has this query code.")))
    return errors


class PublicComplaintFileApi(PublicFilingApi):
    """A complaint about how a record or an objection was handled, routed to the credit office above the agency."""

    @extend_schema(
        operation_id="public_complaints_file", request=PublicComplaintInputSerializer, responses=FILING_RESPONSES
    )
    def post(self, request: Request) -> Response:
        data = filing_input(PublicComplaintInputSerializer, request, _complaint_errors)
        _complaint_errors(data).raise_any()
        code = data.pop("objection_query_code")
        objection = _objection_by_code(code) if code else None
        self.filer_allowed(data["filer_contact"])
        complaint, complaint_code = complaint_file(**data, objection=objection)
        return self.filed(request, complaint, complaint_code)


class PublicRepairFileApi(PublicFilingApi):
    """Credit repair, from the record's earliest repair date, with the proof of fulfilment attached."""

    @extend_schema(operation_id="public_repairs_file", request=PublicRepairInputSerializer, responses=FILING_RESPONSES)
    def post(self, request: Request) -> Response:
        data = filing_input(PublicRepairInputSerializer, request, lambda values: repair_errors(values, public=True))
        self.filer_allowed(data["filer_contact"])
        application, code = repair_apply(**data)
        return self.filed(request, application, code)


class PublicTrackInputSerializer(serializers.Serializer):
    query_code = serializers.CharField(max_length=100, help_text=_("The code shown when the case was filed."))


class PublicCaseRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_number = serializers.CharField()


class PublicCaseEventSerializer(serializers.Serializer):
    """A step as the filer reads it: no member of staff is named."""

    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class PublicCaseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("objection", "objection"), ("complaint", "complaint"), ("repair", "repair")]
    )
    record = PublicCaseRecordSerializer()
    status = serializers.CharField(help_text=_("The status code of the case's kind, e.g. `filed`, `checking`."))
    status_label = serializers.CharField(help_text=_("The status in words, in the language of the request."))
    filed_at = serializers.DateTimeField()
    stage_due_on = serializers.DateField(
        allow_null=True, help_text=_("The current stage's deadline; null once closed.")
    )
    stage_due_provisional = serializers.BooleanField(help_text=PROVISIONAL_HELP)
    closed_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(help_text=_("Why it was decided as it was; empty while open."))
    outcome = serializers.CharField(help_text=_("Objections: `corrected` or `revoked` when upheld; else empty."))
    material_request = serializers.CharField(help_text=_("Repairs: the missing material asked for; else empty."))
    material_due_on = serializers.DateField(allow_null=True)
    material_due_provisional = serializers.BooleanField(help_text=PROVISIONAL_HELP)
    verification_code = serializers.CharField(
        help_text=_("Repairs granted: the code printed on the repair decision; else empty.")
    )
    events = PublicCaseEventSerializer(many=True)


CASE_KINDS: tuple[tuple[str, type[Model]], ...] = (
    ("objection", Objection),
    ("complaint", Complaint),
    ("repair", RepairApplication),
)


def _case_by_query_code(code: str) -> tuple[str, Any] | None:
    """Read as people type it (repair/query_codes.py)."""
    digests = query_code_candidates(code)
    public_events = Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk"))
    for kind, model in CASE_KINDS:
        case = (
            model._default_manager.select_related("record")
            .prefetch_related(public_events)
            .filter(query_code_digest__in=digests)
            .first()
        )
        if case is not None:
            return kind, case
    return None


def _public_case(kind: str, case: Any) -> dict[str, Any]:
    record: DishonestyRecord = case.record
    # What staff wrote is shown as the public site shows a record's text: a civil servant's full name masked, no
    # ID number (subjects/masking.py).
    full_name = record.subject_name if record.subject_person_id else ""

    def public_text(text: str) -> str:
        return redact_person_text(text, full_name=full_name)

    return {
        "kind": kind,
        "record": {"id": record.pk, "document_number": record.document_number},
        "status": case.status,
        "status_label": case.get_status_display(),
        "filed_at": case.created_at,
        "stage_due_on": case.stage_due_on,
        "stage_due_provisional": case.stage_due_provisional,
        "closed_at": case.closed_at,
        "decision_reason": public_text(case.decision_reason),
        "outcome": getattr(case, "outcome", ""),
        "material_request": public_text(getattr(case, "material_request", "")),
        "material_due_on": getattr(case, "material_due_on", None),
        "material_due_provisional": getattr(case, "material_due_provisional", False),
        "verification_code": case.verification_code if kind == "repair" and case.status == RepairStatus.GRANTED else "",
        "events": [
            {"from_status": e.from_status, "to_status": e.to_status, "reason": public_text(e.reason), "at": e.at}
            for e in case.events.all()
        ],
    }


class PublicTrackApi(PublicApi):
    """The filer follows a case with its query code, sent in the body. A code that matches nothing is "not found",
    the same answer whatever the reason, under a strict throttle of its own."""

    throttle_classes = [PublicTrackThrottle]
    throttle_scope = "public_track"
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="public_track",
        request=PublicTrackInputSerializer,
        responses={
            200: PublicCaseSerializer,
            404: OpenApiResponse(description="No case has this query code (`not_found`)."),
            429: OpenApiResponse(description="Too many look-ups from your address; try again after `Retry-After`."),
        },
    )
    def post(self, request: Request) -> Response:
        code = validated_input(PublicTrackInputSerializer, request)["query_code"]
        found = _case_by_query_code(code)
        if found is None:
            raise exceptions.NotFound()
        return Response(PublicCaseSerializer(_public_case(*found)).data)


# Supplying material ---------------------------------------------------------------------------------------------------


class PublicSupplyMaterialInputSerializer(serializers.Serializer):
    query_code = serializers.CharField(max_length=100, help_text=_("The code shown when the application was filed."))
    statement = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default="", help_text=_("The material requested.")
    )
    attachments = AttachmentsField(
        required=False, default=list, help_text=_("PDF, OFD, PNG or JPEG files (multipart/form-data).")
    )


class PublicSupplyMaterialApi(PublicFilingApi):
    """The filer of a credit repair application sends the material the credit office asked for, with the query code
    (as the tracking page does). Limited with the filing forms; a code that matches no application waiting for
    material is the same "not found" whatever the reason."""

    @extend_schema(
        operation_id="public_repairs_supply_material",
        request=PublicSupplyMaterialInputSerializer,
        responses={
            200: PublicCaseSerializer,
            400: OpenApiResponse(description="Nothing described or attached, or the deadline has passed."),
            404: OpenApiResponse(description="No repair application has this query code (`not_found`)."),
            409: OpenApiResponse(description="The application is not waiting for material (`illegal_transition`)."),
            429: OpenApiResponse(description="Too many filings from your address; try again after `Retry-After`."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated_input(PublicSupplyMaterialInputSerializer, request)
        found = _case_by_query_code(data["query_code"])
        if found is None or found[0] != "repair":
            raise exceptions.NotFound()
        repair_supply_material(application=found[1], statement=data["statement"], attachments=data["attachments"])
        throttle.filing_counted(request)
        refreshed = _case_by_query_code(data["query_code"])
        assert refreshed is not None
        return Response(PublicCaseSerializer(_public_case(*refreshed)).data)
