"""Government dishonesty records (政务失信记录) and the disclosure rules that bound them. docs/domain.md §3-4."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser, Sector
from accounts.scope import record_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency, CivilServant
from subjects.search import GramsField


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class SpecialField(models.TextChoices):
    """Fields whose penalties carry longer minimum disclosure under some rules (2023: at least one year)."""

    NONE = "", _("None")
    WORK_SAFETY = "work_safety", _("Work safety")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")


class RecordSource(models.TextChoices):
    JUDICIAL_JUDGMENT = "judicial_judgment", _("Judicial judgment")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")
    DISCIPLINARY_SANCTION = "disciplinary_sanction", _("Disciplinary sanction")
    GOVERNMENT_SANCTION = "government_sanction", _("Government sanction")
    ACCOUNTABILITY = "accountability", _("Accountability decision")
    DISHONEST_DEBTOR = "dishonest_debtor", _("Listed as dishonest judgment debtor")
    UTILITY_ARREARS = "utility_arrears", _("Unpaid utility fees")
    BREACH_OF_CONTRACT = "breach_of_contract", _("Breach of contract")
    BROKEN_COMMITMENT = "broken_commitment", _("Breach of a public commitment")
    SECTOR_FINDING = "sector_finding", _("Sector finding")
    OTHER = "other", _("Other")


class RecordStatus(models.TextChoices):
    # A breach another app found (a broken commitment, an overdue payment…): the agency explains it in writing and
    # the credit office decides it through the normal workflow, or dismisses it. Never public (docs/domain.md §3).
    CANDIDATE = "candidate", _("Candidate")
    DISMISSED = "dismissed", _("Dismissed")
    DRAFT = "draft", _("Draft")
    # The clerk has handed the record to the agency's reviewer, who submits it or returns it with a reason.
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    REPAIRED = "repaired", _("Credit repaired")
    EXPIRED = "expired", _("Expired")


def disclosed_until_of(*, publicly_disclosed: bool, disclosure_ends_on: datetime.date) -> datetime.date | None:
    """The 公示截止日期 of a record: the last day it is shown to the public, inclusive (the Civil Code's reckoning of
    a period, docs/disclosure-periods.md), or None for a record that is not publicly disclosed, which has none.

    The one definition: the model's property, the public site's rows, `disclosed()` and the expiry job agree with it.
    """
    return disclosure_ends_on if publicly_disclosed else None


# The states in which a record is in force: public (inside its window) and its measures apply.
IN_FORCE_STATUSES = (RecordStatus.PUBLISHED, RecordStatus.CORRECTED)
# Verified by the credit office and not revoked: the record counts against its subject and responsible persons, even
# once repaired or expired (it happened; docs/domain.md §3).
VERIFIED_STATUSES = (*IN_FORCE_STATUSES, RecordStatus.REPAIRED, RecordStatus.EXPIRED)
# Listed as a dishonest judgment debtor or for unpaid utility fees (the evaluation's A2 indicator and veto).
DEBTOR_SOURCES = (RecordSource.DISHONEST_DEBTOR, RecordSource.UTILITY_ARREARS)
EDITABLE_STATUSES = (RecordStatus.CANDIDATE, RecordStatus.DRAFT, RecordStatus.AWAITING_REVIEW, RecordStatus.RETURNED)


class DisclosureRule(models.Model):
    """How long a record is disclosed, by tier, source and field, for decisions taken while the rule is in force.

    Data, not code (docs/domain.md §4): a new national rule is a new row with its effective date, never an edit of the
    old one, so older records keep the periods that governed them. A rule names a source when the national text covers
    only that kind of information (the 2023 rule's periods are those of administrative penalties); a rule without one
    covers every source. docs/disclosure-periods.md gives the reasoning, rule by rule.
    """

    citation = models.CharField(_("citation"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True, help_text=_("Exclusive."))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    source = models.CharField(
        _("source"),
        max_length=32,
        choices=RecordSource.choices,
        blank=True,
        help_text=_("Empty: records of every source without a rule of their own."),
    )
    special_field = models.CharField(_("special field"), max_length=24, choices=SpecialField.choices, blank=True)
    disclosed = models.BooleanField(_("publicly disclosed"), default=True)
    min_months = models.PositiveSmallIntegerField(_("minimum disclosure (months)"))
    max_months = models.PositiveSmallIntegerField(_("maximum disclosure (months)"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disclosure rule")
        verbose_name_plural = _("disclosure rules")
        ordering = ["effective_from", "severity", "source", "special_field"]
        constraints = [
            models.CheckConstraint(name="disclosure_rule_min_le_max", condition=Q(min_months__lte=F("max_months"))),
            models.CheckConstraint(
                name="disclosure_rule_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            ),
            models.UniqueConstraint(
                fields=["effective_from", "severity", "source", "special_field"],
                name="disclosure_rule_one_per_start_tier_source",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_severity_display()]
        if self.source:
            parts.append(self.get_source_display())
        if self.special_field:
            parts.append(self.get_special_field_display())
        return f"{self.citation} · {' '.join(str(part) for part in parts)}"

    def clean(self) -> None:
        """Rules for one tier, source and field never overlap, and a rule that governs records may end only after the
        last of them was decided: the window of a record must always have one rule behind it."""
        from django.core.exceptions import ValidationError
        from django.db.models import Max

        if self.min_months is not None and self.max_months is not None and self.min_months > self.max_months:
            raise ValidationError({"min_months": _("The minimum cannot exceed the maximum.")})
        if self.effective_from is None or not self.severity:
            return
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValidationError({"effective_to": _("A rule ends after it starts.")})
        others = DisclosureRule.objects.filter(
            severity=self.severity, source=self.source or "", special_field=self.special_field or ""
        )
        others = others.exclude(pk=self.pk).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=self.effective_from)
        )
        if self.effective_to is not None:
            others = others.filter(effective_from__lt=self.effective_to)
        clash = others.order_by("effective_from").first()
        if clash is not None:
            raise ValidationError(
                _("%(rule)s is in force for this tier, source and field during these dates; give it an end date first.")
                % {"rule": clash.citation}
            )
        if self.pk is not None and self.effective_to is not None:
            last = self.records.aggregate(last=Max("decision_date"))["last"]
            if last is not None and self.effective_to <= last:
                raise ValidationError(
                    {
                        "effective_to": _(
                            "Records decided on %(date)s follow this rule; it can end only after that day."
                        )
                        % {"date": last.isoformat()}
                    }
                )


class RecordQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "RecordQuerySet":

        return self.filter(record_q(user))

    def disclosed(self, on: datetime.date | None = None) -> "RecordQuerySet":
        """What the public may see: in force, publicly disclosed and inside the window on `on` (default today).

        The window includes its last day, `disclosure_ends_on` (docs/disclosure-periods.md). The date test is here as
        well as in the expiry job, so nothing stays public a day too long even if the job has not run yet.
        """
        on = on or timezone.localdate()
        return self.filter(
            status__in=IN_FORCE_STATUSES,
            publicly_disclosed=True,
            disclosure_starts_on__lte=on,
            disclosure_ends_on__gte=on,
        )

    def in_force(self) -> "RecordQuerySet":
        return self.filter(status__in=IN_FORCE_STATUSES)

    def verified(self) -> "RecordQuerySet":
        return self.filter(status__in=VERIFIED_STATUSES)

    def naming(self, person: CivilServant) -> "RecordQuerySet":
        """Records about `person`, or that hold `person` liable among the responsible persons (惩戒到人)."""
        responsible = RecordResponsibility.objects.filter(person=person).values("record_id")
        return self.filter(Q(subject_person=person) | Q(pk__in=responsible))

    def due_to_expire(self, on: datetime.date) -> "RecordQuerySet":
        """In force, and `on` is past the window's last day: shown on that day, gone the day after."""
        return self.filter(status__in=IN_FORCE_STATUSES, disclosure_ends_on__lt=on)


# The longest text the national 双公示 data items take for the fields the platform receives (行政处罚信息: 违法事实
# cf_sy C..5000, 处罚依据 cf_yj C..2000, 处罚内容 cf_nr C..4000 — records/platform.py maps them). Longer text is
# refused at entry (form, API, Excel, services): the platform would refuse it, and 32,767-character cells made 39 MB
# batches. Check the figures against the platform's own interface document when it is connected.
TEXT_LIMITS: dict[str, int] = {"facts": 5000, "legal_basis": 2000, "loss_description": 4000}


class DishonestyRecord(UndeletableModel):
    # The subject: an agency, or a civil servant in an agency (subject_agency is then the person's agency).
    subject_agency = models.ForeignKey(
        Agency, verbose_name=_("subject agency"), on_delete=models.PROTECT, related_name="records"
    )
    subject_person = models.ForeignKey(
        CivilServant,
        verbose_name=_("subject civil servant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    # Denormalised for the public search: the subject's name when the record was entered or corrected.
    subject_name = models.CharField(_("subject name"), max_length=200, editable=False)
    # The public search's index over subject_name (subjects/search.py; GIN index on PostgreSQL, records migration 0005).
    search_grams = GramsField(_("name search index"), editable=False, default="")
    source = models.CharField(_("source"), max_length=32, choices=RecordSource.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    special_field = models.CharField(_("special field"), max_length=24, choices=SpecialField.choices, blank=True)
    document_number = models.CharField(_("document number"), max_length=100)
    deciding_agency = models.ForeignKey(
        Agency,
        verbose_name=_("deciding agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_records",
        help_text=_("When the deciding body is an agency in this system."),
    )
    deciding_body_name = models.CharField(_("deciding body"), max_length=200)
    deciding_body_uscc = models.CharField(_("deciding body's code"), max_length=18)
    decision_date = models.DateField(_("decision date"))
    facts = models.TextField(_("facts"))
    legal_basis = models.TextField(_("legal basis"))
    categories = models.CharField(_("categories"), max_length=200, blank=True)
    fine_amount = models.DecimalField(_("fine (10,000 yuan)"), max_digits=14, decimal_places=6, null=True, blank=True)
    other_amount = models.DecimalField(
        _("other amounts (10,000 yuan)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    loss_description = models.TextField(_("loss"), blank=True)
    social_impact = models.TextField(_("social impact"), blank=True)
    data_source_agency = models.ForeignKey(
        Agency, verbose_name=_("data source agency"), on_delete=models.PROTECT, related_name="sourced_records"
    )

    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    # What found the breach, for a candidate (records/services/candidates.py): the commitment, contract… it came from,
    # linked both ways (the origin keeps the record too). Empty for a record a clerk entered.
    origin_type = models.ForeignKey(
        ContentType,
        verbose_name=_("found in (kind)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_id = models.PositiveBigIntegerField(_("found in (number)"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField(_("found in"), max_length=200, blank=True)
    # 书面说明原因: the agency's written explanation of a candidate, before it goes to the credit office.
    explanation = models.TextField(_("agency's written explanation"), blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    # The disclosure window, computed from the rule in force on the decision date (records.disclosure); never typed.
    disclosure_rule = models.ForeignKey(
        DisclosureRule, verbose_name=_("disclosure rule"), on_delete=models.PROTECT, related_name="records"
    )
    publicly_disclosed = models.BooleanField(_("publicly disclosed"))
    disclosure_starts_on = models.DateField(_("disclosure starts"))
    earliest_repair_on = models.DateField(_("repair possible from"))
    # The last day of the maximum period, shown on it and gone the day after (docs/disclosure-periods.md). Read it
    # through `disclosed_until`, which is empty for a record that is not publicly disclosed.
    disclosure_ends_on = models.DateField(
        _("disclosed until"), help_text=_("The last day the record is shown to the public.")
    )

    # An accepted objection is being checked or verified (docs/domain.md §5): the public page says so and the platform
    # is told (yybz) with every version of the record. Kept by repair.services.objections in their transactions.
    under_objection = models.BooleanField(_("under objection"), default=False, editable=False)
    # Bumped on every change the platform must see; the platform keeps the highest version (docs/domain.md §10).
    version = models.PositiveIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = RecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_grams"])

    class Meta:
        verbose_name = _("dishonesty record")
        verbose_name_plural = _("dishonesty records")
        ordering = ["-decision_date", "-pk"]
        constraints = [
            # 文书号 is unique per deciding body; a revoked (wrongly entered) record frees its number.
            models.UniqueConstraint(
                fields=["deciding_body_uscc", "document_number"],
                condition=~Q(status="revoked"),
                name="record_document_number_unique_per_body",
            ),
            models.CheckConstraint(
                name="record_amounts_not_negative",
                condition=(Q(fine_amount__isnull=True) | Q(fine_amount__gte=0))
                & (Q(other_amount__isnull=True) | Q(other_amount__gte=0)),
            ),
            models.CheckConstraint(
                name="record_window_ordered",
                condition=Q(disclosure_starts_on__lte=F("earliest_repair_on"))
                & Q(earliest_repair_on__lte=F("disclosure_ends_on")),
            ),
            models.CheckConstraint(name="record_status_valid", condition=Q(status__in=[s.value for s in RecordStatus])),
            models.CheckConstraint(
                name="record_origin_whole",
                condition=Q(origin_type__isnull=True, origin_id__isnull=True)
                | Q(origin_type__isnull=False, origin_id__isnull=False),
            ),
            models.CheckConstraint(
                name="record_candidate_has_origin",
                condition=~Q(status__in=["candidate", "dismissed"]) | Q(origin_type__isnull=False),
            ),
            # One breach, one live candidate: a dismissed or revoked one frees its origin for a later finding.
            models.UniqueConstraint(
                fields=["origin_type", "origin_id"],
                condition=Q(origin_type__isnull=False) & ~Q(status__in=["dismissed", "revoked"]),
                name="record_one_live_record_per_origin",
            ),
        ]
        indexes = [
            # The public agency page: an agency's records in force, newest first.
            models.Index(fields=["subject_agency", "status", "disclosure_ends_on"], name="record_agency_status_idx"),
            # The public "recently published" list and incremental pulls.
            models.Index(fields=["status", "-published_at"], name="record_status_published_idx"),
            # The expiry job: records in force whose window has closed.
            models.Index(fields=["disclosure_ends_on"], name="record_disclosure_end_idx"),
            # The evaluation (records/evaluation_sources.py) reads these two from the index alone (index-only scans):
            # records published in a period by subject, severity and data source; debtor records by subject.
            models.Index(
                fields=["published_at"],
                include=["subject_agency", "severity", "data_source_agency"],
                condition=Q(status__in=VERIFIED_STATUSES),
                name="record_eval_published_idx",
            ),
            models.Index(
                fields=["subject_agency", "status"],
                include=["published_at", "updated_at"],
                condition=Q(source__in=DEBTOR_SOURCES, status__in=VERIFIED_STATUSES),
                name="record_eval_debtor_idx",
            ),
            # ... and for the incremental recompute of a few units, the same records by subject and by data source.
            models.Index(
                fields=["subject_agency", "published_at"],
                include=["severity"],
                condition=Q(status__in=VERIFIED_STATUSES),
                name="record_eval_subject_idx",
            ),
            models.Index(
                fields=["data_source_agency", "published_at"],
                condition=Q(status__in=VERIFIED_STATUSES),
                name="record_eval_data_source_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.document_number}"

    @property
    def is_in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def disclosed_until(self) -> datetime.date | None:
        """公示截止日期 wherever it is shown: pages, API, exports and the platform's cf_gsjzq."""
        return disclosed_until_of(
            publicly_disclosed=self.publicly_disclosed, disclosure_ends_on=self.disclosure_ends_on
        )

    def is_disclosed_on(self, on: datetime.date) -> bool:
        return (
            self.is_in_force and self.publicly_disclosed and self.disclosure_starts_on <= on <= self.disclosure_ends_on
        )

    def repair_possible_on(self, on: datetime.date) -> bool:
        return self.is_in_force and on >= self.earliest_repair_on


class ResponsibilityKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal responsible person")
    DIRECT = "direct", _("Directly responsible person")
    OTHER = "other", _("Other responsible person")


class RecordResponsibility(UndeletableModel):
    """惩戒到人: the persons held liable for a record; the principal responsible person is always among them."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResponsibilityKind.choices)

    objects = UndeletableQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="responsibility_once_per_record"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()})"


class RecordEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    REVIEW_REQUESTED = "review_requested", _("Sent for review")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    REPAIRED = "repaired", _("Credit repaired")
    EXPIRED = "expired", _("Expired")
    IMPORTED = "imported", _("Imported")
    PROPOSED = "proposed", _("Proposed as a candidate")
    EXPLAINED = "explained", _("Explained by the agency")
    DISMISSED = "dismissed", _("Dismissed")
    # A disclosure rule was put right and the record's window follows it (records_windows_recompute).
    RECOMPUTED = "recomputed", _("Disclosure period recomputed")


class RecordEvent(UndeletableModel):
    """The immutable timeline of a record: who, when, from, to, why."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=RecordEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=16, choices=RecordStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=16, choices=RecordStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("record event")
        verbose_name_plural = _("record events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.get_kind_display()}"


class EvidenceFile(UndeletableModel):
    """Evidence for a record, stored outside the web root and served only to those who may see the record."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
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
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
