"""The public site shows exactly the disclosed records: no more, no less, and not a day longer."""

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client

from records.models import DishonestyRecord, MeasureState, RecordStatus
from records.services import (
    measure_set_state,
    record_correct,
    record_return,
    record_revoke,
    records_expire_due,
)
from subjects.models import Agency
from subjects.services import agency_merge, agency_rename
from tests.conftest import City
from tests.factories import make_agency, make_person
from tests.public_support import D, at, copies, draft, fixed_today, html, published, record_ids, submitted


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


@pytest.fixture
def audit_office(world: City) -> Agency:
    # A subject of its own, so that its search hit and page count only what each test creates.
    return make_agency("东城区审计局", parent=world.district_a)


def everywhere(client: Client, record: DishonestyRecord) -> dict[str, bool]:
    """Where the record shows: home, recent list, its agency's page, its own page, its agency's search count, and
    the record search by the agency's name in two words, by its document number and by every filter."""
    agency = record.subject_agency
    search = client.get("/search/", {"q": agency.name})
    hit = next(h for h in search.context["hits"] if h.pk == record.subject_agency_id)
    page = client.get(f"/records/{record.pk}/")
    filters = {
        "district": agency.ancestor_ids[1],  # the government under the city's
        "severity": record.severity,
        "source": record.source,
        "year": record.decision_date.year,
    }
    return {
        "home": record.pk in record_ids(html(client, "/")),
        "recent": record.pk in record_ids(html(client, "/records/")),
        "agency": record.pk in record_ids(html(client, f"/agencies/{record.subject_agency_id}/")),
        "record": page.status_code == 200,
        "counted": hit.records_in_force == 1,
        "found by name": record.pk
        in record_ids(html(client, "/search/", q=f"{agency.name[:2]} {agency.name[2:]}", kind="records")),
        "found by number": record.pk in record_ids(html(client, "/search/", q=record.document_number)),
        "found by filters": record.pk in record_ids(html(client, "/search/", **filters)),
    }


SHOWN = dict.fromkeys(
    ("home", "recent", "agency", "record", "counted", "found by name", "found by number", "found by filters"), True
)
HIDDEN = dict.fromkeys(SHOWN, False)


def test_a_published_record_shows_everywhere(client: Client, world: City, audit_office: Agency) -> None:
    record = published(world, audit_office)

    assert everywhere(client, record) == SHOWN


def _returned(world: City, agency: Agency) -> DishonestyRecord:
    return record_return(actor=world.office_a, record=submitted(world, agency), reason="文书号有误")


def _revoked(world: City, agency: Agency) -> DishonestyRecord:
    return record_revoke(actor=world.office_a, record=published(world, agency), reason="判决被撤销")


def _expired(world: City, agency: Agency) -> DishonestyRecord:
    record = published(world, agency, decision_date=D(2026, 6, 1))
    assert records_expire_due(on=D(2027, 6, 2)) == 1  # the day after its last day, 1 June 2027
    record.refresh_from_db()
    return record


STATES: dict[str, Callable[[City, Agency], DishonestyRecord]] = {
    "draft": lambda world, agency: draft(world, agency),
    "submitted": lambda world, agency: submitted(world, agency),
    "returned": _returned,
    "revoked": _revoked,
    "expired": _expired,
    # Minor records are not publicly disclosed under the 2026 rule (they are in force for the measures).
    "minor": lambda world, agency: published(world, agency, severity="minor"),
}


@pytest.mark.parametrize("state", STATES)
def test_a_record_that_is_not_disclosed_shows_nowhere(
    client: Client, world: City, audit_office: Agency, state: str
) -> None:
    record = STATES[state](world, audit_office)

    assert record.status in {state, RecordStatus.PUBLISHED}
    assert everywhere(client, record) == HIDDEN


def test_a_record_shows_on_its_last_day_and_leaves_the_next_even_before_the_expiry_job(
    client: Client, world: City, audit_office: Agency, _today: time_machine.Traveller
) -> None:
    record = published(world, audit_office, decision_date=D(2026, 6, 1), severity="general")
    assert record.disclosure_ends_on == D(2027, 6, 1)

    _today.move_to(at(D(2027, 5, 31), hour=23))
    assert everywhere(client, record) == SHOWN

    _today.move_to(at(D(2027, 6, 1), hour=23))
    assert everywhere(client, record) == SHOWN
    assert 'id="record-disclosed-until">2027-06-01<' in html(client, f"/records/{record.pk}/")

    _today.move_to(at(D(2027, 6, 2), hour=0))
    assert everywhere(client, record) == HIDDEN
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED  # the job has not run: the date test alone hides it


def test_a_corrected_record_shows_its_new_values_and_says_it_was_corrected(
    client: Client, world: City, audit_office: Agency
) -> None:
    record = published(world, audit_office, facts="原始事实：拖欠货款。", fine_amount=Decimal("1.000000"))
    record_correct(
        actor=world.office_a,
        record=record,
        changes={"facts": "更正后的事实：拖欠工程款。", "fine_amount": Decimal("2.500000")},
        reason="文书笔误",
    )

    page = html(client, f"/records/{record.pk}/")

    assert "更正后的事实：拖欠工程款。" in page
    assert "原始事实" not in page
    assert 'id="record-corrected"' in page
    assert 'id="record-fine" data-value="2.5"' in page
    assert 'data-corrected="1"' in html(client, f"/agencies/{audit_office.pk}/")
    assert everywhere(client, record) == SHOWN


def test_the_record_page_shows_the_public_fields(client: Client, world: City, audit_office: Agency) -> None:
    record = published(
        world,
        audit_office,
        document_number="东审决〔2026〕7号",
        decision_date=D(2026, 6, 1),
        categories="拖欠账款",
        fine_amount=Decimal("12.500000"),
        other_amount=Decimal("3"),
    )

    page = html(client, f"/records/{record.pk}/")

    assert f'data-record="{record.pk}"' in page
    assert '<span id="record-subject">东城区审计局</span>' in page
    assert f'id="record-agency-uscc">{audit_office.uscc}<' in page
    assert 'id="record-document">东审决〔2026〕7号<' in page
    assert 'id="record-deciding-body">临江市中级人民法院<' in page
    assert f'id="record-deciding-uscc">{record.deciding_body_uscc}<' in page
    assert 'id="record-decision-date">2026-06-01<' in page
    assert 'id="record-categories">拖欠账款<' in page
    assert 'id="record-fine" data-value="12.5"' in page
    assert 'id="record-other-amount" data-value="3"' in page
    assert "拖欠中小企业货款逾期未支付。" in page
    assert "《保障中小企业款项支付条例》第八条" in page
    assert 'id="record-severity" data-value="general"' in page
    # Disclosed until the last day of the one-year maximum; repair may be applied for from the minimum period.
    assert 'id="record-disclosed-until">2027-06-01<' in page
    assert 'id="record-repair-from">2026-09-01<' in page
    assert 'id="record-corrected"' not in page


def test_the_record_page_shows_the_fields_of_the_national_disclosure_format(
    client: Client, world: City, audit_office: Agency, _today: time_machine.Traveller
) -> None:
    # 双公示 as 信用中国 shows it: the unit that supplied the data (数据来源单位) and the date of the last change.
    record = published(world, audit_office)

    page = html(client, f"/records/{record.pk}/")

    assert 'id="record-data-source">东城区财政局<' in page
    assert f'id="record-data-source-uscc">{world.agency_a.uscc}<' in page
    assert 'id="record-updated">2026-11-20<' in page

    _today.move_to(at(D(2026, 11, 25)))
    agency_rename(actor=world.admin, agency=world.agency_a, name="东城区财政局（更名）", reason="机构改革")
    page = html(client, f"/records/{record.pk}/")
    assert 'id="record-data-source">东城区财政局（更名）<' in page
    assert 'id="record-updated">2026-11-25<' in page


def test_the_record_page_lists_the_measures_in_force_naming_the_role_never_the_person(
    client: Client, world: City, audit_office: Agency
) -> None:
    make_person(audit_office, "刘局长", is_principal=True)
    about_agency = published(world, audit_office, severity="serious")
    about_person = published(world, subject_person=world.person_a)

    agency_page = html(client, f"/records/{about_agency.pk}/")
    person_page = html(client, f"/records/{about_person.pk}/")

    assert 'id="record-measures"' in agency_page
    for name in ("限期整改", "公开通报批评", "追究主要负责人责任"):
        assert name in agency_page
    assert "<dt>适用对象</dt><dd>主要负责人</dd>" in agency_page
    assert "<dt>执行单位</dt><dd>临江市东城区人民政府</dd>" in agency_page
    assert "刘局长" not in agency_page and "刘某" not in agency_page
    for name in ("限制评优评先", "当年度考核不得确定为优秀等次", "招录、晋升信用审查"):
        assert name in person_page
    assert "<dt>适用对象</dt><dd>公务员</dd>" in person_page
    assert "张伟" not in person_page


def test_a_suspended_measure_says_so_and_a_lifted_one_is_gone(
    client: Client, world: City, audit_office: Agency
) -> None:
    record = published(world, audit_office)
    kept, suspended, lifted = record.measures.order_by("pk")[:3]
    measure_set_state(actor=world.office_a, measure=suspended, to_state=MeasureState.SUSPENDED, reason="异议核查")
    measure_set_state(actor=world.office_a, measure=lifted, to_state=MeasureState.LIFTED, reason="不应适用")

    page = html(client, f"/records/{record.pk}/")

    assert kept.measure_type.name in page
    assert page.count('data-suspended="1"') == 1
    assert "异议核实期间暂停执行" in page
    assert lifted.measure_type.name not in page


def test_a_record_without_measures_in_force_says_so(client: Client, world: City, audit_office: Agency) -> None:
    record = published(world, audit_office)
    for measure in record.measures.all():
        measure_set_state(actor=world.office_a, measure=measure, to_state=MeasureState.LIFTED, reason="不应适用")

    page = html(client, f"/records/{record.pk}/")

    assert 'id="record-no-measures"' in page and 'id="record-measures"' not in page


def test_staff_only_fields_never_reach_the_record_page(client: Client, world: City, audit_office: Agency) -> None:
    make_person(audit_office, "刘局长", is_principal=True)
    record = published(
        world,
        audit_office,
        loss_description="内部损失说明甲",
        social_impact="内部社会影响乙",
    )
    assert record.responsibilities.get().person.name == "刘局长"

    page = html(client, f"/records/{record.pk}/")

    for private in ("内部损失说明甲", "内部社会影响乙", "刘局长", "/staff/"):
        assert private not in page
    # The agency that supplied the record is public (数据来源单位, as on the platform), as a fact of the record only.
    assert f'href="/agencies/{world.agency_a.pk}/"' not in page


def test_a_civil_servant_is_shown_as_surname_and_mou_without_any_id_number(client: Client, world: City) -> None:
    person = world.person_a  # 张伟, 33010219850312148X
    record = published(
        world,
        subject_person=person,
        facts="张伟（身份证号33010219850312148X）违规收受礼金。",
    )
    pages = [
        html(client, url) for url in ("/", "/records/", f"/agencies/{world.agency_a.pk}/", f"/records/{record.pk}/")
    ]

    for page in pages:
        assert record.pk in record_ids(page)
        assert "张某" in page
        assert "张伟" not in page
        assert "33010219850312148X" not in page
        assert person.id_number_masked not in page
    assert "张某（身份证号******）违规收受礼金。" in pages[-1]
    assert 'id="record-person">张某<' in pages[-1]


def test_searching_a_civil_servants_name_does_not_confirm_a_record(client: Client, world: City) -> None:
    published(world, subject_person=world.person_a)

    for q in ("张伟", "张", "伟"):
        response = client.get("/search/", {"q": q})
        assert response.context["hits"] == []
        assert 'id="no-results"' in response.content.decode()
        assert record_ids(response.content.decode()) == []
        assert response.context["results"].record_count == 0


@pytest.mark.parametrize("kind", ["draft", "revoked", "missing"])
def test_the_record_page_answers_the_same_404_for_anything_not_disclosed(
    client: Client, world: City, kind: str
) -> None:
    shown = published(world)
    pk = {
        "draft": lambda: draft(world).pk,
        "revoked": lambda: _revoked(world, world.agency_a).pk,
        "missing": lambda: DishonestyRecord.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000,
    }[kind]()

    response = client.get(f"/records/{pk}/")
    reference = client.get(f"/records/{shown.pk + 10_000}/")

    def body(response: HttpResponse, pk: int) -> bytes:
        # The page links back to its own address (the language switch): that is the only difference allowed.
        return response.content.replace(f"/records/{pk}/".encode(), b"/records/N/")

    assert response.status_code == 404
    assert body(response, pk) == body(reference, shown.pk + 10_000)
    assert response["Cache-Control"] == reference["Cache-Control"]


def test_an_unknown_agency_is_a_404(client: Client, world: City) -> None:
    assert client.get("/agencies/987654/").status_code == 404


def test_an_agency_page_shows_its_public_facts_and_records_newest_decision_first(
    client: Client, world: City, audit_office: Agency
) -> None:
    older = published(world, audit_office, decision_date=D(2026, 5, 1))
    newer = published(world, audit_office, decision_date=D(2026, 7, 1))
    published(world)  # another agency's

    page = html(client, f"/agencies/{audit_office.pk}/")

    assert record_ids(page) == [newer.pk, older.pk]
    assert 'id="agency-name">东城区审计局<' in page
    assert f'id="agency-uscc">{audit_office.uscc}<' in page
    assert 'id="agency-record-count" data-value="2"' in page
    assert "<caption>" in page and '<th scope="col">' in page


def test_an_agency_page_is_paginated(client: Client, world: City, audit_office: Agency) -> None:
    copies(published(world, audit_office), 24)

    first = client.get(f"/agencies/{audit_office.pk}/")
    second = client.get(f"/agencies/{audit_office.pk}/", {"page": 2})

    assert len(record_ids(first.content.decode())) == 20
    assert len(record_ids(second.content.decode())) == 5
    assert 'rel="next"' in first.content.decode()
    assert not set(record_ids(first.content.decode())) & set(record_ids(second.content.decode()))


def test_a_renamed_agency_keeps_the_history_of_its_predecessors(client: Client, world: City) -> None:
    oldest = make_agency("东城区经济贸易局", parent=world.district_a)
    old = make_agency("东城区经济和信息化局", parent=world.district_a)
    new = make_agency("东城区经济和科技局", parent=world.district_a)
    from_oldest = published(world, oldest)
    from_old = published(world, old)
    own = published(world, new)
    agency_merge(actor=world.admin, agency=oldest, successor=old, reason="2019年机构改革")
    agency_merge(actor=world.admin, agency=old, successor=new, reason="2024年机构改革")

    new_page = html(client, f"/agencies/{new.pk}/")
    old_page = html(client, f"/agencies/{old.pk}/")
    hits = {h.pk: h for h in client.get("/search/", {"q": "经济"}).context["hits"]}

    assert set(record_ids(new_page)) == {from_oldest.pk, from_old.pk, own.pk}
    assert 'id="agency-predecessors"' in new_page
    assert f'data-agency="{old.pk}"' in new_page and f'data-agency="{oldest.pk}"' in new_page
    assert set(record_ids(old_page)) == {from_oldest.pk, from_old.pk}
    assert f'id="agency-successor" data-agency="{new.pk}"' in old_page
    assert (hits[new.pk].records_in_force, hits[old.pk].records_in_force, hits[oldest.pk].records_in_force) == (3, 2, 1)
    assert hits[old.pk].succeeded and not hits[new.pk].succeeded


def test_the_recent_list_pages_with_a_cursor_most_recently_published_first(client: Client, world: City) -> None:
    first = published(world)
    rows = copies(first, 24)  # each a minute older than the one before
    newest_first = [first.pk, *(row.pk for row in rows)]

    page1 = html(client, "/records/")
    older_link = page1.split('id="page-older"')[0].rsplit('href="?', 1)[1].split('"')[0].replace("&amp;", "&")
    page2 = html(client, f"/records/?{older_link}")
    newer_link = page2.split('id="page-newer"')[0].rsplit('href="?', 1)[1].split('"')[0].replace("&amp;", "&")
    back = html(client, f"/records/?{newer_link}")

    assert record_ids(page1) == newest_first[:20]
    assert 'id="page-newer"' not in page1
    assert record_ids(page2) == newest_first[20:]
    assert 'id="page-older"' not in page2
    assert record_ids(back) == newest_first[:20]


@pytest.mark.parametrize("cursor", ["before=abc", "before=1.2.3", "after=-5.1", "before=" + "9" * 40 + ".1"])
def test_a_malformed_cursor_is_a_clear_400(client: Client, world: City, cursor: str) -> None:
    response = client.get(f"/records/?{cursor}")

    assert response.status_code == 400
    assert 'id="bad-request"' in response.content.decode()


def test_the_home_page_counts_records_in_force_and_lists_the_latest(client: Client, world: City) -> None:
    shown = [published(world), published(world, world.unit_a)]
    draft(world)
    published(world, severity="minor")

    page = html(client, "/")

    assert 'id="count-records" data-value="2"' in page
    assert f'id="count-agencies" data-value="{Agency.objects.count()}"' in page
    assert record_ids(page) == [shown[1].pk, shown[0].pk]


def test_with_nothing_disclosed_the_pages_say_so(client: Client, world: City) -> None:
    assert 'id="no-records"' in html(client, "/")
    assert 'id="no-records"' in html(client, "/records/")
    assert 'id="no-records"' in html(client, f"/agencies/{world.agency_a.pk}/")


def test_decision_dates_in_the_window_edges_follow_the_rule_of_their_day(client: Client, world: City) -> None:
    # A penalty decided under the 2023 rule (3 to 36 months), still disclosed in November 2026; a judgment decided
    # the same day had a year (the 2023 rule's periods are those of penalties): its window closed in March.
    record = published(world, decision_date=D(2025, 3, 1), source="administrative_penalty")
    judgment = draft(world, decision_date=D(2025, 3, 1), source="judicial_judgment", document_number="（2025）1号")

    page = html(client, f"/records/{record.pk}/")

    assert 'id="record-disclosed-until">2028-03-01<' in page
    assert record.disclosure_ends_on == D(2028, 3, 1)
    assert judgment.disclosure_ends_on == D(2026, 3, 1)
