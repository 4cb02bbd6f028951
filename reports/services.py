"""Issuing credit reports: build the snapshot through the section registry, hash it, number it, store it; log every
download of a full version or a review; count what changed about the subject since a report was issued."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Role, User
from accounts.scope import agency_q
from disclosure.cache import public_version
from kernel.errors import DomainError
from outbox.models import PlatformChange
from records.services.candidates import credit_office_over
from reports.models import IssuedReport, ReportDownload, ReportVersion
from reports.models.reports import canonical_json, snapshot_digest
from reports.numbers import report_number, verification_code
from reports.sections import ReportContext, report_sections
from subjects.masking import mask_person_name
from subjects.models import AccessChannel, Agency, AgencyEvent, CivilServant
from subjects.services import civil_servant_file_read

PUBLIC_CACHE_SECONDS = 3600
FULL_READER_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.CREDIT_OFFICE, Role.INSPECTOR})


def may_read_full_report(user: AnyUser, agency: Agency) -> bool:
    """The full version: the unit itself (its clerks and reviewers), its credit office and inspectors above it, and
    administrators. Sector authorities and API clients never."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_administrator:
        return True
    if user.role not in FULL_READER_ROLES:
        return False
    return Agency.objects.filter(agency_q(user), pk=agency.pk).exists()


def may_read_review(user: AnyUser, person: CivilServant) -> bool:
    """The civil-servant credit review: inspectors only, over the people in their reach."""
    if not isinstance(user, User) or not user.is_active or user.role != Role.INSPECTOR:
        return False
    return CivilServant.objects.visible_to(user).filter(pk=person.pk).exists()


def _issuer(agency: Agency) -> str:
    office = credit_office_over(agency)
    return _("%(office)s credit information service") % {"office": office.name}


def build_snapshot(ctx: ReportContext) -> list[dict[str, Any]]:
    """Each registered section of the version that has something to show, its data plain JSON."""
    built = []
    for section in report_sections(ctx.version):
        data = section.build(ctx)
        if data is None:
            continue
        built.append({"key": section.key, "title": str(section.title), "template": section.template, "data": data})
    return built


def _code() -> str:
    while True:
        code = verification_code()
        if not IssuedReport.objects.filter(verification_code=code).exists():
            return code


@transaction.atomic
def report_issue(
    *,
    version: str,
    actor: AnyUser,
    agency: Agency | None = None,
    person: CivilServant | None = None,
    purpose: str = "",
    channel: str = AccessChannel.WEB,
    at: datetime.datetime | None = None,
) -> IssuedReport:
    """Issue one report. The full version and the review need a purpose and are refused (DomainError) to whoever
    may not read them; the review is noted in the personal-data access log."""
    at = at or timezone.now()
    purpose = purpose.strip()
    user = actor if isinstance(actor, User) else None
    if version == ReportVersion.PUBLIC:
        if agency is None:
            raise DomainError(_("A unit's credit report needs the unit."))
    elif version == ReportVersion.FULL:
        if agency is None or not may_read_full_report(actor, agency):
            raise DomainError(_("You may not read this unit's full credit report."))
    elif version == ReportVersion.REVIEW:
        if person is None or not may_read_review(actor, person):
            raise DomainError(_("Only an inspector may read a civil servant's credit review."))
        agency = person.agency
    else:
        raise DomainError(_("Unknown report version."))
    if version != ReportVersion.PUBLIC and not purpose:
        raise DomainError(_("Say what the report is for."), field="purpose")
    assert agency is not None
    ctx = ReportContext(version=version, on=timezone.localdate(at), at=at, agency=agency, person=person)
    if version == ReportVersion.REVIEW:
        ctx.agency = None
    sections = build_snapshot(ctx)
    code = _code()
    report = IssuedReport(
        number="pending",
        verification_code=code,
        version=version,
        agency=agency,
        person=person,
        subject_label=mask_person_name(person.name) if person is not None else agency.name,
        issuer_name=_issuer(agency),
        issued_by=user,
        purpose=purpose if version != ReportVersion.PUBLIC else "",
        issued_at=at,
        snapshot={},
        sha256="",
    )
    # A placeholder number, unique until the id is known.
    report.number = f"pending-{code}"
    report.save()
    report.number = report_number(at, report.pk)
    snapshot = {
        "number": report.number,
        "verification_code": code,
        "version": version,
        "version_label": str(ReportVersion(version).label),
        "issued_at": timezone.localtime(at).isoformat(),
        "as_of": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
        "issuer": report.issuer_name,
        "subject": report.subject_label if person is None else person.name,
        "subject_code": agency.uscc if person is None else person.id_number_masked,
        "sections": sections,
    }
    # What is stored is what is hashed: the snapshot read back from its canonical JSON.
    report.snapshot = json.loads(canonical_json(snapshot))
    report.sha256 = snapshot_digest(report.snapshot)
    report.save(update_fields=["number", "snapshot", "sha256"])
    if version == ReportVersion.REVIEW and user is not None and person is not None:
        civil_servant_file_read(actor=user, person=person, channel=channel, purpose=purpose[:200])
    return report


def download_log(*, report: IssuedReport, actor: User, purpose: str, format: str, channel: str) -> ReportDownload:
    purpose = purpose.strip()
    if not purpose:
        raise DomainError(_("Say what the report is for."), field="purpose")
    return ReportDownload.objects.create(
        report=report, actor=actor, purpose=purpose[:200], format=format, channel=channel
    )


def report_pdf_keep(report: IssuedReport, pdf: bytes) -> None:
    """Keep a public report's PDF (the same for everyone) beside its row."""
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.pdf.save(f"{report.number}.pdf", ContentFile(pdf), save=False)
    report.save(update_fields=["pdf", "pdf_sha256"])


def public_report(agency: Agency) -> IssuedReport:
    """Today's public report of `agency` under the current public data: issued once and reused until the public data
    changes (the disclosure site's public version) or the day ends."""
    key = f"reports:public:{agency.pk}:{timezone.localdate().isoformat()}:{public_version() or '-'}"
    pk = cache.get(key)
    if isinstance(pk, int):
        found = IssuedReport.objects.filter(pk=pk, version=ReportVersion.PUBLIC).first()
        if found is not None:
            return found
    report = report_issue(version=ReportVersion.PUBLIC, actor=None, agency=agency)  # type: ignore[arg-type]
    cache.set(key, report.pk, PUBLIC_CACHE_SECONDS)
    return report


@dataclass(frozen=True)
class Verification:
    report: IssuedReport
    intact: bool
    changes_since: int


def changes_since(report: IssuedReport) -> int:
    """What happened to the subject after issue: platform changes (outbox) about the unit — or, for a review, about
    records naming the person — and the unit's own events (renamed, merged, moved)."""
    changes = PlatformChange.objects.filter(created_at__gt=report.issued_at)
    if report.person_id is not None:
        person_q = Q(record__subject_person_id=report.person_id) | Q(
            record__responsibilities__person_id=report.person_id
        )
        return changes.filter(person_q).values("pk").distinct().count()
    ids = [a.pk for a in report.agency.lineage()]
    events = AgencyEvent.objects.filter(agency_id__in=ids, at__gt=report.issued_at).count()
    return changes.filter(agency_id__in=ids).count() + events


def report_verify(code: str) -> Verification | None:
    report = IssuedReport.objects.select_related("agency").filter(verification_code=code).first()
    if report is None:
        return None
    return Verification(report=report, intact=report.intact, changes_since=changes_since(report))
