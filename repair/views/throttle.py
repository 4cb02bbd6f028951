"""Per-address limits on the public pages: a filer cannot flood the forms, a guesser cannot try query codes at speed.

Counted in Django's cache (Redis in production, shared by every worker) in fixed windows that start at the first
request. Only a digest of the client's address is kept. Behind the reverse proxy (PROXY_COUNT, which settings turn
into AXES_IPWARE_PROXY_COUNT) the address is the one the outermost trusted proxy appended to X-Forwarded-For:
otherwise every visitor would share the proxy's address, and one flood would lock the whole city out.

Settings, each read with a default (getattr): REPAIR_FILING_LIMIT filings per REPAIR_FILING_WINDOW seconds (5 per
hour), REPAIR_LOOKUP_LIMIT query-code or verification lookups per REPAIR_LOOKUP_WINDOW seconds (10 per 10 minutes).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.network import client_address


@dataclass(frozen=True)
class Limit:
    scope: str
    limit_setting: str
    default_limit: int
    window_setting: str
    default_window: int

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting, self.default_limit))

    @property
    def window(self) -> int:
        return int(getattr(settings, self.window_setting, self.default_window))


FILING = Limit("filing", "REPAIR_FILING_LIMIT", 5, "REPAIR_FILING_WINDOW", 3600)
LOOKUP = Limit("lookup", "REPAIR_LOOKUP_LIMIT", 10, "REPAIR_LOOKUP_WINDOW", 600)


def _key(limit: Limit, request: HttpRequest) -> str:
    address = client_address(request)
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"repair-throttle:{limit.scope}:{digest}"


def allow(limit: Limit, request: HttpRequest) -> bool:
    """Counts this request against the client's window; False once the window's allowance is spent."""
    key = _key(limit, request)
    window = limit.window
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit.limit
