"""Public search: agencies by fragments of their name (one character and up) or by their code, never people; the
records in their disclosure period by the same words, by document number and by filters, each list counted."""

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from html import unescape
from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from disclosure.queries import agencies_matching, is_code_query
from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from subjects.models import AgencyKind
from tests.conftest import City
from tests.factories import make_agency, make_record, make_user, next_uscc
from tests.public_support import PUBLISHED_ON, TODAY, D, copies, fixed_today, html, published, record_ids

AssertNumQueries = Callable[..., CaptureQueriesContext]
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


def published_in_district_b(world: City, **overrides: Any) -> DishonestyRecord:
    """A record about agency B, entered and published by district B's own staff."""
    reviewer = make_user(Role.REVIEWER, world.agency_b)
    record = record_submit(actor=reviewer, record=make_record(world.outsider, world.agency_b, **overrides))
    return record_publish(actor=world.office_b, record=record, today=PUBLISHED_ON)


def found(client: Client, q: str) -> list[str]:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return [hit.name for hit in response.context["hits"]]


def test_one_character_finds_every_agency_holding_it(client: Client, world: City) -> None:
    make_agency("东城区审计局", parent=world.district_a)

    assert found(client, "审") == ["东城区审计局"]
    assert set(found(client, "财")) == {"东城区财政局", "西城区财政局", "东城区财政局国库支付中心"}


def test_two_characters_must_stand_together(client: Client, world: City) -> None:
    assert set(found(client, "财政")) == {"东城区财政局", "西城区财政局", "东城区财政局国库支付中心"}
    assert found(client, "国库") == ["东城区财政局国库支付中心"]
    assert found(client, "区城") == []


def test_three_characters_are_checked_as_a_whole_not_just_their_pairs(client: Client, world: City) -> None:
    make_agency("北湖镇湖北村民委员会", parent=world.district_a, kind=AgencyKind.VILLAGERS_COMMITTEE)

    # 北湖 and 湖北 are both in the name, 北湖北 is not.
    assert found(client, "北湖北") == []
    assert found(client, "湖北村") == ["北湖镇湖北村民委员会"]
    assert found(client, "东城区财政局国库") == ["东城区财政局国库支付中心"]


def test_shorter_names_come_first(client: Client, world: City) -> None:
    assert found(client, "东城区财政局") == ["东城区财政局", "东城区财政局国库支付中心"]


def test_spaces_separate_words_that_must_all_match(client: Client, world: City) -> None:
    assert found(client, " 国 库 ") == ["东城区财政局国库支付中心"]
    assert found(client, "东城 财政") == ["东城区财政局", "东城区财政局国库支付中心"]
    assert found(client, "财政\u3000东城") == ["东城区财政局", "东城区财政局国库支付中心"]  # the ideographic space too
    assert found(client, "东城 审计") == []


def test_a_word_of_code_characters_matches_the_start_of_the_code(client: Client, world: City) -> None:
    assert found(client, f"财政 {world.agency_b.uscc}") == ["西城区财政局"]
    assert found(client, f"东城 {world.agency_b.uscc}") == []


def test_a_full_code_finds_its_agency_in_any_case(client: Client, world: City) -> None:
    assert found(client, world.agency_b.uscc) == ["西城区财政局"]
    assert found(client, f"  {world.agency_b.uscc.lower()} ") == ["西城区财政局"]


def test_the_start_of_a_code_finds_every_agency_it_begins(client: Client, world: City) -> None:
    make_agency("另一地区的单位", uscc=next_uscc(region="330200"), region_code="330200")
    prefix = world.agency_a.uscc[:8]
    assert prefix == "11330100"

    assert len(found(client, prefix)) == 6
    assert found(client, "11330200") == ["另一地区的单位"]
    assert found(client, "91") == []


def test_code_queries_are_told_apart_from_names() -> None:
    assert is_code_query("11330100")
    assert is_code_query("11 3301 00")
    assert not is_code_query("1")  # one character: a name fragment ("第1区")
    assert not is_code_query("东城区11")


def test_each_hit_shows_its_number_of_records_in_force(client: Client, world: City) -> None:
    published(world)
    published(world)
    published(world, world.unit_a)
    published(world, severity="minor")  # not disclosed

    hits = {hit.pk: hit.records_in_force for hit in client.get("/search/", {"q": "财政"}).context["hits"]}

    assert hits == {world.agency_a.pk: 2, world.unit_a.pk: 1, world.agency_b.pk: 0}
    page = client.get("/search/", {"q": "财政"}).content.decode()
    assert f'data-agency="{world.agency_a.pk}" data-uscc="{world.agency_a.uscc}" data-records="2"' in page


def test_results_link_to_the_agency_pages(client: Client, world: City) -> None:
    page = client.get("/search/", {"q": "国库"}).content.decode()

    assert f'href="/agencies/{world.unit_a.pk}/"' in page


def test_a_long_query_is_cut_not_refused(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": "财" * 500})

    assert response.status_code == 200
    assert response.context["hits"] == []


def test_an_empty_or_blank_query_shows_the_prompt(client: Client, world: City) -> None:
    for q in ("", "   "):
        response = client.get("/search/", {"q": q})
        assert response.context["page"] is None
        assert 'id="empty-state"' in response.content.decode()


def test_the_queryset_is_empty_for_nothing_searchable(world: City) -> None:
    assert list(agencies_matching("  ")) == []


# Found, not found


def test_a_miss_says_nothing_was_found_and_how_to_search_otherwise(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": "不存在的单位"})
    page = response.content.decode()

    assert response.status_code == 200
    assert 'id="no-results"' in page
    assert 'id="empty-state"' not in page  # the prompt of an empty search is another state
    assert "没有与查询条件相符的信用主体" in page
    assert "按18位统一社会信用代码或其前几位查询" in page
    assert "按决定文书号的全部或部分查询" in page


def test_a_miss_with_filters_offers_to_search_without_them(client: Client, world: City) -> None:
    published(world, severity="general")

    page = html(client, "/search/", q="东城", severity="serious")

    assert 'id="no-results"' in page
    assert 'id="remove-filters"' in page
    assert record_ids(html(client, "/search/", q="东城", kind="records")) != []


# Counts


def test_each_list_says_how_many_it_found(client: Client, world: City) -> None:
    for _ in range(3):
        published(world)
    published_in_district_b(world)

    agencies = html(client, "/search/", q="财政")
    records = html(client, "/search/", q="东城 财政", kind="records")

    assert 'id="result-count" data-total="3"' in agencies
    assert "找到3个信用主体。" in agencies
    assert 'id="result-count" data-total="3"' in records
    assert "找到3条公示期内的政务失信记录。" in records
    assert 'id="tab-agencies"' in records and 'data-total="2"' in records  # 东城区财政局 and its 国库支付中心


def test_a_count_past_the_cap_reads_more_than(client: Client, world: City) -> None:
    copies(published(world), 12)

    with patch("disclosure.search.RECORD_COUNT_CAP", 10):
        response = client.get("/search/", {"q": "东城区财政局", "kind": "records"})

    assert response.context["results"].more_than_cap
    assert "找到超过10条政务失信记录" in response.content.decode()
    assert response.context["page"].paginator.num_pages == 1  # the pages stop at the cap


# Records: by words, by document number, by filters


def test_the_records_list_finds_every_word_in_the_subject_agencys_name(client: Client, world: City) -> None:
    a = published(world)
    unit = published(world, world.unit_a)
    published_in_district_b(world)

    assert set(record_ids(html(client, "/search/", q="东城 财政", kind="records"))) == {a.pk, unit.pk}
    assert record_ids(html(client, "/search/", q="国库 东城", kind="records")) == [unit.pk]
    assert record_ids(html(client, "/search/", q=world.agency_a.uscc, kind="records")) == [a.pk]


def test_records_come_newest_decision_first(client: Client, world: City) -> None:
    older = published(world, decision_date=D(2026, 5, 1))
    newer = published(world, decision_date=D(2026, 7, 1))

    assert record_ids(html(client, "/search/", q="东城区财政局", kind="records")) == [newer.pk, older.pk]


@pytest.mark.parametrize(
    "q",
    [
        "临审决〔2026〕7号",
        " 临审决〔2026〕7号 ",
        "临审决[2026]7号",
        "临审决【2026】7号",
        "〔2026〕7号",
        "审决〔2026",
        "临审决",
    ],
)
def test_a_document_number_finds_its_record_whole_or_in_part(client: Client, world: City, q: str) -> None:
    record = published(world, document_number="临审决〔2026〕7号")
    published(world, document_number="临财决〔2026〕8号")

    response = client.get("/search/", {"q": q})

    # No agency is named so: the list shown is the records'.
    assert response.context["results"].shows_records
    assert record_ids(response.content.decode()) == [record.pk]


def test_a_document_number_fragment_needs_three_characters(client: Client, world: City) -> None:
    published(world, document_number="临审决〔2026〕7号")

    assert record_ids(html(client, "/search/", q="7号", kind="records")) == []


def test_the_severity_filter(client: Client, world: City) -> None:
    serious = published(world, severity="serious")
    published(world, severity="general")

    assert record_ids(html(client, "/search/", q="东城", severity="serious")) == [serious.pk]


def test_the_source_filter(client: Client, world: City) -> None:
    penalty = published(world, source="administrative_penalty", severity="serious")
    published(world, source="breach_of_contract", severity="serious")
    assert penalty.is_disclosed_on(TODAY)

    assert record_ids(html(client, "/search/", source="administrative_penalty")) == [penalty.pk]


def test_the_decision_year_filter(client: Client, world: City) -> None:
    last_year = published(world, severity="serious", decision_date=D(2025, 3, 1))
    published(world, severity="serious", decision_date=D(2026, 6, 1))
    assert last_year.is_disclosed_on(TODAY)

    assert record_ids(html(client, "/search/", year=2025)) == [last_year.pk]


def test_the_district_filter_narrows_both_lists(client: Client, world: City) -> None:
    east = published(world)
    published_in_district_b(world)
    district = str(world.district_a.pk)

    page = html(client, "/search/", q="财政", district=district)
    records = html(client, "/search/", district=district, kind="records")

    assert 'id="result-count" data-total="2"' in page and "西城区财政局" not in page
    assert record_ids(records) == [east.pk]
    assert f'<option value="{district}" selected>临江市东城区</option>' in page


def test_the_filters_combine_with_the_words(client: Client, world: City) -> None:
    wanted = published(world, severity="serious", source="administrative_penalty")
    published(world, severity="serious", source="breach_of_contract")
    published_in_district_b(world, severity="serious", source="administrative_penalty")
    published(world, world.unit_a, severity="general", source="administrative_penalty")

    found = html(client, "/search/", q="东城 财政", severity="serious", source="administrative_penalty", year=2026)

    assert record_ids(found) == [wanted.pk]


def test_the_filters_stay_in_the_form_and_in_the_page_links(client: Client, world: City) -> None:
    copies(published(world, severity="serious", decision_date=D(2026, 6, 1)), 11)
    params = {"q": "东城", "severity": "serious", "source": "breach_of_contract", "year": "2026"}

    first = html(client, "/search/", **params)
    second = html(client, "/search/", **params, page=2)

    assert len(record_ids(first)) == 10 and len(record_ids(second)) == 2
    assert 'value="东城"' in first
    for name, value in (("severity", "serious"), ("source", "breach_of_contract"), ("year", "2026")):
        assert re.search(rf'<select name="{name}" [^>]*>.*<option value="{value}" selected>', first)
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert next_link is not None
    assert parse_qs(unescape(next_link.group(1))) == {**{k: [v] for k, v in params.items()}, "page": ["2"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"severity": "huge"}, "没有这个严重程度，请从列表中选择。"),
        ({"source": "gossip"}, "没有这个来源，请从列表中选择。"),
        ({"year": "abc"}, "请从列表中选择决定年份。"),
        ({"year": "1999"}, "请从列表中选择决定年份。"),
        ({"district": "999999"}, "没有这个地区，请从列表中选择。"),
        ({"district": "东城"}, "没有这个地区，请从列表中选择。"),
        ({"kind": "people"}, "没有这一结果列表。"),
    ],
)
def test_a_bad_filter_value_is_answered_with_a_sentence_not_an_error_page(
    client: Client, world: City, params: dict[str, str], message: str
) -> None:
    published(world)

    response = client.get("/search/", {"q": "东城", **params})
    page = response.content.decode()

    assert response.status_code == 400
    assert 'id="search-errors"' in page and message in page
    assert 'value="东城"' in page  # what was typed stays
    assert record_ids(page) == []
    assert response.context["page"] is None


def test_a_filter_alone_lists_records(client: Client, world: City) -> None:
    record = published(world, severity="serious")

    response = client.get("/search/", {"severity": "serious"})

    assert response.context["results"].shows_records
    assert record_ids(response.content.decode()) == [record.pk]


def test_people_are_never_searched_by_name_in_the_records_either(client: Client, world: City) -> None:
    published(world, subject_person=world.person_a, document_number="临财决〔2026〕9号")

    for q in ("张伟", "张伟 东城"):
        page = html(client, "/search/", q=q, kind="records")
        assert record_ids(page) == [] and 'id="no-results"' in page
        assert "张某" not in page


# Cost


def test_the_records_list_runs_the_same_queries_for_3_or_30_records(
    client: Client,
    world: City,
    django_assert_num_queries: AssertNumQueries,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    params = {"q": "东城 财政", "severity": "general", "year": "2026"}
    record = published(world)
    copies(record, 2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", params).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        copies(published(world, world.unit_a), 27)

    with django_assert_num_queries(len(queries)):
        response = client.get("/search/", params)

    assert len(record_ids(response.content.decode())) == 10
    assert response.context["results"].record_count == 31


# The search box


def test_every_public_page_labels_its_search_box_in_chinese(client: Client, world: City) -> None:
    record = published(world)
    urls = [
        "/",
        "/search/",
        "/search/?q=财政",
        "/search/?q=不存在的单位",
        "/search/?severity=huge",
        "/records/",
        "/records/?before=not-a-cursor",
        f"/records/{record.pk}/",
        "/records/999999999/",
        f"/agencies/{world.agency_a.pk}/",
        "/track/",
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert ">按单位名称、统一社会信用代码或文书号查询</label>" in page, url
        assert 'placeholder="单位名称、统一社会信用代码或文书号"' in page, url
        assert "Search by" not in page and "Agency name" not in page, url

    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Search by agency name, Unified Social Credit Code or document number</label>" in english
