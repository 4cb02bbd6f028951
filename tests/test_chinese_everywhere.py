"""Every page of every role, rendered in Chinese, shows no English: the staff pages of each demo user, the public
pages, and the admin console's index, app pages, changelists, add forms and change forms.

The demo city (`manage.py demo_city`) provides records in every state, cases in every state, people with integrity
files, measures and notices, so each page shows its full content. The check is a heuristic over the visible text
(tests/visible_text.py): a Latin word outside the allow-list of codes and brand names is untranslated English, unless
it is data someone typed (a user name, a file name).
"""

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import ApiClient, Sector, User
from accounts.scope import may_enter_sector_data
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    EvidenceFile,
    ImportJob,
    MeasureType,
    RecordStatus,
)
from repair.models import CaseAttachment, Complaint, Objection, RepairApplication
from sectors.forms.streets import applying_agencies
from sectors.models import (
    BadBehaviour,
    Contract,
    CreationApplication,
    DebtRegionYear,
    DebtRepayment,
    InvestmentAgreement,
    InvestmentObligation,
    PaymentObligation,
    PppProject,
    RiskTierRule,
    TenderProject,
)
from sectors.services.streets import may_apply
from subjects.models import Agency, CivilServant
from supervision.models import Inspection, LedgerTask, RectificationEvidence, RectificationItem
from tests.visible_text import english_words, visible_text
from workcalendar.models import CalendarYear

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests-7"
STAFF_USERS = (
    "demo-clerk",
    "demo-reviewer",
    "demo-office",
    "demo-sector",
    "demo-inspector",
    "demo-admin",
    "demo-clerk-2",
    "demo-city-office",
)
CONSOLE_USERS = ("demo-admin", "demo-office")
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# What django-axes records for a request header the test client does not send (user agent, path of a force_login).
AXES_UNKNOWN = "<unknown>"


@pytest.fixture
def demo_city(settings: Any) -> Iterator[None]:
    settings.DEMO_PASSWORD = PASSWORD
    # Which records are public, overdue or repairable depends on the day: the pages are read on a fixed one.
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        call_command("demo_city", stdout=io.StringIO())
        # The admin shows a password's hash summary (a random salt); the pages are read with force_login anyway.
        User.objects.update(password=make_password(None))
        yield


def _data_strings() -> frozenset[str]:
    """What users typed (or a library recorded) in Latin letters: names of accounts, clients and uploaded files,
    measure codes, a calendar's source, what a browser said it was."""
    values: set[str] = set()
    for user in User.objects.all():
        values.update({user.username, user.email, user.first_name, user.last_name})
    values.update(ApiClient.objects.values_list("name", flat=True))
    for model in (EvidenceFile, CaseAttachment, ImportJob):
        values.update(model.objects.values_list("original_name", flat=True))
    values.update(MeasureType.objects.values_list("code", flat=True))
    values.update(CalendarYear.objects.values_list("source", flat=True))
    values.update(RiskTierRule.objects.values_list("source", flat=True))  # a source may cite a web address
    values.update(PppProject.objects.values_list("code", flat=True))
    values.update(RectificationEvidence.objects.values_list("original_name", flat=True))
    values.add(AXES_UNKNOWN)
    return frozenset(value for value in values if value)


def _urls(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def staff_pages(user: User) -> list[str]:
    """The pages of the staff site, with one object of each kind (and each record state) the user can see."""
    pages = [
        "/staff/",
        "/staff/queue/",
        "/staff/records/",
        "/staff/records/?status=published&ordering=-published_at&decided_from=2000-01-01",
        "/staff/records/?decided_from=not-a-date",
        "/staff/records/new/",
        "/staff/records/import/",
        "/staff/agencies/",
        "/staff/agencies/?q=财政",
        "/staff/people/",
        "/staff/people/lookup/",
        "/staff/platform/",
        "/staff/cases/",
        "/staff/notifications/",
        "/staff/warnings/",
        "/staff/warnings/?severity=red",
        "/staff/dashboard/",
        "/staff/dashboard/city/",
    ]
    records = DishonestyRecord.objects.visible_to(user)
    for status in RecordStatus.values:
        record = records.filter(status=status).order_by("pk").first()
        if record is None:
            continue
        pages += [
            reverse("records:record_detail", args=[record.pk]),
            reverse("records:record_edit", args=[record.pk]),
            reverse("records:record_correct", args=[record.pk]),
            reverse("records:record_publish", args=[record.pk]),
            reverse("records:record_revoke", args=[record.pk]),
            reverse("repair:record_cases", args=[record.pk]),
        ]
        pages += [reverse("repair:staff_filing", args=[record.pk, kind]) for kind in ("objection", "complaint")]
        pages += [reverse("repair:staff_filing", args=[record.pk, "repair"])]
    agency = Agency.objects.visible_to(user).order_by("path").first()
    if agency is not None:
        pages += [
            reverse("subjects:agency_detail", args=[agency.pk]),
            reverse("subjects:person_create", args=[agency.pk]),
        ]
    person = CivilServant.objects.visible_to(user).filter(records__isnull=False).order_by("pk").first()
    if person is not None:
        pages += [
            reverse(name, args=[person.pk])
            for name in (
                "subjects:person_detail",
                "subjects:person_edit",
                "subjects:person_move",
                "subjects:assessment_create",
                "subjects:training_create",
                "subjects:matters_report_create",
            )
        ]
    job = ImportJob.objects.visible_to(user).order_by("pk").first()
    if job is not None:
        pages.append(reverse("records:import_job", args=[job.pk]))
    for model, name in (
        (Objection, "repair:objection_detail"),
        (Complaint, "repair:complaint_detail"),
        (RepairApplication, "repair:repair_detail"),
    ):
        for status in model._meta.get_field("status").choices or []:
            case = model.objects.filter(record__in=records, status=status[0]).order_by("pk").first()
            if case is not None:
                pages.append(reverse(name, args=[case.pk]))
                if model is Objection:
                    pages.append(reverse("repair:objection_uphold", args=[case.pk]))
                if model is RepairApplication:
                    pages.append(reverse("repair:staff_repair_decision", args=[case.pk]))
    measure = AppliedMeasure.objects.visible_to(user).filter(target_person__isnull=False).order_by("pk").first()
    if measure is not None:
        pages.append(reverse("repair:mitigation", args=[measure.pk]))
    pages += ["/staff/sectors/"]
    pages += ["/staff/sectors/investment/", "/staff/sectors/investment/new/", "/staff/sectors/investment/import/"]
    for obligation in InvestmentObligation.objects.visible_to(user).order_by("status", "pk").distinct("status"):
        pages += [
            reverse("sectors:investment_detail", args=[obligation.agreement_id]),
            reverse("sectors:investment_edit", args=[obligation.agreement_id]),
            reverse("sectors:investment_fulfil", args=[obligation.pk]),
            reverse("sectors:investment_change", args=[obligation.pk]),
            reverse("sectors:investment_break", args=[obligation.pk]),
        ]
    pages += ["/staff/sectors/ppp/", "/staff/sectors/ppp/?stage=execution&late=on", "/staff/sectors/ppp/new/"]
    pages += ["/staff/sectors/ppp/excel/projects/import/", "/staff/sectors/ppp/excel/payments/import/"]
    for pk in PppProject.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:2]:
        pages += [reverse("sectors:ppp_detail", args=[pk]), reverse("sectors:ppp_edit", args=[pk])]
    pages += procurement_pages(user)
    pages += ["/staff/sectors/streets/", "/staff/sectors/streets/?year=2026&status=named"]
    if applying_agencies(user).exists():
        pages.append(reverse("sectors:creation_apply", args=[timezone.localdate().year]))
    for application in CreationApplication.objects.visible_to(user).order_by("status", "pk").distinct("status"):
        pages.append(reverse("sectors:creation_detail", args=[application.pk]))
        if application.status == "returned" and may_apply(user, application.agency):
            pages.append(reverse("sectors:creation_resubmit", args=[application.pk]))
    pages += ["/staff/sectors/debt/", "/staff/sectors/debt/bonds/", "/staff/sectors/debt/repayments/"]
    pages += ["/staff/sectors/debt/disclosures/", "/staff/sectors/debt/years/new/", "/staff/sectors/debt/bonds/new/"]
    pages += ["/staff/sectors/debt/repayments/new/", "/staff/sectors/debt/disclosures/new/"]
    pages += ["/staff/sectors/debt/excel/bonds/import/", "/staff/sectors/debt/excel/repayments/import/"]
    for year in DebtRegionYear.objects.visible_to(user).select_related("region").order_by("published_at", "pk")[:1]:
        if may_enter_sector_data(user, Sector.DEBT, year.region):
            pages.append(reverse("sectors:debt_year_edit", args=[year.pk]))
    for repayment in DebtRepayment.objects.visible_to(user).select_related("bond__region").order_by("pk")[:1]:
        if may_enter_sector_data(user, Sector.DEBT, repayment.bond.region):
            pages.append(reverse("sectors:debt_bond_edit", args=[repayment.bond_id]))
            pages.append(reverse("sectors:debt_repayment_edit", args=[repayment.pk]))
            pages.append(reverse("sectors:debt_repayment_pay", args=[repayment.pk]))
    pages += tendering_pages(user)
    pages += report_pages(user)
    pages += evaluation_pages(user)
    pages += supervision_suggestion_pages(user)
    return list(dict.fromkeys(pages))


def supervision_suggestion_pages(user: User) -> list[str]:
    from supervision.models import CourtCase, Suggestion

    pages = [
        "/staff/supervision/suggestions/",
        "/staff/supervision/suggestions/?state=attention",
        "/staff/supervision/suggestions/new/",
        "/staff/supervision/suggestions/import/",
        "/staff/supervision/courts/",
        "/staff/supervision/courts/?state=overdue",
        "/staff/supervision/courts/new/",
    ]
    for status in ("assigned", "replied", "rehandling", "closed"):
        for pk in Suggestion.objects.visible_to(user).filter(status=status).values_list("pk", flat=True)[:1]:
            pages.append(reverse("supervision:suggestion_detail", args=[pk]))
    for status in ("pending", "to_perform", "performed"):
        for pk in CourtCase.objects.visible_to(user).filter(status=status).values_list("pk", flat=True)[:1]:
            pages.append(reverse("supervision:court_case_detail", args=[pk]))
    pages += complaint_pages(user)
    return list(dict.fromkeys(pages))


def complaint_pages(user: User) -> list[str]:
    """Breach complaints (one of each state) and 12345 tickets."""
    from supervision.models import BreachComplaint, HotlineTicket

    pages = [
        "/staff/supervision/complaints/",
        "/staff/supervision/complaints/?status=all",
        "/staff/supervision/hotline/",
    ]
    pages += ["/staff/supervision/complaints/new/", "/staff/supervision/hotline/import/"]
    complaints = BreachComplaint.objects.visible_to(user)
    for status in BreachComplaint._meta.get_field("status").choices or []:
        complaint = complaints.filter(status=status[0]).order_by("pk").first()
        if complaint is not None:
            pages.append(reverse("supervision:complaint_detail", args=[complaint.pk]))
    ticket = HotlineTicket.objects.visible_to(user).order_by("pk").first()
    if ticket is not None:
        pages.append(reverse("supervision:hotline_detail", args=[ticket.pk]))
    pages += supervision_ledger_pages(user)
    return list(dict.fromkeys(pages))


def supervision_ledger_pages(user: User) -> list[str]:
    """The supervision start page, the inspections and the work ledger."""
    pages = ["/staff/supervision/", "/staff/supervision/inspections/", "/staff/supervision/inspections/?overdue=on"]
    pages += ["/staff/supervision/inspections/new/", "/staff/supervision/ledger/", "/staff/supervision/ledger/import/"]
    pages += ["/staff/supervision/ledger/tasks/new/"]
    pages += ["/staff/supervision/ledger/?status=overdue&year=not-a-year"]
    for pk in Inspection.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:2]:
        pages.append(reverse("supervision:inspection_detail", args=[pk]))
    for status in ("open", "submitted", "returned", "accepted", "refused"):
        item = RectificationItem.objects.visible_to(user).filter(status=status).order_by("pk").first()
        if item is not None:
            pages.append(reverse("supervision:rectification_detail", args=[item.pk]))
    for pk in LedgerTask.objects.visible_to(user).order_by("number").values_list("pk", flat=True)[:2]:
        pages.append(reverse("supervision:ledger_task_detail", args=[pk]))
    if user.agency_id is not None:
        pages.append(reverse("supervision:ledger_bulk", args=[user.agency_id]))
    return pages


def report_pages(user: User) -> list[str]:
    """Credit reports: the form from the agency page, the review (inspectors) and the download log."""
    from reports.services import may_read_review
    from reports.views.staff import may_read_download_log

    pages = []
    agency = Agency.objects.visible_to(user).order_by("pk").first()
    if agency is not None:
        pages.append(reverse("reports:unit_report", args=[agency.pk]))
    person = CivilServant.objects.visible_to(user).order_by("pk").first()
    if person is not None and may_read_review(user, person):
        pages.append(reverse("reports:review_report", args=[person.pk]))
    if may_read_download_log(user):
        pages.append(reverse("reports:download_log"))
    return pages


def evaluation_pages(user: User) -> list[str]:
    """The evaluation: scores (with a filter), periods, indicator sets, a unit's score in a frozen and an open period,
    the manual points form."""
    from evaluation.models import IndicatorSet
    from evaluation.selectors import latest_scores
    from evaluation.services.manual import may_score

    pages = ["/staff/evaluation/scores/", "/staff/evaluation/scores/?grade=A", "/staff/evaluation/periods/"]
    pages += ["/staff/evaluation/indicator-sets/"]
    pages += [
        reverse("evaluation:set_detail", args=[pk]) for pk in IndicatorSet.objects.values_list("pk", flat=True)[:1]
    ]
    for score in latest_scores(user).order_by("total", "pk")[:1]:
        pages.append(reverse("evaluation:score_detail", args=[score.period_id, score.agency_id]))
        if may_score(user, score.agency):
            pages.append(reverse("evaluation:manual_score", args=[score.period_id, score.agency_id]))
    return pages


def tendering_pages(user: User) -> list[str]:
    pages = [
        "/staff/sectors/tendering/",
        "/staff/sectors/tendering/?state=archived",
        "/staff/sectors/tendering/new/",
        "/staff/sectors/tendering/parties/",
        "/staff/sectors/tendering/sanctions/",
        "/staff/sectors/tendering/schemes/",
        "/staff/sectors/tendering/schemes/new/",
        "/staff/sectors/tendering/projects/",
        "/staff/sectors/tendering/projects/new/",
        "/staff/sectors/tendering/excel/import/",
    ]
    for pk in BadBehaviour.objects.visible_to(user).order_by("published_on", "pk").values_list("pk", flat=True)[:2]:
        pages.append(reverse("sectors:tendering_behaviour", args=[pk]))
    for pk in TenderProject.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:2]:
        pages.append(reverse("sectors:tendering_project", args=[pk]))
        pages.append(reverse("sectors:tendering_project_update", args=[pk]))
    return pages


def procurement_pages(user: User) -> list[str]:
    pages = [
        "/staff/sectors/procurement/",
        "/staff/sectors/procurement/?status=overdue&year=not-a-year",
        "/staff/sectors/procurement/new/",
        "/staff/sectors/procurement/ledger/",
        "/staff/sectors/procurement/blacklist/",
        "/staff/sectors/procurement/blacklist/new/",
        "/staff/sectors/procurement/disclosures/",
        "/staff/sectors/procurement/excel/import/",
    ]
    for contract in Contract.objects.visible_to(user).order_by("pk")[:3]:
        pages += [
            reverse("sectors:procurement_contract", args=[contract.pk]),
            reverse("sectors:procurement_contract_edit", args=[contract.pk]),
            reverse("sectors:procurement_obligation_create", args=[contract.pk]),
            reverse("sectors:procurement_evaluation_create", args=[contract.pk]),
        ]
    obligation = PaymentObligation.objects.visible_to(user).filter(status="overdue").order_by("pk").first()
    if obligation is not None:
        pages += [
            reverse(name, args=[obligation.pk])
            for name in (
                "sectors:procurement_payment_create",
                "sectors:procurement_acceptance_create",
                "sectors:procurement_dispute",
                "sectors:procurement_complaint",
            )
        ]
    return pages


def public_pages() -> list[str]:
    pages = ["/", "/search/?q=财政", "/search/?q=", "/records/", "/track/", "/no-such-page/"]
    pages += ["/supervision/complaints/new/", "/supervision/complaints/track/"]
    pages += ["/procurement/overdue-payments/", "/procurement/supplier-blacklist/"]
    pages += ["/tendering/blacklist/", "/tendering/bad-behaviour/", "/tendering/agents/"]
    record = DishonestyRecord.objects.disclosed().order_by("pk").first()
    assert record is not None
    pages += [
        reverse("disclosure:record", args=[record.pk]),
        reverse("disclosure:agency", args=[record.subject_agency_id]),
        reverse("repair:objection_new", args=[record.pk]),
        reverse("repair:complaint_new", args=[record.pk]),
        reverse("repair:repair_new", args=[record.pk]),
    ]
    from commitments.models import Commitment

    # Public commitments: each one's page, the report cards of an agency and of a district, the search's list.
    commitments = list(Commitment.objects.public().order_by("pk").select_related("agency"))
    assert commitments
    pages += [reverse("disclosure:commitment", args=[c.pk]) for c in commitments]
    district = commitments[0].agency.parent_id or commitments[0].agency_id
    pages += [
        reverse("disclosure:agency", args=[commitments[0].agency_id]),
        reverse("disclosure:agency_report_card", args=[commitments[0].agency_id]),
        reverse("disclosure:district_report_card", args=[district]),
        reverse("disclosure:district_report_card", args=[district]) + "?show=overdue",
        "/search/?q=承诺&kind=commitments",
        "/search/?q=财政&kind=commitments",
    ]
    pages.append(reverse("disclosure:investment"))
    pages += [
        reverse("disclosure:investment_agreement", args=[pk])
        for pk in InvestmentAgreement.objects.values_list("pk", flat=True)
    ]
    pages += ["/ppp/", *(f"/ppp/{pk}/" for pk in PppProject.objects.published().values_list("pk", flat=True))]
    pages += ["/honest-streets/"]
    pages += [
        reverse("disclosure:creation_page", args=[pk])
        for pk in CreationApplication.objects.filter(status__in=["notice", "named", "revoked"]).values_list(
            "pk", flat=True
        )
    ]
    pages += ["/debt/", *(f"/debt/{pk}/" for pk in DebtRegionYear.objects.published().values_list("region", flat=True))]
    pages += ["/supervision/suggestions/", "/supervision/suggestions/?kind=proposal&class=D"]
    # Credit reports: a unit's public report, its verification page, open data and the data dictionary.
    from reports.opendata import open_data_extract
    from reports.services import public_report

    report = public_report(Agency.objects.get(pk=record.subject_agency_id))
    open_data_extract()
    pages += [
        reverse("reports:public_page", args=[record.subject_agency_id]),
        reverse("reports:verify", args=[report.verification_code]),
        reverse("reports:verify_content", args=[report.verification_code]),
        "/reports/verify/0000-0000/",
        "/open-data/",
        "/open-data/dictionary/",
    ]
    return pages


def admin_pages() -> list[str]:
    pages = ["/admin/"]
    apps = set()
    for model in admin.site._registry:
        opts = model._meta
        apps.add(opts.app_label)
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if _urls(f"admin:{opts.app_label}_{opts.model_name}_add"):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    pages += [reverse("admin:app_list", args=[app]) for app in sorted(apps)]
    return pages


def refused_forms(user: User) -> list[tuple[str, dict[str, Any]]]:
    """Forms posted empty or wrong, so their error messages are read too."""
    person = CivilServant.objects.visible_to(user).order_by("pk").first()
    record = DishonestyRecord.objects.visible_to(user).filter(status=RecordStatus.SUBMITTED).order_by("pk").first()
    forms: list[tuple[str, dict[str, Any]]] = [
        (
            "/staff/records/new/",
            {
                "fine_amount": "-1",
                "deciding_body_uscc": "X",
                "subject_agency": "不存在的单位",
                "responsible-TOTAL_FORMS": "1",
                "responsible-INITIAL_FORMS": "0",
                "responsible-0-person": "",
                "responsible-0-kind": "direct",
            },
        ),
        ("/staff/records/bulk/", {"action": "submit"}),
        ("/staff/records/bulk/", {"action": "publish", "ids": ["1", "2"]}),
    ]
    if person is not None:
        forms.append((reverse("subjects:person_reveal", args=[person.pk]), {"purpose": ""}))
    if record is not None:
        forms.append((reverse("records:record_publish", args=[record.pk]), {}))
    forms += [
        ("/staff/supervision/suggestions/new/", {"assigned_on": "2026-02-30", "kind": "信件"}),
        ("/staff/supervision/courts/new/", {"filing_notice_on": "明天"}),
    ]
    from supervision.models import CourtCase, Suggestion

    suggestion = Suggestion.objects.visible_to(user).filter(status="assigned").order_by("pk").first()
    if suggestion is not None:
        forms.append((reverse("supervision:suggestion_step", args=[suggestion.pk, "reply"]), {"reply_class": "B"}))
    case = CourtCase.objects.visible_to(user).filter(status="pending").order_by("pk").first()
    if case is not None:
        forms.append((reverse("supervision:court_case_step", args=[case.pk, "hearing"]), {"head_appeared": "no"}))
    agency = Agency.objects.visible_to(user).order_by("pk").first()
    if agency is not None:
        forms.append((reverse("reports:unit_report", args=[agency.pk]), {"version": "full", "format": "pdf"}))
    return forms


def untranslated(
    client: Client, urls: list[str], data: frozenset[str], posts: list[tuple[str, dict[str, Any]]] | None = None
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    requests = [(url, None) for url in urls] + [(url, body) for url, body in posts or []]
    for url, body in requests:
        response = client.get(url, **CHINESE) if body is None else client.post(url, body, **CHINESE)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        words = english_words(response.content.decode(), data=data)
        if words:
            method = "GET" if body is None else "POST"
            found[f"{method} {url} ({response.status_code})"] = sorted(set(words))
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {' '.join(words)}" for url, words in sorted(found.items()))


def test_every_staff_page_of_every_role_is_in_chinese(demo_city: None) -> None:
    data = _data_strings()
    found: dict[str, list[str]] = {}
    for username in STAFF_USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for url, words in untranslated(client, staff_pages(user), data, refused_forms(user)).items():
            found[f"{username} {url}"] = words
    assert not found, "English on Chinese pages:\n" + _report(found)


def test_every_public_page_is_in_chinese(demo_city: None) -> None:
    found = untranslated(Client(), public_pages(), _data_strings())
    assert not found, "English on Chinese pages:\n" + _report(found)


def test_every_admin_page_is_in_chinese(demo_city: None) -> None:
    data = _data_strings()
    found: dict[str, list[str]] = {}
    for username in CONSOLE_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url, words in untranslated(client, admin_pages(), data).items():
            found[f"{username} {url}"] = words
    assert not found, "English on Chinese pages:\n" + _report(found)


def test_the_heuristic_finds_english_and_lets_codes_and_data_pass() -> None:
    html = (
        "<html><head><title>记录</title><script>var ignored = 'English';</script></head><body>"
        "<p>决定日期 is greater than or equal to</p><input type='submit' value='Save'>"
        "<span title='Published at'>统一社会信用代码 91330100MA2H4K7X5Q</span><p>上传 PDF 或 OFD 文件</p>"
        '<p>录入人 demo-clerk</p><pre>{"cf_wsh": "x"}</pre><p>records:read 权限 no_honours</p></body></html>'
    )

    words = english_words(html, data=frozenset({"demo-clerk"}))

    assert words == ["is", "greater", "than", "or", "equal", "to", "Save", "Published", "at"]
    assert "ignored" not in visible_text(html)
