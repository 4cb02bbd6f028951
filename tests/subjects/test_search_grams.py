"""Substring search that PostgreSQL's GIN index serves for one- and two-character Chinese queries."""

import pytest
from django.db import connection

from records.models import DishonestyRecord
from subjects.models import Agency
from subjects.search import MAX_QUERY_LENGTH, MAX_WORDS, grams_of, query_grams, query_words
from tests.conftest import City
from tests.factories import make_agency, make_person, make_record


def test_grams_are_the_distinct_single_characters_and_pairs() -> None:
    assert grams_of("张伟伟") == "伟 伟伟 张 张伟"
    # White space is ignored on both sides: "ab 1" is searched as "AB1".
    assert grams_of("ab 1") == "1 A AB B B1"
    assert query_grams("张") == ["张"]
    assert query_grams("东城区") == ["东城", "城区"]
    assert query_grams("  ") == []


def test_a_query_is_split_into_distinct_words_at_any_white_space() -> None:
    assert query_words(" 东城  财政 ") == ["东城", "财政"]
    assert query_words("东城\u3000财政\t局") == ["东城", "财政", "局"]  # the ideographic space of Chinese IMEs too
    assert query_words("财政 东城 财政") == ["财政", "东城"]
    assert query_words("   ") == []
    assert len(query_words(" ".join(f"词{n}" for n in range(20)))) == MAX_WORDS
    assert query_words("财" * 200) == ["财" * MAX_QUERY_LENGTH]


def test_it_finds_agencies_by_one_two_and_more_characters(world: City) -> None:
    make_agency("西城区生态环境局", parent=world.district_b)
    assert set(Agency.objects.filter(name_grams__has_all=query_grams("环"))) == {
        Agency.objects.get(name="西城区生态环境局")
    }
    assert Agency.objects.filter(name_grams__has_all=query_grams("财政")).count() == 3
    found = Agency.objects.filter(name_grams__has_all=query_grams("财政局国库"))
    assert [a.name for a in found] == ["东城区财政局国库支付中心"]


def test_two_characters_must_stand_together(world: City) -> None:
    # Every agency name holds 区 and 城, none holds the pair 区城.
    assert Agency.objects.filter(name_grams__has_all=query_grams("区城")).count() == 0


def test_renaming_keeps_the_grams_in_step(world: City) -> None:
    from subjects.services import agency_rename

    agency_rename(actor=world.admin, agency=world.agency_b, name="西城区审计局", reason="更名")
    assert Agency.objects.filter(name_grams__has_all=query_grams("审计")).get() == world.agency_b


def test_records_are_found_by_a_two_character_person_name(world: City) -> None:
    make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    other = make_person(world.agency_a, "张伟明")
    make_record(world.clerk_a, world.agency_a, subject_person=other)
    make_record(world.clerk_a, world.agency_a)
    names = sorted(r.subject_name for r in DishonestyRecord.objects.filter(search_grams__has_all=query_grams("张伟")))
    assert names == ["张伟", "张伟明"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgresql_answers_the_search_from_the_gin_index(world: City) -> None:
    make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    query = DishonestyRecord.objects.filter(search_grams__has_all=query_grams("张伟")).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "record_search_grams_gin" in plan
