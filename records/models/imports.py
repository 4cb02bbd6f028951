"""Excel imports of dishonesty records: one row per uploaded workbook, with its progress and its errors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import entering_agency_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking rows")
    INVALID = "invalid", _("Has errors; nothing imported")
    IMPORTING = "importing", _("Writing records")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJobQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "ImportJobQuerySet":
        """The workbooks of the agencies `user` enters records for: the import page's reach, for its list and for
        each job's page, progress and errors alike. A sector authority or an inspector enters nothing and sees no
        workbook (its name, uploader and errors are another agency's work in progress, not records)."""

        return self.filter(entering_agency_q(user, "agency"))


class ImportJob(UndeletableModel):
    """An uploaded workbook. Nothing is written until every row is valid; then all rows in one transaction."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("data source agency"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    # Stored outside the web root; never served back.
    file = models.FileField(_("workbook"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors, for the page: [{"row": 7, "column": "决定日期", "message": "…"}]; all of them in error_report.
    errors = models.JSONField(_("error list"), default=list, blank=True)
    error_report = models.FileField(_("error report"), upload_to="imports/%Y/%m/", blank=True)
    created_records = models.PositiveIntegerField(_("records created"), default=0)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The worker running the job renews this lease every RECORD_IMPORT_HEARTBEAT_SECONDS (the database's clock); a job
    # whose lease lapsed for RECORD_IMPORT_LEASE_SECONDS lost its worker and is failed by the sweeper.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
