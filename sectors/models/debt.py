"""Local government debt (政府债务, seed 000 §(十三)): per region (a district's or the city's government) and year the
debt limits, balances and the comprehensive fiscal capacity; the bonds and their repayments; the disclosure deadlines
and each disclosure's date; the risk tiers as versioned data. docs/sectors.md § Local government debt.

Indicators are computed, never typed: `DebtRegionYearQuerySet.with_indicators()` annotates what they need and
`DebtRegionYear.indicators()` reads them (sectors.services.debt.debt_indicators is the one service entry).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.models import Agency

ZERO = Decimal("0")


class DebtKind(models.TextChoices):
    GENERAL = "general", _("General debt")
    SPECIAL = "special", _("Special debt")


class DebtIndicator(models.TextChoices):
    DEBT_RATIO = "debt_ratio", _("Debt ratio")
    LIMIT_USE = "limit_use", _("Limit use")
    REPAYMENT_RATIO = "repayment_ratio", _("Repayment ratio")
    OVERDUE_RATIO = "overdue_ratio", _("Overdue ratio")


class RiskTier(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class DisclosureKind(models.TextChoices):
    BUDGET = "budget", _("Budget")
    FINAL_ACCOUNTS = "final_accounts", _("Final accounts")
    BOND_INFORMATION = "bond_information", _("Yearly bond information")


class RepaymentKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    INTEREST = "interest", _("Interest")


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio as a fraction (1.20 is 120 %), to four places; None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(Decimal("0.0001"))


class DebtRegionYearQuerySet(UndeletableQuerySet["DebtRegionYear"]):
    def visible_to(self, user: AnyUser) -> "DebtRegionYearQuerySet":
        return self.filter(sector_data_q(user, Sector.DEBT, "region"))

    def published(self) -> "DebtRegionYearQuerySet":
        return self.filter(published_at__isnull=False)

    def with_indicators(self, on: datetime.date | None = None) -> "DebtRegionYearQuerySet":
        """Annotates `due_in_year` (principal and interest of the region's bonds falling due in the year) and
        `overdue_unpaid` (what of it was due before `on` and is still unpaid): two subqueries, whatever the rows."""
        on = on or timezone.localdate()
        repayments = DebtRepayment.objects.filter(bond__region=OuterRef("region"), due_on__year=OuterRef("year"))
        out: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
        due = repayments.order_by().values("bond__region").annotate(total=Sum("amount_due")).values("total")
        overdue = (
            repayments.filter(due_on__lt=on, paid_amount__lt=F("amount_due"))
            .order_by()
            .values("bond__region")
            .annotate(total=Sum(F("amount_due") - F("paid_amount")))
            .values("total")
        )
        return self.annotate(
            due_in_year=Coalesce(Subquery(due, output_field=out), Value(ZERO), output_field=out),
            overdue_unpaid=Coalesce(Subquery(overdue, output_field=out), Value(ZERO), output_field=out),
        )


class DebtRegionYear(UndeletableModel):
    """A region's debt figures for a year (10,000 yuan). A balance above its limit is refused (the service reports it;
    the database holds the line too)."""

    region = models.ForeignKey(
        Agency, verbose_name=_("region's government"), on_delete=models.PROTECT, related_name="debt_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    limit_general = models.DecimalField(_("general debt limit (10,000 yuan)"), max_digits=16, decimal_places=2)
    limit_special = models.DecimalField(_("special debt limit (10,000 yuan)"), max_digits=16, decimal_places=2)
    balance_general = models.DecimalField(_("general debt balance (10,000 yuan)"), max_digits=16, decimal_places=2)
    balance_special = models.DecimalField(_("special debt balance (10,000 yuan)"), max_digits=16, decimal_places=2)
    fiscal_capacity = models.DecimalField(
        _("comprehensive fiscal capacity (10,000 yuan)"), max_digits=16, decimal_places=2
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DebtRegionYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("region's yearly debt figures")
        verbose_name_plural = _("regions' yearly debt figures")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="debt_year_one_per_region_and_year"),
            models.CheckConstraint(
                name="debt_year_amounts_not_negative",
                condition=Q(limit_general__gte=0, limit_special__gte=0, balance_general__gte=0, balance_special__gte=0)
                & Q(fiscal_capacity__gte=0),
            ),
            models.CheckConstraint(
                name="debt_year_general_within_limit", condition=Q(balance_general__lte=F("limit_general"))
            ),
            models.CheckConstraint(
                name="debt_year_special_within_limit", condition=Q(balance_special__lte=F("limit_special"))
            ),
            models.CheckConstraint(name="debt_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def limit_total(self) -> Decimal:
        return self.limit_general + self.limit_special

    @property
    def balance_total(self) -> Decimal:
        return self.balance_general + self.balance_special

    def indicators(self) -> "DebtIndicators":
        """The four indicators; reads the annotations of `with_indicators()` (one query more if absent)."""
        if not hasattr(self, "due_in_year"):
            annotated = DebtRegionYear.objects.with_indicators().get(pk=self.pk)
            setattr(self, "due_in_year", getattr(annotated, "due_in_year"))  # noqa: B009, B010 - an annotation
            setattr(self, "overdue_unpaid", getattr(annotated, "overdue_unpaid"))  # noqa: B009, B010 - an annotation
        due = _money(getattr(self, "due_in_year"))  # noqa: B009 - an annotation
        overdue = _money(getattr(self, "overdue_unpaid"))  # noqa: B009 - an annotation
        return DebtIndicators(
            debt_ratio=_ratio(self.balance_total, self.fiscal_capacity),
            limit_use=_ratio(self.balance_total, self.limit_total),
            repayment_ratio=_ratio(due, self.fiscal_capacity),
            overdue_ratio=_ratio(overdue, due),
        )


class DebtIndicators:
    """The computed indicators of a region's year, as fractions (None when the denominator is zero)."""

    def __init__(
        self,
        *,
        debt_ratio: Decimal | None,
        limit_use: Decimal | None,
        repayment_ratio: Decimal | None,
        overdue_ratio: Decimal | None,
    ) -> None:
        self.debt_ratio = debt_ratio
        self.limit_use = limit_use
        self.repayment_ratio = repayment_ratio
        self.overdue_ratio = overdue_ratio

    def as_dict(self) -> dict[str, Decimal | None]:
        return {
            DebtIndicator.DEBT_RATIO: self.debt_ratio,
            DebtIndicator.LIMIT_USE: self.limit_use,
            DebtIndicator.REPAYMENT_RATIO: self.repayment_ratio,
            DebtIndicator.OVERDUE_RATIO: self.overdue_ratio,
        }


class RiskTierRuleQuerySet(models.QuerySet["RiskTierRule"]):
    def in_force(self, on: datetime.date) -> "RiskTierRuleQuerySet":
        return self.filter(effective_from__lte=on).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))


class RiskTierRule(models.Model):
    """Thresholds of one indicator from a day on (fractions: 1.2 is 120 %). A value below `yellow_from` is green;
    at or above a threshold it is in that tier. Versioned: a rule in force is never edited, a new one is added with a
    later `effective_from` and the old one closed (`effective_to`)."""

    indicator = models.CharField(_("indicator"), max_length=20, choices=DebtIndicator.choices)
    yellow_from = models.DecimalField(_("yellow from"), max_digits=8, decimal_places=4)
    orange_from = models.DecimalField(_("orange from"), max_digits=8, decimal_places=4)
    red_from = models.DecimalField(_("red from"), max_digits=8, decimal_places=4)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    source = models.TextField(
        _("source"),
        help_text=_(
            "Where the thresholds come from. The default table is a configurable example; replace it with the "
            "thresholds your finance bureau adopts by adding a new rule."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RiskTierRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk tier rule")
        verbose_name_plural = _("risk tier rules")
        ordering = ["indicator", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effective_from"], name="debt_tier_one_per_indicator_day"),
            models.CheckConstraint(
                name="debt_tier_thresholds_rise",
                condition=Q(yellow_from__gte=0, orange_from__gte=F("yellow_from"), red_from__gte=F("orange_from")),
            ),
            models.CheckConstraint(
                name="debt_tier_dates_in_order",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            ),
            models.CheckConstraint(name="debt_tier_indicator_valid", condition=Q(indicator__in=DebtIndicator.values)),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.effective_from}"

    def tier(self, value: Decimal) -> RiskTier:
        if value >= self.red_from:
            return RiskTier.RED
        if value >= self.orange_from:
            return RiskTier.ORANGE
        if value >= self.yellow_from:
            return RiskTier.YELLOW
        return RiskTier.GREEN

    def is_used(self, on: datetime.date | None = None) -> bool:
        """In force already (or once): its thresholds have tiered some region and are never edited again."""
        return self.effective_from <= (on or timezone.localdate())


class DebtBondQuerySet(UndeletableQuerySet["DebtBond"]):
    def visible_to(self, user: AnyUser) -> "DebtBondQuerySet":
        return self.filter(sector_data_q(user, Sector.DEBT, "region"))


class DebtBond(UndeletableModel):
    """A local government bond (地方政府债券). A special bond names its project and its revenue and balance plan."""

    region = models.ForeignKey(
        Agency, verbose_name=_("region's government"), on_delete=models.PROTECT, related_name="debt_bonds"
    )
    code = models.CharField(_("bond code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DebtKind.choices)
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=16, decimal_places=2)
    issued_on = models.DateField(_("issue date"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    rate = models.DecimalField(_("coupon rate (%)"), max_digits=6, decimal_places=4)
    use_of_funds = models.TextField(_("use of funds"))
    project = models.CharField(_("project"), max_length=200, blank=True)
    revenue_plan = models.TextField(_("revenue and balance plan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DebtBondQuerySet.as_manager()

    class Meta:
        verbose_name = _("government bond")
        verbose_name_plural = _("government bonds")
        ordering = ["region", "-issued_on", "code"]
        constraints = [
            models.CheckConstraint(name="debt_bond_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="debt_bond_term_positive", condition=Q(term_years__gte=1, term_years__lte=50)),
            models.CheckConstraint(name="debt_bond_rate_plausible", condition=Q(rate__gte=0, rate__lte=20)),
            models.CheckConstraint(name="debt_bond_kind_valid", condition=Q(kind__in=DebtKind.values)),
            models.CheckConstraint(
                name="debt_bond_special_has_plan",
                condition=~Q(kind=DebtKind.SPECIAL) | (~Q(project="") & ~Q(revenue_plan="")),
            ),
        ]
        indexes = [
            # The region's bonds on its public page and the staff list.
            models.Index(fields=["region", "-issued_on"], name="debt_bond_region_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def matures_on(self) -> datetime.date:
        try:
            return self.issued_on.replace(year=self.issued_on.year + self.term_years)
        except ValueError:  # 29 February
            return self.issued_on.replace(year=self.issued_on.year + self.term_years, day=28)


class DebtRepaymentQuerySet(UndeletableQuerySet["DebtRepayment"]):
    def visible_to(self, user: AnyUser) -> "DebtRepaymentQuerySet":
        return self.filter(sector_data_q(user, Sector.DEBT, "bond__region"))

    def unpaid(self) -> "DebtRepaymentQuerySet":
        return self.filter(paid_amount__lt=F("amount_due"))


class DebtRepayment(UndeletableModel):
    """Principal or interest of a bond falling due on a day: due, paid, late (set by the scheduled job), default."""

    bond = models.ForeignKey(DebtBond, verbose_name=_("bond"), on_delete=models.PROTECT, related_name="repayments")
    kind = models.CharField(_("kind"), max_length=10, choices=RepaymentKind.choices)
    due_on = models.DateField(_("due on"))
    amount_due = models.DecimalField(_("amount due (10,000 yuan)"), max_digits=16, decimal_places=2)
    paid_amount = models.DecimalField(_("paid (10,000 yuan)"), default=0, max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # Set by sectors.services.debt.debt_repayments_watch: not paid in full by the due date.
    late = models.BooleanField(_("late"), default=False)
    defaulted = models.BooleanField(_("default recorded"), default=False)
    record = models.OneToOneField(
        DishonestyRecord,
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debt_repayment",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DebtRepaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("bond repayment")
        verbose_name_plural = _("bond repayments")
        ordering = ["bond", "due_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["bond", "due_on", "kind"], name="debt_repayment_one_per_bond_day_kind"),
            models.CheckConstraint(name="debt_repayment_due_positive", condition=Q(amount_due__gt=0)),
            models.CheckConstraint(name="debt_repayment_paid_not_negative", condition=Q(paid_amount__gte=0)),
            models.CheckConstraint(
                name="debt_repayment_paid_has_date", condition=Q(paid_amount=0) | Q(paid_on__isnull=False)
            ),
            models.CheckConstraint(name="debt_repayment_kind_valid", condition=Q(kind__in=RepaymentKind.values)),
        ]
        indexes = [
            # The late job: unflagged repayments by due date.
            models.Index(fields=["late", "due_on"], name="debt_repayment_late_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.bond.code} {self.due_on} {self.get_kind_display()}"

    @property
    def is_paid(self) -> bool:
        return self.paid_amount >= self.amount_due

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount_due - self.paid_amount, ZERO)

    def is_late_on(self, day: datetime.date) -> bool:
        """The scheduled job's rule (debt_repayments_watch) for one row: due before `day` and not paid in full by
        the due date."""
        return self.due_on < day and (
            self.paid_amount < self.amount_due or (self.paid_on is not None and self.paid_on > self.due_on)
        )


class DebtDisclosureDeadline(models.Model):
    """When a kind of disclosure of a year is due (the budget, the final accounts, the yearly bond information)."""

    kind = models.CharField(_("kind"), max_length=20, choices=DisclosureKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("debt disclosure deadline")
        verbose_name_plural = _("debt disclosure deadlines")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="debt_deadline_one_per_kind_year"),
            models.CheckConstraint(name="debt_deadline_kind_valid", condition=Q(kind__in=DisclosureKind.values)),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.due_on}"


class DebtDisclosureQuerySet(UndeletableQuerySet["DebtDisclosure"]):
    def visible_to(self, user: AnyUser) -> "DebtDisclosureQuerySet":
        return self.filter(sector_data_q(user, Sector.DEBT, "region"))


class DebtDisclosure(UndeletableModel):
    """A region's disclosure of a kind for a year, on the day it happened; `days_late` recorded against the deadline."""

    region = models.ForeignKey(
        Agency, verbose_name=_("region's government"), on_delete=models.PROTECT, related_name="debt_disclosures"
    )
    deadline = models.ForeignKey(
        DebtDisclosureDeadline, verbose_name=_("deadline"), on_delete=models.PROTECT, related_name="disclosures"
    )
    disclosed_on = models.DateField(_("disclosed on"))
    days_late = models.PositiveIntegerField(_("days late"), default=0)
    link = models.URLField(_("link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DebtDisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("debt disclosure")
        verbose_name_plural = _("debt disclosures")
        ordering = ["region", "-deadline__year", "deadline__kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "deadline"], name="debt_disclosure_one_per_region_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.deadline}"

    @property
    def is_late(self) -> bool:
        return self.days_late > 0
