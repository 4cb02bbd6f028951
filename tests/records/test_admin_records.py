"""The admin console for records, measures and the rules behind them: scoped per region, read-only where the workflow
rules, transitions only through the services, rules configured by administrators, nothing deleted."""

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin import ScopedAdmin
from accounts.models import User
from outbox.models import PlatformChange
from records.models import (
    AppliedMeasure,
    DisclosureRule,
    DishonestyRecord,
    EvidenceFile,
    ImportJob,
    MeasureEvent,
    MeasureRule,
    MeasureState,
    MeasureType,
    RecordEvent,
    Rectification,
)
from records.services import record_publish, record_submit
from tests.conftest import City
from tests.factories import make_person, make_record
from workcalendar.services import calendar_year_seed

D = datetime.date
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
MASKED_ID = "3301**********148X"
PUBLISHED_ON = D(2026, 11, 2)
SCOPED_MODELS = [DishonestyRecord, RecordEvent, AppliedMeasure, MeasureEvent, Rectification, EvidenceFile, ImportJob]
RULE_MODELS = [DisclosureRule, MeasureType, MeasureRule]


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def result_pks(response: Any) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def published(world: City, *, on: datetime.date = PUBLISHED_ON, **overrides: Any) -> DishonestyRecord:
    subject = overrides.pop("subject", world.agency_a)
    clerk = overrides.pop("clerk", world.clerk_a)
    office = overrides.pop("office", world.office_a)
    record = make_record(clerk, subject, **overrides)
    # Submitted by another hand than the publishing office's (four eyes): the administrator reaches every agency.
    record = record_submit(actor=world.admin, record=record)
    return record_publish(actor=office, record=record, today=on)


def evidence_for(record: DishonestyRecord, user: User) -> EvidenceFile:
    return EvidenceFile.objects.create(
        record=record,
        file="evidence/2026/11/judgment.pdf",
        original_name="判决书.pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
        uploaded_by=user,
    )


def import_job_for(world: City, user: User, agency: Any) -> ImportJob:
    return ImportJob.objects.create(
        agency=agency, uploaded_by=user, file="imports/2026/11/records.xlsx", original_name="失信记录.xlsx", size=2048
    )


@pytest.fixture
def two_regions(world: City) -> dict[str, dict[type[Model], Model]]:
    """A published record with everything that hangs off it, in district A and in district B."""
    calendar_year_seed(year=2026)
    rows: dict[str, dict[type[Model], Model]] = {}
    for region, subject, clerk, office in (
        ("a", world.agency_a, world.clerk_a, world.office_a),
        ("b", world.agency_b, world.outsider, world.office_b),
    ):
        record = published(world, subject=subject, clerk=clerk, office=office)
        measure = AppliedMeasure.objects.filter(record=record).order_by("pk").first()
        assert measure is not None
        rows[region] = {
            DishonestyRecord: record,
            RecordEvent: RecordEvent.objects.filter(record=record).first(),
            AppliedMeasure: measure,
            MeasureEvent: MeasureEvent.objects.filter(measure=measure).get(),
            Rectification: Rectification.objects.get(measure__record=record),
            EvidenceFile: evidence_for(record, clerk),
            ImportJob: import_job_for(world, clerk, subject),
        }
    return rows


# Every page, scope, no deletion ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "office_a"])
def test_it_opens_every_records_page_on_the_scoped_mixin_without_a_delete_button(
    world: City, two_regions: dict[str, dict[type[Model], Model]], persona: str
) -> None:
    client = client_for(getattr(world, persona))
    rule = DisclosureRule.objects.order_by("pk").first()
    rows = {**two_regions["a"], DisclosureRule: rule, MeasureType: MeasureType.objects.first()}
    rows[MeasureRule] = MeasureRule.objects.first()
    for model in SCOPED_MODELS + RULE_MODELS:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ScopedAdmin), model
        listing = client.get(admin_url(model, "changelist"))
        assert listing.status_code == 200, model
        assert "delete_selected" not in model_admin.get_actions(listing.wsgi_request), model
        page = client.get(admin_url(model, "change", rows[model].pk))
        assert page.status_code == 200, model
        assert admin_url(model, "delete", rows[model].pk) not in page.content.decode(), model


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_each_credit_office_lists_its_own_region_only(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    a, b = two_regions["a"][model].pk, two_regions["b"][model].pk

    seen_by_a = result_pks(client_for(world.office_a).get(admin_url(model, "changelist")))
    seen_by_b = result_pks(client_for(world.office_b).get(admin_url(model, "changelist")))
    seen_by_admin = result_pks(client_for(world.admin).get(admin_url(model, "changelist")))

    assert a in seen_by_a and b not in seen_by_a
    assert b in seen_by_b and a not in seen_by_b
    assert {a, b} <= seen_by_admin


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_another_regions_rows_are_not_found(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    obj = two_regions["a"][model]

    page = client_for(world.office_b).get(admin_url(model, "change", obj.pk))

    assert page.status_code == 302
    assert page.url == reverse("admin:index")


def test_another_regions_record_history_is_not_found(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    record = two_regions["a"][DishonestyRecord]

    assert client_for(world.office_b).get(admin_url(DishonestyRecord, "history", record.pk)).status_code == 404
    assert client_for(world.office_a).get(admin_url(DishonestyRecord, "history", record.pk)).status_code == 200


@pytest.mark.parametrize("persona", [None, "clerk_a", "reviewer_a", "inspector_a", "sector_a", "outsider"])
def test_only_console_roles_get_in(world: City, persona: str | None) -> None:
    client = client_for(getattr(world, persona)) if persona else Client()

    for model in (DishonestyRecord, DisclosureRule, Rectification):
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302, model
        assert response.url.startswith(reverse("admin:login")), model


@pytest.mark.parametrize("model", SCOPED_MODELS + RULE_MODELS)
def test_nothing_is_deleted(world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]) -> None:
    obj = two_regions["a"].get(model) or model._default_manager.order_by("pk").first()
    assert obj is not None
    client = client_for(world.admin)

    page = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    action = client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "index": 0, "post": "yes"},
    )

    assert page.status_code == 403
    assert action.status_code in {200, 302}
    assert model._default_manager.filter(pk=obj.pk).exists()


# Records: read-only, moved by the workflow ------------------------------------------------------------------------


def test_a_records_fields_cannot_be_edited_in_the_console(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    record = two_regions["a"][DishonestyRecord]
    client = client_for(world.admin)

    page = client.get(admin_url(DishonestyRecord, "change", record.pk))
    posted = client.post(
        admin_url(DishonestyRecord, "change", record.pk), {"facts": "改写后的事实。", "status": "draft"}
    )
    add = client.get(admin_url(DishonestyRecord, "add"))

    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # every field is shown read-only
    assert reverse("records:record_detail", args=[record.pk]) in page.content.decode()
    assert posted.status_code == 403
    assert add.status_code == 403
    record.refresh_from_db()
    assert (record.facts, record.status) == ("拖欠中小企业货款逾期未支付。", "published")


@pytest.mark.parametrize("model", [RecordEvent, AppliedMeasure, MeasureEvent, Rectification, EvidenceFile, ImportJob])
def test_what_the_services_write_is_read_only(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    obj = two_regions["a"][model]
    client = client_for(world.admin)

    page = client.get(admin_url(model, "change", obj.pk))

    assert not page.context["adminform"].form.fields
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "change", obj.pk), {}).status_code == 403


def test_no_stored_file_is_linked_but_the_scoped_download(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    evidence = two_regions["a"][EvidenceFile]
    client = client_for(world.office_a)

    pages = [
        client.get(admin_url(EvidenceFile, "changelist")).content.decode(),
        client.get(admin_url(EvidenceFile, "change", evidence.pk)).content.decode(),
        client.get(admin_url(DishonestyRecord, "change", evidence.record_id)).content.decode(),
        client.get(admin_url(ImportJob, "changelist")).content.decode(),
        client.get(admin_url(ImportJob, "change", two_regions["a"][ImportJob].pk)).content.decode(),
    ]

    for page in pages:
        assert "/media/" not in page
        assert "evidence/2026/11/judgment.pdf" not in page
        assert "imports/2026/11/records.xlsx" not in page
    assert reverse("records:evidence_download", args=[evidence.pk]) in pages[0]


def changelist_action(client: Client, model: type[Model], action: str, pks: list[int], **extra: str) -> Any:
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": pks, "index": 0, **extra},
        follow=True,
    )


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC))
def test_the_credit_office_submits_and_publishes_through_the_services(world: City) -> None:
    calendar_year_seed(year=2026)
    mine = make_record(world.clerk_a, world.agency_a)
    theirs = make_record(world.outsider, world.agency_b)
    client = client_for(world.office_a)

    submitted = changelist_action(client, DishonestyRecord, "submit_records", [mine.pk, theirs.pk])
    published = changelist_action(client_for(world.admin), DishonestyRecord, "publish_records", [mine.pk])

    assert submitted.status_code == 200 and published.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("published", "draft")  # another region's id is simply not selected
    events = list(RecordEvent.objects.filter(record=mine).order_by("pk").values_list("kind", "actor"))
    assert events == [("created", world.clerk_a.pk), ("submitted", world.office_a.pk), ("published", world.admin.pk)]
    assert AppliedMeasure.objects.filter(record=mine, state=MeasureState.ACTIVE).exists()
    assert not RecordEvent.objects.filter(record=theirs).exclude(kind="created").exists()


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC))
def test_the_console_refuses_to_let_whoever_submitted_a_record_publish_it(world: City, settings: Any) -> None:
    calendar_year_seed(year=2026)
    mine = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕1号")
    also_mine = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕2号")
    by_reviewer = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    client = client_for(world.office_a)
    changelist_action(client, DishonestyRecord, "submit_records", [mine.pk, also_mine.pk])
    before = (RecordEvent.objects.count(), AppliedMeasure.objects.count(), PlatformChange.objects.count())

    response = changelist_action(client, DishonestyRecord, "publish_records", [mine.pk, also_mine.pk])

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0][0] == "error"
    assert messages[0][1].startswith("您提交了该记录，不能由您本人发布")
    assert "东财罚〔2026〕1号" in messages[0][1] and "东财罚〔2026〕2号" in messages[0][1]
    assert set(DishonestyRecord.objects.filter(pk__in=[mine.pk, also_mine.pk]).values_list("status", flat=True)) == {
        "submitted"
    }
    assert (RecordEvent.objects.count(), AppliedMeasure.objects.count(), PlatformChange.objects.count()) == before

    # In the same bulk action a record someone else submitted goes through; the setting lets a one-person office.
    mixed = changelist_action(client, DishonestyRecord, "publish_records", [mine.pk, by_reviewer.pk])
    assert sorted(m.level_tag for m in mixed.context["messages"]) == ["error", "success"]
    settings.RECORD_ALLOW_SELF_PUBLISH = True
    changelist_action(client, DishonestyRecord, "publish_records", [mine.pk])
    assert DishonestyRecord.objects.get(pk=mine.pk).status == "published"


def test_return_and_revoke_take_the_reason_from_the_action_bar(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    record = two_regions["a"][DishonestyRecord]
    draft = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    client = client_for(world.office_a)
    before = RecordEvent.objects.count()

    without_reason = changelist_action(client, DishonestyRecord, "revoke_records", [record.pk], reason="  ")
    returned = changelist_action(client, DishonestyRecord, "return_records", [draft.pk], reason="缺少判决书")
    revoked = changelist_action(client, DishonestyRecord, "revoke_records", [record.pk], reason="判决被撤销")

    assert [m.level_tag for m in without_reason.context["messages"]] == ["error"]  # the service's "say why"
    assert RecordEvent.objects.count() == before + 2
    assert returned.status_code == revoked.status_code == 200
    assert RecordEvent.objects.get(record=draft, kind="returned").reason == "缺少判决书"
    assert RecordEvent.objects.get(record=record, kind="revoked").reason == "判决被撤销"
    assert set(AppliedMeasure.objects.filter(record=record).values_list("state", flat=True)) == {"lifted"}


def test_a_refused_step_is_reported_and_writes_nothing(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    record = two_regions["a"][DishonestyRecord]
    before = (RecordEvent.objects.count(), AppliedMeasure.objects.count())

    response = changelist_action(client_for(world.office_a), DishonestyRecord, "publish_records", [record.pk])

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0][0] == "error"
    assert record.document_number in messages[0][1]
    assert (RecordEvent.objects.count(), AppliedMeasure.objects.count()) == before


def test_measures_move_through_the_service_with_the_reason(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    measure = two_regions["a"][AppliedMeasure]
    other = two_regions["b"][AppliedMeasure]
    client = client_for(world.office_a)

    changelist_action(client, AppliedMeasure, "suspend_measures", [measure.pk, other.pk], reason="异议核查中")

    measure.refresh_from_db()
    other.refresh_from_db()
    assert (measure.state, measure.state_reason, other.state) == ("suspended", "异议核查中", "active")
    event = MeasureEvent.objects.filter(measure=measure).latest("pk")
    assert (event.from_state, event.to_state, event.actor) == ("active", "suspended", world.office_a)

    changelist_action(client, AppliedMeasure, "reactivate_measures", [measure.pk], reason="异议不成立")
    measure.refresh_from_db()
    assert measure.state == "active"


def test_a_record_about_a_civil_servant_shows_only_the_masked_id(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    make_record(world.clerk_a, world.agency_a, responsible=[(world.person_a, "direct")])
    client = client_for(world.office_a)

    pages = [
        client.get(admin_url(DishonestyRecord, "changelist")),
        client.get(admin_url(DishonestyRecord, "change", record.pk)),
        client.get(admin_url(DishonestyRecord, "changelist"), {"q": "张伟"}),
    ]

    for page in pages:
        assert page.status_code == 200
        assert FULL_ID not in page.content.decode()
    assert result_pks(pages[2]) == {record.pk}


def test_records_are_searched_by_subject_name_and_document_number(world: City) -> None:
    a = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕7号")
    b = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a, document_number="东纪〔2026〕3号")
    client = client_for(world.office_a)

    assert result_pks(client.get(admin_url(DishonestyRecord, "changelist"), {"q": "东财罚"})) == {a.pk}
    assert result_pks(client.get(admin_url(DishonestyRecord, "changelist"), {"q": "张伟"})) == {b.pk}
    assert result_pks(client.get(admin_url(DishonestyRecord, "changelist"), {"status": "draft"})) == {a.pk, b.pk}


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC))
def test_overdue_rectifications_are_one_filter_away(world: City) -> None:
    calendar_year_seed(year=2026)
    late = published(world, on=D(2026, 6, 15))  # 20 working days passed long ago, unanswered
    recent = published(world)
    client = client_for(world.office_a)

    overdue = result_pks(client.get(admin_url(Rectification, "changelist"), {"overdue": "yes"}))

    assert overdue == set(Rectification.objects.filter(measure__record=late).values_list("pk", flat=True))
    assert not Rectification.objects.filter(measure__record=recent, pk__in=overdue).exists()


# Rules: administrators configure; what governs records stays -------------------------------------------------------


def rule_form(**values: Any) -> dict[str, Any]:
    data = {
        "citation": "某新规定",
        "severity": "general",
        "special_field": "",
        "disclosed": "on",
        "min_months": 3,
        "max_months": 24,
        "effective_from": "2027-01-01",
        "effective_to": "",
        "notes": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def current_rule(severity: str = "general") -> DisclosureRule:
    return DisclosureRule.objects.get(severity=severity, special_field="", effective_to__isnull=True)


def form_of(rule: DisclosureRule, **changes: Any) -> dict[str, Any]:
    """The change form of a rule no record follows yet, posted back with `changes`."""
    values = {name: getattr(rule, name) for name in ("citation", "severity", "special_field", "min_months")}
    values.update(max_months=rule.max_months, effective_from=rule.effective_from.isoformat(), notes=rule.notes)
    values.update(disclosed="on" if rule.disclosed else None, effective_to=None)
    return rule_form(**{**values, **changes})


def test_a_new_rule_needs_the_old_one_closed_first(world: City) -> None:
    client = client_for(world.admin)
    old = current_rule()
    before = DisclosureRule.objects.count()

    clash = client.post(admin_url(DisclosureRule, "add"), rule_form())
    closed = client.post(admin_url(DisclosureRule, "change", old.pk), form_of(old, effective_to="2027-01-01"))
    added = client.post(admin_url(DisclosureRule, "add"), rule_form())

    assert clash.status_code == 200
    assert clash.context["adminform"].form.non_field_errors()
    assert closed.status_code == 302, closed.context["adminform"].form.errors if closed.context else closed
    assert added.status_code == 302
    assert DisclosureRule.objects.count() == before + 1
    old.refresh_from_db()
    assert (old.effective_to, old.min_months, old.max_months) == (D(2027, 1, 1), 3, 12)
    new = DisclosureRule.objects.get(citation="某新规定")
    assert (new.effective_from, new.max_months, new.effective_to) == (D(2027, 1, 1), 24, None)


def test_a_rule_that_governs_records_keeps_its_terms(world: City) -> None:
    make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 6, 1))
    rule = current_rule()
    client = client_for(world.admin)

    page = client.get(admin_url(DisclosureRule, "change", rule.pk))
    rewritten = client.post(
        admin_url(DisclosureRule, "change", rule.pk), {"effective_to": "", "max_months": 60, "citation": "改写"}
    )
    too_early = client.post(admin_url(DisclosureRule, "change", rule.pk), {"effective_to": "2026-05-01"})

    assert set(page.context["adminform"].form.fields) == {"effective_to"}
    assert rewritten.status_code == 302
    rule.refresh_from_db()
    assert (rule.citation, rule.max_months) == ("国家发展改革委令第36号《信用修复管理办法》", 12)
    assert too_early.status_code == 200
    assert "effective_to" in too_early.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.effective_to is None


def test_a_rule_no_record_follows_yet_can_still_be_fixed(world: City) -> None:
    client = client_for(world.admin)
    old = current_rule("serious")
    client.post(admin_url(DisclosureRule, "change", old.pk), form_of(old, effective_to="2030-01-01"))
    client.post(admin_url(DisclosureRule, "add"), rule_form(severity="serious", effective_from="2030-01-01"))
    typo = DisclosureRule.objects.get(citation="某新规定")

    fixed = client.post(
        admin_url(DisclosureRule, "change", typo.pk),
        rule_form(severity="serious", effective_from="2030-01-01", max_months=36, citation="某新规定（更正）"),
    )

    assert fixed.status_code == 302
    typo.refresh_from_db()
    assert (typo.citation, typo.max_months) == ("某新规定（更正）", 36)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"min_months": 24, "max_months": 12, "effective_from": "2040-01-01"}, "min_months"),
        ({"effective_from": "2040-01-01", "effective_to": "2039-01-01"}, "effective_to"),
        ({"severity": "enormous", "effective_from": "2040-01-01"}, "severity"),
    ],
)
def test_a_bad_rule_is_a_form_error(world: City, values: dict[str, Any], field: str) -> None:
    before = DisclosureRule.objects.count()

    response = client_for(world.admin).post(admin_url(DisclosureRule, "add"), rule_form(**values))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert DisclosureRule.objects.count() == before


def test_the_credit_office_reads_the_rules_but_does_not_configure_them(world: City) -> None:
    client = client_for(world.office_a)
    rule = current_rule()

    assert client.get(admin_url(DisclosureRule, "changelist")).status_code == 200
    assert client.get(admin_url(DisclosureRule, "add")).status_code == 403
    assert client.post(admin_url(DisclosureRule, "change", rule.pk), {"effective_to": "2027-01-01"}).status_code == 403
    assert client.get(admin_url(MeasureType, "add")).status_code == 403
    assert client.get(admin_url(MeasureRule, "add")).status_code == 403
    rule.refresh_from_db()
    assert rule.effective_to is None


def test_administrators_configure_the_measure_catalogue(world: City) -> None:
    client = client_for(world.admin)
    kind = MeasureType.objects.get(code="public_criticism")
    rule = MeasureRule.objects.filter(measure_type=kind).order_by("pk").first()
    assert rule is not None

    added = client.post(
        admin_url(MeasureType, "add"),
        {"code": "funding_review", "name": "财政资金安排审查", "measure_class": "资格限制类", "target": "unit",
         "legal_basis": "国发〔2016〕76号", "active": "on"},
    )  # fmt: skip
    renamed = client.post(
        admin_url(MeasureType, "change", kind.pk),
        {"code": "changed", "name": "通报批评", "measure_class": "通报类", "target": "unit", "legal_basis": "同上"},
    )
    switched_off = client.post(admin_url(MeasureRule, "change", rule.pk), {"severity": "minor"})
    new_rule = client.post(
        admin_url(MeasureRule, "add"),
        {"measure_type": MeasureType.objects.get(code="funding_review").pk, "severity": "serious", "active": "on"},
    )
    duplicate = client.post(
        admin_url(MeasureRule, "add"),
        {"measure_type": rule.measure_type_id, "severity": rule.severity, "active": "on",
         **({"for_person_records": "on"} if rule.for_person_records else {})},
    )  # fmt: skip

    assert added.status_code == renamed.status_code == switched_off.status_code == new_rule.status_code == 302
    kind.refresh_from_db()
    rule.refresh_from_db()
    assert (kind.code, kind.name, kind.active) == ("public_criticism", "通报批评", False)
    assert (rule.severity, rule.active) == ("serious", False)
    assert duplicate.status_code == 200
    assert duplicate.context["adminform"].form.errors


# Query counts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [DishonestyRecord, RecordEvent, AppliedMeasure, MeasureEvent, Rectification])
def test_the_lists_take_a_constant_number_of_queries(world: City, model: type[Model]) -> None:
    calendar_year_seed(year=2026)
    client = client_for(world.office_a)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(admin_url(model, "changelist")).status_code == 200
        return len(queries)

    def add_rows(count: int) -> None:
        for n in range(count):
            person = make_person(world.agency_a)
            published(world, subject_person=person if n % 2 else None)

    add_rows(3)
    before = queries_for_listing()
    add_rows(6)

    assert queries_for_listing() == before
