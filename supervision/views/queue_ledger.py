"""What the inspections and the work ledger add to other pages: the work queue's sections (records.views.queue) —
rectification items and ledger tasks overdue or due within two weeks, in the user's reach — and their cards on the
supervision start page (supervision.views.index). Registered from SupervisionConfig.ready."""

import datetime

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import NOTHING, agency_q
from records.views.queue import QueueSection, register_queue_sections
from supervision.models.inspections import RectificationItem, RectificationStatus
from supervision.models.ledger import LedgerAssignment, LedgerStatus
from supervision.views.index import SupervisionSection, register_supervision_section

SOON_DAYS = 14
RECTIFICATION_ROWS = "supervision/inspections/_queue_rows.html"
LEDGER_ROWS = "supervision/ledger/_queue_rows.html"


def _horizon() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=SOON_DAYS)


def rectifications_due(user: User) -> QuerySet[RectificationItem]:
    return (
        RectificationItem.objects.visible_to(user)
        .filter(status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED], due_on__lte=_horizon())
        .select_related("agency", "finding__inspection")
        .order_by("due_on", "pk")
    )


def ledger_due(user: User) -> QuerySet[LedgerAssignment]:
    due = Q(status=LedgerStatus.OVERDUE) | Q(
        status__in=[LedgerStatus.NOT_STARTED, LedgerStatus.IN_PROGRESS], task__due_on__lte=_horizon()
    )
    return (
        LedgerAssignment.objects.visible_to(user)
        .filter(due)
        .select_related("agency", "task")
        .order_by(F("task__due_on").asc(nulls_last=True), "pk")
    )


def supervision_queue_sections(user: User) -> list[QueueSection]:
    """Shown only when something is due: the queue's own sections are the records', whatever a user's role."""
    return [section for section in _supervision_queue_sections(user) if section.count]


def _supervision_queue_sections(user: User) -> list[QueueSection]:
    if agency_q(user, "agency") == NOTHING:
        return []
    return [
        QueueSection(
            "rectifications_due",
            _("Inspection rectifications due"),
            "rectifications_due",
            rectifications_due(user),
            f"{reverse('supervision:inspection_list')}?overdue=on",
            row_template=RECTIFICATION_ROWS,
        ),
        QueueSection(
            "ledger_due",
            _("Work ledger tasks due"),
            "ledger_due",
            ledger_due(user),
            f"{reverse('supervision:ledger_list')}?status=overdue",
            row_template=LEDGER_ROWS,
        ),
    ]


def register() -> None:
    register_queue_sections(supervision_queue_sections)
    register_supervision_section(
        SupervisionSection(
            key="inspections",
            title=_("Inspections"),
            what=_("Mid-year checks and year-end assessments: findings, rectification items and results"),
            url_name="supervision:inspection_list",
            unit=_("rectification items"),
            rows=lambda user: RectificationItem.objects.visible_to(user),
            urgent=lambda user: RectificationItem.objects.visible_to(user).overdue(),
            urgent_label=_("overdue"),
            order=50,
        )
    )
    register_supervision_section(
        SupervisionSection(
            key="ledger",
            title=_("Work ledger"),
            what=_("Tasks, lead and participating units, status, mid-year and year-end results"),
            url_name="supervision:ledger_list",
            unit=_("unit tasks"),
            rows=lambda user: LedgerAssignment.objects.visible_to(user),
            urgent=lambda user: LedgerAssignment.objects.visible_to(user).filter(status=LedgerStatus.OVERDUE),
            urgent_label=_("overdue"),
            order=60,
        )
    )


__all__ = ["register", "supervision_queue_sections"]
