"""The early-warning notice job (Celery beat, daily): each warning is notified to its unit and the unit's credit
office once per level; a second run the same day, or the next day with nothing new, sends nothing."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.models import WarningNotice
from dashboard.warnings import SEVERITY_LABELS, kind_labels, warnings_for
from kernel.warnings import EarlyWarning
from notices.services import notify
from records.services.candidates import credit_office_over
from subjects.models import Agency


@dataclass(frozen=True)
class NoticeRun:
    found: int
    sent: int


def _body(warning: EarlyWarning, kind_label: str) -> str:
    parts = [f"{kind_label}：{warning.what}", _("Unit: %(unit)s") % {"unit": warning.agency_name}]
    if warning.due_on is not None:
        parts.append(_("Due on %(day)s") % {"day": warning.due_on.isoformat()})
    if warning.days_overdue:
        parts.append(_("%(days)d days overdue") % {"days": warning.days_overdue})
    return "\n".join(parts)


def warning_notices_send(*, today: datetime.date | None = None) -> NoticeRun:
    day = today or timezone.localdate()
    found = warnings_for(None, day)
    sent_before = set(WarningNotice.objects.filter(key__in=[w.key for w in found]).values_list("key", "severity"))
    fresh = [w for w in found if (w.key, w.severity) not in sent_before]
    agencies = Agency.objects.in_bulk({w.agency_id for w in fresh})
    labels = kind_labels()
    sent = 0
    for warning in fresh:
        unit = agencies[warning.agency_id]
        try:
            with transaction.atomic():
                WarningNotice.objects.create(key=warning.key, severity=warning.severity, kind=warning.kind, agency=unit)
                level = SEVERITY_LABELS.get(warning.severity, warning.severity)
                notify(
                    subject=_("Early warning (%(level)s): %(what)s") % {"level": level, "what": warning.what},
                    body=_body(warning, labels.get(warning.kind, warning.kind)),
                    link=warning.link or reverse("dashboard:warnings"),
                    agencies=[unit, credit_office_over(unit)],
                )
        except IntegrityError:
            continue  # a concurrent run sent it first
        sent += 1
    return NoticeRun(found=len(found), sent=sent)
