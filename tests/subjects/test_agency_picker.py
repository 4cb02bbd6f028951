"""Agency pickers: the type-ahead's scoped suggestions (JSON) and the text field behind it, which takes a name, a
fragment, a code or the suggestion's "name（code）", only within the user's scope."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import DishonestyRecord
from subjects.agency_picker import AgencyPickerField, agency_label
from subjects.forms import entering_agencies
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_agency

SUGGEST = "/staff/agencies/suggest/"


def suggested(client: Client, q: str, within: str = "visible") -> list[int]:
    response = client.get(SUGGEST, {"q": q, "within": within})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_it_suggests_agencies_by_name_fragment_within_the_scope(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    assert suggested(client, "财政局") == [world.agency_a.pk, world.unit_a.pk]
    row = client.get(SUGGEST, {"q": "财政局"}).json()["results"][0]
    assert row == {
        "id": world.agency_a.pk,
        "name": "东城区财政局",
        "uscc": world.agency_a.uscc,
        "label": f"东城区财政局（{world.agency_a.uscc}）",
        "active": True,
    }


def test_it_suggests_by_the_start_of_the_code_and_by_several_words(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    assert suggested(client, world.unit_a.uscc[:17].lower()) == [world.unit_a.pk]
    assert suggested(client, "东城 支付") == [world.unit_a.pk]


def test_the_outsider_is_suggested_nothing_of_other_districts(client: Client, world: City) -> None:
    client.force_login(world.outsider)

    assert suggested(client, "东城") == []
    assert suggested(client, world.agency_a.uscc) == []
    assert suggested(client, "财政局") == [world.agency_b.pk]


def test_within_enter_offers_only_the_agencies_the_user_enters_records_for(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    assert suggested(client, "东城", within="enter") == [world.agency_a.pk]
    client.force_login(world.inspector_a)
    assert suggested(client, "东城", within="enter") == []


def test_a_bad_suggestion_request_is_a_clear_400(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get(SUGGEST, {"q": "东城", "within": "everything"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_suggestions_need_a_login(client: Client, world: City) -> None:
    assert client.get(SUGGEST, {"q": "东城"}).status_code == 302


def test_an_empty_query_suggests_nothing(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    assert suggested(client, "  ") == []


def test_suggestions_are_capped_and_cost_the_same_queries_however_many_match(client: Client, world: City) -> None:
    def queries() -> int:
        client.force_login(world.office_a)
        with CaptureQueriesContext(connection) as captured:
            suggested(client, "街道")
        return len(captured)

    for n in range(3):
        make_agency(f"东城区街道办事处{n}", parent=world.district_a)
    few = queries()
    for n in range(3, 30):
        make_agency(f"东城区街道办事处{n}", parent=world.district_a)

    assert queries() == few
    assert len(suggested(client, "街道")) == 15


@pytest.mark.parametrize(
    "typed",
    ["东城区财政局", "东城 财政局 ", "{uscc}", "东城区财政局（{uscc}）", "{pk}"],
    ids=["name", "words", "code", "suggestion", "id"],
)
def test_the_field_takes_a_name_a_code_or_a_suggestion(world: City, typed: str) -> None:
    field = AgencyPickerField(entering_agencies(world.clerk_a))

    picked = field.clean(typed.format(uscc=world.agency_a.uscc, pk=world.agency_a.pk))

    assert picked == world.agency_a


def test_the_field_names_the_candidates_when_the_text_is_ambiguous(world: City) -> None:
    field = AgencyPickerField(Agency.objects.visible_to(world.office_a))

    with pytest.raises(ValidationError) as refused:
        field.clean("财政局")

    assert agency_label(world.agency_a) in str(refused.value)
    assert agency_label(world.unit_a) in str(refused.value)


def test_the_field_knows_nothing_outside_the_scope(world: City) -> None:
    field = AgencyPickerField(entering_agencies(world.clerk_a))

    for typed in (world.agency_b.name, world.agency_b.uscc, str(world.agency_b.pk)):
        with pytest.raises(ValidationError, match=r"没有|No agency"):
            field.clean(typed)


def test_the_record_form_saves_with_a_typed_agency_and_shows_it_by_name(client: Client, world: City) -> None:
    from tests.records.test_pages_records import form_data

    client.force_login(world.clerk_a)
    label = agency_label(world.agency_a)

    response = client.post(
        "/staff/records/new/", form_data(world, subject_agency=label, data_source_agency="东城区财政局")
    )

    record = DishonestyRecord.objects.get()
    assert response.status_code == 302
    assert (record.subject_agency, record.data_source_agency) == (world.agency_a, world.agency_a)
    edit = client.get(f"/staff/records/{record.pk}/edit/").content.decode()
    assert f'value="{label}"' in edit
    assert 'role="combobox"' in edit and 'data-suggest-url="/staff/agencies/suggest/?within=enter"' in edit


def test_the_record_form_refuses_an_agency_it_cannot_resolve(client: Client, world: City) -> None:
    from tests.records.test_pages_records import form_data

    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world, subject_agency=world.agency_b.name))

    assert response.status_code == 200
    assert "subject_agency" in response.context["form"].errors
    assert f'value="{world.agency_b.name}"' in response.content.decode()  # what was typed stays
    assert not DishonestyRecord.objects.exists()
