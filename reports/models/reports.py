"""Issued credit reports: the snapshot of what each one shows and its SHA-256, and every download of a full version
or a review (docs/reports.md)."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import AccessChannel, Agency, CivilServant


class ReportVersion(models.TextChoices):
    PUBLIC = "public", _("Public version")
    FULL = "full", _("Full version")
    REVIEW = "review", _("Civil-servant credit review")


def canonical_json(snapshot: dict[str, Any]) -> str:
    """The one spelling of a snapshot that its SHA-256 is taken over: keys sorted, no spaces, UTF-8 text."""
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()


class IssuedReportQuerySet(UndeletableQuerySet["IssuedReport"]):
    pass


class IssuedReport(UndeletableModel):
    """One issued credit report: its number and verification code, the snapshot of what it shows and that
    snapshot's SHA-256 (docs/reports.md)."""

    number = models.CharField(_("report number"), max_length=32, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=9, unique=True)
    version = models.CharField(_("version"), max_length=8, choices=ReportVersion.choices)
    # The unit the report is about; for a review, the civil servant's agency when the report was issued.
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        CivilServant, verbose_name=_("civil servant"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the verification page names: the agency, or the civil servant as 张某.
    subject_label = models.CharField(_("subject"), max_length=200)
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    snapshot = models.JSONField(_("snapshot"))
    sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)

    objects = IssuedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued credit report")
        verbose_name_plural = _("issued credit reports")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="report_review_names_person",
                condition=Q(version=ReportVersion.REVIEW, person__isnull=False)
                | (~Q(version=ReportVersion.REVIEW) & Q(person__isnull=True)),
            ),
            models.CheckConstraint(
                name="report_purpose_unless_public",
                condition=Q(version=ReportVersion.PUBLIC) | ~Q(purpose=""),
            ),
        ]
        indexes = [models.Index(fields=["agency", "-issued_at"], name="report_agency_issued_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_public(self) -> bool:
        return self.version == ReportVersion.PUBLIC

    @property
    def intact(self) -> bool:
        """Whether the stored snapshot still hashes to the digest taken when it was issued."""
        return snapshot_digest(self.snapshot) == self.sha256


class DownloadFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    HTML = "html", _("Printable page")


class ReportDownload(UndeletableModel):
    """Every download of a full version or a review: who, when, why, how."""

    report = models.ForeignKey(
        IssuedReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="downloads"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("downloaded by"), on_delete=models.PROTECT)
    purpose = models.CharField(_("purpose"), max_length=200)
    format = models.CharField(_("format"), max_length=8, choices=DownloadFormat.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=AccessChannel.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = UndeletableQuerySet["ReportDownload"].as_manager()

    class Meta:
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(name="report_download_has_purpose", condition=~Q(purpose=""))]

    def __str__(self) -> str:
        return f"{self.report} {self.actor}"
