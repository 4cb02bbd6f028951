"""Debt edits on the staff pages and the API: a bond, a repayment and a region's year corrected through the services'
one check; a later payment recorded (page and API) with the late flag and the job kept right; the outsider refused;
bad input keeps what was typed and writes nothing; the lists' query counts do not grow with rows."""

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from kernel.errors import DomainError
from outbox.models import ChangeType, PlatformChange
from sectors.models import DebtBond, DebtRegionYear, DebtRepayment
from sectors.services.debt import (
    DEBT_YEAR_KIND,
    debt_bond_update,
    debt_repayment_pay,
    debt_repayment_update,
    debt_repayments_watch,
    debt_year_publish,
)
from tests.conftest import City
from tests.sectors.debt_support import TODAY, D, bond_values, make_bond, make_repayment, make_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def staff(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bond_post(bond: DebtBond, **changes: str) -> dict[str, str]:
    data = {
        "region": str(bond.region_id),
        "code": bond.code,
        "kind": bond.kind,
        "amount": str(bond.amount),
        "issued_on": bond.issued_on.isoformat(),
        "term_years": str(bond.term_years),
        "rate": str(bond.rate),
        "use_of_funds": bond.use_of_funds,
        "project": bond.project,
        "revenue_plan": bond.revenue_plan,
    }
    data.update(changes)
    return data


def repayment_post(repayment: DebtRepayment, **changes: str) -> dict[str, str]:
    data = {
        "bond": str(repayment.bond_id),
        "kind": repayment.kind,
        "due_on": repayment.due_on.isoformat(),
        "amount_due": str(repayment.amount_due),
        "paid_amount": str(repayment.paid_amount),
        "paid_on": repayment.paid_on.isoformat() if repayment.paid_on else "",
    }
    data.update(changes)
    return data


def test_it_edits_a_bond_on_a_prefilled_page(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    client = staff(world.office_a)

    page = client.get(f"/staff/sectors/debt/bonds/{bond.pk}/edit/")
    assert page.status_code == 200
    assert 'value="2101001"' in page.content.decode() and "城市道路改造" in page.content.decode()

    saved = client.post(f"/staff/sectors/debt/bonds/{bond.pk}/edit/", bond_post(bond, amount="120", rate="3.5"))

    assert saved.status_code == 302
    bond.refresh_from_db()
    assert bond.amount == Decimal("120") and bond.rate == Decimal("3.5") and bond.code == "2101001"


def test_a_bad_bond_edit_shows_every_error_keeps_what_was_typed_and_writes_nothing(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    make_bond(world.office_a, world.district_a, code="OTHER")

    response = staff(world.office_a).post(
        f"/staff/sectors/debt/bonds/{bond.pk}/edit/",
        bond_post(bond, code="OTHER", kind="special", use_of_funds="新学校建设", project="", revenue_plan=""),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "已" in html and "专项债券" in html  # the code clash and the special bond's project, at once
    assert len(response.context["form"].errors) >= 3
    assert "新学校建设" in html
    bond.refresh_from_db()
    assert bond.code == "2101001" and bond.kind == "general" and bond.use_of_funds == "城市道路改造"


def test_a_bond_cannot_be_issued_after_one_of_its_repayments_falls_due(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    make_repayment(world.office_a, bond, due_on=D(2022, 3, 1))
    with pytest.raises(DomainError) as refused:
        debt_bond_update(actor=world.office_a, bond=bond, values=bond_values(world.district_a, issued_on=D(2023, 1, 1)))
    assert "issued_on" in (refused.value.field_errors() or {})
    assert DebtBond.objects.get(pk=bond.pk).issued_on == D(2021, 3, 1)


def test_it_edits_a_repayment_and_judges_the_late_flag_again(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a), due_on=D(2026, 3, 1))
    debt_repayments_watch()
    assert DebtRepayment.objects.get(pk=repayment.pk).late

    saved = staff(world.office_a).post(
        f"/staff/sectors/debt/repayments/{repayment.pk}/edit/", repayment_post(repayment, due_on="2026-12-01")
    )

    assert saved.status_code == 302
    repayment.refresh_from_db()
    assert repayment.due_on == D(2026, 12, 1) and not repayment.late
    assert debt_repayments_watch().marked_late == 0


def test_a_bad_repayment_edit_keeps_what_was_typed_and_writes_nothing(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    repayment = make_repayment(world.office_a, bond)
    make_repayment(world.office_a, bond, due_on=D(2025, 3, 1))

    response = staff(world.office_a).post(
        f"/staff/sectors/debt/repayments/{repayment.pk}/edit/",
        repayment_post(repayment, due_on="2025-03-01", amount_due="7.77", paid_amount="1", paid_on=""),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "due_on" in errors and "paid_on" in errors
    assert 'value="7.77"' in response.content.decode()
    assert DebtRepayment.objects.get(pk=repayment.pk).amount_due == Decimal("3.25")


def test_a_repayment_cannot_be_edited_to_clash_with_another_through_the_service(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    repayment = make_repayment(world.office_a, bond)
    make_repayment(world.office_a, bond, due_on=D(2025, 3, 1))
    values = {"bond": bond, "kind": "interest", "due_on": D(2025, 3, 1), "amount_due": Decimal("1")}
    with pytest.raises(DomainError):
        debt_repayment_update(actor=world.office_a, repayment=repayment, values=values)
    unchanged = {"bond": bond, "kind": "interest", "due_on": D(2026, 3, 1), "amount_due": Decimal("4")}
    assert debt_repayment_update(actor=world.office_a, repayment=repayment, values=unchanged).amount_due == 4


def test_a_later_payment_is_recorded_on_its_page_and_stays_late(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a), due_on=D(2026, 3, 1))
    debt_repayments_watch()
    client = staff(world.office_a)

    page = client.get(f"/staff/sectors/debt/repayments/{repayment.pk}/pay/")
    assert page.status_code == 200 and "2026-03-01" in page.content.decode()
    saved = client.post(
        f"/staff/sectors/debt/repayments/{repayment.pk}/pay/", {"paid_amount": "3.25", "paid_on": "2026-10-30"}
    )

    assert saved.status_code == 302
    repayment.refresh_from_db()
    assert repayment.is_paid and repayment.paid_on == D(2026, 10, 30) and repayment.late
    assert debt_repayments_watch().marked_late == 0


def test_a_payment_in_full_by_the_due_date_is_not_late(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a), due_on=D(2026, 3, 1))
    debt_repayments_watch()
    paid = debt_repayment_pay(
        actor=world.office_a, repayment=repayment, paid_amount=Decimal("3.25"), paid_on=D(2026, 2, 27)
    )
    assert not paid.late
    assert debt_repayments_watch().marked_late == 0


def test_a_bad_payment_keeps_what_was_typed_and_writes_nothing(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a))
    response = staff(world.office_a).post(
        f"/staff/sectors/debt/repayments/{repayment.pk}/pay/", {"paid_amount": "0", "paid_on": "2027-01-05"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "paid_amount" in errors and "paid_on" in errors
    assert "2027-01-05" in response.content.decode() and "不能晚于今天" in response.content.decode()
    repayment.refresh_from_db()
    assert repayment.paid_amount == 0 and repayment.paid_on is None


def test_the_api_records_a_later_payment(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a))
    client = api(world.office_a)
    url = f"/api/v1/sectors/debt/repayments/{repayment.pk}/pay/"

    refused = client.post(url, {"paid_amount": "-1", "paid_on": "2026-10-01"}, format="json")
    assert refused.status_code == 400
    assert DebtRepayment.objects.get(pk=repayment.pk).paid_amount == 0

    paid = client.post(url, {"paid_amount": "3.25", "paid_on": "2026-10-01"}, format="json")
    assert paid.status_code == 200, paid.json()
    assert paid.json()["paid_amount"] == "3.25" and paid.json()["late"] is True
    assert (
        api(world.outsider).post(url, {"paid_amount": "1", "paid_on": "2026-10-01"}, format="json").status_code == 404
    )


def test_the_pay_action_is_in_the_schema() -> None:
    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        schema = Client().get("/api/v1/schema/?format=json")
    assert "/api/v1/sectors/debt/repayments/{id}/pay/" in schema.content.decode()


def test_it_edits_an_unpublished_year_and_shows_a_balance_above_its_limit_as_a_field_error(world: City) -> None:
    row = make_year(world.office_a, world.district_a)
    client = staff(world.office_a)
    url = f"/staff/sectors/debt/years/{row.pk}/edit/"
    figures = {
        "region": str(world.city.pk),  # a disabled field: ignored, the row's region stays
        "year": "2020",
        "limit_general": "600",
        "limit_special": "400",
        "balance_general": "650",
        "balance_special": "300",
        "fiscal_capacity": "1000",
    }

    assert 'value="500.00"' in client.get(url).content.decode()
    refused = client.post(url, figures)
    assert refused.status_code == 400
    assert "balance_general" in refused.context["form"].errors and "超过" in refused.content.decode()
    assert 'value="650"' in refused.content.decode()
    assert DebtRegionYear.objects.get(pk=row.pk).balance_general == Decimal("500")

    saved = client.post(url, {**figures, "balance_general": "550"})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert row.balance_general == Decimal("550") and row.year == 2026 and row.region == world.district_a
    assert DebtRegionYear.objects.count() == 1


def test_a_published_year_is_corrected_as_a_new_version_and_the_page_says_so(world: City) -> None:
    row = debt_year_publish(actor=world.office_a, row=make_year(world.office_a, world.district_a))
    client = staff(world.office_a)
    url = f"/staff/sectors/debt/years/{row.pk}/edit/"
    assert 'id="debt-form-note"' in client.get(url).content.decode()
    figures = {"limit_general": "600", "limit_special": "400", "balance_general": "450"}
    saved = client.post(url, {**figures, "balance_special": "300", "fiscal_capacity": "1000"})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert row.balance_general == Decimal("450") and row.version == 2


def test_the_outsider_finds_none_of_the_edit_pages(world: City) -> None:
    row = make_year(world.office_a, world.district_a)
    bond = make_bond(world.office_a, world.district_a)
    repayment = make_repayment(world.office_a, bond)
    client = staff(world.outsider)
    for url in (
        f"/staff/sectors/debt/years/{row.pk}/edit/",
        f"/staff/sectors/debt/bonds/{bond.pk}/edit/",
        f"/staff/sectors/debt/repayments/{repayment.pk}/edit/",
        f"/staff/sectors/debt/repayments/{repayment.pk}/pay/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"paid_amount": "1", "paid_on": "2026-10-01"}).status_code == 404, url
    assert DebtRepayment.objects.get(pk=repayment.pk).paid_amount == 0


def test_the_lists_link_to_the_edits_only_for_who_may_enter(world: City) -> None:
    make_year(world.office_a, world.district_a)
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a))
    office = staff(world.office_a)
    assert (
        f"/staff/sectors/debt/repayments/{repayment.pk}/pay/"
        in office.get("/staff/sectors/debt/repayments/").content.decode()
    )
    assert "/edit/" in office.get("/staff/sectors/debt/bonds/").content.decode()
    assert "/edit/" in office.get("/staff/sectors/debt/").content.decode()

    inspector = staff(world.inspector_a)
    for url in ("/staff/sectors/debt/", "/staff/sectors/debt/bonds/", "/staff/sectors/debt/repayments/"):
        html = inspector.get(url).content.decode()
        assert "/edit/" not in html and "/pay/" not in html and "/publish/" not in html and "/new/" not in html, url
    assert inspector.get(f"/staff/sectors/debt/repayments/{repayment.pk}/pay/").status_code in (403, 404)


@pytest.mark.parametrize("url", ["/staff/sectors/debt/bonds/", "/staff/sectors/debt/repayments/"])
def test_the_lists_with_their_links_take_a_constant_number_of_queries(
    world: City, django_assert_max_num_queries: object, url: str
) -> None:
    make_repayment(world.office_a, make_bond(world.office_a, world.district_a, code="B0"))
    client = staff(world.office_a)
    with django_assert_max_num_queries(20) as few:  # type: ignore[operator]
        client.get(url)
    for n in range(1, 6):
        make_repayment(world.office_a, make_bond(world.office_a, world.district_a, code=f"B{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined, operator]
        client.get(url)


def test_a_payment_on_a_published_year_tells_the_platform_the_corrected_ratios_once(world: City) -> None:
    repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a), due_on=D(2026, 3, 1))
    row = debt_year_publish(actor=world.office_a, row=make_year(world.office_a, world.district_a))
    told = PlatformChange.objects.filter(kind=DEBT_YEAR_KIND, object_id=row.pk).order_by("version")
    assert [c.change_type for c in told] == [ChangeType.PUBLISHED]
    assert Decimal(told[0].payload["indicators"]["overdue_ratio"]) == 1  # due 1 March, nothing paid by November

    paid_on = D(2026, 10, 30)
    debt_repayment_pay(actor=world.office_a, repayment=repayment, paid_amount=Decimal("3.25"), paid_on=paid_on)
    changes = list(told.all())
    assert [c.change_type for c in changes] == [ChangeType.PUBLISHED, ChangeType.CORRECTED]
    assert Decimal(changes[-1].payload["indicators"]["overdue_ratio"]) == 0 and changes[-1].version == 2

    # The same figures again: nothing new to tell.
    same = {"bond": repayment.bond, "kind": "interest", "due_on": D(2026, 3, 1), "amount_due": Decimal("3.25")}
    debt_repayment_update(
        actor=world.office_a, repayment=repayment, values={**same, "paid_amount": Decimal("3.25"), "paid_on": paid_on}
    )
    assert told.all().count() == 2
    # A repayment of another, unpublished year changes nothing the platform was told.
    make_repayment(world.office_a, repayment.bond, due_on=D(2027, 3, 1))
    assert told.all().count() == 2
