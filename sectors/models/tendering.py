"""Tendering (招标投标): tender projects where an agency is the tenderer, and bad-behaviour scoring (不良行为记分) of
the parties (docs/sectors.md#tendering).

The scoring scheme is data and versioned: a scheme in use is never edited, a new version takes over from its
effective date. A party's score is computed from its bad-behaviour records inside the scheme's cycle (never typed);
crossing a threshold on a day applies its sanction from that day (sectors.services.tendering.party_sanctions_apply).
The agency's own breaches as tenderer (TenderBreach) propose candidate dishonesty records, never published ones.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.masking import mask_person_name
from subjects.models import Agency


class PartyKind(models.TextChoices):
    BIDDER = "bidder", _("Bidder")
    AGENT = "agent", _("Tendering agent")
    EXPERT = "expert", _("Evaluation expert")
    TENDERER = "tenderer", _("Tenderer")


class CycleKind(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", _("Calendar year")
    ROLLING_12_MONTHS = "rolling_12", _("Rolling 12 months")


class ThresholdBasis(models.TextChoices):
    CUMULATIVE = "cumulative", _("Cumulative points in the cycle")
    SINGLE = "single", _("A single deduction")


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    BLACKLIST = "blacklist", _("Blacklist")


class SanctionStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("tendering sanction", "Applied")
    REVOKED = "revoked", _("Revoked")


# The public blacklist: sanctions that bar the party.
BARRING_SANCTIONS = (SanctionKind.SUSPENSION, SanctionKind.BLACKLIST)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class SchemeQuerySet(UndeletableQuerySet["ScoringScheme"]):
    def in_effect(self, code: str, on: datetime.date) -> "ScoringScheme | None":
        return self.filter(code=code, effective_from__lte=on).order_by("-effective_from", "-version").first()


class ScoringScheme(UndeletableModel):
    """One version of a scoring scheme: its cycle, items and thresholds. Once a record uses one of its items it is
    never edited: a new version with its own effective date takes over."""

    code = models.CharField(_("scheme code"), max_length=30)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    cycle = models.CharField(_("scoring cycle"), max_length=16, choices=CycleKind.choices)
    effective_from = models.DateField(_("effective from"))
    basis = models.TextField(_("legal basis"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="tendering_scheme_version_once"),
            models.UniqueConstraint(fields=["code", "effective_from"], name="tendering_scheme_one_per_day"),
            models.CheckConstraint(name="tendering_scheme_cycle_valid", condition=Q(cycle__in=CycleKind.values)),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def cycle_start(self, day: datetime.date) -> datetime.date:
        """The first day whose points still count on `day`."""
        if self.cycle == CycleKind.CALENDAR_YEAR:
            return datetime.date(day.year, 1, 1)
        return add_months(day, -12) + datetime.timedelta(days=1)

    def points_expire_on(self, decided_on: datetime.date) -> datetime.date:
        """The first day points decided on `decided_on` no longer count."""
        if self.cycle == CycleKind.CALENDAR_YEAR:
            return datetime.date(decided_on.year + 1, 1, 1)
        return add_months(decided_on, 12)


class ScoringItem(UndeletableModel):
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="items"
    )
    party_kind = models.CharField(_("party kind"), max_length=10, choices=PartyKind.choices)
    code = models.CharField(_("item code"), max_length=30)
    description = models.CharField(_("bad behaviour"), max_length=300)
    points = models.PositiveSmallIntegerField(_("points"))
    basis = models.CharField(_("legal basis"), max_length=300)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring item")
        verbose_name_plural = _("scoring items")
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="tendering_item_code_per_scheme"),
            models.CheckConstraint(name="tendering_item_points_positive", condition=Q(points__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}（{self.points}）"


class ScoringThreshold(UndeletableModel):
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="thresholds"
    )
    party_kind = models.CharField(_("party kind"), max_length=10, choices=PartyKind.choices)
    basis = models.CharField(_("counted as"), max_length=10, choices=ThresholdBasis.choices)
    points = models.PositiveSmallIntegerField(_("points reached"))
    sanction = models.CharField(_("sanction"), max_length=10, choices=SanctionKind.choices)
    months = models.PositiveSmallIntegerField(_("for months"), default=0)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring threshold")
        verbose_name_plural = _("scoring thresholds")
        ordering = ["scheme", "party_kind", "points"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "party_kind", "basis", "points"], name="tendering_threshold_once"
            ),
            models.CheckConstraint(name="tendering_threshold_points_positive", condition=Q(points__gt=0)),
            models.CheckConstraint(
                name="tendering_threshold_months",
                condition=Q(sanction="warning") | Q(months__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} ≥ {self.points} → {self.get_sanction_display()}"


class PartyQuerySet(UndeletableQuerySet["TenderParty"]):
    def visible_to(self, user: AnyUser) -> "PartyQuerySet":
        return self.filter(sector_data_q(user, Sector.TENDERING, "registered_by"))


class TenderParty(UndeletableModel):
    """A bidder, agent, expert or tenderer that bad behaviour is scored against. Experts are persons: their ID number
    is kept encrypted with a digest for look-ups, shown masked."""

    kind = models.CharField(_("party kind"), max_length=10, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(
        Agency, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("tendering party")
        verbose_name_plural = _("tendering parties")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "uscc"], condition=~Q(uscc=""), name="tendering_party_uscc_once"),
            models.UniqueConstraint(
                fields=["kind", "id_number_digest"],
                condition=~Q(id_number_digest=""),
                name="tendering_party_person_once",
            ),
            models.CheckConstraint(
                name="tendering_party_identified",
                condition=(Q(kind="expert") & ~Q(id_number_digest="")) | (~Q(kind="expert") & ~Q(uscc="")),
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return mask_person_name(self.name) if self.kind == PartyKind.EXPERT else self.name

    @property
    def public_code(self) -> str:
        return self.id_number_masked if self.kind == PartyKind.EXPERT else self.uscc


class BehaviourQuerySet(UndeletableQuerySet["BadBehaviour"]):
    def visible_to(self, user: AnyUser) -> "BehaviourQuerySet":
        return self.filter(sector_data_q(user, Sector.TENDERING, "decided_by"))

    def public(self, on: datetime.date | None = None) -> "BehaviourQuerySet":
        """Published and inside its public period (later: archived, on request only)."""
        day = on or timezone.localdate()
        return self.filter(published_on__isnull=False, published_on__lte=day, public_until__gte=day)

    def counting(self, *, start: datetime.date, end: datetime.date) -> "BehaviourQuerySet":
        return self.filter(decided_on__gte=start, decided_on__lte=end)


class BadBehaviour(UndeletableModel):
    """A decided bad behaviour of a party: its item's points count inside the cycle from `decided_on`."""

    party = models.ForeignKey(TenderParty, verbose_name=_("party"), on_delete=models.PROTECT, related_name="behaviours")
    item = models.ForeignKey(
        ScoringItem, verbose_name=_("scoring item"), on_delete=models.PROTECT, related_name="behaviours"
    )
    points = models.PositiveSmallIntegerField(_("points"), editable=False)
    decided_by = models.ForeignKey(
        Agency, verbose_name=_("deciding authority"), on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField(_("decision document"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    facts = models.TextField(_("facts"))
    project_name = models.CharField(_("tender project"), max_length=200, blank=True)
    publish_by = models.DateField(_("to be published by"), editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    public_until = models.DateField(_("public until"), null=True, blank=True, editable=False)
    archived_on = models.DateField(_("archived on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BehaviourQuerySet.as_manager()

    class Meta:
        verbose_name = _("bad behaviour")
        verbose_name_plural = _("bad behaviours")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decided_by", "document_number", "party", "item"], name="tendering_behaviour_once"
            ),
            models.CheckConstraint(name="tendering_behaviour_points_positive", condition=Q(points__gt=0)),
            models.CheckConstraint(
                name="tendering_behaviour_public_after_published",
                condition=Q(published_on__isnull=True) | Q(public_until__gte=F("published_on")),
            ),
        ]
        indexes = [
            # A party's score: its behaviours by date.
            models.Index(fields=["party", "decided_on"], name="tendering_behaviour_party_idx"),
            # The public notices: published rows by end of their public period.
            models.Index(
                fields=["public_until", "published_on"],
                name="tendering_behaviour_public_idx",
                condition=Q(published_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.item.code} {self.decided_on}"

    def get_absolute_url(self) -> str:
        return reverse("sectors:tendering_behaviour", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.public_until is not None and self.public_until < timezone.localdate()


class SanctionQuerySet(UndeletableQuerySet["TenderSanction"]):
    def visible_to(self, user: AnyUser) -> "SanctionQuerySet":
        return self.filter(sector_data_q(user, Sector.TENDERING, "trigger__decided_by"))

    def in_force(self, on: datetime.date | None = None) -> "SanctionQuerySet":
        """Applied, not revoked, and running on `on`."""
        day = on or timezone.localdate()
        return self.filter(status=SanctionStatus.APPLIED, starts_on__lte=day, ends_on__gte=day)

    def published(self) -> "SanctionQuerySet":
        return self.filter(published_at__isnull=False)


class TenderSanction(UndeletableModel):
    """A sanction a threshold applied from the day the party crossed it (`starts_on`, the deciding day of `trigger`).
    Applied once per threshold and cycle. Revoked with a reason (sectors.services.tendering.sanction_revoke), it stays
    as a row but is no longer in force and leaves the public blacklist; replaying the party's records never applies it
    again."""

    party = models.ForeignKey(TenderParty, verbose_name=_("party"), on_delete=models.PROTECT, related_name="sanctions")
    threshold = models.ForeignKey(
        ScoringThreshold, verbose_name=_("threshold"), on_delete=models.PROTECT, related_name="+"
    )
    trigger = models.ForeignKey(
        BadBehaviour, verbose_name=_("crossed by"), on_delete=models.PROTECT, related_name="sanctions"
    )
    kind = models.CharField(_("sanction"), max_length=10, choices=SanctionKind.choices)
    score = models.PositiveSmallIntegerField(_("score when crossed"))
    cycle_start = models.DateField(_("cycle starts on"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SanctionStatus.choices, default=SanctionStatus.APPLIED, editable=False
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True, editable=False)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tendering sanction")
        verbose_name_plural = _("tendering sanctions")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "threshold", "cycle_start"], name="tendering_sanction_once_per_cycle"
            ),
            models.CheckConstraint(name="tendering_sanction_dates", condition=Q(ends_on__gte=F("starts_on"))),
            models.CheckConstraint(
                name="tendering_sanction_revoked_with_reason",
                condition=Q(status="applied", revoked_on__isnull=True)
                | (Q(status="revoked", revoked_on__isnull=False) & ~Q(revocation_reason="")),
            ),
        ]
        indexes = [
            # The public blacklist: sanctions in force.
            models.Index(fields=["ends_on", "starts_on"], name="tendering_sanction_force_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.get_kind_display()} {self.starts_on}"


class TenderProjectQuerySet(UndeletableQuerySet["TenderProject"]):
    def visible_to(self, user: AnyUser) -> "TenderProjectQuerySet":
        return self.filter(sector_data_q(user, Sector.TENDERING, "agency"))


class TenderProject(UndeletableModel):
    """A tender where an agency is the tenderer (招标人)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("tenderer agency"), on_delete=models.PROTECT, related_name="tender_projects"
    )
    code = models.CharField(_("project code"), max_length=60)
    name = models.CharField(_("project name"), max_length=200)
    agent_name = models.CharField(_("tendering agent"), max_length=200, blank=True)
    agent_uscc = models.CharField(_("agent's Unified Social Credit Code"), max_length=18, blank=True)
    announced_on = models.DateField(_("announced on"))
    opened_on = models.DateField(_("bids opened on"), null=True, blank=True)
    awarded_on = models.DateField(_("award notice issued on"), null=True, blank=True)
    winner_name = models.CharField(_("winning bidder"), max_length=200, blank=True)
    winner_uscc = models.CharField(_("winner's Unified Social Credit Code"), max_length=18, blank=True)
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    deposits_refunded_on = models.DateField(_("deposits refunded on (last)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TenderProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("tender project")
        verbose_name_plural = _("tender projects")
        ordering = ["-announced_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="tendering_project_code_per_agency"),
            models.CheckConstraint(
                name="tendering_project_dates_in_order",
                condition=(Q(opened_on__isnull=True) | Q(opened_on__gte=F("announced_on")))
                & (Q(awarded_on__isnull=True) | Q(opened_on__isnull=False, awarded_on__gte=F("opened_on")))
                & (
                    Q(contract_signed_on__isnull=True)
                    | Q(awarded_on__isnull=False, contract_signed_on__gte=F("awarded_on"))
                )
                & (
                    Q(deposits_refunded_on__isnull=True)
                    | Q(contract_signed_on__isnull=False, deposits_refunded_on__gte=F("contract_signed_on"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("sectors:tendering_project", args=[self.pk])


class BreachKind(models.TextChoices):
    # 《招标投标法》第四十六条: the written contract within 30 days of the award notice.
    NOT_SIGNED = "not_signed", _("Contract not signed with the winner within the legal period")
    # 《招标投标法实施条例》第五十七条第二款: deposits refunded at the latest 5 days after the contract is signed.
    LATE_REFUND = "late_refund", _("Bid deposits refunded late")
    EVADED = "evaded", _("Evading tendering")


class TenderBreach(UndeletableModel):
    """The tenderer agency's own breach on a project; it proposes a candidate record (the record's origin)."""

    project = models.ForeignKey(
        TenderProject, verbose_name=_("tender project"), on_delete=models.PROTECT, related_name="breaches"
    )
    kind = models.CharField(_("breach"), max_length=12, choices=BreachKind.choices)
    detected_on = models.DateField(_("found on"))
    facts = models.TextField(_("facts"))
    record = models.ForeignKey(
        DishonestyRecord,
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenderer breach")
        verbose_name_plural = _("tenderer breaches")
        ordering = ["-detected_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="tendering_breach_once")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_kind_display()}"


class TenderEventKind(models.TextChoices):
    RECORDED = "recorded", _("Bad behaviour recorded")
    PUBLISHED = "published", _("Bad behaviour published")
    ARCHIVED = "archived", _("Public period ended: archived")
    SANCTION_APPLIED = "sanction_applied", _("Threshold crossed: sanction applied")
    SANCTION_PUBLISHED = "sanction_published", _("Sanction published")
    SANCTION_REVOKED = "sanction_revoked", _("Sanction revoked")
    PROJECT_CREATED = "project_created", _("Tender project entered")
    PROJECT_EDITED = "project_edited", _("Tender project edited")
    BREACH_FOUND = "breach_found", _("Tenderer breach found: candidate record proposed")


class TenderEvent(UndeletableModel):
    """The timeline of tendering: a party's bad behaviour and sanctions, a tender project and its breaches. Who did
    what, when (no actor: the daily job)."""

    party = models.ForeignKey(
        TenderParty, verbose_name=_("party"), on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    behaviour = models.ForeignKey(
        BadBehaviour, verbose_name=_("bad behaviour"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sanction = models.ForeignKey(
        TenderSanction, verbose_name=_("sanction"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        TenderProject,
        verbose_name=_("tender project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=20, choices=TenderEventKind.choices)
    note = models.TextField(_("note"), blank=True)
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
        verbose_name = _("tendering event")
        verbose_name_plural = _("tendering events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="tender_event_about_something",
                condition=Q(party__isnull=False) | Q(project__isnull=False),
            ),
            models.CheckConstraint(name="tender_event_kind_valid", condition=Q(kind__in=TenderEventKind.values)),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
