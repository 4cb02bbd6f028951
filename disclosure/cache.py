"""The public site's server-side cache of whole responses (the views decorated with `disclosure.views.public_page`).

A page is kept in Django's cache (Redis in production, local memory in the embedded default) under its full path
with the query string, the active language and today's local date (windows end and the repair button opens at
midnight), together with the *public version* it was rendered under. The public version is one value in the cache,
replaced after the commit of every change that can alter a public page (`public_version_renew`, run through
outbox.hooks after every platform change — publish, correct, revoke, repair, expire, objection opened or closed —
and after the agency services' changes): a kept page of another version is not served, so the next request after a
change renders afresh. DISCLOSURE_RESPONSE_CACHE_SECONDS only bounds how long an entry can outlive a renewal that
could not reach the cache.

Never read or filled for a request carrying a session cookie (staff: their answers are private and refresh the
cookie), never filled by a response that sets a cookie, only 200 and 404 answers to GET and HEAD. When the cache
cannot be reached, pages are rendered as if it did not exist; the outage is logged once.
"""

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "disclosure:public-version"
PAGE_KEY_PREFIX = "disclosure:page"
# The query parameters of the public pages (search: q, its filters and list, page; agency: page, year; report
# card: year, show, page; recent list: before, after). Any other parameter is rendered but not kept: an address
# padded with junk parameters must not make a new entry. The key is the whole query string, so each search and each
# combination of filters is its own entry.
PAGE_PARAMS = frozenset({"q", "kind", "district", "severity", "source", "year", "page", "before", "after", "show"})
STORED_STATUSES = frozenset({200, 404})
STORED_HEADERS = ("Content-Type", "ETag", "Last-Modified")
# After a failure this process renders without the cache for this long before trying it again, rather than paying
# a failed connection on every request.
RETRY_AFTER_SECONDS = 10.0
# Where a request's outcome is noted for access logs (gunicorn's %({disclosure.response_cache}e)s): hit, miss, pass.
ENVIRON_KEY = "disclosure.response_cache"

T = TypeVar("T")
Stored = tuple[str, int, dict[str, str], bytes]  # version, status, headers, body


class _Health:
    """Per process: whether the cache answered lately (an outage is logged once, at its start)."""

    down_until = 0.0
    failing = False


def _attempt(operation: Callable[[], T], *, even_if_down: bool = False) -> T | None:
    """The operation's result, or None if the cache failed (or failed less than RETRY_AFTER_SECONDS ago)."""
    if _Health.failing and not even_if_down and time.monotonic() < _Health.down_until:
        return None
    try:
        result = operation()
    except Exception as exc:  # any failure of the cache (connection, timeout, an unreadable entry) counts as a miss
        if not _Health.failing:
            logger.warning("The cache is unavailable (%r); public pages are rendered without it.", exc)
        _Health.failing = True
        _Health.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        return None
    if _Health.failing:
        logger.warning("The cache is available again.")
        _Health.failing = False
    return result


def cache_get(key: str) -> Any:
    """cache.get that answers None when the cache cannot be reached."""
    return _attempt(lambda: cache.get(key))


def cache_set(key: str, value: Any, timeout: int) -> None:
    """cache.set that does nothing when the cache cannot be reached."""
    _attempt(lambda: cache.set(key, value, timeout))


def lifetime() -> int:
    return int(settings.DISCLOSURE_RESPONSE_CACHE_SECONDS)


# The public version


def _new_version() -> str:
    # Any value it never had before, rather than a count: a version lost with its cache (flushed, restarted, evicted)
    # can then never come back and serve the pages kept under it, and a bump is one write.
    return secrets.token_hex(8)


def public_version() -> str | None:
    """The current public version (created when missing), or None when the cache cannot be reached."""

    def read() -> str:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _new_version(), None)
            version = cache.get(VERSION_KEY)
        return str(version)

    return _attempt(read)


def public_version_renew() -> None:
    """Every kept public page becomes stale at once. Run after the commit of any change that can alter a public page
    (registered with outbox.hooks by DisclosureConfig.ready); a rolled-back change renews nothing."""
    # Tried even during an outage: a renewal that gets through matters more than a write's latency.
    _attempt(lambda: cache.set(VERSION_KEY, _new_version(), None), even_if_down=True)


# Responses


@dataclass(frozen=True)
class Slot:
    """Where a request's answer is kept, and the public version a fresh answer is rendered under."""

    key: str
    version: str


def _page_key(request: HttpRequest) -> str | None:
    if (
        lifetime() <= 0
        or request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or not PAGE_PARAMS.issuperset(request.GET.keys())
    ):
        return None
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{timezone.localdate().isoformat()}:{get_language()}:{path}"


def lookup(request: HttpRequest) -> tuple[Slot | None, HttpResponse | None]:
    """The kept answer to the request if it is of the current public version, and where to keep a fresh one (no
    slot: this request may neither read nor fill the cache). One round trip: the version and the page together, the
    page carrying the version it was rendered under."""
    key = _page_key(request)
    found = None if key is None else _attempt(lambda: cache.get_many([VERSION_KEY, key]))
    if key is None or found is None:
        request.META[ENVIRON_KEY] = "pass"
        return None, None
    version = found.get(VERSION_KEY)
    if version is None:
        version = public_version()
        if version is None:
            request.META[ENVIRON_KEY] = "pass"
            return None, None
    stored = found.get(key)
    if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == version):
        request.META[ENVIRON_KEY] = "miss"
        return Slot(key=key, version=str(version)), None
    _version, status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers.items():
        response[name] = value
    request.META[ENVIRON_KEY] = "hit"
    return None, response


def keep(request: HttpRequest, slot: Slot, response: HttpResponse) -> None:
    """Keeps the page if it is the same for every anonymous visitor: no cookie set, no CSRF token or session used.
    Under the version read before it was rendered: a change committed meanwhile makes it stale at once."""
    if (
        response.status_code not in STORED_STATUSES
        or response.streaming
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(getattr(request, "session", None), "modified", False)
    ):
        request.META[ENVIRON_KEY] = "pass"
        return
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    stored: Stored = (slot.version, response.status_code, headers, response.content)
    cache_set(slot.key, stored, lifetime())
