"""Unified Social Credit Codes (统一社会信用代码, GB 32100-2015).

python-stdnum computes the check character correctly but its `validate` rejects codes whose first two
characters are letters, which GB 32100 allows (e.g. `N…` for rural collectives, `Y…`): we use only its
`calc_check_digit`, under our own pattern and a configurable table of registration-authority/entity-type
prefixes (docs/domain.md §2).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_uscc(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def uscc_check_char(first_17: str) -> str:
    return str(stdnum_uscc.calc_check_digit(first_17))


def validate_uscc(value: str) -> None:
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A Unified Social Credit Code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="uscc_length",
        )
    if not USCC_PATTERN.match(code):
        raise ValidationError(
            _(
                "The code may use only digits and the capital letters A–Z except I, O, S, V and Z, "
                "and characters 3–8 must be the region code digits."
            ),
            code="uscc_alphabet",
        )
    if code[:2] not in settings.USCC_PREFIXES:
        raise ValidationError(
            _("“%(prefix)s” is not a registration authority and entity type this system accepts.")
            % {"prefix": code[:2]},
            code="uscc_prefix",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character is wrong: a code starting %(start)s must end with %(expected)s.")
            % {"start": code[:17], "expected": expected},
            code="uscc_check",
        )


def make_uscc(first_17: str) -> str:
    """A valid code from its first 17 characters (demo and test data)."""
    return first_17 + uscc_check_char(first_17)
