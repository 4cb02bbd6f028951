"""Template filters of the sign-in pages."""

import datetime
import math

from django import template

register = template.Library()


@register.filter
def minutes_to_wait(wait: datetime.timedelta | None) -> int:
    """Whole minutes, rounded up: "try again in 15 minutes" reads better than 0:15:00, and a wait of 14 minutes 20
    seconds must not be announced as 14."""
    if not wait:
        return 0
    return max(1, math.ceil(wait.total_seconds() / 60))
