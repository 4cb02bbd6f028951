"""Query filters of the dishonesty-record lists (staff pages and API). A value the filter cannot read is a 400,
never ignored, and each filter documents in the OpenAPI schema exactly the values it accepts."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from accounts.filters import IdFilter, MomentFilter, text_filter
from accounts.models import Sector
from records.models import DishonestyRecord, RecordSource, RecordStatus, Severity
from subjects.filters import visible_root
from subjects.search import query_grams


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
        root = visible_root(self.request, value)
        return queryset.none() if root is None else queryset.filter(subject_agency__path__startswith=root.path)
