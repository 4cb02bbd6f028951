"""Demo credit reports: the public and the full version of the unit with the most disclosed records (the full one
downloaded by the district's credit office), a credit review of a civil servant named in records (by the inspector),
and the first open-data extract."""

from django.db.models import Count

from accounts.models import User
from records.models import DishonestyRecord, RecordResponsibility
from reports.models import IssuedReport, ReportVersion
from reports.models.reports import DownloadFormat
from reports.opendata import open_data_extract
from reports.services import download_log, public_report, report_issue
from subjects.models import AccessChannel, Agency, CivilServant


def demo_reports_loaded() -> bool:
    return IssuedReport.objects.exists()


def demo_reports(users: dict[str, User]) -> dict[str, int]:
    office, inspector = users["demo-office"], users["demo-inspector"]
    assert office.agency is not None
    busiest = (
        DishonestyRecord.objects.disclosed()
        .filter(subject_agency__path__startswith=office.agency.path)
        .values("subject_agency")
        .annotate(n=Count("pk"))
        .order_by("-n", "subject_agency")
        .first()
    )
    agency = Agency.objects.get(pk=busiest["subject_agency"]) if busiest else office.agency
    public_report(agency)
    purpose = "演示：年度政务诚信评价材料"
    full = report_issue(version=ReportVersion.FULL, actor=office, agency=agency, purpose=purpose)
    download_log(report=full, actor=office, purpose=purpose, format=DownloadFormat.PDF, channel=AccessChannel.WEB)
    named = RecordResponsibility.objects.values("person").order_by("person").first()
    person = CivilServant.objects.filter(pk=named["person"]).first() if named else None
    if person is not None:
        purpose = "演示：2027年干部晋升信用审查"
        review = report_issue(version=ReportVersion.REVIEW, actor=inspector, person=person, purpose=purpose)
        download_log(
            report=review, actor=inspector, purpose=purpose, format=DownloadFormat.PDF, channel=AccessChannel.WEB
        )
    manifest = open_data_extract()
    return {
        "reports": IssuedReport.objects.count(),
        "open-data rows": sum(d["rows"] for d in manifest["datasets"]),
    }
