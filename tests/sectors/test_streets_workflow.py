"""Honest street and town creation: the automatic criteria, the workflow with its event rows, the naming and its
revocation by a later veto, the outsider, bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kernel.errors import DomainError, NotAllowed
from outbox.models import PlatformChange
from records.models import RecordStatus
from sectors.models import CreationAnswer, CreationApplication, CreationChecklist, CreationEvent, CreationEvidence
from sectors.models.streets import CreationStatus
from sectors.services.streets import (
    CREATION_KIND,
    AnswerInput,
    application_city_review,
    application_create,
    application_district_review,
    application_name,
    application_resubmit,
    creation_watch_run,
    criteria_evaluate,
    objection_note,
    veto_declare,
)
from tests.sectors.streets_support import (
    TODAY,
    D,
    Streets,
    application_input,
    at,
    decided_commitments,
    evidence,
    in_notice,
    make_checklist,
    serious_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    with at(TODAY):
        yield Streets(world)


def results(application):
    return {r.code: r.met for r in criteria_evaluate(application)}


def test_it_computes_the_automatic_criteria_for_the_year(s):
    decided_commitments(s.street_clerk, s.street, kept=4, partly=1)  # 80 %: just enough
    serious_record(s.world.office_a, s.street, D(2025, 12, 30))  # another year: does not count
    serious_record(s.world.office_a, s.street, D(2026, 3, 1), status=RecordStatus.DRAFT)  # not verified
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    assert results(application) == {"A1": True, "A2": True, "A3": True, "M1": True}
    assert "4" in application.evaluation["A2"]["detail"]

    decided_commitments(s.street_clerk, s.street, kept=0, broken=1)  # 4 of 6: 66.7 %
    serious_record(s.world.office_a, s.street, D(2026, 3, 1))
    assert results(application) == {"A1": False, "A2": False, "A3": True, "M1": True}


def test_it_counts_a_declared_veto_against_the_no_veto_criterion(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    veto_declare(actor=s.world.office_a, agency=s.street, year=2026, reason="发生重大群体性失信事件")
    assert results(application)["A3"] is False
    assert results(application)["A2"] is False  # nothing decided yet


def test_the_whole_workflow_writes_an_event_row_at_every_step(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    assert application.status == CreationStatus.DISTRICT_REVIEW
    assert CreationEvidence.objects.filter(answer__application=application).count() == 1

    application = application_district_review(
        actor=s.world.office_a, application=application, passed=False, reason="自评材料不全"
    )
    assert application.status == CreationStatus.RETURNED
    application = application_resubmit(
        actor=s.street_clerk,
        application=application,
        data=application_input(s.street, answers={"M1": AnswerInput(True, "补充了学习记录。", [evidence("记录.pdf")])}),
    )
    assert CreationEvidence.objects.filter(answer__application=application).count() == 2
    application = application_district_review(actor=s.world.office_a, application=application, passed=True)
    assert application.status == CreationStatus.CITY_REVIEW
    application = application_city_review(actor=s.city_office, application=application, passed=True)
    assert application.status == CreationStatus.NOTICE
    assert application.notice_starts_on == TODAY
    assert application.notice_ends_on == D(2026, 11, 6)  # five working days, Monday to Friday

    objection_note(actor=s.world.office_a, application=application, received_on=TODAY, text="群众反映办事排队时间长")
    with pytest.raises(DomainError):
        application_name(application=application, actor=s.city_office)  # the notice is still running
    with at(D(2026, 11, 9)):
        run = creation_watch_run()
        assert (run.named, creation_watch_run().named) == (1, 0)  # idempotent
    application.refresh_from_db()
    assert application.status == CreationStatus.NAMED
    assert application.named_on == D(2026, 11, 9)
    assert list(
        CreationEvent.objects.filter(application=application).values_list("kind", "from_status", "to_status")
    ) == [
        ("applied", "", "district_review"),
        ("returned", "district_review", "returned"),
        ("resubmitted", "returned", "district_review"),
        ("district_passed", "district_review", "city_review"),
        ("city_passed", "city_review", "notice"),
        ("objection", "notice", "notice"),
        ("named", "notice", "named"),
    ]
    assert CreationEvent.objects.get(application=application, kind="returned").reason == "自评材料不全"
    change = PlatformChange.objects.get(kind=CREATION_KIND)
    assert change.payload["title"] == "2026年度诚信街道"
    assert s.street.notifications.count() == 4  # returned, passed by the district, by the city, named
    assert s.world.district_a.notifications.count() == 2  # applied, sent again


def test_the_city_may_reject_with_a_reason(s):
    application = in_notice(s)
    with pytest.raises(DomainError) as refused:
        application_city_review(actor=s.city_office, application=application, passed=False, reason=" ")
    assert refused.value.message == "请填写原因。"
    application = application_city_review(actor=s.city_office, application=application, passed=False, reason="异议属实")
    assert application.status == CreationStatus.REJECTED


def test_a_later_serious_record_of_the_year_revokes_the_naming(s):
    application = in_notice(s)
    with at(D(2026, 11, 9)):
        creation_watch_run()
    with at(D(2026, 12, 1)):
        serious_record(s.world.office_a, s.street, D(2026, 11, 20))
        assert creation_watch_run().revoked == 1
        assert creation_watch_run().revoked == 0
    application.refresh_from_db()
    assert application.status == CreationStatus.REVOKED
    assert application.revoked_on == D(2026, 12, 1)
    assert "一票否决" in application.revocation_reason
    assert CreationEvent.objects.filter(application=application, kind="revoked", actor=None).count() == 1
    assert PlatformChange.objects.filter(kind=CREATION_KIND).values_list("change_type", flat=True).count() == 2


def test_a_veto_declared_by_the_credit_office_revokes_the_naming(s):
    application = in_notice(s)
    with at(D(2026, 11, 9)):
        creation_watch_run()
        veto_declare(actor=s.world.office_a, agency=s.street, year=2026, reason="发生重大失信事件")
    application.refresh_from_db()
    assert application.status == CreationStatus.REVOKED
    assert "发生重大失信事件" in application.revocation_reason


def test_outsiders_and_the_wrong_level_are_refused(s):
    with pytest.raises(NotAllowed):
        application_create(actor=s.world.outsider, data=application_input(s.street))
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    with pytest.raises(NotAllowed):
        application_district_review(actor=s.world.office_b, application=application, passed=True)
    with pytest.raises(NotAllowed):
        application_district_review(actor=s.city_office, application=application, passed=True)
    with pytest.raises(NotAllowed):
        application_district_review(actor=s.street_clerk, application=application, passed=True)
    application = application_district_review(actor=s.world.office_a, application=application, passed=True)
    with pytest.raises(NotAllowed):
        application_city_review(actor=s.world.office_a, application=application, passed=True)
    with pytest.raises(NotAllowed):
        veto_declare(actor=s.world.outsider, agency=s.street, year=2026, reason="x")
    assert not CreationApplication.objects.visible_to(s.world.outsider).exists()
    assert CreationApplication.objects.visible_to(s.world.office_a).count() == 1


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(s):
    bad = application_input(
        s.street,
        year=2031,
        self_evaluation="  ",
        answers={"M1": AnswerInput(True, "", [SimpleUploadedFile("a.pdf", b"<html>")])},
    )
    with pytest.raises(DomainError) as refused:
        application_create(actor=s.street_clerk, data=bad)
    errors = refused.value.field_errors()
    assert errors["year"] == ["2031年还没有创建标准。"]
    assert errors["self_evaluation"] == ["请填写自评情况。"]
    with pytest.raises(DomainError) as refused:
        application_create(actor=s.street_clerk, data=application_input(s.world.agency_a))
    assert refused.value.field_errors()["agency"] == ["只有街道或乡镇可以申请诚信创建。"]
    with pytest.raises(DomainError) as refused:
        application_create(actor=s.street_clerk, data=application_input(s.street, answers={}))
    assert refused.value.field_errors()["answer_M1"] == ["请对标准M1进行自评。"]
    assert not CreationApplication.objects.exists()
    assert not CreationAnswer.objects.exists()


def test_a_new_years_checklist_is_a_new_version_and_the_used_one_stays(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    second = make_checklist(s.city_office, 2026)
    assert (second.version, CreationChecklist.objects.filter(year=2026).count()) == (2, 2)
    application.refresh_from_db()
    assert application.checklist_id == s.checklist.pk
    assert s.checklist.criteria.count() == 4
