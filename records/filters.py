"""Query filters of the agency and civil-servant API lists. A value the filter cannot read is a 400, never ignored,
and each filter documents in the OpenAPI schema exactly the values it accepts."""

import datetime
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from accounts.api_support import MAX_ID
from records.models import (
    Agency,
    AgencyKind,
    CivilServant,
    DishonestyRecord,
    RecordSource,
    RecordStatus,
    Sector,
    Severity,
)
from records.search import query_grams


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); django-filter's own boolean widget silently ignores anything else."""

    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(filters.Filter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An id: a whole number from 1 (ids start there) to the largest bigint."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def text_filter(
    *, max_length: int, digits: int | None = None, message: str | None = None, **kwargs: Any
) -> filters.CharFilter:
    """A text filter that documents its length (and, for a code of `digits` digits, its pattern) in the schema,
    as it enforces them."""
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if digits is not None:
        schema["pattern"] = f"^[0-9]{{{digits}}}$"
        kwargs["validators"] = [RegexValidator(rf"\A[0-9]{{{digits}}}\Z", message)]
    text = filters.CharFilter(max_length=max_length, **kwargs)
    return extend_schema_field(schema)(text)  # type: ignore[no-any-return]


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, compared in UTC.

    Any offset ISO 8601 allows (up to ±23:59) is a valid moment; PostgreSQL refuses offsets beyond ±15:59 in a
    literal ("time zone displacement out of range"), so the moment goes to the database in UTC. One whose UTC
    time falls outside the years 1–9999 cannot be compared with anything stored and is refused.
    """

    default_error_messages = {
        "out_of_range": _("This moment is out of range: use a date between the years 1 and 9999."),
    }

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment: datetime.datetime | None = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from exc


class MomentFilter(filters.IsoDateTimeFilter):
    field_class = MomentField


def _visible_root(request: Any, agency_id: int) -> Agency | None:
    """The agency a `subtree_of` filter starts from, if the caller may see it."""
    user = getattr(request, "user", None)
    return Agency.objects.visible_to(user).filter(pk=agency_id).only("path").first()


class AgencyFilter(filters.FilterSet):
    q = text_filter(method="filter_q", max_length=100, help_text=_("A fragment of the name, or the start of the USCC."))
    kind = filters.ChoiceFilter(choices=AgencyKind.choices)
    parent = IdFilter(field_name="parent_id", help_text=_("Direct children of this agency."))
    subtree_of = IdFilter(
        method="filter_subtree_of",
        help_text=_("This agency and every agency below it; nothing if the agency is outside your scope."),
    )
    active = StrictBooleanFilter()
    uscc = text_filter(method="filter_uscc", max_length=18, help_text=_("Exact Unified Social Credit Code."))
    region_code = text_filter(
        max_length=6,
        digits=6,
        message=_("A region code has six digits."),
        help_text=_("Six-digit administrative division code."),
    )
    updated_after = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "Changed at or after this moment (ISO 8601). Inclusive, so a client that passes the last "
            "`updated_at` it saw misses nothing."
        ),
    )

    class Meta:
        model = Agency
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Agency], name: str, value: str) -> QuerySet[Agency]:
        return queryset.search(value)  # type: ignore[attr-defined]

    def filter_uscc(self, queryset: QuerySet[Agency], name: str, value: str) -> QuerySet[Agency]:
        return queryset.filter(uscc=value.strip().upper())

    def filter_subtree_of(self, queryset: QuerySet[Agency], name: str, value: int) -> QuerySet[Agency]:
        root = _visible_root(self.request, value)
        return queryset.none() if root is None else queryset.filter(path__startswith=root.path)


class CivilServantFilter(filters.FilterSet):
    q = text_filter(method="filter_q", max_length=50, help_text=_("A fragment of the name."))
    agency = IdFilter(field_name="agency_id", help_text=_("People working in this agency."))
    subtree_of = IdFilter(
        method="filter_subtree_of",
        help_text=_("People of this agency and every agency below it; nothing if it is outside your scope."),
    )
    active = StrictBooleanFilter()
    is_principal = StrictBooleanFilter(help_text=_("Principal responsible persons (主要负责人)."))
    updated_after = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("Changed at or after this moment (ISO 8601), inclusive."),
    )

    class Meta:
        model = CivilServant
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[CivilServant], name: str, value: str) -> QuerySet[CivilServant]:
        return queryset.search(value)  # type: ignore[attr-defined]

    def filter_subtree_of(self, queryset: QuerySet[CivilServant], name: str, value: int) -> QuerySet[CivilServant]:
        root = _visible_root(self.request, value)
        return queryset.none() if root is None else queryset.filter(agency__path__startswith=root.path)


def record_text_q(text: str) -> Q:
    """Staff text search: the subject's name (grams index) or the start of the document number."""
    text = text.strip()
    by_name = Q(search_grams__has_all=query_grams(text))
    if len(text.replace(" ", "")) > 2:
        by_name &= Q(subject_name__contains=text)
    return by_name | Q(document_number__startswith=text)


class RecordOrdering(filters.OrderingFilter):
    """The list's sort choices in the reader's language (django-filter's own "(descending)" has no Chinese)."""

    descending_fmt = _("%s (descending)")


class RecordFilter(filters.FilterSet):
    """Filters of the record list, shared by the staff page, the export and the API. Every filter has its own label:
    django-filter's made-up ones ("… is greater than or equal to") have no Chinese."""

    q = text_filter(
        method="filter_q",
        max_length=100,
        label=_("Subject name or document number"),
        help_text=_("A fragment of the subject's name, or the start of the document number."),
    )
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=RecordStatus.choices)
    severity = filters.MultipleChoiceFilter(label=_("Severity"), choices=Severity.choices)
    source = filters.MultipleChoiceFilter(label=_("Source"), choices=RecordSource.choices)
    sector = filters.MultipleChoiceFilter(label=_("Sector"), choices=Sector.choices)
    subject_agency = IdFilter(
        field_name="subject_agency_id", label=_("Subject agency"), help_text=_("Records about this agency.")
    )
    subtree_of = IdFilter(
        method="filter_subtree_of",
        label=_("Agency and the units below it"),
        help_text=_("Records about this agency and every agency below it; nothing if it is outside your scope."),
    )
    data_source_agency = IdFilter(
        field_name="data_source_agency_id",
        label=_("Data source agency"),
        help_text=_("Records supplied by this agency."),
    )
    subject_person = IdFilter(
        field_name="subject_person_id",
        label=_("Subject civil servant"),
        help_text=_("Records about this civil servant."),
    )
    decided_from = filters.DateFilter(field_name="decision_date", lookup_expr="gte", label=_("Decided on or after"))
    decided_to = filters.DateFilter(field_name="decision_date", lookup_expr="lte", label=_("Decided on or before"))
    published_from = filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", label=_("Published on or after")
    )
    published_to = filters.DateFilter(
        field_name="published_at", lookup_expr="date__lte", label=_("Published on or before")
    )
    updated_after = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed since"),
        help_text=_("Changed at or after this moment (ISO 8601), inclusive: incremental pulls miss nothing."),
    )
    ordering = RecordOrdering(
        label=_("Sort by"),
        fields=(
            ("decision_date", "decision_date"),
            ("published_at", "published_at"),
            ("updated_at", "updated_at"),
            ("severity", "severity"),
            ("subject_name", "subject_name"),
        ),
        field_labels={
            "decision_date": _("Decision date"),
            "published_at": pgettext_lazy("date", "Published"),
            "updated_at": _("Last changed"),
            "severity": _("Severity"),
            "subject_name": _("Subject name"),
        },
    )

    class Meta:
        model = DishonestyRecord
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[DishonestyRecord], name: str, value: str) -> QuerySet[DishonestyRecord]:
        return queryset.filter(record_text_q(value)) if value.strip() else queryset

    def filter_subtree_of(
        self, queryset: QuerySet[DishonestyRecord], name: str, value: int
    ) -> QuerySet[DishonestyRecord]:
        root = _visible_root(self.request, value)
        return queryset.none() if root is None else queryset.filter(subject_agency__path__startswith=root.path)
