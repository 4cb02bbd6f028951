"""The public disclosure site (信用XX): anonymous, and shows only what may be shown (docs/domain.md §4).

Every record comes through `disclosure.queries` (hence `DishonestyRecord.objects.disclosed()`), and every page is
built to be cached by proxies and browsers: GET and HEAD only, `Cache-Control: public, max-age=…`, an ETag (plus
Last-Modified where a page has one natural date), and no cookie of its own — no session, no CSRF token (the search
form is a GET, and so is the language switch). The server keeps whole anonymous answers too (disclosure/cache.py),
made stale by every change that can alter a public page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe, url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.context_processors import site_name
from disclosure import cache as response_cache
from disclosure.commitments import (
    REPORT_LIST_SIZE,
    STANDING_PAGE_SIZE,
    Standing,
    agency_commitments,
    public_commitment,
    report_card,
    standing_page_rows,
    year_of,
)
from disclosure.commitments import to_public as commitments_to_public
from disclosure.forms import MAX_QUERY_CHARACTERS, SearchForm
from disclosure.queries import (
    HOME_RECENT,
    PAGE_SIZE,
    CountedPaginator,
    Cursor,
    agency_records,
    agency_with_lineage,
    public_counts,
    public_record,
    recent_page,
    to_public,
)
from disclosure.search import public_districts, search_run
from evaluation.selectors import latest_frozen_grade

View = Callable[..., HttpResponse]


def cache_seconds() -> int:
    return int(settings.DISCLOSURE_CACHE_SECONDS)


def cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Cache headers for a public page, and 304 when the client's copy is still good."""
    if response.status_code not in {200, 404}:
        return response
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A signed-in member of staff: the session middleware refreshes their cookie on every response
        # (SESSION_SAVE_EVERY_REQUEST), and a shared cache must never keep a response carrying it.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=cache_seconds())
    # The language comes from the language cookie or Accept-Language.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    if response.status_code != 200:
        return response
    if not response.has_header("ETag"):
        set_response_etag(response)
    last_modified = parse_http_date_safe(response["Last-Modified"]) if response.has_header("Last-Modified") else None
    return get_conditional_response(  # type: ignore[return-value]  # given a response, never None (stubs: may be)
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )


def public_page(view: View) -> View:
    """A public page: cache headers and 304s (`cacheable`), and kept whole in the server's cache (disclosure.cache)
    for anonymous visitors, so a page many people open is rendered once per change of the public data."""

    @wraps(view)
    @require_safe
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        slot, kept = response_cache.lookup(request)
        if kept is not None:
            return cacheable(request, kept)
        response = view(request, *args, **kwargs)
        # cacheable() completes `response` (ETag included) before it may answer 304 instead: keep the full page.
        answer = cacheable(request, response)
        if slot is not None:
            response_cache.keep(request, slot, response)
        return answer

    return wrapped


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return render(request, template, {"site_name": site_name(), **(context or {})}, status=status)


def not_found(request: HttpRequest) -> HttpResponse:
    # One answer for "never existed", "a draft", "revoked" and "expired": the public learns nothing from it.
    return page(request, "disclosure/not_found.html", status=404)


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return page(
        request,
        "disclosure/home.html",
        {
            "counts": public_counts(),
            "recent": recent_page(size=HOME_RECENT).records,
            # The districts' report cards of public commitments.
            "districts": public_districts(),
        },
    )


@public_page
def search(request: HttpRequest) -> HttpResponse:
    """Credit subjects or records by words and filters (disclosure/search.py). A filter value that is not one of
    the choices is answered 400 with a sentence beside the filter and the form as it was sent."""
    form = SearchForm(request.GET, districts=public_districts())
    if not form.is_valid():
        context = {"form": form, "q": str(request.GET.get("q", ""))[:MAX_QUERY_CHARACTERS], "page": None, "hits": []}
        return page(request, "disclosure/search.html", context, status=400)
    query = form.search()
    if query.is_blank:
        return page(request, "disclosure/search.html", {"form": form, "q": query.text, "page": None, "hits": []})
    results = search_run(query, page_number=request.GET.get("page"))
    return page(
        request,
        "disclosure/search.html",
        {"form": form, "q": query.text, "results": results, "page": results.page, "hits": results.hits},
    )


@public_page
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency, predecessors = agency_with_lineage(pk)
    if agency is None:
        return not_found(request)
    try:
        year = year_of(request.GET.get("year"))
    except ValueError:
        return bad_request(request)
    # A renamed or merged agency's history follows it (机构改革): its predecessors' records show here too, and its
    # commitments.
    lineage = [agency.pk, *(a.pk for a in predecessors)]
    records = Paginator(agency_records(lineage), PAGE_SIZE).get_page(request.GET.get("page"))
    return page(
        request,
        "disclosure/agency.html",
        {
            "agency": agency,
            "predecessors": predecessors,
            "page": records,
            "records": to_public(records.object_list),
            "commitments": agency_commitments(lineage, year=year),
            # The latest frozen evaluation grade (never live scores: evaluation.selectors).
            "frozen_grade": latest_frozen_grade(agency.pk),
        },
    )


@public_page
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = public_commitment(pk)
    if commitment is None:
        return not_found(request)
    response = page(request, "disclosure/commitment.html", {"commitment": commitment})
    if commitment.updated_at is not None:
        response["Last-Modified"] = http_date(commitment.updated_at.timestamp())
    return response


@public_page
def agency_report_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The yearly report card of an agency's commitments (and of the agencies it took over)."""
    return _report_card(request, pk, district=False)


@public_page
def district_report_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The yearly report card of a district: the agency and every agency below it."""
    return _report_card(request, pk, district=True)


def _report_card(request: HttpRequest, pk: int, *, district: bool) -> HttpResponse:
    agency, predecessors = agency_with_lineage(pk)
    if agency is None:
        return not_found(request)
    show = request.GET.get("show", "")
    try:
        year = year_of(request.GET.get("year"))
    except ValueError:
        return bad_request(request)
    if show and show not in Standing.values:
        return bad_request(request)
    scope: dict[str, Any] = (
        {"path": agency.path} if district else {"agency_ids": [agency.pk, *(a.pk for a in predecessors)]}
    )
    # One standing on pages of its own: the card's counts, and no first rows of the others.
    card = report_card(**scope, year=year, list_size=0 if show else REPORT_LIST_SIZE)
    context: dict[str, Any] = {"agency": agency, "district": district, "card": card, "show": show}
    if show:
        count = card.counts[show]
        rows = standing_page_rows(**scope, year=card.year, standing=show)
        listed = CountedPaginator(rows, STANDING_PAGE_SIZE, count=lambda: count).get_page(request.GET.get("page"))
        context.update(
            page=listed,
            shown=commitments_to_public(listed.object_list, timezone.localdate()),
            shown_label=Standing(show).label,
        )
    return page(request, "disclosure/report_card.html", context)


@public_page
def record_list(request: HttpRequest) -> HttpResponse:
    before = after = None
    if "before" in request.GET:
        before = Cursor.decode(request.GET["before"])
        if before is None:
            return bad_request(request)
    elif "after" in request.GET:
        after = Cursor.decode(request.GET["after"])
        if after is None:
            return bad_request(request)
    return page(request, "disclosure/records.html", {"page": recent_page(before=before, after=after)})


@public_page
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = public_record(pk)
    if record is None:
        return not_found(request)
    # Like 信用中国's per-record button: the repair application opens on the earliest repair date.
    repair_open = record.earliest_repair_on <= timezone.localdate()
    response = page(request, "disclosure/record.html", {"record": record, "repair_open": repair_open})
    if record.updated_at is not None:
        response["Last-Modified"] = http_date(record.updated_at.timestamp())
    return response


def bad_request(request: HttpRequest) -> HttpResponse:
    return page(request, "disclosure/bad_request.html", status=400)


@require_safe
def language(request: HttpRequest) -> HttpResponse:
    """The public site's language switch: a GET link, so no page needs a CSRF token (and its cookie) for a form.

    Sets only the language cookie, and only when asked; the pages' `Vary: Cookie` keeps caches honest.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = reverse("disclosure:home")
    response = HttpResponseRedirect(next_url)
    code = request.GET.get("language", "")
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    add_never_cache_headers(response)
    return response


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring (and the benchmark's baseline): the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")
