"""Credit subjects: agencies (单位) and civil servants (公务人员) with their integrity files (诚信档案).
docs/domain.md §2."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser
from accounts.scope import agency_q, people_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.codes import validate_uscc
from subjects.personal_data import decrypt_id_number, id_number_digest, normalize_id_number
from subjects.search import GramsField


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    DEPARTMENT = "department", _("Government department")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    TOWN = "town", _("Town")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    VILLAGERS_COMMITTEE = "villagers_committee", _("Villagers' committee")
    DEVELOPMENT_ZONE = "development_zone", _("Development-zone committee")
    OTHER = "other", _("Other")


class AgencyQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser | None) -> "AgencyQuerySet":

        return self.filter(agency_q(user))

    def subtree_of(self, agency: "Agency") -> "AgencyQuerySet":
        # Served by agency_path_prefix_idx: a prefix LIKE on the materialised path.
        return self.filter(path__startswith=agency.path)

    def active(self) -> "AgencyQuerySet":
        return self.filter(active=True)

    def search(self, text: str) -> "AgencyQuerySet":
        text = text.strip()
        if not text:
            return self
        code = text.upper()
        return self.filter(Q(name__contains=text) | Q(uscc__startswith=code))


class Agency(UndeletableModel):
    name = models.CharField(_("name"), max_length=200)
    # Public search by name fragment (subjects/search.py; GIN index on PostgreSQL, records migration 0005).
    name_grams = GramsField(_("name search index"), editable=False, default="")
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, unique=True, validators=[validate_uscc])
    region_code = models.CharField(
        _("region code"), max_length=6, help_text=_("Six-digit administrative division code (GB/T 2260).")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("After an institutional reform (机构改革), the agency that took this one over."),
    )
    # Materialised path of ids, "/1/5/23/": the subtree of an agency is every row whose path starts with its own.
    # Maintained only by subjects.services (agency_create, agency_move).
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgencyQuerySet.as_manager()
    # Derived columns stay out of the trail: name_grams follows name, and path is rewritten for whole subtrees
    # with one UPDATE when an agency moves (parent is the audited fact).
    history = HistoricalRecords(table_name="records_historicalagency", excluded_fields=["path", "name_grams"])

    class Meta:
        db_table = "records_agency"  # the table predates the subjects app
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]
        indexes = [
            # Subtree queries (scope of every credit office and inspector) are prefix LIKEs on path.
            models.Index(fields=["path"], name="agency_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(name="agency_not_own_parent", condition=~Q(parent=F("pk"))),
            models.CheckConstraint(name="agency_not_own_successor", condition=~Q(successor=F("pk"))),
            models.CheckConstraint(name="agency_region_code_six_digits", condition=Q(region_code__regex=r"^[0-9]{6}$")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def lineage(self) -> list["Agency"]:
        """This agency and every agency merged or renamed into it, oldest reform first (机构改革, docs/domain.md §2)."""
        seen: dict[int, Agency] = {self.pk: self}
        frontier = [self.pk]
        while frontier:
            found = list(Agency.objects.filter(successor_id__in=frontier).exclude(pk__in=list(seen)))
            frontier = [a.pk for a in found]
            seen.update({a.pk: a for a in found})
        return sorted(seen.values(), key=lambda a: a.pk)


class AgencyEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    RENAMED = "renamed", _("Renamed")
    MOVED = "moved", _("Moved in the tree")
    MERGED = "merged", _("Merged into a successor")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")


class AgencyEvent(UndeletableModel):
    """One row per change of an agency's identity or state: who, when, from, to, why."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=AgencyEventKind.choices)
    from_value = models.CharField(_("old value"), max_length=255, blank=True)
    to_value = models.CharField(_("new value"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        db_table = "records_agencyevent"  # the table predates the subjects app
        verbose_name = _("agency event")
        verbose_name_plural = _("agency events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_kind_display()}"


class CivilServantQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "CivilServantQuerySet":

        return self.filter(people_q(user))

    def with_id_number(self, id_number: str) -> "CivilServantQuerySet":
        return self.filter(id_number_digest=id_number_digest(id_number))

    def search(self, text: str) -> "CivilServantQuerySet":
        text = text.strip()
        return self.filter(name__contains=text) if text else self


class CivilServant(UndeletableModel):
    name = models.CharField(_("name"), max_length=50)
    # The ID number is never stored in the clear (subjects/personal_data.py).
    id_number_digest = models.CharField(_("ID number digest"), max_length=64, unique=True, editable=False)
    id_number_cipher = models.TextField(_("encrypted ID number"), editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("position"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=50, blank=True)
    is_principal = models.BooleanField(
        _("principal responsible person"),
        default=False,
        help_text=_("主要负责人: held liable for the agency's dishonesty records."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CivilServantQuerySet.as_manager()
    history = HistoricalRecords(
        table_name="records_historicalcivilservant", excluded_fields=["id_number_cipher", "id_number_digest"]
    )

    class Meta:
        db_table = "records_civilservant"  # the table predates the subjects app
        verbose_name = _("civil servant")
        verbose_name_plural = _("civil servants")
        ordering = ["agency_id", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, id_number: str) -> None:
        from subjects.personal_data import encrypt_id_number, mask_id_number

        number = normalize_id_number(id_number)
        self.id_number_digest = id_number_digest(number)
        self.id_number_cipher = encrypt_id_number(number)
        self.id_number_masked = mask_id_number(number)

    def decrypted_id_number(self) -> str:
        """Only `subjects.services.civil_servant_reveal_id_number` calls this: it checks the role and logs."""
        return decrypt_id_number(self.id_number_cipher)


class CivilServantMove(UndeletableModel):
    """A move between agencies (调动): the person's posting history."""

    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="moves"
    )
    from_agency = models.ForeignKey(
        Agency, verbose_name=_("previous agency"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(Agency, verbose_name=_("new agency"), on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField(_("date of move"))
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        db_table = "records_civilservantmove"  # the table predates the subjects app
        verbose_name = _("move between agencies")
        verbose_name_plural = _("moves between agencies")
        ordering = ["moved_on", "pk"]
        constraints = [
            models.CheckConstraint(name="move_changes_agency", condition=~Q(from_agency=F("to_agency"))),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_agency} → {self.to_agency}"


class IntegrityFileQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "IntegrityFileQuerySet":

        return self.filter(people_q(user, "person__agency"))


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASICALLY_COMPETENT = "basically_competent", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class AnnualAssessment(UndeletableModel):
    """年度考核: one result per person per year. No 优秀 in a year with a dishonesty record (docs/domain.md §2)."""

    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    result = models.CharField(_("result"), max_length=24, choices=AssessmentResult.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = IntegrityFileQuerySet.as_manager()
    history = HistoricalRecords(table_name="records_historicalannualassessment")

    class Meta:
        db_table = "records_annualassessment"  # the table predates the subjects app
        verbose_name = _("annual assessment")
        verbose_name_plural = _("annual assessments")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="assessment_one_per_person_year"),
            models.CheckConstraint(name="assessment_year_plausible", condition=Q(year__gte=1990, year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year} {self.get_result_display()}"


class IntegrityTraining(UndeletableModel):
    """诚信教育 attended by a civil servant."""

    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="trainings"
    )
    title = models.CharField(_("title"), max_length=200)
    organizer = models.CharField(_("organizer"), max_length=200, blank=True)
    attended_on = models.DateField(_("date attended"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = IntegrityFileQuerySet.as_manager()
    history = HistoricalRecords(table_name="records_historicalintegritytraining")

    class Meta:
        db_table = "records_integritytraining"  # the table predates the subjects app
        verbose_name = _("integrity training")
        verbose_name_plural = _("integrity trainings")
        ordering = ["-attended_on"]
        constraints = [
            models.CheckConstraint(name="training_hours_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.title}"


class PersonalMattersReport(UndeletableModel):
    """个人有关事项报告 filed by a civil servant."""

    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="matters_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reported_on = models.DateField(_("date reported"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = IntegrityFileQuerySet.as_manager()
    history = HistoricalRecords(table_name="records_historicalpersonalmattersreport")

    class Meta:
        db_table = "records_personalmattersreport"  # the table predates the subjects app
        verbose_name = _("personal matters report")
        verbose_name_plural = _("personal matters reports")
        ordering = ["-reported_on"]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"


class AccessAction(models.TextChoices):
    VIEW_FILE = "view_file", _("Read the integrity file")
    REVEAL_ID = "reveal_id", _("Saw the full ID number")
    LOOKUP_BY_ID = "lookup_by_id", _("Looked a person up by ID number")


class AccessChannel(models.TextChoices):
    WEB = "web", _("Staff pages")
    API = "api", _("API")
    ADMIN = "admin", _("Admin console")


class PersonalDataAccess(UndeletableModel):
    """Every read of a civil servant's file or full ID number (docs/domain.md §2)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        CivilServant, null=True, verbose_name=_("civil servant"), on_delete=models.PROTECT, related_name="accesses"
    )
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=AccessChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        db_table = "records_personaldataaccess"  # the table predates the subjects app
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.person}"
