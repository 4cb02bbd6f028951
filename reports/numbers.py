"""Report numbers and verification codes (docs/reports.md).

A report number is ``XY`` + the issue time (``YYYYMMDDHHMMSS``, local time) + a six-digit sequence + one check
character: ``XY20261205183012000042Q``. The check character is ISO 7064 MOD 37-36 (python-stdnum's
``stdnum.iso7064.mod_37_36``) over the 20 digits after ``XY``: a typo in one character, or two adjacent characters
swapped, always changes it. The sequence is the issued report's id modulo one million, so two reports issued in the
same second differ.

The verification code (8 characters of Crockford's base-32 alphabet in two groups, ``7KQ2-M9XD``, each with a digit,
~39 bits) is what the QR code and ``/reports/verify/<code>/`` carry: random, so the number of reports issued cannot be
read from it.
"""

import datetime
import secrets

from django.utils import timezone
from stdnum.iso7064 import mod_37_36

PREFIX = "XY"
# Crockford's base 32: no I, L, O, U (read as 1, 1, 0 and a rude word).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


def report_number(at: datetime.datetime, sequence: int) -> str:
    body = f"{timezone.localtime(at):%Y%m%d%H%M%S}{sequence % 1_000_000:06d}"
    return f"{PREFIX}{body}{mod_37_36.calc_check_digit(body)}"


def report_number_valid(number: str) -> bool:
    number = number.strip().upper()
    if not number.startswith(PREFIX) or len(number) != len(PREFIX) + 21:
        return False
    body = number[len(PREFIX) :]
    return body[:-1].isdigit() and bool(mod_37_36.is_valid(body))


def verification_code() -> str:
    """Two groups of four, each with at least one digit (a group of letters alone reads as a word: NQYM)."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in raw[:4]) and any(c.isdigit() for c in raw[4:]):
            return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: str) -> str:
    """What a reader types: any case, with or without the dash, O for 0 and I/L for 1."""
    text = code.strip().upper().replace("-", "").replace(" ", "")
    text = text.translate(str.maketrans("OIL", "011"))
    return f"{text[:4]}-{text[4:]}" if len(text) == CODE_LENGTH else text
