"""Limits on the public forms and look-ups (pages and API alike): a filer cannot flood the credit office, a guesser
cannot try query codes at speed, and a service hall whose visitors all file from one terminal is not locked out.

Filing (objections, complaints, repair applications, material supplied) counts only what was filed. A form sent back
with errors costs nothing, so a filer who fixes mistakes is never locked out by them. Three allowances:

- REPAIR_FILING_LIMIT filings per client address per REPAIR_FILING_WINDOW seconds (60 an hour): generous, because a
  service hall's terminal or an office behind one NAT address files for many people;
- REPAIR_FILER_LIMIT filings per contact (the phone number or e-mail address given) per REPAIR_FILER_WINDOW seconds
  (10 a day), whatever the address: one filer cannot flood the office;
- REPAIR_ATTEMPT_LIMIT form posts of any kind, good or bad, per address per REPAIR_ATTEMPT_WINDOW seconds (300 an
  hour): only a script reaches it.

Look-ups (tracking by query code, checking a repair decision): every one counts, REPAIR_LOOKUP_LIMIT per address per
REPAIR_LOOKUP_WINDOW seconds (10 per 10 minutes). docs/query-codes.md turns this into guessing odds.

Counted in Django's cache (Redis in production, shared by every worker) in fixed windows that start at the first
count; only digests of addresses and contacts are kept. A filing is looked at before it is taken and counted after,
so a burst of simultaneous filings may pass a few over the limit: it is a flood guard, not a quota. The client's
address is accounts.network.client_address (the one the outermost trusted proxy saw).
"""

import datetime
import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


FILING = Limit("filing", "REPAIR_FILING_LIMIT", 60, "REPAIR_FILING_WINDOW", 3600)
FILER = Limit("filer", "REPAIR_FILER_LIMIT", 10, "REPAIR_FILER_WINDOW", 86400)
ATTEMPTS = Limit("attempts", "REPAIR_ATTEMPT_LIMIT", 300, "REPAIR_ATTEMPT_WINDOW", 3600)
LOOKUP = Limit("lookup", "REPAIR_LOOKUP_LIMIT", 10, "REPAIR_LOOKUP_WINDOW", 600)


@dataclass(frozen=True)
class Refusal:
    """An allowance is spent: which one, and when its window ends."""

    scope: str
    retry_at: datetime.datetime

    @property
    def seconds(self) -> int:
        """For Retry-After: at least one."""
        return max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))

    @property
    def when(self) -> str:
        """When to try again, as a sentence fragment: "today at 15:20 (in about 35 minutes)"."""
        local = timezone.localtime(self.retry_at)
        clock = local.strftime("%H:%M")
        if local.date() == timezone.localdate():
            at = _("today at %(time)s") % {"time": clock}
        else:
            at = _("on %(month)d/%(day)d at %(time)s") % {"month": local.month, "day": local.day, "time": clock}
        minutes = max(1, (self.seconds + 59) // 60)
        if minutes < 120:
            wait = ngettext("in about %(n)d minute", "in about %(n)d minutes", minutes) % {"n": minutes}
        else:
            hours = round(minutes / 60)
            wait = ngettext("in about %(n)d hour", "in about %(n)d hours", hours) % {"n": hours}
        return _("%(at)s (%(wait)s)") % {"at": at, "wait": wait}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _address(request: HttpRequest) -> str:
    return _digest(client_address(request))


def _contact(contact: str) -> str:
    """One filer however they type their phone or address: case, spaces, dashes and brackets do not matter."""
    return _digest(re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", contact)).lower())


def _keys(limit: Limit, who: str) -> tuple[str, str]:
    key = f"repair-throttle:{limit.scope}:{who}"
    return key, f"{key}:until"


def _refusal(limit: Limit, until_key: str) -> Refusal:
    until = cache.get(until_key)
    if not isinstance(until, int | float):
        until = time.time() + limit.window
    return Refusal(limit.scope, datetime.datetime.fromtimestamp(until, tz=datetime.UTC))


def _count(limit: Limit, who: str) -> int:
    key, until_key = _keys(limit, who)
    window = limit.window
    cache.add(until_key, time.time() + window, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr (or the cache is away: then nothing is kept)
        cache.set(key, 1, timeout=window)
        return 1


def _spent(limit: Limit, who: str) -> Refusal | None:
    """Whether the allowance is spent already; counts nothing."""
    key, until_key = _keys(limit, who)
    count = cache.get(key)
    if isinstance(count, int) and count >= limit.limit:
        return _refusal(limit, until_key)
    return None


def _hit(limit: Limit, who: str) -> Refusal | None:
    """Counts one, then whether that went over the allowance."""
    if _count(limit, who) > limit.limit:
        return _refusal(limit, _keys(limit, who)[1])
    return None


def lookup_refusal(request: HttpRequest) -> Refusal | None:
    """Counts this look-up against the client's allowance; a Refusal once it is spent."""
    return _hit(LOOKUP, _address(request))


def filing_refusal(request: HttpRequest) -> Refusal | None:
    """Before a filing form is read: counts the post against the wide guard, and looks (without counting) whether
    the address has filed its allowance."""
    address = _address(request)
    return _hit(ATTEMPTS, address) or _spent(FILING, address)


def filer_refusal(contact: str) -> Refusal | None:
    """Once the form is read: whether whoever gave this contact has filed their allowance (counts nothing)."""
    return _spent(FILER, _contact(contact)) if contact.strip() else None


def filing_counted(request: HttpRequest, *, contact: str = "") -> None:
    """A filing was taken: it counts against the address's allowance and the contact's."""
    _count(FILING, _address(request))
    if contact.strip():
        _count(FILER, _contact(contact))


def counted_refusal(limit: Limit, request: HttpRequest) -> Refusal | None:
    """Counts one use of another app's allowance (e.g. reports' public downloads) from the client's address; a
    Refusal once it is spent."""
    return _hit(limit, _address(request))
