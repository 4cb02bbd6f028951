"""The public site's repeated markup, written in Python rather than in template loops and includes.

A template loop costs ~40 variable lookups a table row, and an `{% include %}` with its `{% url %}`,
`{% translate %}` and `{% querystring %}` tags adds up: together about half of a search or agency page's time
(measured with cProfile, bench/bench_public_search.py). The markup is the same as the templates' was; every value is
escaped here, labels are translated once a page, and the addresses every page links to are reversed once a process.
"""

import functools
from collections.abc import Sequence
from typing import cast

from django import forms, template
from django.conf import settings
from django.core.paginator import Page
from django.template import Context, RequestContext
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from disclosure.commitments import PublicCommitment, commitment_rows_html
from disclosure.forms import FILTER_FIELDS, SearchForm
from disclosure.queries import AgencyHit, PublicRecord, agency_hits_html, record_rows_html

register = template.Library()
CURRENT = ' aria-current="page"'


@register.simple_tag
def record_rows(records: Sequence[PublicRecord]) -> SafeString:
    return record_rows_html(records)


@register.simple_tag
def commitment_rows(commitments: Sequence[PublicCommitment], with_agency: bool, with_grounds: bool) -> SafeString:
    return commitment_rows_html(commitments, with_agency=bool(with_agency), with_grounds=bool(with_grounds))


@register.simple_tag
def agency_results(hits: Sequence[AgencyHit]) -> SafeString:
    return agency_hits_html(hits)


@functools.cache
def _url(name: str) -> str:
    # Like disclosure.queries.url_prefix: one reverse() per process for the addresses every page links to.
    return reverse(name)


@register.simple_tag(takes_context=True)
def public_nav(context: Context) -> SafeString:
    """The header's navigation (templates/disclosure/base.html), the current page marked."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None else None
    # Messages are translated outside the f-strings: makemessages does not look inside them.
    links = (
        ("home", gettext("Home")),
        ("search", gettext("Search")),
        ("records", gettext("Recently published")),
        ("ppp_projects", gettext("PPP projects")),
        ("procurement_disclosures", gettext("Overdue payments to SMEs")),
        ("procurement_blacklist", gettext("Supplier blacklist")),
        ("debt_regions", gettext("Government debt")),
    )
    items = "".join(
        f'          <li><a href="{escape(_url(f"disclosure:{name}"))}"'
        f"{CURRENT if current == name else ''}>{escape(text)}</a></li>\n"
        for name, text in links
    )
    nav_label = gettext("Site navigation")
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<nav class="public-nav" aria-label="{escape(nav_label)}">\n        <ul>\n{items}        </ul>\n      </nav>'
    )


@register.simple_tag(takes_context=True)
def language_form(context: Context) -> SafeString:
    """The footer's language switch (a GET form: no CSRF token, no cookie), as _language_form.html wrote it."""
    request = context.get("request")
    current = get_language()
    language_label, switch_label = gettext("Language"), gettext("Switch")
    options = "".join(
        f'    <option value="{escape(info["code"])}" lang="{escape(info["code"])}"'
        f"{' selected' if info['code'] == current else ''}>{escape(info['name_local'])}</option>\n"
        for info in (get_language_info(str(code)) for code, _name in settings.LANGUAGES)
    )
    next_url = request.get_full_path() if request is not None else ""
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<form action="{escape(_url("disclosure:language"))}" method="get" class="language-form">\n'
        f'  <input type="hidden" name="next" value="{escape(next_url)}">\n'
        f'  <label for="language-select">{escape(language_label)}</label>\n'
        f'  <select name="language" id="language-select">\n{options}  </select>\n'
        f'  <button type="submit">{escape(switch_label)}</button>\n'
        "</form>"
    )


@register.simple_tag(takes_context=True)
def search_form(context: Context, input_id: str, big: bool = False) -> SafeString:
    """The search box of every public page (a GET form: no CSRF token); the search page has its own, with filters."""
    q = context.get("q")
    label_class = "public-search-label" if big else "visually-hidden"
    field = escape(input_id)
    label = gettext("Search by agency name, Unified Social Credit Code or document number")
    placeholder = gettext("Agency name, credit code or document number")
    button = gettext("Search")
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<form method="get" action="{escape(_url("disclosure:search"))}" class="public-search" role="search">\n'
        f'  <label for="{field}" class="{label_class}">'
        f"{escape(label)}</label>\n"
        '  <div class="public-search-row">\n'
        f'    <input type="search" name="q" id="{field}" value="{conditional_escape(q) if q else ""}" maxlength="100"\n'
        f'           placeholder="{escape(placeholder)}">\n'
        f'    <button type="submit">{escape(button)}</button>\n'
        "  </div>\n"
        "</form>"
    )


@register.simple_tag
def search_filters(form: SearchForm) -> SafeString:
    """The search page's filters: a labelled select each, with its error beside it. Django's widgets render every
    option through a template of its own (15 ms for the page's ~80 options, measured): the same markup, written
    here."""
    parts = []
    for name in FILTER_FIELDS:
        bound = form[name]
        field = cast(forms.ChoiceField, bound.field)
        chosen = str(form.data.get(name, ""))
        field_id = escape(bound.auto_id)
        error_id = f"{field_id}-error"
        errors = "".join(f'<p class="public-field-error" id="{error_id}">{escape(e)}</p>' for e in bound.errors)
        invalid = f' aria-invalid="true" aria-describedby="{error_id}"' if bound.errors else ""
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(text)}</option>'
            # The stubs type `choices` as anything a field accepts; a bound ChoiceField holds a list of pairs.
            for value, text in cast(list[tuple[str, str]], field.choices)
        )
        parts.append(
            f'<div class="public-filter{" has-error" if bound.errors else ""}">\n'
            f'  <label for="{field_id}">{escape(bound.label)}</label>\n'
            f'  <select name="{escape(name)}" id="{field_id}"{invalid}>{options}</select>\n'
            f"  {errors}\n</div>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped


@register.simple_tag(takes_context=True)
def public_pagination(context: RequestContext, page: Page, label: str) -> SafeString:
    """_pagination.html for the public pages: its links, each the current query with another page number."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return mark_safe("")

    def link(number: int) -> str:
        params = context.request.GET.copy()
        params["page"] = str(number)
        return escape(f"?{params.urlencode()}")

    first, previous, following, last = gettext("First"), gettext("Previous"), gettext("Next"), gettext("Last")
    nav_label = label or gettext("Pages")
    parts = [f'<nav class="public-pagination" aria-label="{conditional_escape(nav_label)}">\n']
    if page.has_previous():
        parts.append(f'  <a href="{link(1)}">{escape(first)}</a>\n')
        parts.append(f'  <a href="{link(page.previous_page_number())}" rel="prev">{escape(previous)}</a>\n')
    where = gettext("Page %(number)s of %(total)s") % {"number": page.number, "total": paginator.num_pages}
    parts.append(f'  <span aria-current="page">{escape(where)}</span>\n')
    if page.has_next():
        parts.append(f'  <a href="{link(page.next_page_number())}" rel="next">{escape(following)}</a>\n')
        parts.append(f'  <a href="{link(paginator.num_pages)}">{escape(last)}</a>\n')
    parts.append("</nav>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped
