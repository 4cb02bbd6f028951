"""The tendering pages that complete the services: a new version of the scoring scheme, editing a tender project, and
revoking a sanction. Happy paths, the outsider answered 404, bad input answered in Chinese with every value kept and
nothing written, and a revoked sanction gone from the public blacklist with its change sent to the platform."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from outbox.models import ChangeType, PlatformChange
from sectors.models import ScoringScheme, TenderEvent, TenderProject, TenderSanction
from sectors.services.tendering import SANCTION_KIND, behaviour_publish, project_update, sanction_revoke
from tests.conftest import City
from tests.sectors.procurement_support import at
from tests.sectors.tendering_support import (
    D,
    make_project,
    make_scheme,
    project_input,
    record,
    tendering_authority,
)

pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 2)
BIDDER = "临江市某建设工程有限公司"


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with at(TODAY):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scheme_post(scheme: ScoringScheme, **overrides: str) -> dict[str, str]:
    """The new-version form as the page prefills it from `scheme`, with `overrides`."""
    items = list(scheme.items.order_by("code"))
    thresholds = list(scheme.thresholds.order_by("party_kind", "points"))
    data = {
        "code": scheme.code,
        "name": scheme.name,
        "cycle": scheme.cycle,
        "effective_from": "2027-01-01",
        "basis": scheme.basis,
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "thresholds-TOTAL_FORMS": str(len(thresholds) + 1),
        "thresholds-INITIAL_FORMS": str(len(thresholds)),
    }
    for n, item in enumerate(items):
        for name in ("party_kind", "code", "description", "points", "basis"):
            data[f"items-{n}-{name}"] = str(getattr(item, name))
    for n, threshold in enumerate(thresholds):
        for name in ("party_kind", "basis", "points", "sanction", "months"):
            data[f"thresholds-{n}-{name}"] = str(getattr(threshold, name))
    data.update(overrides)
    return data


# A new version of the scoring scheme --------------------------------------------------------------------------------


def test_the_tendering_authority_creates_a_new_version_prefilled_from_the_one_in_effect(world: City) -> None:
    scheme = make_scheme(world.office_a)
    authority = tendering_authority(world.district_a)
    client = signed_in(authority)
    page = client.get("/staff/sectors/tendering/schemes/new/").content.decode()
    assert 'value="串通投标"' in page and 'value="ZTB"' in page
    response = client.post(
        "/staff/sectors/tendering/schemes/new/", scheme_post(scheme, **{"items-2-points": "8", "cycle": "rolling_12"})
    )
    assert response.status_code == 302
    new = ScoringScheme.objects.get(code="ZTB", version=2)
    assert new.effective_from == D(2027, 1, 1) and new.cycle == "rolling_12" and new.created_by == authority
    assert new.items.get(code="B02").points == 8 and new.items.count() == 6 and new.thresholds.count() == 5
    assert scheme.items.get(code="B02").points == 6  # the version in use is untouched


def test_the_credit_office_may_add_a_version_and_an_extra_item_row(world: City) -> None:
    scheme = make_scheme(world.office_a)
    data = scheme_post(
        scheme,
        **{"items-6-party_kind": "bidder", "items-6-code": "B04", "items-6-description": "转包", "items-6-points": "4"},
        **{"items-6-basis": "《招标投标法》第五十八条"},
    )
    assert signed_in(world.office_a).post("/staff/sectors/tendering/schemes/new/", data).status_code == 302
    assert ScoringScheme.objects.get(version=2).items.filter(code="B04", points=4).exists()


@pytest.mark.parametrize("who", ["outsider", "clerk_a", "sector_a"])
def test_only_the_tendering_authority_and_the_credit_office_reach_the_scheme_page(world: City, who: str) -> None:
    scheme = make_scheme(world.office_a)
    client = signed_in(getattr(world, who))
    assert client.get("/staff/sectors/tendering/schemes/new/").status_code == 404
    assert client.post("/staff/sectors/tendering/schemes/new/", scheme_post(scheme)).status_code == 404
    assert ScoringScheme.objects.count() == 1


def test_a_bad_scheme_shows_every_error_at_once_keeps_what_was_typed_and_writes_nothing(world: City) -> None:
    scheme = make_scheme(world.office_a)
    data = scheme_post(
        scheme,
        **{"effective_from": "2024-06-01", "items-0-points": "0", "items-1-code": "B02", "thresholds-0-months": "x"},
        **{"name": "新名称"},
    )
    page = signed_in(world.office_a).post("/staff/sectors/tendering/schemes/new/", data).content.decode()
    assert "新版本的生效日期须晚于该记分办法的最新版本。" in page
    assert "第1个事项：分值须为大于零的整数。" in page and "第3个事项：请填写未被其他事项使用的代码。" in page
    assert 'value="新名称"' in page and 'value="2024-06-01"' in page and 'value="x"' in page
    assert ScoringScheme.objects.count() == 1


def test_a_scheme_version_unreadable_and_wrong_at_once_lists_both(world: City) -> None:
    scheme = make_scheme(world.office_a)
    data = scheme_post(scheme, **{"effective_from": "not a date", "items-0-points": "-3", "cycle": ""})
    response = signed_in(world.office_a).post("/staff/sectors/tendering/schemes/new/", data)
    form = response.context["form"]
    assert "effective_from" in form.errors and "cycle" in form.errors
    assert "第1个事项：分值须为大于零的整数。" in form.non_field_errors()
    assert ScoringScheme.objects.count() == 1


# Editing a tender project -------------------------------------------------------------------------------------------


def test_the_agency_edits_its_tender_project_prefilled(world: City) -> None:
    make_scheme(world.office_a)
    project = make_project(world.clerk_a, world.agency_a, contract_signed_on=None, deposits_refunded_on=None)
    client = signed_in(world.clerk_a)
    url = f"/staff/sectors/tendering/projects/{project.pk}/edit/"
    page = client.get(url).content.decode()
    assert f'value="{project.code}"' in page and 'value="2026-07-01"' in page
    values = {
        name: "" if getattr(project, name) is None else str(getattr(project, name))
        for name in ("code", "name", "agent_name", "agent_uscc", "announced_on", "opened_on", "awarded_on")
    }
    values |= {"winner_name": project.winner_name, "winner_uscc": project.winner_uscc}
    values |= {"contract_signed_on": "2026-07-20", "deposits_refunded_on": "2026-07-23", "name": "改名后的工程"}
    response = client.post(url, values)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.contract_signed_on == D(2026, 7, 20) and project.name == "改名后的工程"


def test_the_outsider_cannot_reach_the_project_edit_page(world: City) -> None:
    project = make_project(world.clerk_a, world.agency_a)
    client = signed_in(world.outsider)
    url = f"/staff/sectors/tendering/projects/{project.pk}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"code": "X", "name": "X", "announced_on": "2026-06-01"}).status_code == 404
    assert TenderProject.objects.get(pk=project.pk).code == project.code


def test_a_bad_project_edit_lists_every_error_keeps_values_and_writes_nothing(world: City) -> None:
    project = make_project(world.clerk_a, world.agency_a)
    url = f"/staff/sectors/tendering/projects/{project.pk}/edit/"
    values = {
        "code": project.code,
        "name": "",
        "announced_on": "2026-06-01",
        "opened_on": "2026-05-01",  # before the announcement
        "awarded_on": "not a date",
        "agent_name": "某代理",
        "agent_uscc": "12345",
        "winner_name": "某中标人",
    }
    response = signed_in(world.clerk_a).post(url, values)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "opened_on", "awarded_on", "agent_uscc"} <= set(errors)
    page = response.content.decode()
    assert "该日期不能早于招标的前一环节。" in page
    assert 'value="12345"' in page and 'value="not a date"' in page and 'value="某代理"' in page
    assert TenderProject.objects.get(pk=project.pk).name == project.name


# Revoking a sanction ------------------------------------------------------------------------------------------------


def barred(world: City) -> list[TenderSanction]:
    make_scheme(world.office_a)
    behaviour = record(world.clerk_a, world.agency_a, item_code="B01", decided_on=D(2026, 9, 1))
    behaviour_publish(actor=world.clerk_a, behaviour=behaviour)
    return list(TenderSanction.objects.filter(kind__in=("suspension", "blacklist")).order_by("pk"))


def test_revoking_a_sanction_takes_the_party_off_the_public_blacklist_and_tells_the_platform(
    world: City, django_capture_on_commit_callbacks: Any
) -> None:
    sanctions = barred(world)
    assert BIDDER in Client().get("/tendering/blacklist/").content.decode()
    authority = tendering_authority(world.district_a)
    client = signed_in(authority)
    page = client.get("/staff/sectors/tendering/sanctions/").content.decode()
    assert f'data-revoke="{sanctions[0].pk}"' in page
    for sanction in sanctions:
        url = f"/staff/sectors/tendering/sanctions/{sanction.pk}/revoke/"
        with django_capture_on_commit_callbacks(execute=True):  # the public pages hear of the change
            assert client.post(url, {"reason": "处罚决定已被行政复议撤销"}).status_code == 302
    revoked = TenderSanction.objects.get(pk=sanctions[0].pk)
    assert revoked.status == "revoked" and revoked.revoked_by == authority and revoked.revoked_on == TODAY
    assert revoked.version == 2 and revoked.revocation_reason == "处罚决定已被行政复议撤销"
    assert BIDDER not in Client().get("/tendering/blacklist/").content.decode()
    change = PlatformChange.objects.get(kind=SANCTION_KIND, object_id=revoked.pk, change_type=ChangeType.REVOKED)
    assert change.version == 2 and change.payload["status"] == "revoked"
    assert "已撤销" in client.get("/staff/sectors/tendering/sanctions/").content.decode()
    listed = {row["id"]: row for row in client.get("/api/v1/sectors/tendering/sanctions/").json()["results"]}
    assert listed[revoked.pk]["status"] == "revoked" and listed[revoked.pk]["revoked_on"] == TODAY.isoformat()
    assert listed[revoked.pk]["revocation_reason"] == "处罚决定已被行政复议撤销"


def test_a_sanction_is_revoked_once_and_only_with_a_reason(world: City) -> None:
    sanction = barred(world)[0]
    with pytest.raises(DomainError):
        sanction_revoke(actor=world.office_a, sanction=sanction, reason="  ")
    assert TenderSanction.objects.get(pk=sanction.pk).status == "applied"
    sanction_revoke(actor=world.office_a, sanction=sanction, reason="决定撤销")
    with pytest.raises(DomainError) as refused:
        sanction_revoke(actor=world.office_a, sanction=sanction, reason="再次撤销")
    assert refused.value.code == "illegal_transition"
    assert PlatformChange.objects.filter(kind=SANCTION_KIND, change_type=ChangeType.REVOKED).count() == 1


def test_a_revocation_without_a_reason_on_the_page_writes_nothing(world: City) -> None:
    sanction = barred(world)[0]
    client = signed_in(world.office_a)
    response = client.post(f"/staff/sectors/tendering/sanctions/{sanction.pk}/revoke/", {"reason": ""}, follow=True)
    assert "请填写撤销处理措施的理由。" in response.content.decode()
    assert TenderSanction.objects.get(pk=sanction.pk).status == "applied"


def test_the_outsider_gets_404_and_the_agency_clerk_may_not_revoke(world: City) -> None:
    sanction = barred(world)[0]
    url = f"/staff/sectors/tendering/sanctions/{sanction.pk}/revoke/"
    assert signed_in(world.outsider).post(url, {"reason": "无"}).status_code == 404
    assert signed_in(world.office_b).post(url, {"reason": "无"}).status_code == 404
    clerk = signed_in(world.clerk_a)
    assert f'data-revoke="{sanction.pk}"' not in clerk.get("/staff/sectors/tendering/sanctions/").content.decode()
    assert clerk.post(url, {"reason": "无"}).status_code == 403
    with pytest.raises(NotAllowed):
        sanction_revoke(actor=world.clerk_a, sanction=sanction, reason="无")
    assert TenderSanction.objects.get(pk=sanction.pk).status == "applied"


def test_every_move_of_tendering_is_on_a_timeline_with_who_did_it(world: City) -> None:
    sanction = barred(world)[0]
    authority = tendering_authority(world.district_a)
    sanction_revoke(actor=authority, sanction=sanction, reason="处罚决定已被行政复议撤销")
    behaviour = sanction.trigger
    kinds = list(TenderEvent.objects.filter(party=sanction.party).values_list("kind", "actor_id"))
    assert kinds[:2] == [("recorded", world.clerk_a.pk), ("sanction_applied", None)]
    assert ("published", world.clerk_a.pk) in kinds and ("sanction_published", None) in kinds
    assert kinds[-1] == ("sanction_revoked", authority.pk)
    page = signed_in(world.clerk_a).get(f"/staff/sectors/tendering/{behaviour.pk}/").content.decode()
    assert 'data-kind="sanction_revoked"' in page and "处罚决定已被行政复议撤销" in page

    project = make_project(world.clerk_a, world.agency_a, contract_signed_on=D(2026, 8, 20), deposits_refunded_on=None)
    project_update(
        actor=world.clerk_a,
        project=project,
        data=project_input(
            world.agency_a, code=project.code, contract_signed_on=D(2026, 8, 20), deposits_refunded_on=D(2026, 8, 30)
        ),
    )
    events = list(project.events.values_list("kind", flat=True))
    assert events == ["project_created", "breach_found", "breach_found", "project_edited"]
    page = signed_in(world.clerk_a).get(f"/staff/sectors/tendering/projects/{project.pk}/").content.decode()
    assert page.count('data-kind="breach_found"') == 2
