"""What a member of the public meets on a first filing: every mistake shown at once, nothing typed ever lost (not
even when the limits refuse the form), limits that count only what was filed and leave a service hall's shared
terminal working, the credit office's phone and address on the refusal, and a short query code that is read back
however it is typed, shown in a box that can be copied, and sent to the filer — never written to a log."""

import hashlib
import logging
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from records.models import DishonestyRecord
from repair.models import Complaint, Objection, RepairApplication
from repair.query_codes import ALPHABET, new_query_code, normalize_query_code, query_code_digest
from repair.services import objection_file
from tests.conftest import City
from tests.repair.test_pages_repair_public import (
    NOW,
    REPAIR_DAY,
    code_in,
    field_errors,
    filer,
    objection_data,
    publish,
    repair_data,
    track,
)

CODE_FORMAT = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
OFFICE = {"CREDIT_OFFICE_PHONE": "0571-87000000", "CREDIT_OFFICE_ADDRESS": "临江市民中心 B 座 203 室"}
NOT_EVIDENCE = b"<html><script>alert(1)</script></html>"


def sloppy(code: str) -> str:
    """The code as a person types it from a letter: lower case, spaces for dashes."""
    return f" {code.lower().replace('-', ' ')} "


class RecordingSender:
    """An SMS gateway for tests: keeps what it was asked to send."""

    sent: ClassVar[list[dict[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append({"phone": phone, "text": text})


class BrokenSender:
    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError(f"gateway refused {phone}: {text}")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    """A serious record published on NOW: disclosed, repairable by REPAIR_DAY."""
    return publish(world)


@pytest.fixture
def now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def repair_day() -> Iterator[None]:
    with time_machine.travel(REPAIR_DAY, tick=False):
        yield


@pytest.fixture
def office(settings: Any) -> dict[str, str]:
    for name, value in OFFICE.items():
        setattr(settings, name, value)
    return OFFICE


# Every error at once --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_the_objection_form_shows_every_error_at_once_and_keeps_what_was_typed(
    client: Client, record: DishonestyRecord
) -> None:
    bad = SimpleUploadedFile("判决书.pdf", NOT_EVIDENCE, content_type="application/pdf")
    data = objection_data(
        filer_name="",
        filer_contact=" ",
        filer_email="not-an-address",
        grounds="",
        statement="",
        attachments=[bad],
    )
    del data["commitment_signed"]

    response = client.post(f"/objections/new/{record.pk}/", data)

    assert response.status_code == 200
    assert field_errors(response) == {
        "filer_name",
        "filer_contact",
        "filer_email",
        "grounds",
        "statement",
        "attachments",
        "commitment_signed",
    }
    page = response.content.decode()
    for message in ("请填写您的姓名。", "请填写联系电话或电子邮箱。", "请选择异议理由。", "您须承诺所提交材料真实。"):
        assert message in page, message
    assert 'value="not-an-address"' in page
    assert not Objection.objects.exists()


@pytest.mark.usefixtures("now")
def test_what_was_typed_comes_back_with_the_errors(client: Client, record: DishonestyRecord) -> None:
    response = client.post(
        f"/objections/new/{record.pk}/",
        objection_data(filer_name="", statement="文书号与法院判决不一致，应为（2026）临01民初12号。"),
    )

    page = response.content.decode()
    assert field_errors(response) == {"filer_name"}
    assert "文书号与法院判决不一致，应为（2026）临01民初12号。</textarea>" in page
    assert 'value="13800000000"' in page and 'value="filer@example.com"' in page
    assert re.search(r'value="wrong"[^>]*checked', page)


@pytest.mark.usefixtures("repair_day")
def test_the_repair_form_shows_every_error_at_once(client: Client, record: DishonestyRecord) -> None:
    data = repair_data(filer_name="", statement="", attachments=[], filer_email="nope")
    del data["commitment_signed"]

    response = client.post(f"/repair/apply/{record.pk}/", data)

    assert field_errors(response) == {"filer_name", "statement", "attachments", "filer_email", "commitment_signed"}
    assert not RepairApplication.objects.exists()


@pytest.mark.usefixtures("now")
def test_the_complaint_form_shows_every_error_at_once_and_keeps_the_objection_code(
    client: Client, record: DishonestyRecord
) -> None:
    response = client.post(
        f"/complaints/new/{record.pk}/",
        filer(filer_contact="", statement="", objection_code="ABCD-EFGH-JKMN", filer_email="nope"),
    )

    assert field_errors(response) == {"filer_contact", "statement", "objection_code", "filer_email"}
    page = response.content.decode()
    assert 'value="ABCD-EFGH-JKMN"' in page
    assert 'type="password"' not in page
    assert not Complaint.objects.exists()


@pytest.mark.usefixtures("now")
def test_the_api_names_every_field_at_fault_in_one_answer(world: Any, record: DishonestyRecord) -> None:
    body = {"record": record.pk, "grounds": "bored", **filer(filer_name="", statement="  ", commitment_signed=False)}

    response = APIClient().post("/api/v1/public/objections/", body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"grounds", "filer_name", "statement", "commitment_signed"}
    assert not Objection.objects.exists()


@pytest.mark.usefixtures("now")
def test_an_api_complaint_names_a_wrong_objection_code_with_the_other_errors(
    world: Any, record: DishonestyRecord
) -> None:
    body = {"record": record.pk, **filer(statement="", objection_query_code="ABCD-EFGH-JKMN")}

    response = APIClient().post("/api/v1/public/complaints/", body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"statement", "objection_query_code"}
    assert not Complaint.objects.exists()


# The limits --------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_forms_sent_back_with_errors_do_not_count_against_the_limit(
    client: Client, record: DishonestyRecord, settings: Any
) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    url = f"/objections/new/{record.pk}/"
    for mistake in ({"filer_name": ""}, {"statement": ""}, {"grounds": ""}, {"filer_email": "x"}, {"filer_name": ""}):
        assert client.post(url, objection_data(**mistake)).status_code == 200

    filed = client.post(url, objection_data())

    assert filed.status_code == 200 and 'id="query-code"' in filed.content.decode()
    assert Objection.objects.count() == 1


@pytest.mark.usefixtures("now")
def test_a_service_hall_terminal_files_for_many_people_by_default(client: Client, world: Any) -> None:
    records = [publish(world) for _ in range(3)]
    for n, about in enumerate(records * 4):  # 12 filers, one address
        contact = f"1380000{n:04d}"
        grounds = ["wrong", "missing", "duplicated", "mismatch"][n // 3]
        response = client.post(f"/objections/new/{about.pk}/", objection_data(grounds=grounds, filer_contact=contact))
        assert response.status_code == 200, (n, response.status_code)
    assert Objection.objects.count() == 12


@pytest.mark.usefixtures("now")
def test_one_filer_cannot_flood_the_office_from_several_addresses(
    client: Client, record: DishonestyRecord, settings: Any
) -> None:
    settings.REPAIR_FILER_LIMIT = 2
    url = f"/objections/new/{record.pk}/"
    assert client.post(url, objection_data(grounds="wrong"), REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.post(url, objection_data(grounds="missing"), REMOTE_ADDR="10.0.0.2").status_code == 200

    response = client.post(
        url, objection_data(grounds="duplicated", filer_contact="138 0000 0000"), REMOTE_ADDR="10.0.0.3"
    )

    assert response.status_code == 429
    assert 'data-kind="filer"' in response.content.decode()
    assert Objection.objects.count() == 2
    # Someone else at that address is not held up.
    assert client.post(url, objection_data(grounds="duplicated", filer_contact="13900000000")).status_code == 200


@pytest.mark.usefixtures("now")
def test_a_script_hammering_the_forms_meets_the_wide_guard(
    client: Client, record: DishonestyRecord, settings: Any
) -> None:
    settings.REPAIR_ATTEMPT_LIMIT = 3
    url = f"/objections/new/{record.pk}/"
    for _ in range(3):
        assert client.post(url, objection_data(filer_name="")).status_code == 200
    assert client.post(url, objection_data()).status_code == 429
    assert not Objection.objects.exists()


@pytest.mark.usefixtures("now")
def test_the_refusal_keeps_what_was_typed_names_the_office_and_says_when_to_retry(
    client: Client, record: DishonestyRecord, settings: Any, office: dict[str, str]
) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    url = f"/objections/new/{record.pk}/"
    client.post(url, objection_data(grounds="wrong"))
    statement = "处罚决定已被法院撤销，见（2026）临01行终8号判决。\n请予撤销公示。"

    response = client.post(
        url, objection_data(grounds="missing", filer_name="李明", filer_contact="13912345678", statement=statement)
    )

    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 3600
    typed = re.search(r'<textarea id="typed-text"[^>]*readonly>(.*?)</textarea>', page, re.S)
    assert typed is not None
    for line in ("姓名（或单位名称）：李明", "联系电话或电子邮箱：13912345678", "异议理由：信息遗漏"):
        assert line in typed.group(1), line
    assert "处罚决定已被法院撤销，见（2026）临01行终8号判决。\n请予撤销公示。" in typed.group(1)
    assert office["CREDIT_OFFICE_PHONE"] in page and office["CREDIT_OFFICE_ADDRESS"] in page
    assert 'href="tel:0571-87000000"' in page
    # NOW is 18:00 in Shanghai: the window of the first filing ends an hour later.
    assert "请于今天 19:00（约 60 分钟后）再试。" in page
    assert Objection.objects.count() == 1


@pytest.mark.usefixtures("now")
def test_the_api_counts_only_filings_and_its_refusal_names_the_office(
    world: Any, record: DishonestyRecord, settings: Any, office: dict[str, str]
) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    public = APIClient()
    url = "/api/v1/public/objections/"
    for _ in range(3):
        assert (
            public.post(
                url, {"record": record.pk, "grounds": "wrong", **filer(filer_name="", statement="信息有误。")}
            ).status_code
            == 400
        )
    first = public.post(url, {"record": record.pk, "grounds": "wrong", **filer(statement="信息有误。")})
    assert first.status_code == 201, first.content

    refused = public.post(url, {"record": record.pk, "grounds": "missing", **filer(statement="信息有误。")})

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    message = refused.json()["error"]["message"]
    assert office["CREDIT_OFFICE_PHONE"] in message and office["CREDIT_OFFICE_ADDRESS"] in message
    assert "请于今天 19:00" in message
    assert Objection.objects.count() == 1


# The query code --------------------------------------------------------------------------------------------------


def test_a_query_code_is_twelve_unambiguous_characters_in_groups() -> None:
    codes = {new_query_code()[0] for _ in range(200)}
    assert len(codes) == 200
    assert all(CODE_FORMAT.fullmatch(code) for code in codes)
    assert not set("ILOU") & set("".join(codes))
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)


def test_a_code_is_read_however_it_is_typed() -> None:
    code, digest = new_query_code()
    plain = code.replace("-", "")
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in code)  # what a Chinese input method may type
    for typed in (code, code.lower(), sloppy(code), plain, f"{plain[:6]} - {plain[6:]}", full_width):
        assert normalize_query_code(typed) == plain, typed
        assert query_code_digest(typed) == digest, typed
    assert normalize_query_code("0O1IL") is None  # too short
    assert normalize_query_code("1o1I-L0O0-1i1l") == "101110001111"  # look-alikes read as the digits
    assert normalize_query_code(code + "X") is None
    assert normalize_query_code("UUUU-UUUU-UUUU") is None


def test_the_stored_digest_needs_the_servers_key(settings: Any) -> None:
    code, digest = new_query_code()
    assert digest != hashlib.sha256(code.encode()).hexdigest()
    assert digest != hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    settings.PERSONAL_DATA_KEY = "another-deployment-key-of-32-characters"
    assert query_code_digest(code) != digest


@pytest.mark.usefixtures("now")
def test_the_confirmation_shows_the_code_in_a_box_to_copy_and_tracking_reads_it_sloppily(
    client: Client, record: DishonestyRecord
) -> None:
    filed = client.post(f"/objections/new/{record.pk}/", objection_data())

    page = filed.content.decode()
    code = code_in(filed)
    assert CODE_FORMAT.fullmatch(code)
    box = re.search(r'<input type="text" class="query-code code" id="query-code" value="[^"]+" readonly', page)
    assert box is not None
    track_page = client.get("/track/").content.decode()
    assert 'type="text" name="code"' in track_page and 'type="password"' not in track_page

    for typed in (sloppy(code), code.replace("-", ""), code.lower()):
        response = track(client, typed)
        assert response.status_code == 200, typed
        assert 'id="tracked-case"' in response.content.decode()
        assert code not in response.content.decode()


@pytest.mark.usefixtures("now")
def test_a_code_of_the_first_format_is_still_found(client: Client, record: DishonestyRecord) -> None:
    objection, _code = objection_file(
        record=record,
        grounds="wrong",
        statement="信息有误。",
        filer_name="王律师",
        filer_contact="0571-0000000",
        commitment_signed=True,
    )
    old_code = "Zx3_kP-9qLmN2vBt8Wc1yA"  # secrets.token_urlsafe(16), stored as its plain SHA-256
    Objection.objects.filter(pk=objection.pk).update(query_code_digest=hashlib.sha256(old_code.encode()).hexdigest())

    assert track(client, old_code).status_code == 200
    assert track(client, f"  {old_code} ").status_code == 200
    assert track(client, old_code.lower()).status_code == 404  # those codes were case-sensitive
    api = APIClient().post("/api/v1/public/track/", {"query_code": old_code}, format="json")
    assert api.status_code == 200 and api.json()["kind"] == "objection"
    complaint = client.post(f"/complaints/new/{record.pk}/", filer(statement="处理不当。", objection_code=old_code))
    assert complaint.status_code == 200
    assert Complaint.objects.get().objection == objection


@pytest.mark.usefixtures("now")
def test_the_code_is_sent_to_the_filers_email_after_the_filing_commits(
    client: Client, record: DishonestyRecord, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(f"/objections/new/{record.pk}/", objection_data(filer_email="wang@example.com"))

    code = code_in(filed)
    sent = [message for message in mail.outbox if "查询码" in message.subject]
    assert len(sent) == 1
    assert sent[0].to == ["wang@example.com"]
    assert f"查询码：{code}" in sent[0].body
    assert record.document_number in sent[0].body
    assert 'id="query-code-sent" data-medium="email"' in filed.content.decode()
    assert "w***@example.com" in filed.content.decode()


@pytest.mark.usefixtures("now")
def test_a_contact_that_is_an_email_address_gets_the_code_by_email(
    client: Client, record: DishonestyRecord, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/complaints/new/{record.pk}/", filer(filer_contact="li@example.org", filer_email="", statement="x")
        )
    assert [message.to for message in mail.outbox] == [["li@example.org"]]


@pytest.mark.usefixtures("now")
def test_a_mobile_number_gets_the_code_through_the_sms_sender_of_the_settings(
    client: Client, record: DishonestyRecord, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_SENDER = "tests.repair.test_public_filing.RecordingSender"
    RecordingSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(
            f"/objections/new/{record.pk}/", objection_data(filer_email="", filer_contact="+86 139-1234-5678")
        )

    code = code_in(filed)
    assert RecordingSender.sent == [{"phone": "13912345678", "text": RecordingSender.sent[0]["text"]}]
    assert code in RecordingSender.sent[0]["text"]
    assert not mail.outbox
    assert "139****5678" in filed.content.decode()


@pytest.mark.usefixtures("now")
def test_a_landline_gets_nothing_and_the_page_says_so(
    client: Client, record: DishonestyRecord, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_SENDER = "tests.repair.test_public_filing.RecordingSender"
    RecordingSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(
            f"/objections/new/{record.pk}/", objection_data(filer_email="", filer_contact="0571-8700000")
        )
    assert RecordingSender.sent == [] and not mail.outbox
    assert 'id="query-code-not-sent"' in filed.content.decode()


@pytest.mark.usefixtures("now")
def test_the_default_sender_logs_the_fact_but_never_the_code_or_the_number(
    client: Client, record: DishonestyRecord, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(f"/objections/new/{record.pk}/", objection_data(filer_email=""))
        code = code_in(filed)
        track(client, sloppy(code))

    assert any("138****0000" in r.getMessage() and r.name == "repair.sms" for r in caplog.records)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (code, code.replace("-", ""), "13800000000"):
        assert secret not in logged, secret


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("broken", ["mail", "sms"])
def test_a_failure_to_send_loses_nothing_and_logs_no_code(
    client: Client,
    record: DishonestyRecord,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    broken: str,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPRecipientsRefused({"filer@example.com": (550, b"no such user")})

    monkeypatch.setattr("repair.notices.send_mail", refuse)
    settings.SMS_SENDER = "tests.repair.test_public_filing.BrokenSender"
    email = "filer@example.com" if broken == "mail" else ""
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(f"/objections/new/{record.pk}/", objection_data(filer_email=email))

    code = code_in(filed)
    assert filed.status_code == 200
    assert Objection.objects.get().query_code_digest == query_code_digest(code)
    failures = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert len(failures) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and "filer@example.com" not in logged and "13800000000" not in logged


# Accessibility and the forms' inputs -------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_the_grounds_of_an_objection_are_a_fieldset_with_a_legend(client: Client, record: DishonestyRecord) -> None:
    page = client.get(f"/objections/new/{record.pk}/").content.decode()

    group = re.search(r'<fieldset[^>]*data-field="grounds"[^>]*>(.*?)</fieldset>', page, re.S)
    assert group is not None
    assert re.search(r"<legend>\s*异议理由", group.group(1))
    assert group.group(1).count('type="radio" name="grounds"') == 6


@pytest.mark.usefixtures("now")
def test_the_complaint_form_takes_evidence_files(client: Client, record: DishonestyRecord) -> None:
    page = client.get(f"/complaints/new/{record.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input type="file" name="attachments"[^>]*multiple', page)


def _custom_properties(css: str) -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", css, re.S)
    assert root is not None
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("stylesheet", ["disclosure.css", "staff.css"])
def test_grey_helper_text_reaches_aa_contrast_on_every_page_background(stylesheet: str) -> None:
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / stylesheet).read_text()
    colours = _custom_properties(css)
    for background in ("paper", "canvas"):
        ratio = contrast(colours["muted"], colours[background])
        assert ratio >= 4.5, (stylesheet, background, round(ratio, 2))
