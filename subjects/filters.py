"""Query filters of the agency and civil-servant API lists."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.filters import IdFilter, MomentFilter, StrictBooleanFilter, text_filter
from subjects.models import Agency, AgencyKind, CivilServant


def visible_root(request: Any, agency_id: int) -> Agency | None:
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
        root = visible_root(self.request, value)
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
        root = visible_root(self.request, value)
        return queryset.none() if root is None else queryset.filter(agency__path__startswith=root.path)
