"""What the list page's Excel links need to know (templates/commitments/_excel_actions.html)."""

from django import template

from accounts.models import AnyUser
from commitments.excel_views import may_import_commitments

register = template.Library()


@register.simple_tag
def may_import(user: AnyUser) -> bool:
    """Whether `user` enters commitments for some agency: the template and the upload are for them."""
    return may_import_commitments(user)
