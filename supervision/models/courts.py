"""Court cases where an agency is a party (行政诉讼 and civil cases, seeds 001 §7, 002 §三(一)3): the filing notice,
the hearings and whether the agency head appeared in court (负责人出庭应诉, 法释〔2020〕3号 Art. 9 — if not, the reason
with evidence), the judicial suggestions received and answered (Art. 12), the judgment with the obligation it imposes
and its performance. A judgment not performed by its deadline proposes the dishonest-judgment-debtor candidate record.
docs/supervision.md § Court cases.

The moves (supervision.services.courts, every one an event row):
    pending ─judgment with an obligation→ to_perform ─performed→ performed
    pending ─judgment without one→ closed
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.models import Agency


class CaseKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative litigation")
    CIVIL = "civil", _("Civil case")


class PartyRole(models.TextChoices):
    DEFENDANT = "defendant", _("Defendant")
    PLAINTIFF = "plaintiff", _("Plaintiff")
    THIRD_PARTY = "third_party", _("Third party")


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    TO_PERFORM = "to_perform", _("Judgment to perform")
    PERFORMED = "performed", _("Judgment performed")
    CLOSED = "closed", _("Closed")


class JudgmentResult(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    PARTLY = "partly", _("Partly lost")


class CourtCaseQuerySet(UndeletableQuerySet["CourtCase"]):
    def visible_to(self, user: AnyUser) -> "CourtCaseQuerySet":
        return self.filter(agency_q(user, "agency"))

    def not_performed(self, on: datetime.date | None = None) -> "CourtCaseQuerySet":
        """Judgments whose obligation was not performed by its deadline (before `on`)."""
        on = on or timezone.localdate()
        return self.filter(status=CaseStatus.TO_PERFORM, performance_due_on__lt=on)


class CourtCase(UndeletableModel):
    case_number = models.CharField(_("case number"), max_length=60, unique=True)
    court = models.CharField(_("court"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="court_cases")
    party_role = models.CharField(_("agency's role"), max_length=12, choices=PartyRole.choices)
    cause = models.CharField(_("cause of action"), max_length=200)
    counterparty = models.CharField(_("other party"), max_length=200, blank=True)
    filing_notice_on = models.DateField(_("filing notice received on"))
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.PENDING)
    judged_on = models.DateField(_("judgment date"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=JudgmentResult.choices, blank=True)
    obligation = models.TextField(_("obligation imposed"), blank=True)
    performance_due_on = models.DateField(_("performance deadline"), null=True, blank=True)
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    record = models.OneToOneField(
        DishonestyRecord,
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_case",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CourtCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("court case")
        verbose_name_plural = _("court cases")
        ordering = ["-filing_notice_on", "pk"]
        constraints = [
            models.CheckConstraint(name="court_case_kind_valid", condition=Q(kind__in=CaseKind.values)),
            models.CheckConstraint(name="court_case_status_valid", condition=Q(status__in=CaseStatus.values)),
            models.CheckConstraint(name="court_case_role_valid", condition=Q(party_role__in=PartyRole.values)),
            models.CheckConstraint(
                name="court_case_obligation_has_deadline",
                condition=~Q(status=CaseStatus.TO_PERFORM) | Q(performance_due_on__isnull=False),
            ),
            models.CheckConstraint(
                name="court_case_judged_has_result",
                condition=Q(judged_on__isnull=True) | ~Q(result=""),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "performance_due_on"], name="court_case_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.case_number

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.status == CaseStatus.TO_PERFORM
            and self.performance_due_on is not None
            and self.performance_due_on < on
        )

    @property
    def performed_on_time(self) -> bool | None:
        if self.performance_due_on is None:
            return None
        return self.performed_on is not None and self.performed_on <= self.performance_due_on


class CourtHearing(UndeletableModel):
    case = models.ForeignKey(CourtCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField(_("hearing date"))
    head_appeared = models.BooleanField(_("agency head appeared in court"))
    head_name = models.CharField(_("who appeared"), max_length=100, blank=True)
    absence_reason = models.TextField(_("reason for not appearing"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="supervision/courts/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="court_hearing_absence_explained",
                condition=Q(head_appeared=True) | (~Q(absence_reason="") & ~Q(evidence="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class JudicialSuggestion(UndeletableModel):
    """A judicial suggestion (司法建议) the court sent the agency, and the agency's answer."""

    case = models.ForeignKey(
        CourtCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="judicial_suggestions"
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("judicial suggestion"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("judicial suggestion")
        verbose_name_plural = _("judicial suggestions")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="judicial_suggestion_answer_dated",
                condition=Q(answered_on__isnull=True, answer="") | (Q(answered_on__isnull=False) & ~Q(answer="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on}"


class CourtEventKind(models.TextChoices):
    FILED = "filed", _("Case entered")
    HEARING = "hearing", _("Hearing recorded")
    JUDICIAL_SUGGESTION = "judicial_suggestion", _("Judicial suggestion received")
    ANSWERED = "answered", _("Judicial suggestion answered")
    JUDGED = "judged", _("Judgment recorded")
    PERFORMED = "performed", _("Judgment performed")
    NOT_PERFORMED = "not_performed", _("Not performed by the deadline; candidate record proposed")


class CourtEvent(UndeletableModel):
    case = models.ForeignKey(CourtCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=CourtEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=12, choices=CaseStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("court case event")
        verbose_name_plural = _("court case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
