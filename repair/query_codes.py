"""Query codes (查询码): how a filer without an account follows a case.

A code is 12 characters of Crockford's base32 alphabet (digits and capitals without I, L, O, U), shown in groups of
four: `7KQ2-M9XD-4TRB`. That is 60 random bits; with the tracking throttle a guesser needs longer than recorded
history to find any case (docs/query-codes.md works out the odds). Typing is forgiving: case, spaces, dashes and
full-width characters do not matter, and I, L and O are read as 1, 1 and 0.

Only a digest is stored, keyed (HMAC-SHA256 with a key derived from PERSONAL_DATA_KEY) so that a copy of the database
alone does not let anyone try all 2^60 codes offline. Codes issued before this format (22 case-sensitive characters,
stored as a plain SHA-256 of the code as given) are still found: a lookup tries the typed text both ways.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
# Crockford's decoding: letters that look like digits are read as those digits.
LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
SEPARATORS = re.compile(r"[\s\-_.·]+")


def new_query_code() -> tuple[str, str]:
    """A fresh code, grouped for reading, and its digest."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    code = "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))
    return code, query_code_digest(code)


def normalize_query_code(typed: str) -> str | None:
    """The code's 12 characters as typed by a person, or None when the text cannot be a code of this format."""
    text = unicodedata.normalize("NFKC", typed)
    text = SEPARATORS.sub("", text).upper().translate(LOOK_ALIKES)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def _key() -> bytes:
    return hashlib.sha256(f"query-code:{settings.PERSONAL_DATA_KEY}".encode()).digest()


def query_code_digest(code: str) -> str:
    """What is stored for a code of the current format (`code` as issued or as typed)."""
    normalized = normalize_query_code(code)
    if normalized is None:
        raise ValueError("not a query code of the current format")
    return hmac.new(_key(), normalized.encode(), hashlib.sha256).hexdigest()


def _legacy_digest(code: str) -> str:
    # Codes of the first format (secrets.token_urlsafe(16)) were stored as the SHA-256 of the code, case-sensitive.
    return hashlib.sha256(code.strip().encode()).hexdigest()


def query_code_candidates(typed: str) -> list[str]:
    """The digests a stored case may carry for what was typed: the current format's, and the first format's."""
    digests = [_legacy_digest(typed)]
    if normalize_query_code(typed) is not None:
        digests.insert(0, query_code_digest(typed))
    return digests


def new_verification_code() -> str:
    """Printed on a repair decision; anyone holding the document can check it online."""
    return secrets.token_hex(8).upper()
