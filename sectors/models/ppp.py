"""PPP projects (政府和社会资本合作): the project and its stages, who held each stage on the government side, the
government's payment obligations and the breaches found, each attributed by traceback (项目责任回溯: seed 000 §(九),
004 §二(三)2). docs/sectors.md § PPP."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.codes import validate_uscc
from subjects.models import Agency, CivilServant


class PppMode(models.TextChoices):
    BOT = "bot", _("BOT (build–operate–transfer)")
    TOT = "tot", _("TOT (transfer–operate–transfer)")
    ROT = "rot", _("ROT (rehabilitate–operate–transfer)")
    BOO = "boo", _("BOO (build–own–operate)")
    OM = "om", _("O&M (operations and maintenance)")
    MC = "mc", _("MC (management contract)")
    OTHER = "other", _("Other")


class PppReturn(models.TextChoices):
    USER_PAYS = "user_pays", _("User pays")
    VIABILITY_GAP = "viability_gap", _("Viability gap funding")
    GOVERNMENT_PAYS = "government_pays", _("Government pays")


class PppRegime(models.TextChoices):
    LEGACY = "legacy", _("Legacy (before the 2023 new mechanism)")
    # 国办函〔2023〕115号: the State Council General Office's forwarding of the NDRC and MOF guidance on the new
    # mechanism of government and social capital cooperation (3 November 2023).
    NEW_2023 = "new_2023", _("2023 new mechanism (国办函〔2023〕115号)")


class PppIndustry(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal works")
    TRANSPORT = "transport", _("Transport")
    WATER = "water", _("Water and sewage")
    ENVIRONMENT = "environment", _("Environmental protection")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health and elderly care")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    OTHER = "other", _("Other")


class PppStage(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification")
    PREPARATION = "preparation", _("Preparation")
    PROCUREMENT = "procurement", _("Procurement")
    EXECUTION = "execution", _("Execution")
    HANDOVER = "handover", _("Handover")


# The stages in their order, and the column of the project holding the day each began.
STAGE_ORDER: tuple[str, ...] = tuple(PppStage.values)
STAGE_DATE_FIELDS: dict[str, str] = {stage: f"{stage}_on" for stage in STAGE_ORDER}


class PppProjectQuerySet(UndeletableQuerySet["PppProject"]):
    def visible_to(self, user: AnyUser) -> "PppProjectQuerySet":
        return self.filter(sector_data_q(user, Sector.PPP))

    def published(self) -> "PppProjectQuerySet":
        return self.filter(published_at__isnull=False)


class PppProject(UndeletableModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name=_("implementing agency"), on_delete=models.PROTECT, related_name="ppp_projects"
    )
    industry = models.CharField(_("industry"), max_length=16, choices=PppIndustry.choices)
    mode = models.CharField(_("mode"), max_length=8, choices=PppMode.choices)
    return_mechanism = models.CharField(_("return mechanism"), max_length=16, choices=PppReturn.choices)
    regime = models.CharField(_("regime"), max_length=10, choices=PppRegime.choices)
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    total_investment = models.DecimalField(_("total investment (10,000 yuan)"), max_digits=14, decimal_places=2)
    partner_name = models.CharField(_("private partner"), max_length=200, blank=True)
    partner_uscc = models.CharField(_("private partner's code"), max_length=18, blank=True, validators=[validate_uscc])
    company_name = models.CharField(_("project company"), max_length=200, blank=True)
    company_uscc = models.CharField(_("project company's code"), max_length=18, blank=True, validators=[validate_uscc])
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_summary = models.TextField(_("contract summary"), blank=True)

    stage = models.CharField(_("stage"), max_length=16, choices=PppStage.choices, default=PppStage.IDENTIFICATION)
    identification_on = models.DateField(_("identification began on"))
    preparation_on = models.DateField(_("preparation began on"), null=True, blank=True)
    procurement_on = models.DateField(_("procurement began on"), null=True, blank=True)
    execution_on = models.DateField(_("execution began on"), null=True, blank=True)
    handover_on = models.DateField(_("handover began on"), null=True, blank=True)

    # The public project card (disclosure.ppp): shown from publication; every change after it reaches the platform.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PppProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPP project")
        verbose_name_plural = _("PPP projects")
        ordering = ["-identification_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="ppp_stage_valid", condition=Q(stage__in=PppStage.values)),
            models.CheckConstraint(name="ppp_term_plausible", condition=Q(term_years__gte=1, term_years__lte=99)),
            models.CheckConstraint(name="ppp_investment_positive", condition=Q(total_investment__gt=0)),
            models.CheckConstraint(
                name="ppp_stage_dates_in_order",
                condition=(Q(preparation_on__isnull=True) | Q(preparation_on__gte=F("identification_on")))
                & (Q(procurement_on__isnull=True) | Q(procurement_on__gte=F("preparation_on")))
                & (Q(execution_on__isnull=True) | Q(execution_on__gte=F("procurement_on")))
                & (Q(handover_on__isnull=True) | Q(handover_on__gte=F("execution_on"))),
            ),
        ]
        indexes = [
            # The staff list: an agency's projects by stage.
            models.Index(fields=["agency", "stage"], name="ppp_project_agency_stage_idx"),
            # The public list: published projects, newest first.
            models.Index(fields=["published_at"], name="ppp_project_published_idx"),
            # The staff list's order: a page of 50 without sorting every project in reach.
            models.Index(fields=["-identification_on", "-id"], name="ppp_project_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("sectors:ppp_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def stage_began_on(self, stage: str) -> datetime.date | None:
        value: datetime.date | None = getattr(self, STAGE_DATE_FIELDS[stage])
        return value

    def stage_on(self, day: datetime.date) -> str | None:
        """The stage in force on `day`: the latest one begun on or before it (None before identification)."""
        found = None
        for stage in STAGE_ORDER:
            began = self.stage_began_on(stage)
            if began is not None and began <= day:
                found = stage
        return found

    def stage_rows(self) -> list[tuple[str, str, datetime.date | None]]:
        """(stage, label, day it began) for every stage, in order: the card's stage strip."""
        return [(stage, str(PppStage(stage).label), self.stage_began_on(stage)) for stage in STAGE_ORDER]


class PppConsultant(UndeletableModel):
    """A consulting firm of the project (咨询服务机构), disclosed with it (seed 000 §(九))."""

    project = models.ForeignKey(
        PppProject, verbose_name=_("PPP project"), on_delete=models.PROTECT, related_name="consultants"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100)
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True, validators=[validate_uscc])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPP consultant")
        verbose_name_plural = _("PPP consultants")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class PppAssignmentQuerySet(UndeletableQuerySet["PppStageAssignment"]):
    def on(self, day: datetime.date) -> "PppAssignmentQuerySet":
        """Assignments that held their stage on `day` (from and to both inclusive)."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class PppStageAssignment(UndeletableModel):
    """Who held a stage on the government side, and from when to when: the unit and its responsible civil servant.
    A handover ends one row the day before the next begins; rows are never rewritten, so a breach dated on any day
    finds the person who held the stage then, wherever that person works now."""

    project = models.ForeignKey(
        PppProject, verbose_name=_("PPP project"), on_delete=models.PROTECT, related_name="assignments"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=PppStage.choices)
    # The unit is kept as it was: the person's agency may change later (subjects.CivilServantMove).
    agency = models.ForeignKey(
        Agency, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="ppp_assignments"
    )
    person = models.ForeignKey(
        CivilServant, verbose_name=_("responsible civil servant"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    duties = models.CharField(_("duties"), max_length=200, blank=True)
    handover_note = models.TextField(_("handover note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PppAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPP stage responsibility")
        verbose_name_plural = _("PPP stage responsibilities")
        ordering = ["project", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(name="ppp_assignment_stage_valid", condition=Q(stage__in=PppStage.values)),
            models.CheckConstraint(
                name="ppp_assignment_dates_in_order", condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))
            ),
            models.UniqueConstraint(
                fields=["project", "stage"], condition=Q(ends_on__isnull=True), name="ppp_assignment_one_open_per_stage"
            ),
        ]
        indexes = [
            # Traceback: a project's stage on a day.
            models.Index(fields=["project", "stage", "starts_on"], name="ppp_assignment_trace_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_stage_display()} {self.person}"


class PppPaymentKind(models.TextChoices):
    AVAILABILITY = "availability", _("Availability payment")
    OPERATIONS_SUBSIDY = "operations_subsidy", _("Operations subsidy")
    VIABILITY_GAP = "viability_gap", _("Viability gap subsidy")
    OTHER = "other", _("Other government payment")


class PppPaymentQuerySet(UndeletableQuerySet["PppPaymentObligation"]):
    def visible_to(self, user: AnyUser) -> "PppPaymentQuerySet":
        return self.filter(sector_data_q(user, Sector.PPP, "project__agency"))

    def unpaid(self) -> "PppPaymentQuerySet":
        return self.filter(paid_amount__lt=F("amount_due"))


class PppPaymentObligation(UndeletableModel):
    """What the government owes the project in a year (availability payment, subsidy): due, paid, late."""

    project = models.ForeignKey(
        PppProject, verbose_name=_("PPP project"), on_delete=models.PROTECT, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=PppPaymentKind.choices)
    amount_due = models.DecimalField(_("amount due (10,000 yuan)"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("due on"))
    paid_amount = models.DecimalField(_("paid (10,000 yuan)"), max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # Set by the scheduled job (sectors.services.ppp.ppp_payments_watch): not paid in full by the due date.
    late = models.BooleanField(_("late"), default=False)
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PppPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPP payment obligation")
        verbose_name_plural = _("PPP payment obligations")
        ordering = ["project", "year", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "kind"], name="ppp_payment_one_per_year_and_kind"),
            models.CheckConstraint(name="ppp_payment_due_positive", condition=Q(amount_due__gt=0)),
            models.CheckConstraint(name="ppp_payment_paid_not_negative", condition=Q(paid_amount__gte=0)),
            models.CheckConstraint(
                name="ppp_payment_paid_has_date", condition=Q(paid_amount=0) | Q(paid_on__isnull=False)
            ),
            models.CheckConstraint(name="ppp_payment_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
            models.CheckConstraint(name="ppp_payment_kind_valid", condition=Q(kind__in=PppPaymentKind.values)),
        ]
        indexes = [
            # The late job: unflagged obligations by due date.
            models.Index(fields=["late", "due_on"], name="ppp_payment_late_due_idx"),
            # The lists' "late payments" flag and filter: a project's late obligations.
            models.Index(fields=["project"], condition=Q(late=True), name="ppp_payment_late_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year} {self.get_kind_display()}"

    @property
    def is_paid(self) -> bool:
        return self.paid_amount >= self.amount_due

    @property
    def outstanding(self) -> object:
        return max(self.amount_due - self.paid_amount, 0)

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return not self.is_paid and self.due_on < (on or timezone.localdate())


class PppBreach(UndeletableModel):
    """A government-side breach of the project on a day, attributed by traceback to the unit and the person who held
    the stage in force that day; it proposes a candidate dishonesty record (never a published one)."""

    project = models.ForeignKey(
        PppProject, verbose_name=_("PPP project"), on_delete=models.PROTECT, related_name="breaches"
    )
    occurred_on = models.DateField(_("date of the breach"))
    stage = models.CharField(_("stage"), max_length=16, choices=PppStage.choices)
    assignment = models.ForeignKey(
        PppStageAssignment,
        verbose_name=_("stage responsibility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breaches",
    )
    agency = models.ForeignKey(Agency, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        CivilServant,
        verbose_name=_("responsible civil servant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payment = models.OneToOneField(
        PppPaymentObligation,
        verbose_name=_("payment obligation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breach",
    )
    facts = models.TextField(_("facts"))
    record = models.ForeignKey(
        DishonestyRecord,
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ppp_breaches",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPP breach")
        verbose_name_plural = _("PPP breaches")
        ordering = ["project", "occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(name="ppp_breach_stage_valid", condition=Q(stage__in=PppStage.values)),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.occurred_on}"


class PppEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    STAGE = "stage", _("Stage moved")
    ASSIGNED = "assigned", _("Stage responsibility assigned")
    HANDED_OVER = "handed_over", _("Stage handed over")
    CONSULTANT = "consultant", _("Consultant added")
    PAYMENT_ADDED = "payment_added", _("Payment obligation added")
    PAID = "paid", _("Payment recorded")
    PUBLISHED = "published", _("Project card published")
    BREACH = "breach", _("Breach record proposed")


class PppProjectEvent(UndeletableModel):
    project = models.ForeignKey(
        PppProject, verbose_name=_("PPP project"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=PppEventKind.choices)
    from_stage = models.CharField(_("previous stage"), max_length=16, choices=PppStage.choices, blank=True)
    to_stage = models.CharField(_("new stage"), max_length=16, choices=PppStage.choices, blank=True)
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
        verbose_name = _("PPP project event")
        verbose_name_plural = _("PPP project events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_kind_display()}"
