"""The staff navigation's unread-notification count: one COUNT query per page, whatever the number of notices."""

from typing import Any

from django import template

from repair.views.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
