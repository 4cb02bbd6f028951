"""`{% deadline date provisional %}`: a deadline as every page shows it, marked when counted provisionally."""

import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def deadline(due: datetime.date | None, provisional: bool = False) -> SafeString | str:
    if due is None:
        return "—"
    shown = format_html('<time datetime="{0}">{0}</time>', due.isoformat())
    if not provisional:
        return shown
    return format_html(
        '{} <span class="deadline-provisional" title="{}">{}</span>',
        shown,
        _(
            "Counted on a provisional working-day calendar (the year's official holiday arrangement is not "
            "configured yet); it will be recounted and never moves earlier."
        ),
        _("provisional"),
    )
