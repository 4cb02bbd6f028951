"""Reading one cell's value the way Excel shows it, for every import that reads workbooks with `reader.XlsxReader`
(dishonesty records here, public commitments in commitments/excel.py): text without control characters, dates typed
as dates or as text, numbers as shown."""

import datetime
import re
from decimal import Decimal
from typing import Any

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$")


def clean_text(value: str) -> str:
    """The text without control characters (which XML 1.0 cannot carry) and surrounding blanks."""
    if not value.isprintable():
        value = CONTROL_CHARS.sub("", value)
    return value.strip()


def is_formula_text(value: str) -> bool:
    """A text cell holding a formula typed as text (a cell with a real formula is told by SheetRow.formulas)."""
    return value[:1] == "="


def plain_number(value: float) -> str:
    """A number cell read as text: 12.0 is "12"."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def shown_number(value: float) -> Decimal:
    """A number cell as Excel shows it: to 15 significant digits (0.1 + 0.2 is stored 0.30000000000000004 and shown,
    and meant, as 0.3). repr, the shortest text that reads back as the same float, is that already for any number
    typed into a cell, and cheaper than formatting; only a computed one needs the rounding."""
    text = repr(value)
    return Decimal(text if len(text) <= 16 else f"{value:.15g}")


def date_of(value: Any) -> datetime.date | None:
    """A date cell, or text such as 2026-06-01, 2026/6/1 or 2026年6月1日; None when it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.match(value)
        if match:
            try:
                return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None
