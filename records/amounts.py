"""Amounts in 10,000 yuan (万元), written the same way wherever staff read them (the record page, the entry and
correction forms, the export): two decimals at least, as money is written, and more only when the amount has them.
The database keeps six places (万元 to the yuan and below), so 5 is stored 5.000000 and read 5.00."""

from decimal import Decimal

CENTS = Decimal("0.01")


def amount_text(value: Decimal | None) -> str:
    """5 → "5.00", 2.5 → "2.50", 1.234500 → "1.2345", None → ""."""
    if value is None:
        return ""
    if value == value.quantize(CENTS):
        return format(value.quantize(CENTS), "f")
    return format(value.normalize(), "f")
