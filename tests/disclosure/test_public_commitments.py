"""Public commitments on the public site: the agency page's commitments of a year, the commitment page, the yearly
report card of an agency and of a district, and the search (disclosure/commitments.py)."""

import datetime
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.models import Commitment
from commitments.services import (
    LawfulChange,
    commitment_change,
    commitment_decide,
    commitment_mark_stalled,
    commitment_publish,
    commitment_report_progress,
    commitment_submit,
    commitment_withdraw,
)
from disclosure.cache import public_version
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_agency, make_commitment, published_commitment

AssertNumQueries = Callable[..., CaptureQueriesContext]
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]
D = datetime.date
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def due(on: D, **extra: Any) -> dict[str, Any]:
    """The dates of a commitment of 2026 due on `on`, promised at the start of the year or before."""
    promised = min(D(2026, 1, 10), on - datetime.timedelta(days=30))
    return {"promised_on": promised, "source_date": promised, "due_on": on, "year": 2026, **extra}


def published_of(world: City, agency: Agency, **overrides: Any) -> Commitment:
    """A published commitment of `agency`: agency A's unit's entered by the credit office, agency B's by B's clerk."""
    if agency == world.agency_a:
        return published_commitment(world, **overrides)
    in_b = agency == world.agency_b
    office = world.office_b if in_b else world.office_a
    commitment = make_commitment(world.outsider if in_b else world.office_a, agency, **overrides)
    commitment = commitment_submit(actor=office, commitment=commitment)
    return commitment_publish(actor=office, commitment=commitment)


def decided(world: City, outcome: str, title: str, **extra: Any) -> Commitment:
    commitment = published_commitment(world, title=title, **due(D(2026, 9, 30), **extra))
    return commitment_decide(
        actor=world.office_a, commitment=commitment, outcome=outcome, reason=f"{title}：经核查，{outcome}。"
    )


def changed(world: City, title: str = "老旧小区改造三百户") -> Commitment:
    commitment = published_commitment(world, title=title, **due(D(2026, 12, 31)))
    change = LawfulChange(
        ground="public_interest",
        authority="临江市东城区人民政府",
        description="因地铁建设调整用地，改造范围改为相邻小区。",
        legality_review_on=D(2026, 10, 10),
        collective_decision_on=D(2026, 10, 15),
        published_on=D(2026, 10, 20),
        compensation_amount=Decimal("150000.00"),
    )
    return commitment_change(actor=world.office_a, commitment=commitment, change=change)


def one_of_each(world: City) -> dict[str, Commitment]:
    """Agency A's commitments of 2026 in every standing, on 2 November 2026."""
    return {
        "kept": decided(world, "kept", "企业开办一日办结"),
        "partly_kept": decided(world, "partly_kept", "政务服务好差评全覆盖"),
        "broken": decided(world, "broken", "拖欠账款全部清零", responsible_person=world.person_a),
        "changed": changed(world),
        "overdue": published_commitment(world, title="新建公办幼儿园两所", **due(D(2026, 10, 1))),
        "in_progress": published_commitment(world, title="不动产登记三个工作日办结", **due(D(2026, 12, 31))),
    }


def ids_in(html: str, attribute: str = "data-commitment") -> list[int]:
    import re

    return [int(found) for found in re.findall(rf'{attribute}="(\d+)"', html)]


# The agency page and the commitment page


def test_the_agency_page_lists_its_published_commitments_of_the_year(client: Client, world: City) -> None:
    shown = published_commitment(world, title="企业开办一日办结", **due(D(2026, 12, 31)))
    commitment_report_progress(
        actor=world.clerk_a, commitment=shown, reported_on=D(2026, 10, 1), percent=60, narrative="已完成六成。"
    )
    last_year = published_commitment(world, title="去年的承诺", **due(D(2025, 12, 31), year=2025))

    response = client.get(f"/agencies/{world.agency_a.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert ids_in(html.split('id="agency-commitments"')[1].split("</table>")[0]) == [shown.pk]
    assert f'href="/commitments/{shown.pk}/"' in html
    for fact in ("企业开办一日办结", "推进中", "60%", "2026-12-31", "每件不超过1个工作日"):
        assert fact in html
    assert 'data-year="2025"' in html and 'data-year="2026"' in html
    assert f'href="/agencies/{world.agency_a.pk}/report-card/?year=2026"' in html
    # The year chooser shows another year's.
    other = client.get(f"/agencies/{world.agency_a.pk}/", {"year": "2025"}).content.decode()
    assert f'data-commitment="{last_year.pk}"' in other and f'data-commitment="{shown.pk}"' not in other


@pytest.mark.parametrize("state", ["draft", "submitted", "withdrawn"])
def test_an_unpublished_commitment_is_not_found_and_not_listed(client: Client, world: City, state: str) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a, title="尚未公开的承诺", **due(D(2026, 12, 31)))
    if state == "submitted":
        commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    if state == "withdrawn":
        commitment = commitment_withdraw(actor=world.clerk_a, commitment=commitment, reason="重复录入。")

    response = client.get(f"/commitments/{commitment.pk}/")

    assert response.status_code == 404
    assert "尚未公开的承诺" not in response.content.decode()
    assert "尚未公开的承诺" not in client.get(f"/agencies/{world.agency_a.pk}/").content.decode()
    assert "尚未公开的承诺" not in client.get(f"/agencies/{world.agency_a.pk}/report-card/").content.decode()
    assert "尚未公开的承诺" not in client.get("/search/", {"q": "尚未 公开", "kind": "commitments"}).content.decode()
    assert client.get("/commitments/999999/").status_code == 404


def test_the_commitment_page_shows_its_progress_and_outcome_with_the_person_as_surname(
    client: Client, world: City
) -> None:
    commitment = published_commitment(
        world, title="拖欠账款全部清零", responsible_person=world.person_a, **due(D(2026, 9, 30))
    )
    commitment_report_progress(
        actor=world.clerk_a,
        commitment=commitment,
        reported_on=D(2026, 8, 1),
        percent=40,
        narrative="张伟牵头清理账款，已清偿四成。",
        files=[SimpleUploadedFile("清偿凭证.pdf", PDF, content_type="application/pdf")],
    )
    commitment = commitment_decide(
        actor=world.office_a, commitment=commitment, outcome="broken", reason="到期仍有六成账款未清偿，张伟未说明理由。"
    )

    response = client.get(f"/commitments/{commitment.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    for fact in ("拖欠账款全部清零", "未兑现", "张某", "张某牵头清理账款", "2026-08-01", "40%", "临政办〔2026〕12号"):
        assert fact in html, fact
    assert "到期仍有六成账款未清偿，张某未说明理由。" in html
    assert "张伟" not in html
    assert "清偿凭证" not in html  # the record page names no evidence, nor does this one
    assert world.agency_a.name in html


def test_a_lawfully_changed_commitment_shows_its_ground_authority_and_steps(client: Client, world: City) -> None:
    commitment = changed(world)

    html = client.get(f"/commitments/{commitment.pk}/").content.decode()

    assert 'id="commitment-change"' in html
    for fact in ("公共利益", "临江市东城区人民政府", "因地铁建设调整用地", "2026-10-15", "150000"):
        assert fact in html, fact


# The report card


def test_the_report_card_counts_and_lists_each_standing_on_a_fixed_day(client: Client, world: City) -> None:
    made = one_of_each(world)
    commitment_mark_stalled(actor=world.reviewer_a, commitment=made["in_progress"], reason="资金未到位。")
    published_commitment(world, title="明年的承诺", **due(D(2027, 6, 30), year=2027))

    response = client.get(f"/agencies/{world.agency_a.pk}/report-card/", {"year": "2026"})

    assert response.status_code == 200
    card = response.context["card"]
    assert card.counts == {
        "kept": 1,
        "partly_kept": 1,
        "broken": 1,
        "changed": 1,
        "overdue": 1,
        "in_progress": 1,
    }
    assert card.total == 6
    assert card.years == [2027, 2026]
    html = response.content.decode()
    for standing, commitment in made.items():
        section = html.split(f'id="standing-{standing}"')[1].split("</section>")[0]
        assert ids_in(section) == [commitment.pk], standing
    assert "企业开办一日办结：经核查，kept。" in html  # the grounds of each outcome
    assert "因地铁建设调整用地" in html
    assert "张伟" not in html


def test_the_district_report_card_takes_in_the_agencies_below_and_nothing_outside(client: Client, world: City) -> None:
    own = published_commitment(world, title="东城区财政局的承诺", **due(D(2026, 10, 1)))
    below = published_of(world, world.unit_a, title="国库支付中心的承诺", **due(D(2026, 12, 1)))
    outside = published_of(world, world.agency_b, title="西城的承诺", **due(D(2026, 10, 1)))

    district = client.get(f"/districts/{world.district_a.pk}/report-card/")
    agency_only = client.get(f"/agencies/{world.agency_a.pk}/report-card/")
    agency_district = client.get(f"/districts/{world.agency_a.pk}/report-card/")

    assert district.context["card"].counts["overdue"] == 1
    assert district.context["card"].counts["in_progress"] == 1
    assert sorted(ids_in(district.content.decode())) == sorted([own.pk, below.pk])
    assert outside.pk not in ids_in(district.content.decode())
    assert ids_in(agency_only.content.decode()) == [own.pk]
    assert sorted(ids_in(agency_district.content.decode())) == sorted([own.pk, below.pk])
    assert (
        f'href="/districts/{world.agency_a.pk}/report-card/?year=2026"'
        in client.get(f"/agencies/{world.agency_a.pk}/").content.decode()
    )
    assert f'href="/districts/{world.district_a.pk}/report-card/"' in client.get("/").content.decode()


def test_one_standing_has_pages_of_its_own(client: Client, world: City, settings: Any) -> None:
    for n in range(3):
        published_commitment(world, title=f"逾期承诺{n}", **due(D(2026, 10, 1 + n)))
    published_commitment(world, title="未到期承诺", **due(D(2026, 12, 1)))

    response = client.get(f"/agencies/{world.agency_a.pk}/report-card/", {"year": "2026", "show": "overdue"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert len(ids_in(response.content.decode().split('id="standing-list"')[1])) == 3


@pytest.mark.parametrize("query", [{"year": "二〇二六"}, {"year": "1899"}, {"show": "lost"}])
def test_a_year_or_standing_that_is_not_one_is_answered_400(client: Client, world: City, query: dict[str, str]) -> None:
    assert client.get(f"/agencies/{world.agency_a.pk}/report-card/", query).status_code == 400
    if "year" in query:
        assert client.get(f"/agencies/{world.agency_a.pk}/", query).status_code == 400


def test_an_agency_that_does_not_exist_has_no_report_card(client: Client, world: City) -> None:
    assert client.get("/agencies/999999/report-card/").status_code == 404
    assert client.get("/districts/999999/report-card/").status_code == 404


# Search


def test_the_search_finds_a_commitment_by_two_words_and_counts_it_in_its_tab(client: Client, world: City) -> None:
    wanted = published_commitment(world, title="企业开办一日办结", **due(D(2026, 12, 31)))
    published_of(world, world.agency_b, title="企业开办一日办结", **due(D(2026, 12, 31)))
    published_commitment(world, title="不动产登记三日办结", **due(D(2026, 12, 31)))

    listed = client.get("/search/", {"q": "东城 一日办结", "kind": "commitments"})
    default = client.get("/search/", {"q": "东城 一日办结"})

    assert listed.status_code == 200
    assert ids_in(listed.content.decode()) == [wanted.pk]
    assert listed.context["results"].commitment_count == 1
    # Without a choice nothing else matches both words: the commitments are the list shown.
    assert default.context["results"].shows_commitments
    agencies = client.get("/search/", {"q": "财政"})
    assert not agencies.context["results"].shows_commitments
    # Counted only when asked for (or when nothing else is found): the tab has no number here.
    assert agencies.context["results"].commitment_count is None
    counted = client.get("/search/", {"q": "财政", "kind": "commitments"})
    assert counted.context["results"].commitment_count == 3  # all three are 财政局's
    assert 'id="tab-commitments"' in agencies.content.decode()


def test_the_search_s_commitments_stay_within_the_district(client: Client, world: City) -> None:
    published_commitment(world, title="企业开办一日办结", **due(D(2026, 12, 31)))
    outside = published_of(world, world.agency_b, title="企业开办一日办结", **due(D(2026, 12, 31)))

    response = client.get("/search/", {"q": "一日办结", "kind": "commitments", "district": str(world.district_b.pk)})

    assert ids_in(response.content.decode()) == [outside.pk]


# Query counts and the cache


def test_pages_run_the_same_queries_for_3_or_30_commitments(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    def add(n: int) -> list[Commitment]:
        made = []
        for i in range(n):
            agency = world.agency_a if i % 2 else world.unit_a
            commitment = published_of(world, agency, title=f"承诺事项{i}", **due(D(2026, 10 + i % 3, 1)))
            commitment_report_progress(
                actor=world.office_a, commitment=commitment, reported_on=D(2026, 9, 1), percent=50, narrative="过半。"
            )
            made.append(commitment)
        return made

    first = add(3)
    decided(world, "kept", "已兑现的承诺")
    urls = [
        f"/agencies/{world.agency_a.pk}/",
        f"/agencies/{world.agency_a.pk}/report-card/",
        f"/districts/{world.district_a.pk}/report-card/",
        f"/districts/{world.district_a.pk}/report-card/?show=overdue",
        f"/commitments/{first[0].pk}/",
        "/search/?q=承诺事项&kind=commitments",
    ]
    few = {}
    for url in urls:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        few[url] = len(queries)
    add(27)
    for _ in range(9):
        commitment_report_progress(
            actor=world.office_a, commitment=first[0], reported_on=D(2026, 10, 1), percent=60, narrative="又有进展。"
        )

    for url in urls:
        cache.clear()
        with django_assert_num_queries(few[url]):
            assert client.get(url).status_code == 200


def test_a_progress_report_or_a_stall_makes_the_kept_pages_stale(
    world: City, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    commitment = published_commitment(world, **due(D(2026, 12, 31)))
    before = public_version()

    with django_capture_on_commit_callbacks(execute=True):
        commitment_report_progress(
            actor=world.clerk_a, commitment=commitment, reported_on=D(2026, 10, 1), percent=10, narrative="开工。"
        )
    after_report = public_version()
    with django_capture_on_commit_callbacks(execute=True):
        commitment_mark_stalled(actor=world.reviewer_a, commitment=commitment, reason="资金未到位。")

    assert before != after_report != public_version()


def test_the_report_card_is_kept_and_served_from_the_cache(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    published_commitment(world, **due(D(2026, 12, 31)))
    url = f"/agencies/{world.agency_a.pk}/report-card/?year=2026"
    assert client.get(url).status_code == 200

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_a_new_unit_below_changes_nothing_but_its_own_lists(world: City, client: Client) -> None:
    make_agency("东城区财政局会计服务中心", parent=world.agency_a)
    assert client.get(f"/agencies/{world.agency_a.pk}/report-card/").status_code == 200
