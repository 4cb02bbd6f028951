"""The public search's form: the words and the filters, checked, with a sentence for each value that is not one of
the choices (an edited or stale address), never an error page."""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.search import District, PublicSearch, SearchKind
from records.models import RecordSource, Severity

MAX_QUERY_CHARACTERS = 100
# The filters the search page shows, in order (disclosure_tags.search_filters).
FILTER_FIELDS = ("district", "severity", "source", "year")
# Decision years offered: records stay disclosed for at most a few years (docs/disclosure-periods.md).
YEARS_OFFERED = 10


def _choices(blank: Any, choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", blank), *choices]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by agency name, Unified Social Credit Code or document number"), required=False)
    kind = forms.ChoiceField(
        label=_("List of results"),
        widget=forms.HiddenInput,
        choices=_choices("", SearchKind.choices),
        required=False,
        error_messages={"invalid_choice": _("There is no such list of results.")},
    )
    district = forms.TypedChoiceField(
        label=_("District"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("There is no such district: choose one from the list.")},
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=_choices(_("All"), Severity.choices),
        required=False,
        error_messages={"invalid_choice": _("There is no such severity: choose one from the list.")},
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=_choices(_("All"), RecordSource.choices),
        required=False,
        error_messages={"invalid_choice": _("There is no such source: choose one from the list.")},
    )
    year = forms.TypedChoiceField(
        label=_("Decision year"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a decision year from the list.")},
    )

    def __init__(self, data: Any, *, districts: list[District]) -> None:
        super().__init__(data, auto_id="search-%s")
        self.districts = {district.pk: district for district in districts}
        this_year = timezone.localdate().year
        years = range(this_year, this_year - YEARS_OFFERED, -1)
        cast(forms.TypedChoiceField, self.fields["district"]).choices = _choices(
            _("All"), [(d.pk, d.name) for d in districts]
        )
        cast(forms.TypedChoiceField, self.fields["year"]).choices = _choices(_("All"), [(y, str(y)) for y in years])

    def clean_q(self) -> str:
        # A long query is cut, not refused (the box allows as many characters).
        return str(self.cleaned_data["q"]).strip()[:MAX_QUERY_CHARACTERS]

    def search(self) -> PublicSearch:
        data = self.cleaned_data
        return PublicSearch(
            text=data["q"],
            kind=data["kind"],
            district=self.districts.get(data["district"]) if data["district"] is not None else None,
            severity=data["severity"],
            source=data["source"],
            year=data["year"],
        )
