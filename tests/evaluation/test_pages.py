"""Staff pages and API of the evaluation: scope (an outsider gets 404), the freeze button, manual points, Excel,
constant query counts; the public agency page shows the latest frozen grade only."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from evaluation.models import ManualScore, Period, PeriodStatus, Score
from subjects.models import AgencyKind
from tests.conftest import City
from tests.evaluation.conftest import publish
from tests.factories import make_agency

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_district_office_sees_its_district_and_the_clerk_only_its_agency(world: City, period: Period) -> None:
    page = client_for(world.office_a).get(reverse("evaluation:scores"), **ZH)
    assert page.status_code == 200
    shown = set(page.context["scores"].values_list("agency_id", flat=True))
    assert shown == {world.district_a.pk, world.agency_a.pk, world.unit_a.pk}
    page = client_for(world.clerk_a).get(reverse("evaluation:scores"), **ZH)
    assert set(page.context["scores"].values_list("agency_id", flat=True)) == {world.agency_a.pk}
    grade = client_for(world.office_a).get(reverse("evaluation:scores") + "?grade=A&kind=department", **ZH)
    assert set(grade.context["scores"].values_list("agency_id", flat=True)) == {world.agency_a.pk}


def test_an_outsider_gets_404_for_another_units_score(world: City, period: Period) -> None:
    url = reverse("evaluation:score_detail", args=[period.pk, world.agency_a.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.office_b).get(url).status_code == 404
    manual = reverse("evaluation:manual_score", args=[period.pk, world.agency_a.pk])
    assert client_for(world.outsider).get(manual).status_code == 404
    api = client_for(world.outsider).get(
        reverse("api:evaluation_score", args=[Score.objects.get(period=period, agency=world.agency_a).pk])
    )
    assert api.status_code == 404


def test_the_score_page_explains_each_indicator_down_to_the_records(world: City, period: Period) -> None:
    from evaluation.services.recompute import recompute_dirty

    record = publish(world, severity="general")
    recompute_dirty()
    page = client_for(world.office_a).get(reverse("evaluation:score_detail", args=[period.pk, world.agency_a.pk]), **ZH)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("records:record_detail", args=[record.pk]) in body  # the point lost links to the record
    assert "其权重分配给同组其他指标" in body or "无数据" in body


def test_manual_points_with_evidence_every_error_at_once(world: City, period: Period) -> None:
    url = reverse("evaluation:manual_score", args=[period.pk, world.agency_a.pk])
    office = client_for(world.office_a)
    assert client_for(world.clerk_a).get(url).status_code == 403  # sees it, may not enter
    refused = office.post(url, {"points": "-1", "note": ""}, **ZH)
    assert refused.status_code == 200 and set(refused.context["form"].errors) >= {
        "indicator",
        "points",
        "note",
        "evidence",
    }
    assert not ManualScore.objects.exists()
    f1 = period.indicator_set.indicators.get(code="F1")
    too_many = office.post(
        url, {"indicator": f1.pk, "points": "9", "note": "推广", "evidence": SimpleUploadedFile("a.pdf", b"%PDF")}, **ZH
    )
    assert too_many.status_code == 200 and "points" in too_many.context["form"].errors
    done = office.post(
        url,
        {"indicator": f1.pk, "points": "2.5", "note": "经验被推广", "evidence": SimpleUploadedFile("a.pdf", b"%PDF")},
    )
    assert done.status_code == 302
    assert ManualScore.objects.get().points == 2.5


def test_the_freeze_button_asks_for_confirmation(world: City, period: Period, city_office: User) -> None:
    client = client_for(city_office)
    assert client.get(reverse("evaluation:periods"), **ZH).status_code == 200
    client.post(reverse("evaluation:period_freeze", args=[period.pk]), {})
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert (
        client_for(world.office_a)
        .post(reverse("evaluation:period_freeze", args=[period.pk]), {"confirm": "on"})
        .status_code
        == 403
    )
    client.post(reverse("evaluation:period_freeze", args=[period.pk]), {"confirm": "on"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.FROZEN
    public = Client().get(reverse("disclosure:agency", args=[world.agency_a.pk]), **ZH)
    assert "诚信评价" in public.content.decode()


def test_no_live_score_on_the_public_page(world: City, period: Period) -> None:
    public = Client().get(reverse("disclosure:agency", args=[world.agency_a.pk]), **ZH)
    assert public.status_code == 200 and 'id="evaluation-grade"' not in public.content.decode()


def test_sets_pages_export_and_api(world: City, period: Period, city_office: User) -> None:
    client = client_for(city_office)
    assert client.get(reverse("evaluation:sets"), **ZH).status_code == 200
    assert client.get(reverse("evaluation:set_detail", args=[period.indicator_set_id]), **ZH).status_code == 200
    made = client.post(reverse("evaluation:set_new_version", args=[period.indicator_set_id]), {"year": period.year + 1})
    assert made.status_code == 302
    export = client_for(world.office_a).get(reverse("evaluation:score_export") + f"?period={period.pk}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    api = client_for(world.office_a).get(reverse("api:evaluation_scores") + f"?period={period.pk}")
    assert api.status_code == 200
    assert {row["agency"] for row in api.json()["results"]} == {world.district_a.pk, world.agency_a.pk, world.unit_a.pk}
    assert client_for(world.clerk_a).get(reverse("api:evaluation_periods")).status_code == 200
    assert client_for(world.clerk_a).get(reverse("api:evaluation_sets")).status_code == 200


def test_the_scores_list_queries_do_not_grow_with_units(
    world: City, period: Period, django_assert_max_num_queries: Any
) -> None:
    from evaluation import engine

    client = client_for(world.office_a)
    client.get(reverse("evaluation:scores"))
    for n in range(20):
        make_agency(f"东城区第{n}办", parent=world.district_a, kind=AgencyKind.DEPARTMENT)
    engine.recompute(period)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("evaluation:scores"))
    assert page.status_code == 200 and page.context["count"] == 23
