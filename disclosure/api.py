"""REST endpoints for the public (`/public/records/`, `/public/commitments/`): anonymous, throttled at the anonymous
rate, cacheable for a minute, and only what the public site may show: records in force inside their disclosure
window and published commitments, public fields only, a civil servant named as surname + 某 and no form of an ID
number (subjects/masking.py, shared with the site).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.api_support import ConditionalRetrieveMixin, IdCursorPagination, conditional_get_schema
from accounts.filters import IdFilter, text_filter
from accounts.models import Sector
from commitments.models import PUBLIC_STATUSES, ChangeGround, Commitment, CommitmentKind, CommitmentStatus, ServiceArea
from disclosure.queries import agencies_matching, normalize_query
from records.models import DishonestyRecord, Severity
from subjects.masking import mask_person_name, redact_person_text
from subjects.models import Agency

PUBLIC_MAX_AGE = 60


class PublicAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc"]


class PublicRecordSerializer(serializers.ModelSerializer):
    """Public fields only. A civil servant is named as surname + 某 and no form of an ID number appears, in the
    record's free text neither (subjects/masking.py, shared with the public site)."""

    subject_kind = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField(help_text=_("The agency's name, or 张某 for a civil servant."))
    subject_agency = PublicAgencySerializer()
    data_source_agency = PublicAgencySerializer()
    facts = serializers.SerializerMethodField()
    legal_basis = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    corrected = serializers.SerializerMethodField(help_text=_("The record was corrected after publication."))
    # Only publicly disclosed records are served here, so the date is always there.
    disclosure_ends_on = serializers.DateField(
        source="disclosed_until",
        help_text=_("公示截止日期: the last day the record is shown to the public (inclusive)."),
    )
    under_objection = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "An accepted objection against the record is being verified and its punishment measures are suspended "
            "(the public page says so; the platform's yybz)."
        ),
    )

    class Meta:
        model = DishonestyRecord
        fields = [
            "id",
            "subject_kind",
            "subject_name",
            "subject_agency",
            "source",
            "sector",
            "severity",
            "special_field",
            "document_number",
            "deciding_body_name",
            "deciding_body_uscc",
            "decision_date",
            "facts",
            "legal_basis",
            "categories",
            "fine_amount",
            "other_amount",
            "data_source_agency",
            "corrected",
            "under_objection",
            "disclosure_starts_on",
            "earliest_repair_on",
            "disclosure_ends_on",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    @staticmethod
    def _is_person(obj: DishonestyRecord) -> bool:
        return obj.subject_person_id is not None

    def _text(self, obj: DishonestyRecord, text: str) -> str:
        # For a civil servant subject_name is the full name: only its surname may leave.
        return redact_person_text(text, full_name=obj.subject_name if self._is_person(obj) else "")

    @extend_schema_field(serializers.ChoiceField(choices=[("agency", "agency"), ("person", "person")]))
    def get_subject_kind(self, obj: DishonestyRecord) -> str:
        return "person" if self._is_person(obj) else "agency"

    def get_subject_name(self, obj: DishonestyRecord) -> str:
        return mask_person_name(obj.subject_name) if self._is_person(obj) else obj.subject_name

    def get_facts(self, obj: DishonestyRecord) -> str:
        return self._text(obj, obj.facts)

    def get_legal_basis(self, obj: DishonestyRecord) -> str:
        return self._text(obj, obj.legal_basis)

    def get_categories(self, obj: DishonestyRecord) -> str:
        return self._text(obj, obj.categories)

    def get_corrected(self, obj: DishonestyRecord) -> bool:
        return obj.status == "corrected"


class PublicRecordFilter(filters.FilterSet):
    q = text_filter(
        method="filter_q",
        max_length=100,
        help_text=_(
            "Fragments of the agency's name, or the start of its code; several words must all match. People's names "
            "are not searched."
        ),
    )
    subject_agency = IdFilter(field_name="subject_agency_id", help_text=_("Records about this agency."))
    sector = filters.MultipleChoiceFilter(choices=Sector.choices)
    severity = filters.MultipleChoiceFilter(choices=Severity.choices)
    decided_from = filters.DateFilter(field_name="decision_date", lookup_expr="gte")
    decided_to = filters.DateFilter(field_name="decision_date", lookup_expr="lte")
    published_from = filters.DateFilter(field_name="published_at", lookup_expr="date__gte")
    published_to = filters.DateFilter(field_name="published_at", lookup_expr="date__lte")

    class Meta:
        model = DishonestyRecord
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[DishonestyRecord], name: str, value: str) -> QuerySet[DishonestyRecord]:
        # The public site's own agency search (grams for one- and two-character fragments, or a code prefix).
        if not normalize_query(value):
            return queryset
        return queryset.filter(subject_agency__in=agencies_matching(value).values("pk"))


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"


def _public_records() -> QuerySet[DishonestyRecord]:
    # disclosed(): in force, publicly disclosed, inside its window today; never drafts, revoked, expired or minor.
    return DishonestyRecord.objects.disclosed().select_related("subject_agency", "data_source_agency")


class PublicApi(APIView):
    """Anonymous, throttled at the anonymous rate, and cacheable by proxies for a minute."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # A 304 carries the headers its 200 would have (RFC 9110 §15.4.5).
        if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # A signed-in member of staff gets a refreshed session cookie on every response
                # (SESSION_SAVE_EVERY_REQUEST): a shared cache must never keep it.
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class PublicRecordListApi(PublicApi, generics.ListAPIView):
    """Disclosed records, newest first."""

    serializer_class = PublicRecordSerializer
    filterset_class = PublicRecordFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[DishonestyRecord]:
        return _public_records()


@extend_schema_view(get=conditional_get_schema(PublicRecordSerializer))
class PublicRecordDetailApi(ConditionalRetrieveMixin, PublicApi, generics.RetrieveAPIView):
    """One disclosed record; anything else (a draft, revoked, expired, minor, or no such id) is "not found".
    Answers with an ETag and honours If-None-Match."""

    serializer_class = PublicRecordSerializer
    # The same for everyone: cacheable by proxies (PublicApi), varying by language and format only.
    private_cache = False
    conditional_vary = ("Accept", "Accept-Language")

    def get_queryset(self) -> QuerySet[DishonestyRecord]:
        return _public_records()

    def etag_parts(self, obj: DishonestyRecord) -> tuple[object, ...]:
        return (
            obj.pk,
            obj.version,
            obj.updated_at,
            obj.subject_agency.updated_at,
            obj.data_source_agency.updated_at,
        )


# Public commitments -------------------------------------------------------------------------------------------------


class PublicCommitmentSerializer(serializers.ModelSerializer):
    """What the public reads of a published commitment: no counterparty, no staff, and the responsible civil servant
    named as surname + 某, in the free text too (subjects/masking.py)."""

    agency = PublicAgencySerializer()
    responsible_person = serializers.SerializerMethodField(
        help_text=_("The responsible civil servant as 张某, or null when none is named.")
    )
    target = serializers.CharField(source="target_text")
    title = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    liability = serializers.SerializerMethodField()
    outcome_reason = serializers.SerializerMethodField()
    change_description = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text=_("Without an outcome and past its due date."))
    # Blank when not given: declared so, as the generated schema would otherwise not allow "".
    service_area = serializers.ChoiceField(choices=ServiceArea.choices, allow_blank=True, read_only=True)
    change_ground = serializers.ChoiceField(choices=ChangeGround.choices, allow_blank=True, read_only=True)
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "code",
            "agency",
            "responsible_person",
            "kind",
            "service_area",
            "title",
            "content",
            "target",
            "baseline",
            "target_value",
            "unit",
            "recurring_standard",
            "source_document_number",
            "source_date",
            "source_url",
            "promised_on",
            "due_on",
            "year",
            "liability",
            "status",
            "progress_percent",
            "last_progress_on",
            "overdue",
            "outcome_reason",
            "outcome_decided_at",
            "change_ground",
            "change_authority",
            "change_description",
            "change_published_on",
            "compensation_amount",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _text(self, obj: Commitment, text: str) -> str:
        person = obj.responsible_person
        return redact_person_text(text, full_name=person.name if person is not None else "")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_responsible_person(self, obj: Commitment) -> str | None:
        person = obj.responsible_person
        return None if person is None else mask_person_name(person.name)

    def get_title(self, obj: Commitment) -> str:
        return self._text(obj, obj.title)

    def get_content(self, obj: Commitment) -> str:
        return self._text(obj, obj.content)

    def get_liability(self, obj: Commitment) -> str:
        return self._text(obj, obj.liability)

    def get_outcome_reason(self, obj: Commitment) -> str:
        return self._text(obj, obj.outcome_reason)

    def get_change_description(self, obj: Commitment) -> str:
        return self._text(obj, obj.change_description)

    def get_overdue(self, obj: Commitment) -> bool:
        return obj.is_overdue(timezone.localdate())


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=2000, max_value=2100, **kwargs)


class PublicCommitmentFilter(filters.FilterSet):
    agency = IdFilter(field_name="agency_id", help_text=_("Commitments of this agency."))
    year = YearFilter(field_name="year")
    kind = filters.MultipleChoiceFilter(choices=CommitmentKind.choices)
    status = filters.MultipleChoiceFilter(
        choices=[(value, label) for value, label in CommitmentStatus.choices if value in PUBLIC_STATUSES]
    )

    class Meta:
        model = Commitment
        fields: list[str] = []


def _public_commitments() -> QuerySet[Commitment]:
    # public(): published or decided; never drafts, submissions or withdrawn ones.
    return Commitment.objects.public().select_related("agency", "responsible_person")


class PublicCommitmentListApi(PublicApi, generics.ListAPIView):
    """Published commitments, newest first."""

    serializer_class = PublicCommitmentSerializer
    filterset_class = PublicCommitmentFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Commitment]:
        return _public_commitments()


@extend_schema_view(get=conditional_get_schema(PublicCommitmentSerializer))
class PublicCommitmentDetailApi(ConditionalRetrieveMixin, PublicApi, generics.RetrieveAPIView):
    """One published commitment; a draft, a submission, a withdrawn one or no such id is "not found". Answers with an
    ETag and honours If-None-Match."""

    serializer_class = PublicCommitmentSerializer
    private_cache = False
    conditional_vary = ("Accept", "Accept-Language")

    def get_queryset(self) -> QuerySet[Commitment]:
        return _public_commitments()

    def etag_parts(self, obj: Commitment) -> tuple[object, ...]:
        person = obj.responsible_person
        return (
            obj.pk,
            obj.version,
            obj.updated_at,
            obj.agency.updated_at,
            person.updated_at if person is not None else None,
            # "overdue" is judged against today.
            timezone.localdate(),
        )
