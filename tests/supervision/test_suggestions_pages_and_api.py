"""NPC suggestion pages, API, Excel and the public results page: the happy path, the outsider 404, every error at
once with the typed values kept and nothing written, the import reporting every bad row, constant query counts, the
queue and agency sections of the credit office."""

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from supervision.excel.suggestions import COLUMNS, DATA_SHEET
from supervision.models import Suggestion
from supervision.models.suggestions import SuggestionStatus
from tests.supervision.suggestions_support import TODAY, D, at, evidence, make_suggestion, replied, suggestion_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with at(TODAY), translation.override("zh-hans"):
        yield


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def workbook(rows: list[dict[str, Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "建议提案.xlsx"
    return data


def good_row(world: Any, number: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "number": number,
        "kind": "人大代表建议",
        "session": "市十七届人大三次会议",
        "title": "关于优化营商环境的建议",
        "deputy": "王芳",
        "lead_unit_uscc": world.agency_a.uscc,
        "co_units": world.agency_b.uscc,
        "assigned_on": "2026-09-01",
    }
    row.update(overrides)
    return row


def test_the_list_and_the_page_show_the_suggestion_and_the_outsider_gets_404(world):
    suggestion = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 7, 1))  # due 2026-10-01: overdue
    client = signed_in(world.office_a)
    listed = client.get("/staff/supervision/suggestions/?state=overdue")
    assert listed.status_code == 200 and f'data-suggestion="{suggestion.pk}"' in listed.content.decode()
    page = client.get(f"/staff/supervision/suggestions/{suggestion.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="suggestion-overdue"' in text and 'id="extend-form"' in text
    assert "处理中" in text
    outsider = signed_in(world.office_b)
    assert outsider.get(f"/staff/supervision/suggestions/{suggestion.pk}/").status_code == 404
    assert outsider.post(f"/staff/supervision/suggestions/{suggestion.pk}/reply/", {}).status_code == 404
    assert api(world.office_b).get(f"/api/v1/supervision/suggestions/{suggestion.pk}/").status_code == 404
    assert suggestion.title not in outsider.get("/staff/supervision/suggestions/").content.decode()


def test_the_entry_form_shows_every_error_at_once_and_keeps_what_was_typed(world):
    client = signed_in(world.clerk_a)
    refused = client.post(
        "/staff/supervision/suggestions/new/",
        {"number": "建议第0001号", "title": "", "assigned_on": "2026-02-30", "kind": "suggestion"},
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    for message in ("请填写届次", "请填写标题。", "请填写代表或委员姓名。", "请选择主办单位。"):
        assert message in text
    assert 'value="建议第0001号"' in text and 'value="2026-02-30"' in text
    assert Suggestion.objects.count() == 0
    done = client.post(
        "/staff/supervision/suggestions/new/",
        {
            "number": "建议第0001号",
            "kind": "suggestion",
            "session": "市十七届人大三次会议",
            "title": "关于优化营商环境的建议",
            "deputy": "王芳",
            "lead_unit": world.agency_a.pk,
            "co_units": [world.agency_b.pk],
            "assigned_on": "2026-09-01",
        },
    )
    assert done.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.due_on == D(2026, 12, 1) and list(suggestion.co_units.all()) == [world.agency_b]


def test_the_buttons_reply_with_a_file_and_note_the_opinion(world):
    suggestion = make_suggestion(world.clerk_a, world.agency_a)
    client = signed_in(world.clerk_a)
    refused = client.post(
        f"/staff/supervision/suggestions/{suggestion.pk}/reply/", {"reply_class": "B", "replied_on": "2026-10-20"}
    )
    text = refused.content.decode()
    assert refused.status_code == 400 and "请填写答复内容或上传答复文件。" in text and "B类答复须承诺解决日期" in text
    done = client.post(
        f"/staff/supervision/suggestions/{suggestion.pk}/reply/",
        {"reply_class": "A", "replied_on": "2026-10-20", "file": evidence("答复函.pdf"), "summary": "已解决"},
    )
    assert done.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REPLIED and suggestion.reply_file
    assert client.get(f"/staff/supervision/suggestions/{suggestion.pk}/file/reply/").status_code == 200
    opinion = client.post(
        f"/staff/supervision/suggestions/{suggestion.pk}/feedback/",
        {"satisfaction": "unsatisfied", "feedback_on": "2026-10-25"},
    )
    assert opinion.status_code == 400 and "请填写新的办理期限" in opinion.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.REPLIED


def test_the_credit_office_sees_overdue_and_unsatisfied_ones_in_its_queue_and_on_the_agency_page(world):
    overdue = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 7, 1))
    fine = make_suggestion(world.clerk_a, world.agency_a)
    client = signed_in(world.office_a)
    queue = client.get("/staff/queue/").content.decode()
    assert 'id="suggestions_attention-table"' in queue
    assert f'data-suggestion="{overdue.pk}"' in queue
    agency = client.get(f"/staff/agencies/{world.agency_a.pk}/").content.decode()
    assert 'id="agency-suggestions"' in agency and f'data-suggestion="{overdue.pk}"' in agency
    assert f'data-suggestion="{fine.pk}"' not in agency
    clerk_queue = signed_in(world.clerk_a).get("/staff/queue/").content.decode()
    assert f'data-suggestion="{fine.pk}"' in clerk_queue


def test_the_import_reports_every_bad_row_and_writes_nothing_until_the_file_is_valid(world):
    make_suggestion(world.clerk_a, world.agency_a, number="建议第0100号")
    client = signed_in(world.clerk_a)
    rows = [
        good_row(world, "建议第0001号"),
        good_row(world, "建议第0100号", title=""),  # taken and no title
        good_row(world, "建议第0002号", kind="信件", assigned_on="明天"),
        good_row(world, "建议第0003号", lead_unit_uscc=world.agency_b.uscc),
        good_row(world, "建议第0001号"),  # twice in the file
    ]
    refused = client.post("/staff/supervision/suggestions/import/", {"file": workbook(rows)})
    text = refused.content.decode()
    assert refused.status_code == 400
    for row in (3, 4, 5, 6):
        assert f'data-row="{row}"' in text
    assert "另一条建议或提案已使用此编号。" in text and "请填写标题。" in text
    assert "该编号在文件中出现了两次。" in text and "您可录入的单位中没有此统一社会信用代码。" in text
    assert Suggestion.objects.count() == 1
    done = client.post(
        "/staff/supervision/suggestions/import/",
        {"file": workbook([good_row(world, "建议第0001号"), good_row(world, "建议第0002号", due_on="2026-11-15")])},
    )
    assert done.status_code == 302 and Suggestion.objects.count() == 3
    assert Suggestion.objects.get(number="建议第0002号").due_on == D(2026, 11, 15)
    template = client.get("/staff/supervision/suggestions/template/")
    assert template.status_code == 200 and DATA_SHEET in load_workbook(io.BytesIO(template.content)).sheetnames


def test_the_export_and_the_lists_take_the_same_queries_for_more_rows(world):
    # Overdue already: the credit office's queue section is there from the start (an empty one is not shown).
    make_suggestion(world.clerk_a, world.agency_a, co_units=[world.agency_b], assigned_on=D(2026, 6, 30))
    client, api_client = signed_in(world.office_a), api(world.office_a)

    def measure() -> list[int]:
        counts = []
        for url, fetch in (
            ("/staff/supervision/suggestions/", client.get),
            ("/staff/supervision/suggestions/export/", client.get),
            ("/api/v1/supervision/suggestions/", api_client.get),
            ("/staff/queue/", client.get),
            ("/supervision/suggestions/", Client().get),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = fetch(url)
                if url.endswith("export/"):
                    b"".join(response.streaming_content)  # type: ignore[attr-defined]
            counts.append(len(queries))
        return counts

    replied(world.clerk_a, world.agency_a)
    few = measure()
    for n in range(4):
        make_suggestion(world.clerk_a, world.agency_a, co_units=[world.agency_b], assigned_on=D(2026, 7, 1 + n))
        replied(world.clerk_a, world.agency_a)
    assert measure() == few
    exported = client.get("/staff/supervision/suggestions/export/")
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content)))[DATA_SHEET]  # type: ignore[attr-defined]
    assert sheet.max_row == 11


def test_the_api_enters_replies_and_answers_every_field_error_in_chinese(world):
    client = api(world.clerk_a)
    refused = client.post("/api/v1/supervision/suggestions/", {"number": "", "kind": "suggestion"}, format="json")
    assert refused.status_code == 400
    body = str(refused.json())
    assert "请填写建议或提案的编号。" in body and "请选择主办单位。" in body and "请填写交办日期。" in body
    created = client.post(
        "/api/v1/supervision/suggestions/",
        {
            **{k: v for k, v in vars(suggestion_input(None)).items() if k not in ("lead_unit", "co_units")},
            "assigned_on": "2026-08-31",
            "lead_unit": world.agency_a.pk,
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["due_on"] == "2026-11-30"
    pk = created.json()["id"]
    reply = client.post(
        f"/api/v1/supervision/suggestions/{pk}/reply/",
        {"reply_class": "A", "replied_on": "2026-10-20", "text": "已解决"},
        format="json",
    )
    assert reply.status_code == 200 and reply.json()["status"] == "replied"
    again = client.post(
        f"/api/v1/supervision/suggestions/{pk}/reply/",
        {"reply_class": "A", "replied_on": "2026-10-20", "text": "已解决"},
        format="json",
    )
    assert again.status_code == 409


def test_the_public_page_shows_the_results_without_the_deputys_contact(world):
    shown = replied(world.clerk_a, world.agency_a)
    hidden = make_suggestion(world.clerk_a, world.agency_a, title="尚未答复的建议")
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/supervision/suggestions/")
    text = page.content.decode()
    assert page.status_code == 200
    assert shown.number in text and "已全部清偿拖欠账款。" in text and world.agency_a.name in text
    assert hidden.title not in text and "13800000000" not in text and shown.deputy not in text
    assert Client().get("/supervision/suggestions/?class=B").content.decode().count("data-number=") == 0
