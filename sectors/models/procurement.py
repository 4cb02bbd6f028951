"""Procurement contracts and the SME payment clock (docs/sectors.md#procurement).

A contract of a purchasing agency with a supplier has payment obligations (instalments). Each obligation's legal due
date is computed (sectors.rules.procurement.legal_due_date), never typed; payments are recorded against it. The
scheduled job (sectors.services.procurement.procurement_overdue_run) keeps each open obligation's status, days overdue
and interest up to date with set-based UPDATEs, reminds the agency once an obligation is overdue and, after
SME_ARREARS_BREACH_AFTER_DAYS more, proposes a candidate dishonesty record.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.models import Agency, CivilServant

ZERO = Decimal("0.00")


class EnterpriseSize(models.TextChoices):
    """The supplier's size when the contract was signed, as it declared it (保障中小企业款项支付条例 art. 3)."""

    MICRO = "micro", _("Micro enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium enterprise")
    LARGE = "large", _("Large enterprise")


SME_SIZES = (EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.MEDIUM)


class ContractQuerySet(UndeletableQuerySet["Contract"]):
    def visible_to(self, user: AnyUser) -> "ContractQuerySet":
        return self.filter(sector_data_q(user, Sector.PROCUREMENT, "agency"))


class Contract(UndeletableModel):
    agency = models.ForeignKey(
        Agency, verbose_name=_("purchasing agency"), on_delete=models.PROTECT, related_name="procurement_contracts"
    )
    number = models.CharField(_("contract number"), max_length=60)
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_uscc = models.CharField(_("supplier's Unified Social Credit Code"), max_length=18)
    supplier_size = models.CharField(_("supplier's size at signing"), max_length=8, choices=EnterpriseSize.choices)
    subject = models.CharField(_("subject of the contract"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    budget_funded = models.BooleanField(_("funded by the budget"), default=True)
    acceptance_conditions_payment = models.BooleanField(
        _("payment depends on passed acceptance"),
        default=False,
        help_text=_("The contract makes passed acceptance (履约验收) the condition of payment."),
    )
    # Empty: the contract is silent (the law's term applies).
    agreed_term_days = models.PositiveSmallIntegerField(_("agreed payment term (days)"), null=True, blank=True)
    # A fraction a day (0.0005 is 0.05% a day); empty: the statutory default for an SME
    # (SME_PAYMENT_DEFAULT_DAILY_RATE).
    agreed_daily_rate = models.DecimalField(
        _("agreed overdue interest (per day)"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    responsible_person = models.ForeignKey(
        CivilServant,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procurement_contracts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("procurement contract")
        verbose_name_plural = _("procurement contracts")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="procurement_contract_number_per_agency"),
            models.CheckConstraint(name="procurement_contract_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="procurement_contract_size_valid", condition=Q(supplier_size__in=EnterpriseSize.values)
            ),
            models.CheckConstraint(
                name="procurement_contract_rate_range",
                condition=Q(agreed_daily_rate__isnull=True)
                | Q(agreed_daily_rate__gt=0, agreed_daily_rate__lt=Decimal("0.01")),
            ),
        ]
        indexes = [
            # The contracts list of an agency, newest first.
            models.Index(fields=["agency", "-signed_on"], name="procurement_contract_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.supplier_name}"

    def get_absolute_url(self) -> str:
        return reverse("sectors:procurement_contract", args=[self.pk])

    @property
    def is_sme(self) -> bool:
        return self.supplier_size in SME_SIZES


class ObligationStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting acceptance")
    PENDING = "pending", _("Not yet due")
    OVERDUE = "overdue", _("Overdue")
    DISPUTED = "disputed", _("Only the disputed part unpaid")
    SETTLED = "settled", _("Paid in full")


OPEN_OBLIGATION_STATUSES = (
    ObligationStatus.AWAITING,
    ObligationStatus.PENDING,
    ObligationStatus.OVERDUE,
    ObligationStatus.DISPUTED,
)


class ObligationQuerySet(UndeletableQuerySet["PaymentObligation"]):
    def visible_to(self, user: AnyUser) -> "ObligationQuerySet":
        return self.filter(sector_data_q(user, Sector.PROCUREMENT, "agency"))

    def in_subtree(self, agency: Agency) -> "ObligationQuerySet":
        return self.filter(agency__path__startswith=agency.path)

    def arrears(self) -> "ObligationQuerySet":
        """Overdue payments to SMEs (the ledger's rows)."""
        return self.filter(status=ObligationStatus.OVERDUE, is_sme=True)

    def ledger(self) -> "models.QuerySet[PaymentObligation, dict[str, Any]]":
        """The arrears ledger, one row per agency: count, unpaid undisputed amount, oldest days overdue, interest —
        one GROUP BY over the stored columns the overdue job keeps (procurement_overdue_run)."""
        unpaid = F("amount") - F("disputed_amount") - F("paid_amount")
        return (
            self.arrears()
            .values("agency_id", "agency__name")
            .annotate(
                count=Count("pk"),
                amount=Coalesce(Sum(unpaid), ZERO),
                oldest_days=Max("overdue_days"),
                interest=Coalesce(Sum("interest"), ZERO),
            )
            .order_by("-amount", "agency_id")
        )


class PaymentObligation(UndeletableModel):
    """One instalment the agency owes the supplier. `agency`, `is_sme` and `daily_rate` repeat the contract's so the
    job and the ledger read one table."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="obligations"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("purchasing agency"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    is_sme = models.BooleanField(_("owed to an SME"), editable=False)
    label = models.CharField(_("instalment"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    delivered_on = models.DateField(_("delivered on"))
    accepted_on = models.DateField(_("acceptance passed on"), null=True, blank=True)
    agreed_term_days = models.PositiveSmallIntegerField(_("agreed payment term (days)"), null=True, blank=True)

    # Computed by sectors.rules.procurement.legal_due_date whenever an input changes; never typed.
    starts_on = models.DateField(_("term starts after"), null=True, blank=True, editable=False)
    term_days = models.PositiveSmallIntegerField(_("term applied (days)"), null=True, blank=True, editable=False)
    term_unlawful = models.BooleanField(_("agreed term over the legal limit"), default=False, editable=False)
    due_on = models.DateField(_("legal due date"), null=True, blank=True, editable=False)
    due_moved_from = models.DateField(_("last day fell on a rest day"), null=True, blank=True, editable=False)
    daily_rate = models.DecimalField(_("overdue interest (per day)"), max_digits=8, decimal_places=6, editable=False)

    disputed_amount = models.DecimalField(_("disputed amount (yuan)"), max_digits=16, decimal_places=2, default=ZERO)
    dispute_note = models.TextField(_("what is disputed"), blank=True)
    paid_amount = models.DecimalField(_("paid (yuan)"), max_digits=16, decimal_places=2, default=ZERO, editable=False)
    # Interest already accrued on the parts paid late (fixed when each payment is recorded).
    interest_on_paid = models.DecimalField(
        _("interest on late payments (yuan)"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )

    # Kept by the overdue job (and by each write to the row), as of `computed_on`.
    status = models.CharField(
        _("status"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.PENDING, editable=False
    )
    overdue_days = models.PositiveIntegerField(_("days overdue"), default=0, editable=False)
    interest = models.DecimalField(
        _("overdue interest (yuan)"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    computed_on = models.DateField(_("computed on"), null=True, blank=True, editable=False)
    settled_on = models.DateField(_("settled on"), null=True, blank=True, editable=False)
    reminded_on = models.DateField(_("agency reminded on"), null=True, blank=True, editable=False)
    breach_record = models.ForeignKey(
        DishonestyRecord,
        verbose_name=_("breach record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment obligation")
        verbose_name_plural = _("payment obligations")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(name="procurement_obligation_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="procurement_obligation_disputed_range",
                condition=Q(disputed_amount__gte=0, disputed_amount__lte=F("amount")),
            ),
            models.CheckConstraint(
                name="procurement_obligation_paid_range", condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount"))
            ),
            models.CheckConstraint(
                name="procurement_obligation_accepted_after_delivery",
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("delivered_on")),
            ),
            models.CheckConstraint(
                name="procurement_obligation_status_valid", condition=Q(status__in=ObligationStatus.values)
            ),
            models.CheckConstraint(
                name="procurement_obligation_due_after_start",
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("starts_on")),
            ),
        ]
        indexes = [
            # The overdue job: the open rows.
            models.Index(
                fields=["status", "due_on"],
                name="procurement_open_oblig_idx",
                condition=~Q(status="settled"),
            ),
            # The arrears ledger: overdue SME rows by agency. Only the agency is indexed, so the daily recompute of days
            # and interest touches no indexed column and PostgreSQL can update the rows in place (HOT).
            models.Index(
                fields=["agency"],
                name="procurement_arrears_idx",
                condition=Q(status="overdue", is_sme=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.label}"

    @property
    def undisputed_amount(self) -> Decimal:
        return self.amount - self.disputed_amount

    @property
    def unpaid_amount(self) -> Decimal:
        return self.amount - self.paid_amount

    @property
    def undisputed_unpaid(self) -> Decimal:
        return max(self.amount - self.disputed_amount - self.paid_amount, ZERO)


class Payment(UndeletableModel):
    obligation = models.ForeignKey(
        PaymentObligation, verbose_name=_("payment obligation"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    # The part of the payment that was late and the interest it carried (fixed when recorded).
    late_days = models.PositiveIntegerField(_("days late"), default=0, editable=False)
    interest = models.DecimalField(_("interest (yuan)"), max_digits=16, decimal_places=2, default=ZERO, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(name="procurement_payment_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class Acceptance(UndeletableModel):
    """履约验收: an inspection of what was delivered; a passed one starts the term where the contract makes it the
    condition of payment."""

    obligation = models.ForeignKey(
        PaymentObligation, verbose_name=_("payment obligation"), on_delete=models.PROTECT, related_name="acceptances"
    )
    inspected_on = models.DateField(_("inspected on"))
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["inspected_on", "pk"]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.get_passed_display()}"

    def get_passed_display(self) -> str:
        return str(_("passed") if self.passed else _("failed"))


class SupplierGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class SupplierEvaluation(UndeletableModel):
    """The purchasing agency's evaluation of the supplier's performance of a contract."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluated_on = models.DateField(_("evaluated on"))
    score = models.PositiveSmallIntegerField(_("score (0–100)"))
    grade = models.CharField(_("grade"), max_length=10, choices=SupplierGrade.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier evaluation")
        verbose_name_plural = _("supplier evaluations")
        ordering = ["-evaluated_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="procurement_evaluation_score_range", condition=Q(score__lte=100)),
            models.CheckConstraint(
                name="procurement_evaluation_grade_valid", condition=Q(grade__in=SupplierGrade.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluated_on} {self.score} {self.get_grade_display()}"


class SupplierBanQuerySet(UndeletableQuerySet["SupplierBan"]):
    def visible_to(self, user: AnyUser) -> "SupplierBanQuerySet":
        return self.filter(sector_data_q(user, Sector.PROCUREMENT, "decided_by"))

    def in_force(self, on: datetime.date | None = None) -> "SupplierBanQuerySet":
        day = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


class SupplierBan(UndeletableModel):
    """The supplier blacklist the finance bureau keeps: a supplier barred from government procurement for one to
    three years; public while in force."""

    decided_by = models.ForeignKey(
        Agency, verbose_name=_("deciding finance bureau"), on_delete=models.PROTECT, related_name="+"
    )
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_uscc = models.CharField(_("supplier's Unified Social Credit Code"), max_length=18)
    document_number = models.CharField(_("decision number"), max_length=100)
    facts = models.TextField(_("facts"))
    basis = models.TextField(_("legal basis"))
    years = models.PositiveSmallIntegerField(_("ban (years)"))
    starts_on = models.DateField(_("ban starts on"))
    ends_on = models.DateField(_("ban ends on"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoke_reason = models.TextField(_("why revoked"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupplierBanQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier ban")
        verbose_name_plural = _("supplier blacklist")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="procurement_ban_years_range", condition=Q(years__gte=1, years__lte=3)),
            models.CheckConstraint(name="procurement_ban_ends_after_start", condition=Q(ends_on__gt=F("starts_on"))),
        ]
        indexes = [
            # The public blacklist: bans in force by end date.
            models.Index(fields=["ends_on", "starts_on"], name="procurement_ban_in_force_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.document_number}"


class ProcurementEventKind(models.TextChoices):
    CONTRACT_CREATED = "contract_created", _("Contract entered")
    CONTRACT_EDITED = "contract_edited", _("Contract edited")
    OBLIGATION_ADDED = "obligation_added", _("Payment obligation added")
    OBLIGATION_EDITED = "obligation_edited", _("Payment obligation edited")
    ACCEPTANCE = "acceptance", _("Acceptance recorded")
    DISPUTE = "dispute", _("Disputed amount recorded")
    PAYMENT = "payment", _("Payment recorded")
    SETTLED = "settled", _("Paid in full")
    OVERDUE = "overdue", _("Became overdue")
    REMINDED = "reminded", _("Agency reminded")
    EVALUATED = "evaluated", _("Supplier evaluated")
    COMPLAINT_CONFIRMED = "complaint_confirmed", _("Complaint of non-payment confirmed")
    BREACH_PROPOSED = "breach_proposed", _("Breach record proposed")


class ProcurementEvent(UndeletableModel):
    """The contract's timeline: who did what to it or its obligations, when."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="events")
    obligation = models.ForeignKey(
        PaymentObligation,
        verbose_name=_("payment obligation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=20, choices=ProcurementEventKind.choices)
    note = models.TextField(_("note"), blank=True)
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
        verbose_name = _("procurement event")
        verbose_name_plural = _("procurement events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class DisclosureQuerySet(UndeletableQuerySet["OverdueDisclosure"]):
    def visible_to(self, user: AnyUser) -> "DisclosureQuerySet":
        return self.filter(sector_data_q(user, Sector.PROCUREMENT, "agency"))

    def published(self) -> "DisclosureQuerySet":
        return self.filter(published_at__isnull=False)


class OverdueDisclosure(UndeletableModel):
    """An agency's yearly public statement of the payments to SMEs overdue and unpaid at the end of `year`, generated
    from the payments as a stored snapshot (it does not change when later payments arrive) and published by 31 March
    of the next year."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="procurement_disclosures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    contract_count = models.PositiveIntegerField(_("contracts"))
    obligation_count = models.PositiveIntegerField(_("payments"))
    amount = models.DecimalField(_("overdue and unpaid (yuan)"), max_digits=16, decimal_places=2)
    interest = models.DecimalField(_("overdue interest (yuan)"), max_digits=16, decimal_places=2)
    oldest_days = models.PositiveIntegerField(_("oldest days overdue"))
    generated_at = models.DateTimeField(_("generated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("generated by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("overdue-payment disclosure")
        verbose_name_plural = _("overdue-payment disclosures")
        ordering = ["-year", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="procurement_disclosure_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"

    @property
    def deadline(self) -> datetime.date:
        return datetime.date(self.year + 1, 3, 31)
