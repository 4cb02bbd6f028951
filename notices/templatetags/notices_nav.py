"""The staff navigation's unread-notification count: one COUNT query per page, whatever the number of notices."""

from django import template

from accounts.models import AnyUser
from notices.views import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: AnyUser | None) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
