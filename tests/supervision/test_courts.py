"""Court cases where an agency is a party: hearings (the head in court, else the reason with evidence), judicial
suggestions, the judgment and its performance, the daily job proposing the dishonest-judgment-debtor candidate record
once, the sources, the pages and API (outsider 404, every error at once, constant queries)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from records.models import DishonestyRecord, RecordSource, RecordStatus
from supervision.models import CourtCase, CourtEvent, CourtHearing
from supervision.models.courts import CaseStatus
from supervision.services.courts import (
    HearingInput,
    JudgmentInput,
    court_judgments_watch,
    hearing_add,
    judgment_perform,
    judgment_record,
    judicial_suggestion_add,
    judicial_suggestion_answer,
)
from supervision.tasks import court_judgments_watch as court_judgments_task
from supervision.warnings import judgment_warnings
from tests.supervision.suggestions_support import TODAY, D, at, case_input, evidence, judged_case, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with at(TODAY), translation.override("zh-hans"):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_case_from_filing_to_performance_with_its_timeline(world):
    case = make_case(world.clerk_a, world.agency_a)
    hearing_add(
        actor=world.clerk_a, case=case, data=HearingInput(held_on=D(2026, 5, 10), head_appeared=True, head_name="张伟")
    )
    js = judicial_suggestion_add(
        actor=world.clerk_a, case=case, received_on=D(2026, 6, 1), content="规范信息公开答复程序"
    )
    judicial_suggestion_answer(
        actor=world.clerk_a, suggestion=js, answered_on=D(2026, 6, 20), answer="已整改并回复法院"
    )
    case = judgment_record(
        actor=world.clerk_a,
        case=case,
        data=JudgmentInput(
            judged_on=D(2026, 8, 1), result="lost", obligation="重新作出答复", performance_due_on=D(2026, 9, 1)
        ),
    )
    assert case.status == CaseStatus.TO_PERFORM
    case = judgment_perform(actor=world.clerk_a, case=case, performed_on=D(2026, 8, 25))
    assert case.status == CaseStatus.PERFORMED and case.performed_on_time
    kinds = list(CourtEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["filed", "hearing", "judicial_suggestion", "answered", "judged", "performed"]
    closed = judgment_record(
        actor=world.clerk_a,
        case=make_case(world.clerk_a, world.agency_a),
        data=JudgmentInput(judged_on=D(2026, 8, 1), result="won"),
    )
    assert closed.status == CaseStatus.CLOSED


def test_a_head_absent_from_court_needs_the_reason_and_its_evidence(world):
    case = make_case(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as refused:
        hearing_add(actor=world.clerk_a, case=case, data=HearingInput(held_on=D(2026, 12, 1), head_appeared=False))
    assert set(refused.value.field_errors()) == {"held_on", "absence_reason", "evidence"}
    assert refused.value.field_errors()["absence_reason"] == ["负责人未出庭应诉，请填写原因。"]
    assert CourtHearing.objects.count() == 0
    hearing = hearing_add(
        actor=world.clerk_a,
        case=case,
        data=HearingInput(held_on=D(2026, 5, 10), head_appeared=False, absence_reason="因公出差", evidence=evidence()),
    )
    assert hearing.evidence and hearing.evidence_name == "请假说明.pdf"
    heads = source("supervision.heads_in_court")
    assert heads is not None
    measure = heads.fetch(D(2026, 1, 1), D(2026, 12, 31), [world.agency_a.pk])[world.agency_a.pk]
    assert (measure.total, measure.good) == (1, 0)


def test_a_judgment_with_an_obligation_needs_its_deadline_and_nothing_is_written(world):
    case = make_case(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as refused:
        judgment_record(
            actor=world.clerk_a, case=case, data=JudgmentInput(judged_on=None, result="", obligation="支付欠款")
        )
    assert set(refused.value.field_errors()) == {"judged_on", "result", "performance_due_on"}
    assert CourtCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    with pytest.raises(NotAllowed):
        judgment_record(actor=world.outsider, case=case, data=JudgmentInput(judged_on=D(2026, 8, 1), result="won"))


def test_a_judgment_not_performed_by_its_deadline_proposes_one_candidate_record_however_often_the_job_runs(world):
    case = judged_case(world.clerk_a, world.agency_a, due=D(2026, 9, 30))
    on_time = judged_case(world.clerk_a, world.agency_a, due=D(2026, 12, 31))
    assert court_judgments_watch(today=D(2026, 9, 30)).proposed == 0
    assert court_judgments_task() == {"proposed": 1}
    assert court_judgments_watch().proposed == 0
    case.refresh_from_db()
    record = case.record
    assert record is not None and DishonestyRecord.objects.count() == 1
    assert record.status == RecordStatus.CANDIDATE and record.source == RecordSource.DISHONEST_DEBTOR
    assert record.subject_agency == world.agency_a and case.case_number in record.facts
    assert CourtEvent.objects.filter(case=case, kind="not_performed").count() == 1
    assert [w["level"] for w in judgment_warnings(world.office_a, TODAY)] == ["overdue"]
    assert judgment_warnings(world.outsider, TODAY) == []
    on_time.refresh_from_db()
    assert on_time.record is None
    # Performed late: the record stays for the credit office to decide; the source counts it as late.
    judgment_perform(actor=world.clerk_a, case=case, performed_on=TODAY)
    performed = source("supervision.judgments_performed")
    assert performed is not None
    measure = performed.fetch(D(2026, 1, 1), D(2026, 12, 31), None)[world.agency_a.pk]
    assert (measure.total, measure.good) == (2, 0)


def test_the_outsider_gets_404_on_the_pages_and_in_the_api(world):
    case = make_case(world.clerk_a, world.agency_a)
    outsider = signed_in(world.outsider)
    assert outsider.get(f"/staff/supervision/courts/{case.pk}/").status_code == 404
    assert outsider.post(f"/staff/supervision/courts/{case.pk}/perform/", {}).status_code == 404
    api = APIClient()
    api.force_authenticate(world.outsider)
    assert api.get(f"/api/v1/supervision/court-cases/{case.pk}/").status_code == 404
    assert world.agency_a.name not in outsider.get("/staff/supervision/courts/").content.decode()


def test_the_case_page_shows_every_error_of_a_hearing_at_once_and_keeps_what_was_typed(world):
    case = make_case(world.clerk_a, world.agency_a)
    client = signed_in(world.clerk_a)
    page = client.get(f"/staff/supervision/courts/{case.pk}/")
    assert page.status_code == 200 and 'id="hearing-form"' in page.content.decode()
    refused = client.post(
        f"/staff/supervision/courts/{case.pk}/hearing/",
        {"held_on": "2026-13-40", "head_appeared": "no", "head_name": "", "absence_reason": ""},
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "负责人未出庭应诉，请填写原因。" in text and "负责人未出庭应诉，请上传原因的证明材料。" in text
    assert 'value="2026-13-40"' in text and CourtHearing.objects.count() == 0
    done = client.post(
        f"/staff/supervision/courts/{case.pk}/hearing/",
        {"held_on": "2026-05-10", "head_appeared": "no", "absence_reason": "出差", "evidence": evidence()},
    )
    assert done.status_code == 302 and CourtHearing.objects.count() == 1


def test_the_new_case_form_refuses_bad_input_whole(world):
    client = signed_in(world.clerk_a)
    refused = client.post("/staff/supervision/courts/new/", {"case_number": "（2026）浙0102民初1号", "court": ""})
    text = refused.content.decode()
    assert refused.status_code == 400
    for message in ("请填写法院名称。", "请选择行政诉讼或民事案件。", "请选择作为当事人的单位。", "请填写案由。"):
        assert message in text
    assert "（2026）浙0102民初1号" in text and CourtCase.objects.count() == 0


def test_the_list_the_page_and_the_api_take_the_same_queries_for_more_cases(world):
    judged_case(world.clerk_a, world.agency_a)
    client = signed_in(world.office_a)
    api = APIClient()
    api.force_authenticate(world.office_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/supervision/courts/")
    with CaptureQueriesContext(connection) as few_api:
        api.get("/api/v1/supervision/court-cases/")
    with CaptureQueriesContext(connection) as few_queue:
        client.get("/staff/queue/")
    for _ in range(4):
        judged_case(world.clerk_a, world.agency_a)
    court_judgments_watch()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/staff/supervision/courts/").content.decode().count("data-case=") == 5
    with CaptureQueriesContext(connection) as many_api:
        assert len(api.get("/api/v1/supervision/court-cases/").json()["results"]) == 5
    with CaptureQueriesContext(connection) as many_queue:
        client.get("/staff/queue/")
    assert len(many) == len(few) and len(many_api) == len(few_api) and len(many_queue) == len(few_queue)


def test_the_api_records_the_judgment_and_answers_field_errors_in_chinese(world):
    case = make_case(world.clerk_a, world.agency_a, **{"case_number": case_input(None).case_number})
    api = APIClient()
    api.force_authenticate(world.clerk_a)
    refused = api.post(f"/api/v1/supervision/court-cases/{case.pk}/judgment/", {"obligation": "支付"}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert "请填写裁判日期。" in str(body) and "请填写履行期限。" in str(body)
    done = api.post(
        f"/api/v1/supervision/court-cases/{case.pk}/judgment/",
        {"judged_on": "2026-08-01", "result": "lost", "obligation": "支付", "performance_due_on": "2026-12-01"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "to_perform"
