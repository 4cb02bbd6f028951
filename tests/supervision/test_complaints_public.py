"""The public site's breach complaint pages and API: every error at once with what was typed kept, only valid filings
counted by the throttle (whose refusal keeps the text and names the office), the query code shown and sent, the
tracking page by number and code answering a wrong code with the same "not found"."""

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from supervision.models.complaints import BreachComplaint
from supervision.services import complaints as services
from tests.supervision.complaints_support import COMPANY_USCC, MONDAY, at, filed, form_data

pytestmark = pytest.mark.django_db
URL = "/supervision/complaints/new/"
TRACK = "/supervision/complaints/track/"
WRONG_USCC = COMPANY_USCC[:17] + ("1" if COMPANY_USCC[17] != "1" else "2")


class RecordingSender:
    sent: ClassVar[list[dict[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append({"phone": phone, "text": text})


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_form_shows_every_error_at_once_and_keeps_what_was_typed(client: Client, world: Any) -> None:
    facts = "合同约定的款项未付"
    response = client.post(
        URL,
        form_data(
            world.agency_a,
            complainant_name="",
            complainant_uscc=WRONG_USCC,
            complainant_contact="",
            respondent="",
            amount="-5",
            facts=facts[:5],
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    messages = ("请填写企业名称。", "统一社会信用代码的校验位不正确。", "请填写联系电话", "请选择被投诉的政府机构。")
    for message in messages:
        assert message in page, message
    assert "请描述事实" in page
    assert f'value="{WRONG_USCC}"' in page and "合同约定的" in page
    assert not BreachComplaint.objects.exists()


def test_a_company_files_sees_its_code_and_gets_it_by_text_message(
    client: Client, world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_SENDER = "tests.supervision.test_complaints_public.RecordingSender"
    RecordingSender.sent.clear()
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(world.agency_a))
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    code = re.search(r'id="query-code" value="([0-9A-Z-]+)"', page)
    assert code is not None and len(code.group(1)) == 14
    complaint = BreachComplaint.objects.get()
    assert complaint.tracking_number in page and complaint.channel == "site"
    assert RecordingSender.sent and code.group(1) in RecordingSender.sent[0]["text"]
    assert complaint.query_code_digest and code.group(1) not in str(complaint.__dict__)


def test_the_code_goes_by_e_mail_when_one_is_given(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(world.agency_a, complainant_email="caiwu@qiming.example.cn"))
    assert len(mail.outbox) == 1 and "WY2026" in mail.outbox[0].body


def test_only_valid_filings_count_and_the_refusal_keeps_the_text_and_names_the_office(
    client: Client, world: Any, settings: Any
) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    settings.CREDIT_OFFICE_PHONE = "0571-87000000"
    settings.CREDIT_OFFICE_ADDRESS = "临江市政务服务中心二楼"
    with at(MONDAY):
        for mistake in ({"complainant_name": ""}, {"facts": ""}, {"category": ""}):
            assert client.post(URL, form_data(world.agency_a, **mistake)).status_code == 400
        assert client.post(URL, form_data(world.agency_a)).status_code == 200
        refused = client.post(URL, form_data(world.agency_a, facts="第二次投诉：另一笔工程款120万元逾期未付。"))
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "第二次投诉：另一笔工程款120万元逾期未付。" in page
    assert "0571-87000000" in page and "临江市政务服务中心二楼" in page
    assert BreachComplaint.objects.count() == 1


def test_the_tracking_page_shows_the_stages_and_reasons_and_nothing_internal(client: Client, world: Any) -> None:
    with at(MONDAY):
        complaint, code = filed(world.agency_a)
        services.complaint_accept(actor=world.office_a, complaint=complaint, reason="内部备注：请财政局先自查")
        services.complaint_transfer(actor=world.office_a, complaint=complaint)
        services.complaint_verify_untrue(actor=world.office_a, complaint=complaint, reason="经核实款项已于2月支付。")
        found = client.post(TRACK, {"tracking_number": complaint.tracking_number.lower(), "code": code.lower()})
        wrong = client.post(TRACK, {"tracking_number": complaint.tracking_number, "code": "7KQ2-M9XD-4TRB"})
        other = client.post(TRACK, {"tracking_number": "WY2026999999", "code": code})
    page = found.content.decode()
    assert found.status_code == 200
    assert "经核实款项已于2月支付。" in page and 'data-status="not_true"' in page
    assert "内部备注" not in page and world.office_a.username not in page
    assert wrong.status_code == 404 and other.status_code == 404
    assert 'id="track-not-found"' in wrong.content.decode() and code not in wrong.content.decode()
    by_url = client.get(f"{TRACK}?tracking_number={complaint.tracking_number}&code={code}")
    assert by_url.status_code == 200 and "经核实" not in by_url.content.decode()


def test_the_public_api_names_every_field_at_fault_in_chinese_and_files(world: Any) -> None:
    api = APIClient()
    with at(MONDAY):
        bad = api.post(
            "/api/v1/supervision/public/complaints/",
            {
                "complainant_kind": "company",
                "complainant_name": "",
                "complainant_contact": "",
                "respondent": world.agency_a.pk,
                "category": "arrears",
                "facts": "",
                "complainant_uscc": "123",
            },
            format="json",
        )
        good = api.post(
            "/api/v1/supervision/public/complaints/",
            {**form_data(world.agency_a), "amount": "380000.00"},
            format="json",
        )
    fields = bad.json()["error"]["fields"]
    assert bad.status_code == 400
    assert {"complainant_name", "complainant_contact", "facts", "complainant_uscc", "amount"} <= set(fields)
    assert "请填写企业名称。" in fields["complainant_name"]
    assert good.status_code == 201 and good.json()["tracking_number"].startswith("WY2026")
    assert BreachComplaint.objects.count() == 1
