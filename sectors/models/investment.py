"""Investment promotion (招商引资): the agreements an agency signed with investors, the government-side obligations in
them, their fulfilment, their lawful changes and their breaches (seed 000 §(十一), 001 §12; docs/sectors.md).

An agreement links the investment-promotion policy commitments (commitments.Commitment of kind
"investment_policy") it carries out: the link lives here, since commitments stand on a lower floor.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from commitments.models import ChangeGround, Commitment
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.models import Agency, CivilServant


class RefusedGround(models.TextChoices):
    """What is never a ground for changing a promise to an investor (seed 000 §(十一), 001 §12: 不得以政府换届、
    相关责任人更替等理由毁约). Offered in the forms, so that choosing one is answered with the reason and the breach
    route."""

    GOVERNMENT_CHANGE = "government_change", _("Change of government")
    LEADER_CHANGE = "leader_change", _("Change of leaders")
    PERSON_CHANGE = "responsible_person_change", _("Change of the responsible person")
    DIVISION_CHANGE = "division_change", _("Change of the administrative division")


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    FULFILLED = "fulfilled", _("Fulfilled")
    OVERDUE = "overdue", _("Overdue")
    CHANGED = "changed", _("Lawfully changed")
    BROKEN = "broken", _("Broken")


# Still owed: the job watches these.
OWED_STATUSES = (ObligationStatus.PENDING, ObligationStatus.OVERDUE, ObligationStatus.CHANGED)


class InvestorResponse(models.TextChoices):
    AWAITING = "awaiting", _("Not yet answered")
    ACCEPTED = "accepted", _("Accepted")
    DISPUTED = "disputed", _("Disputed")


class InvestmentAgreementQuerySet(UndeletableQuerySet["InvestmentAgreement"]):
    def visible_to(self, user: AnyUser) -> "InvestmentAgreementQuerySet":
        return self.filter(sector_data_q(user, Sector.INVESTMENT))


class InvestmentAgreement(UndeletableModel):
    """招商引资协议: what the government side (the promising agency) signed with an investor."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("promising agency"), on_delete=models.PROTECT, related_name="investment_agreements"
    )
    number = models.CharField(_("agreement number"), max_length=100)
    investor_name = models.CharField(_("investor"), max_length=200)
    investor_uscc = models.CharField(_("investor's Unified Social Credit Code"), max_length=18)
    signed_on = models.DateField(_("signed on"))
    project = models.CharField(_("project"), max_length=200)
    total_investment = models.DecimalField(_("total investment (yuan)"), max_digits=18, decimal_places=2)
    summary = models.TextField(_("summary"))
    # Trade secrets (seed 003 §五(五)): staff read them, the public sees that something is withheld.
    secret_terms = models.TextField(_("terms that are trade secrets"), blank=True)
    investment_is_secret = models.BooleanField(_("the total investment is a trade secret"), default=False)
    responsible_person = models.ForeignKey(
        CivilServant,
        verbose_name=_("responsible civil servant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investment_agreements",
    )
    commitments = models.ManyToManyField(
        Commitment, verbose_name=_("policy commitments"), blank=True, related_name="investment_agreements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InvestmentAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("investment-promotion agreement")
        verbose_name_plural = _("investment-promotion agreements")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="investment_agreement_number_per_agency"),
            models.CheckConstraint(
                name="investment_agreement_amount_not_negative", condition=Q(total_investment__gte=0)
            ),
        ]
        indexes = [
            # The staff list: an agency's (or a region's) agreements, the latest signed first.
            models.Index(fields=["agency", "-signed_on"], name="investment_agreement_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.investor_name}"

    def get_absolute_url(self) -> str:
        return reverse("sectors:investment_detail", args=[self.pk])


class InvestmentObligationQuerySet(UndeletableQuerySet["InvestmentObligation"]):
    def visible_to(self, user: AnyUser) -> "InvestmentObligationQuerySet":
        return self.filter(sector_data_q(user, Sector.INVESTMENT, "agreement__agency"))

    def owed(self) -> "InvestmentObligationQuerySet":
        return self.filter(status__in=OWED_STATUSES)


class InvestmentObligation(UndeletableModel):
    """One government-side obligation of an agreement: what, how much, by when, and what became of it."""

    agreement = models.ForeignKey(
        InvestmentAgreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="obligations"
    )
    description = models.CharField(_("obligation"), max_length=500)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    amount_is_secret = models.BooleanField(_("the amount is a trade secret"), default=False)
    due_on = models.DateField(_("due by"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.PENDING
    )
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    fulfilment_note = models.TextField(_("how it was fulfilled"), blank=True)
    # The scheduled job: the due-soon notice once, the overdue reminder once (the breach counts from it).
    due_notice_on = models.DateField(_("due notice sent on"), null=True, blank=True)
    reminded_on = models.DateField(_("overdue reminder sent on"), null=True, blank=True)
    breach_reason = models.TextField(_("grounds of the breach"), blank=True)
    broken_at = models.DateTimeField(_("declared broken at"), null=True, blank=True)
    # The candidate dishonesty record of the breach (its origin points back here).
    breach_record = models.ForeignKey(
        DishonestyRecord,
        verbose_name=_("breach record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broken_investment_obligations",
    )
    # Each change the platform hears of is one version (outbox: one change per object and version).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InvestmentObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("government-side obligation")
        verbose_name_plural = _("government-side obligations")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="investment_obligation_status_valid", condition=Q(status__in=ObligationStatus.values)
            ),
            models.CheckConstraint(
                name="investment_obligation_amount_not_negative", condition=Q(amount__isnull=True) | Q(amount__gte=0)
            ),
            models.CheckConstraint(
                name="investment_obligation_fulfilled_has_date",
                condition=~Q(status="fulfilled") | Q(fulfilled_on__isnull=False),
            ),
            models.CheckConstraint(
                name="investment_obligation_broken_has_reason",
                condition=~Q(status="broken") | ~Q(breach_reason=""),
            ),
        ]
        indexes = [
            # The scheduled job: owed obligations by due date.
            models.Index(fields=["status", "due_on"], name="investment_obligation_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.status in OWED_STATUSES and self.due_on < (on or timezone.localdate())


class ObligationChange(UndeletableModel):
    """A lawful change of an obligation (seed 000 §(十一)): its ground, the deciding authority, the dated legal steps,
    the compensation paid, and whether the investor accepted it."""

    obligation = models.ForeignKey(
        InvestmentObligation, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="changes"
    )
    ground = models.CharField(_("ground of the change"), max_length=24, choices=ChangeGround.choices)
    authority = models.CharField(_("deciding authority"), max_length=200)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    description = models.TextField(_("what was changed"))
    # The terms before and after (blank after: unchanged).
    previous_due_on = models.DateField(_("previous due date"))
    previous_amount = models.DecimalField(
        _("previous amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    new_due_on = models.DateField(_("new due date"), null=True, blank=True)
    new_amount = models.DecimalField(_("new amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    legality_review_on = models.DateField(_("legality review on"))
    collective_decision_on = models.DateField(_("collective decision on"))
    investor_notified_on = models.DateField(_("investor notified on"))
    published_on = models.DateField(_("published on"))
    compensation_amount = models.DecimalField(
        _("compensation paid (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    investor_response = models.CharField(
        _("investor's answer"), max_length=16, choices=InvestorResponse.choices, default=InvestorResponse.AWAITING
    )
    investor_response_note = models.TextField(_("investor's answer in words"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("lawful change of an obligation")
        verbose_name_plural = _("lawful changes of obligations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="obligation_change_ground_lawful", condition=Q(ground__in=ChangeGround.values)),
            models.CheckConstraint(
                name="obligation_change_compensation_not_negative",
                condition=Q(compensation_amount__isnull=True) | Q(compensation_amount__gte=0),
            ),
            models.CheckConstraint(
                name="obligation_change_review_before_decision",
                condition=Q(collective_decision_on__gte=F("legality_review_on")),
            ),
            models.CheckConstraint(
                name="obligation_change_response_valid", condition=Q(investor_response__in=InvestorResponse.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.get_ground_display()}"


class ObligationEvidence(UndeletableModel):
    """A file showing an obligation was fulfilled, checked as record evidence is (records.services.evidence) and
    served only to those who see the agreement."""

    obligation = models.ForeignKey(
        InvestmentObligation, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="sectors/investment/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("fulfilment evidence")
        verbose_name_plural = _("fulfilment evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class InvestmentEventKind(models.TextChoices):
    CREATED = "created", _("Entered")
    EDITED = "edited", _("Edited")
    OBLIGATION_ADDED = "obligation_added", _("Obligation added")
    FULFILLED = "fulfilled", _("Fulfilled")
    OVERDUE = "overdue", _("Overdue")
    DUE_NOTICE = "due_notice", _("Due notice sent")
    CHANGED = "changed", _("Lawfully changed")
    BROKEN = "broken", _("Declared broken")
    BREACH_PROPOSED = "breach_proposed", _("Breach record proposed")


class InvestmentEvent(UndeletableModel):
    """The timeline of an agreement: who did what, when, to it or to one of its obligations."""

    agreement = models.ForeignKey(
        InvestmentAgreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="events"
    )
    obligation = models.ForeignKey(
        InvestmentObligation,
        verbose_name=_("obligation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=20, choices=InvestmentEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=16, choices=ObligationStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=16, choices=ObligationStatus.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
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
        verbose_name = _("investment-promotion event")
        verbose_name_plural = _("investment-promotion events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.get_kind_display()}"
