"""The HTTP side of delivery: signed batches to the municipal platform over one pooled keep-alive connection.

Protocol (platform_stub/README.md plays the platform): `POST {PLATFORM_URL}/api/v1/batches` with JSON
`{"batch_id", "items": [{"delivery_key", "record_id", "version", "change_type", "payload"}]}`, signed with
`X-Platform-Timestamp` and `X-Platform-Signature` = hex HMAC-SHA256(secret, "<timestamp>." + body). The answer lists
one result per item: accepted, duplicate (the delivery key was seen: an earlier send arrived), stale (an older version
than the platform holds) or rejected (with the platform's reason).

Nothing here raises for a network failure of a batch or a probe: the answer says what happened (`Answer.kind`). Reading
the platform's holdings raises one error, PlatformUnreachable, whatever went wrong underneath (urllib3's own errors
are not OSError).
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import urllib3
from django.conf import settings

from outbox.models import FailureKind

_pool: urllib3.PoolManager | None = None
_pool_pid: int | None = None


def _http() -> urllib3.PoolManager:
    """One pool per process (Celery's prefork children each build their own after the fork)."""
    import os

    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = urllib3.PoolManager(num_pools=2, maxsize=4, retries=False)
        _pool_pid = os.getpid()
    return _pool


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, *, now: float | None = None) -> dict[str, str]:
    """`now`: the database's clock when the caller has it — a worker whose own clock is off must not sign with a
    timestamp the platform refuses."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": timestamp,
        "X-Platform-Signature": sign(settings.PLATFORM_SECRET, timestamp, body),
    }


@dataclass(frozen=True)
class Answer:
    """What came back for one batch. `results` maps delivery key → (status, error) when the platform answered 200."""

    http_status: int | None
    results: dict[str, tuple[str, str]]
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.http_status == 200

    @property
    def kind(self) -> FailureKind | None:
        """Why the batch failed, or None when the platform answered it."""
        return None if self.ok else failure_kind(self.http_status, retry_after=self.retry_after)

    @property
    def summary(self) -> str:
        return f"HTTP {self.http_status}: {self.error}" if self.http_status else self.error


def failure_kind(http_status: int | None, *, retry_after: float | None = None) -> FailureKind:
    """No answer, 5xx and 408 are the platform's state; 429 (or 503 with Retry-After) asks us to wait; 401/403 refuse
    our signature or credentials, not a change; 413 is the batch's size; any other 4xx refuses the content."""
    if http_status is None:
        return FailureKind.UNREACHABLE
    if http_status == 429 or retry_after is not None:
        return FailureKind.THROTTLED
    if http_status == 413:
        return FailureKind.TOO_LARGE
    if http_status in {401, 403}:
        return FailureKind.UNAUTHORIZED
    if http_status >= 500 or http_status == 408 or http_status < 400:
        # Anything but 200 and a 4xx (a redirect, a 204) is not an answer to a batch either.
        return FailureKind.SERVER_ERROR
    return FailureKind.REFUSED


class PlatformUnreachable(Exception):
    """The one error of the platform client: no answer, an error status, or an answer that cannot be read."""


def _timeout() -> urllib3.Timeout:
    return urllib3.Timeout(connect=min(5.0, settings.PLATFORM_TIMEOUT_SECONDS), read=settings.PLATFORM_TIMEOUT_SECONDS)


def post_batch(batch_id: str, items: list[dict[str, Any]], *, now: float | None = None) -> Answer:
    return post_items(batch_id, [json.dumps(i, ensure_ascii=False, separators=(",", ":")) for i in items], now=now)


def post_items(batch_id: str, items_json: list[str], *, now: float | None = None) -> Answer:
    """Posts items already encoded as JSON (delivery splices the stored payload text in as it is)."""
    body = f'{{"batch_id":{json.dumps(batch_id)},"items":[{",".join(items_json)}]}}'.encode()
    try:
        response = _http().request(
            "POST",
            f"{settings.PLATFORM_URL}/api/v1/batches",
            body=body,
            headers=signed_headers(body, now=now),
            timeout=_timeout(),
            retries=False,
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        # Refused, reset, timed out, or the answer was lost: the batch may or may not have been applied. Resending
        # is safe — the platform de-duplicates on the delivery keys.
        return Answer(http_status=None, results={}, error=f"{type(exc).__name__}: {exc}"[:2000])
    text = response.data.decode("utf-8", errors="replace")
    if response.status != 200:
        retry_after = None
        if response.status in {429, 503} and response.headers.get("Retry-After", "").strip().isdigit():
            retry_after = float(response.headers["Retry-After"].strip())
        return Answer(http_status=response.status, results={}, error=text[:2000], retry_after=retry_after)
    try:
        results = {
            str(r["delivery_key"]): (str(r["status"]), str(r.get("error", ""))) for r in json.loads(text)["results"]
        }
    except (ValueError, KeyError, TypeError) as exc:
        return Answer(http_status=None, results={}, error=f"unreadable answer ({exc}): {text[:1900]}")
    return Answer(http_status=200, results=results)


def _get(path: str, *, now: float | None) -> Any:
    """A signed GET of the platform's listing, decoded; PlatformUnreachable for anything but a readable 200."""
    headers = signed_headers(path.encode(), now=now)
    headers.pop("Content-Type")
    try:
        response = _http().request(
            "GET", f"{settings.PLATFORM_URL}{path}", headers=headers, timeout=_timeout(), retries=False
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise PlatformUnreachable(f"{type(exc).__name__}: {exc}"[:2000]) from exc
    if response.status != 200:
        raise PlatformUnreachable(f"HTTP {response.status}: {response.data[:500].decode('utf-8', 'replace')}")
    try:
        return json.loads(response.data)
    except ValueError as exc:
        raise PlatformUnreachable(f"unreadable answer ({exc}): {response.data[:500]!r}") from exc


def platform_holdings(*, now: float | None = None) -> dict[int, int]:
    """record id → the version the platform holds now, read page by page from its listing."""
    holdings: dict[int, int] = {}
    after = 0
    while True:
        page = _get(f"/api/v1/records?after={after}&limit=5000", now=now)
        try:
            for item in page["items"]:
                holdings[int(item["record_id"])] = int(item["version"])
            if not page["items"] or page.get("next") is None:
                return holdings
            after = int(page["next"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PlatformUnreachable(f"unreadable listing ({type(exc).__name__}: {exc})") from exc


def probe(*, now: float | None = None) -> Answer:
    """One cheap signed request (the first entry of the listing): does the platform answer at all? Never raises.
    Only its own state counts: a 4xx other than 401/403/408/429 still proves it is up."""
    path = "/api/v1/records?after=0&limit=1"
    headers = signed_headers(path.encode(), now=now)
    headers.pop("Content-Type")
    try:
        response = _http().request(
            "GET", f"{settings.PLATFORM_URL}{path}", headers=headers, timeout=_timeout(), retries=False
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Answer(http_status=None, results={}, error=f"{type(exc).__name__}: {exc}"[:2000])
    retry_after = None
    if response.status in {429, 503} and response.headers.get("Retry-After", "").strip().isdigit():
        retry_after = float(response.headers["Retry-After"].strip())
    status = response.status
    if failure_kind(status, retry_after=retry_after) == FailureKind.REFUSED:
        status = 200  # the platform is there; the probe's own request is not the point
    text = "" if status == 200 else response.data[:500].decode("utf-8", errors="replace")
    return Answer(http_status=status, results={}, error=text, retry_after=retry_after)
