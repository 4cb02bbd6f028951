"""The wire contract the product's delivery client is written against: request signing and item validation."""

import datetime
import hashlib
import hmac
from typing import Any

MAX_CLOCK_SKEW_SECONDS = 300
MAX_ITEMS_PER_BATCH = 1000
CHANGE_TYPES = frozenset(
    {"published", "corrected", "revoked", "repaired", "expired", "objection_opened", "objection_closed"}
)
USCC_LENGTH = 18
MAX_ID = 2**63 - 1  # SQLite INTEGER


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over `"<timestamp>." + body`; for a GET the body is the path with its query string."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_is_valid(*, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> bool:
    if not timestamp or not signature:
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > MAX_CLOCK_SKEW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _is_positive_int(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != len("YYYY-MM-DD"):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def item_error(item: Any) -> str | None:
    """Why the platform refuses the item on its form alone, or None. Poison ids are decided elsewhere."""
    if not isinstance(item, dict):
        return "item must be an object"
    key = item.get("delivery_key")
    if not isinstance(key, str) or not key:
        return "delivery_key must be a non-empty string"
    if not _is_positive_int(item.get("record_id")):
        return "record_id must be a positive integer"
    if not _is_positive_int(item.get("version")):
        return "version must be a positive integer"
    if item.get("change_type") not in CHANGE_TYPES:
        return f"change_type must be one of {', '.join(sorted(CHANGE_TYPES))}"
    payload = item.get("payload")
    if not isinstance(payload, dict):
        return "payload must be an object"
    name = payload.get("cf_xdr_mc")
    if not isinstance(name, str) or not name.strip():
        return "payload.cf_xdr_mc must be a non-empty string"
    uscc = payload.get("cf_xdr_shxym")
    if not isinstance(uscc, str) or len(uscc) != USCC_LENGTH:
        return f"payload.cf_xdr_shxym must be {USCC_LENGTH} characters"
    if not _is_date(payload.get("cf_jdrq")):
        return "payload.cf_jdrq must be a YYYY-MM-DD date"
    return None
