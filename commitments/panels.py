"""What commitments show on other apps' staff pages: the sections of the work queue (records/views/queue.py) and the
section of the agency page (subjects/agency_sections.py). Registered in CommitmentsConfig.ready."""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, User
from accounts.scope import NOTHING, commitment_q, may_enter_records_for
from commitments.models import Commitment, CommitmentStatus
from commitments.services import commitment_warning_queue
from records.views.queue import QueueSection
from subjects.models import Agency

WARNING_ROWS = "commitments/_warning_rows.html"
COMMITMENT_ROWS = "commitments/_queue_rows.html"
AGENCY_WARNINGS_SHOWN = 10


def _list_url(**params: Any) -> str:
    return f"{reverse('commitments:list')}?{urlencode(params, doseq=True)}"


def _oldest_first(queryset: Any) -> Any:
    return queryset.select_related("agency").order_by("updated_at", "pk")


def commitment_queue_sections(user: User) -> list[QueueSection]:
    """The active warnings the user sees; drafts for the agency's reviewer to submit; submissions for the credit office
    to publish."""
    if commitment_q(user) == NOTHING:
        return []
    sections = [
        QueueSection(
            "commitment_warnings",
            _("Commitment warnings"),
            "commitment_warnings",
            commitment_warning_queue(user),
            reverse("commitments:warnings"),
            row_template=WARNING_ROWS,
        )
    ]
    visible = Commitment.objects.visible_to(user)
    if user.role == Role.REVIEWER and user.agency_id is not None:
        drafts = visible.filter(agency_id=user.agency_id, status=CommitmentStatus.DRAFT)
        sections.append(
            QueueSection(
                "commitments_to_submit",
                _("Commitments to submit"),
                "commitments",
                _oldest_first(drafts),
                _list_url(status=CommitmentStatus.DRAFT, agency=user.agency_id),
                row_template=COMMITMENT_ROWS,
            )
        )
    if user.role == Role.CREDIT_OFFICE or user.is_administrator:
        submitted = visible.filter(status=CommitmentStatus.SUBMITTED)
        sections.append(
            QueueSection(
                "commitments_to_publish",
                _("Commitments to publish"),
                "commitments",
                _oldest_first(submitted),
                _list_url(status=CommitmentStatus.SUBMITTED),
                row_template=COMMITMENT_ROWS,
            )
        )
    return sections


def agency_commitments_section(user: AnyUser, agency: Agency) -> dict[str, Any] | None:
    """This year's commitments of the agency by status and its active warnings, for those who see them."""
    if not isinstance(user, User):
        return None
    commitments = Commitment.objects.visible_to(user).filter(agency=agency)
    may_enter = may_enter_records_for(user, agency)
    year = timezone.localdate().year
    counts = dict(
        commitments.filter(year=year).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    if not counts and not may_enter and not commitments.exists():
        return None
    warnings = commitment_warning_queue(user).filter(commitment__agency=agency)
    return {
        "year": year,
        "counts": [(status, label, counts.get(status, 0)) for status, label in CommitmentStatus.choices],
        "total": sum(counts.values()),
        "warnings": list(warnings[:AGENCY_WARNINGS_SHOWN]),
        "warning_count": warnings.count(),
        "list_url": _list_url(agency=agency.pk, year=year),
        "may_enter": may_enter,
        "agency": agency,
    }
