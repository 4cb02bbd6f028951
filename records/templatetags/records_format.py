"""Template filters of the staff record pages."""

from decimal import Decimal

from django import template

from records.amounts import amount_text

register = template.Library()


@register.filter
def amount(value: Decimal | None) -> str:
    """An amount in 万元 as the staff pages write it (records.amounts)."""
    return amount_text(value)
