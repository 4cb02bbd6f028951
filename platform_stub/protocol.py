"""The wire contract the product's delivery client is written against: request signing and item validation."""

import datetime
import hashlib
import hmac
import re
from typing import Any

MAX_CLOCK_SKEW_SECONDS = 300
MAX_ITEMS_PER_BATCH = 1000
CHANGE_TYPES = frozenset(
    {"published", "corrected", "revoked", "repaired", "expired", "objection_opened", "objection_closed"}
)
USCC_LENGTH = 18
MAX_ID = 2**63 - 1  # SQLite INTEGER
# The kind of object an item without `record_id` names: lower-case letters, digits and underscores ("commitment").
KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
RECORD_KIND = "record"


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
    """Why the platform refuses the item on its form alone, or None. Poison ids are decided elsewhere.

    A record's item names it by `record_id` and carries the 双公示 codes; an item of any other kind names its `kind`
    and `object_id` instead, and its payload is only required to be an object."""
    if not isinstance(item, dict):
        return "item must be an object"
    key = item.get("delivery_key")
    if not isinstance(key, str) or not key:
        return "delivery_key must be a non-empty string"
    is_record = "record_id" in item
    if is_record:
        if "kind" in item or "object_id" in item:
            return "an item names either record_id or kind and object_id"
        if not _is_positive_int(item.get("record_id")):
            return "record_id must be a positive integer"
    else:
        kind = item.get("kind")
        if not isinstance(kind, str) or not KIND.fullmatch(kind) or kind == RECORD_KIND:
            return "kind must be a lower-case name other than record (a record's item names record_id)"
        if not _is_positive_int(item.get("object_id")):
            return "object_id must be a positive integer"
    if not _is_positive_int(item.get("version")):
        return "version must be a positive integer"
    if item.get("change_type") not in CHANGE_TYPES:
        return f"change_type must be one of {', '.join(sorted(CHANGE_TYPES))}"
    payload = item.get("payload")
    if not isinstance(payload, dict):
        return "payload must be an object"
    if not is_record:
        return None
    name = payload.get("cf_xdr_mc")
    if not isinstance(name, str) or not name.strip():
        return "payload.cf_xdr_mc must be a non-empty string"
    uscc = payload.get("cf_xdr_shxym")
    if not isinstance(uscc, str) or len(uscc) != USCC_LENGTH:
        return f"payload.cf_xdr_shxym must be {USCC_LENGTH} characters"
    if not _is_date(payload.get("cf_jdrq")):
        return "payload.cf_jdrq must be a YYYY-MM-DD date"
    return None


def item_target(item: dict[str, Any]) -> tuple[str, int]:
    """What a valid item is about: ("record", record_id) or (kind, object_id)."""
    if "record_id" in item:
        return RECORD_KIND, item["record_id"]
    return item["kind"], item["object_id"]
