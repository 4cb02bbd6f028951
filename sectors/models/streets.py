"""Honest street and town creation (诚信街道/诚信乡镇创建, seeds 000 §(十四), 001 §15): a yearly checklist of criteria
kept as data, the street's or town's application with its self-evaluation and evidence, the district's and the city's
review, a public notice period, the naming and its revocation by a later one-vote veto. docs/sectors.md § Streets and
towns."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import sector_data_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency


class CriterionKind(models.TextChoices):
    AUTOMATIC = "automatic", _("Computed from the data")
    MANUAL = "manual", _("Self-evaluated with evidence")


class CriterionRule(models.TextChoices):
    """What an automatic criterion computes (sectors.services.streets.criterion_evaluate)."""

    NO_SERIOUS_RECORD = "no_serious_record", _("No serious dishonesty record in the year")
    COMMITMENTS_KEPT = "commitments_kept", _("Share of the year's decided commitments kept")
    NO_VETO = "no_veto", _("No one-vote veto in the year")


class CreationChecklist(UndeletableModel):
    """The criteria of one year. A checklist an application used is never edited: the next version is a new row."""

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("creation checklist")
        verbose_name_plural = _("creation checklists")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="creation_checklist_year_version_unique"),
            models.CheckConstraint(
                name="creation_checklist_year_plausible", condition=Q(year__gte=2000, year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version} {self.title}"

    @property
    def in_use(self) -> bool:
        return self.applications.exists()


class CreationCriterion(UndeletableModel):
    checklist = models.ForeignKey(
        CreationChecklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("criterion"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    rule = models.CharField(_("rule"), max_length=20, choices=CriterionRule.choices, blank=True)
    # For COMMITMENTS_KEPT: the least share kept, in percent.
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("creation criterion")
        verbose_name_plural = _("creation criteria")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="creation_criterion_code_unique"),
            models.CheckConstraint(
                name="creation_criterion_rule_matches_kind",
                condition=(Q(kind=CriterionKind.AUTOMATIC) & ~Q(rule="")) | (Q(kind=CriterionKind.MANUAL) & Q(rule="")),
            ),
            models.CheckConstraint(
                name="creation_criterion_threshold_percent",
                condition=Q(threshold__isnull=True) | Q(threshold__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class CreationStatus(models.TextChoices):
    DISTRICT_REVIEW = "district_review", _("Awaiting the district's review")
    RETURNED = "returned", _("Returned by the district")
    CITY_REVIEW = "city_review", _("Awaiting the city's review")
    REJECTED = "rejected", _("Rejected by the city")
    NOTICE = "notice", _("In public notice")
    NAMED = "named", _("Named")
    REVOKED = "revoked", _("Naming revoked")


class CreationApplicationQuerySet(UndeletableQuerySet["CreationApplication"]):
    def visible_to(self, user: AnyUser) -> "CreationApplicationQuerySet":
        return self.filter(sector_data_q(user, Sector.STREETS_TOWNS))

    def in_notice(self, on: datetime.date | None = None) -> "CreationApplicationQuerySet":
        on = on or timezone.localdate()
        return self.filter(status=CreationStatus.NOTICE, notice_starts_on__lte=on, notice_ends_on__gte=on)

    def named_or_revoked(self) -> "CreationApplicationQuerySet":
        return self.filter(status__in=[CreationStatus.NAMED, CreationStatus.REVOKED])


class CreationApplication(UndeletableModel):
    agency = models.ForeignKey(
        Agency, verbose_name=_("sub-district or town"), on_delete=models.PROTECT, related_name="creation_applications"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    checklist = models.ForeignKey(
        CreationChecklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CreationStatus.choices, default=CreationStatus.DISTRICT_REVIEW
    )
    self_evaluation = models.TextField(_("self-evaluation"))
    # The automatic criteria as computed at each review: {code: {"met": bool, "detail": str}}.
    evaluation = models.JSONField(_("criteria evaluation"), default=dict, blank=True)
    notice_starts_on = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends"), null=True, blank=True)
    named_on = models.DateField(_("named on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("grounds of revocation"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CreationApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("creation application")
        verbose_name_plural = _("creation applications")
        ordering = ["-year", "-pk"]
        constraints = [
            # One application per street or town and year; a returned one is corrected and sent again.
            models.UniqueConstraint(fields=["agency", "year"], name="creation_application_one_per_year"),
            models.CheckConstraint(name="creation_status_valid", condition=Q(status__in=CreationStatus.values)),
            models.CheckConstraint(
                name="creation_notice_in_order",
                condition=Q(notice_starts_on__isnull=True) | Q(notice_ends_on__gte=models.F("notice_starts_on")),
            ),
        ]
        indexes = [
            # The public list: named and revoked by year.
            models.Index(fields=["status", "year"], name="creation_status_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.year}"

    @property
    def title(self) -> str:
        from subjects.models import AgencyKind

        if self.agency.kind == AgencyKind.TOWN:
            return str(_("Honest town of %(year)s")) % {"year": self.year}
        return str(_("Honest sub-district of %(year)s")) % {"year": self.year}


class CreationAnswer(UndeletableModel):
    """The applicant's word on one manual criterion, with its evidence files."""

    application = models.ForeignKey(
        CreationApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="answers"
    )
    criterion = models.ForeignKey(
        CreationCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    met = models.BooleanField(_("met"))
    note = models.TextField(_("explanation"), blank=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-evaluation answer")
        verbose_name_plural = _("self-evaluation answers")
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="creation_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.criterion.code}"


class CreationEvidence(UndeletableModel):
    answer = models.ForeignKey(
        CreationAnswer, verbose_name=_("answer"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="sectors/streets/%Y/%m/")
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
        verbose_name = _("creation evidence")
        verbose_name_plural = _("creation evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CreationObjection(UndeletableModel):
    """An objection received during the public notice, noted by the credit office."""

    application = models.ForeignKey(
        CreationApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("objection"))
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("noted by"), on_delete=models.PROTECT, related_name="+"
    )
    noted_at = models.DateTimeField(_("noted at"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.received_on}"


class CreationVeto(UndeletableModel):
    """A one-vote veto (一票否决) the credit office declared against a street or town for a year: the no-veto criterion
    fails and a naming of that year is revoked."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("sub-district or town"), on_delete=models.PROTECT, related_name="creation_vetoes"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.TextField(_("grounds"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-vote veto")
        verbose_name_plural = _("one-vote vetoes")
        ordering = ["-declared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.year}"


class CreationEventKind(models.TextChoices):
    APPLIED = "applied", _("Applied")
    RESUBMITTED = "resubmitted", _("Sent again")
    DISTRICT_PASSED = "district_passed", _("Passed by the district")
    RETURNED = "returned", _("Returned by the district")
    CITY_PASSED = "city_passed", _("Passed by the city; notice begins")
    REJECTED = "rejected", _("Rejected by the city")
    OBJECTION = "objection", _("Objection noted")
    NAMED = "named", _("Named")
    REVOKED = "revoked", _("Naming revoked")


class CreationEvent(UndeletableModel):
    application = models.ForeignKey(
        CreationApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=CreationEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=16, choices=CreationStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=16, choices=CreationStatus.choices)
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
        verbose_name = _("creation event")
        verbose_name_plural = _("creation events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.get_kind_display()}"
