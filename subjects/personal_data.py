"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation, masking, encryption at rest, keyed lookup.

An ID number is stored three ways and never in the clear: a Fernet ciphertext that only the inspector role may have
decrypted (`civil_servant_reveal_id_number` logs each time), a keyed HMAC digest so a person can be found by number,
and the masked form every page shows (`3301**********123X`). It never goes in a URL: look-ups are POSTed.
"""

import base64
import datetime
import hashlib
import hmac
import logging
import re
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# ASCII digits only: Python's \d also matches full-width and other Unicode digits, which int() reads but no ID has.
ID_NUMBER_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
# In free text (log lines): 18 characters that look like an ID number and are not part of a longer number.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): the k-th of the first 17 digits (from 0) is weighted by 2^(17-k) mod 11,
# and the weighted sum mod 11 picks the check character. Written out rather than taken from stdnum: its
# calc_check_digit wants the whole 18-character number and silently drops the last character of whatever it is
# given; passing it the first 17 made every check digit wrong.
ID_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"


def id_number_check_digit(first_17: str) -> str:
    """The check character of an ID number from its first 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first_17):
        raise ValueError("The check character is computed from exactly 17 digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_CHECK_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def validate_id_number(value: str) -> None:
    number = normalize_id_number(value)
    if not ID_NUMBER_PATTERN.match(number):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="id_number_format"
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(_("The birth date inside the ID number is not a real date."), code="id_birth") from exc
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        raise ValidationError(_("The birth date inside the ID number is out of range."), code="id_birth")
    # No birthplace check: stdnum's validate() rejects real numbers whose county code postdates the birth year,
    # and counties are renamed and merged all the time.
    if id_number_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of the ID number is wrong."), code="id_check")


def mask_id_number(value: str) -> str:
    number = normalize_id_number(value)
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _derived_key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.PERSONAL_DATA_KEY}".encode()).digest()


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"encrypt:{key}".encode()).digest()))


def id_number_digest(value: str) -> str:
    return hmac.new(_derived_key("lookup"), normalize_id_number(value).encode(), hashlib.sha256).hexdigest()


def encrypt_id_number(value: str) -> str:
    return _fernet(settings.PERSONAL_DATA_KEY).encrypt(normalize_id_number(value).encode()).decode()


def decrypt_id_number(token: str) -> str:
    return _fernet(settings.PERSONAL_DATA_KEY).decrypt(token.encode()).decode()


def mask_id_numbers_in_text(text: str) -> str:
    return ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)


class MaskIdNumbersFilter(logging.Filter):
    """Masks anything shaped like an ID number in every log line, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def make_id_number(region_code: str, birth: datetime.date, sequence: int) -> str:
    """A valid number from its parts (demo and test data); odd sequence numbers are men, even are women."""
    first_17 = f"{region_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first_17 + id_number_check_digit(first_17)
