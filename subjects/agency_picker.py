"""Choosing an agency by typing: a text field that the staff site turns into a type-ahead (static/js/agency-picker.js
asks `subjects:agency_suggest` for matches in the user's scope), and that works as a plain text field without
JavaScript.

A city has thousands of agencies; a drop-down of them all is unusable and costs a page its weight. The field accepts
what a person types or the script fills in: an agency's name (or an unambiguous fragment of it), its Unified Social
Credit Code, "name（code）" as the suggestions read, or an id (what older links and API-like posts send). It resolves
only within the queryset it was given, so an agency outside the user's scope is "not found" like any other.
"""

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from subjects.models import Agency

SUGGESTIONS = 15
CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
SHOWN_CANDIDATES = 5


def agency_label(agency: Agency) -> str:
    return f"{agency.name}（{agency.uscc}）"


def agency_matches(agencies: QuerySet[Agency], text: str) -> QuerySet[Agency]:
    """Agencies whose name holds every word typed, or whose code starts with it ("东城 财政" finds 东城区财政局)."""
    for word in text.split():
        agencies = agencies.search(word)  # type: ignore[attr-defined]
    return agencies


def agency_suggestions(agencies: QuerySet[Agency], text: str) -> list[dict[str, Any]]:
    """The first matches for a type-ahead, active agencies first, as the JSON the script reads."""
    text = text.strip()[:100]
    if not text:
        return []
    found = agency_matches(agencies, text).only("pk", "name", "uscc", "active").order_by("-active", "name", "pk")
    return [
        {
            "id": agency.pk,
            "name": agency.name,
            "uscc": agency.uscc,
            "label": agency_label(agency),
            "active": agency.active,
        }
        for agency in found[:SUGGESTIONS]
    ]


class AgencyPickerInput(forms.TextInput):
    """A text input that names the agency chosen; the script adds the suggestions (`within`: which of the user's
    agencies the field offers, "enter" for those the user enters records for, "visible" for all in scope)."""

    def __init__(self, *, within: str = "visible", attrs: dict[str, Any] | None = None) -> None:
        defaults = {"autocomplete": "off", "spellcheck": "false", "class": "agency-picker"}
        super().__init__({**defaults, **(attrs or {})})
        self.within = within
        self.labels: dict[str, str] = {}

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Agency):
            return agency_label(value)
        if value is not None and str(value) in self.labels:
            return self.labels[str(value)]
        return super().format_value(value)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        attrs = dict(attrs or {})
        listbox = f"{attrs.get('id') or name}-suggestions"
        # An ARIA combobox: the suggestions list is announced as the script fills it.
        attrs.update(
            {"role": "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listbox}
        )
        url = f"{reverse('subjects:agency_suggest')}?within={self.within}"
        return format_html(
            '<div class="agency-picker-box" data-suggest-url="{}">{}'
            '<ul id="{}" class="agency-suggestions" role="listbox" hidden></ul></div>',
            url,
            super().render(name, value, attrs, renderer),
            listbox,
        )


class AgencyPickerField(forms.Field):
    """An agency out of `queryset`, chosen by what was typed (see the module docstring); cleans to the Agency, or
    to its id with `as_id` (for the record list's filter, which filters by id)."""

    widget = AgencyPickerInput
    default_error_messages = {
        "not_found": _("No agency in your reach matches “%(text)s”."),
        "ambiguous": _("Several agencies match “%(text)s”: %(names)s. Type more of the name, or the code."),
    }

    def __init__(
        self, queryset: QuerySet[Agency], *, within: str = "visible", as_id: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("widget", AgencyPickerInput(within=within))
        super().__init__(**kwargs)
        self.queryset = queryset
        self.as_id = as_id
        self.widget.within = within

    def prepare_value(self, value: Any) -> Any:
        """An initial id shows as the agency's name and code (one query for the one agency)."""
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            agency = self.queryset.filter(pk=int(value)).first()
            if agency is not None:
                return agency_label(agency)
        return value

    def to_python(self, value: Any) -> Agency | int | None:
        text = str(value or "").strip()
        if not text:
            return None
        agency = self._resolve(text)
        return agency.pk if self.as_id else agency

    def _resolve(self, text: str) -> Agency:
        if text.isdigit():
            by_id = self.queryset.filter(pk=int(text)).first()
            if by_id is not None:
                return by_id
        code = CODE.search(text.upper())
        if code is not None:
            by_code = self.queryset.filter(uscc=code.group()).first()
            if by_code is not None:
                return by_code
        name = re.sub(r"（[^（）]*）$|\([^()]*\)$", "", text).strip()
        exact = list(self.queryset.filter(name=name)[:2])
        if len(exact) == 1:
            return exact[0]
        candidates = list(agency_matches(self.queryset, name).order_by("-active", "name", "pk")[: SHOWN_CANDIDATES + 1])
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        names = "、".join(agency_label(agency) for agency in candidates[:SHOWN_CANDIDATES])
        if len(candidates) > SHOWN_CANDIDATES:
            names += "…"
        raise forms.ValidationError(
            self.error_messages["ambiguous"], code="ambiguous", params={"text": text, "names": names}
        )
