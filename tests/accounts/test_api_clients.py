"""API clients: other systems' credentials with scopes (accounts.ApiClient), issued and revoked by an administrator,
every use logged; what each scope reaches is accounts/scope.py's."""

import datetime
import io
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.authentication import CLIENT_KEY_PREFIX, api_token_issue, token_digest
from accounts.models import ApiClient, ApiClientUse, ApiScope, Role, User
from accounts.scope import agency_q, may_call_api, may_enter_records_for, people_q, record_q
from accounts.services import api_client_change, api_client_issue, api_client_revoke, api_client_rotate_key
from kernel.errors import DomainError
from records.models import DishonestyRecord, RecordStatus
from records.services import record_publish, record_submit
from subjects.codes import make_uscc
from subjects.models import Agency, CivilServant
from tests.client_support import api_client_for, issue_client, keyed
from tests.conftest import City
from tests.factories import make_record
from workcalendar.services import calendar_year_seed

READ, WRITE, PUBLIC = ApiScope.RECORDS_READ.value, ApiScope.RECORDS_WRITE.value, ApiScope.PUBLIC_READ.value
RECORDS = "/api/v1/records/"
ME = "/api/v1/me/"
COURT_USCC = make_uscc("11330100000000003")
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _late_2026() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        yield


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def record_body(world: City, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_agency": world.agency_a.pk,
        "source": "breach_of_contract",
        "sector": "procurement",
        "severity": "general",
        "document_number": f"东财系统〔2026〕{next(_numbers)}号",
        "deciding_body_name": "临江市中级人民法院",
        "deciding_body_uscc": COURT_USCC,
        "decision_date": "2026-06-01",
        "facts": "拖欠中小企业货款逾期未支付。",
        "legal_basis": "《保障中小企业款项支付条例》第八条",
    }
    body.update(overrides)
    return body


@pytest.fixture
def records(world: City) -> dict[str, DishonestyRecord]:
    """One draft each about agency A, its sub-unit and agency B."""
    return {
        "a": make_record(world.clerk_a, world.agency_a),
        "unit": make_record(world.clerk_a, world.unit_a, source_agency=world.agency_a),
        "b": make_record(world.outsider, world.agency_b),
    }


# Issuing and authenticating --------------------------------------------------------------------------------------


def test_it_issues_a_client_whose_key_is_shown_once_and_stored_as_a_digest(world: City) -> None:
    client, key = issue_client(world.admin, PUBLIC, name="市信用平台同步")

    assert key.startswith(CLIENT_KEY_PREFIX) and len(key) > 40
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.digest == token_digest(key) and key not in str(ApiClient.objects.values().get(pk=client.pk))
    assert stored.prefix == key[len(CLIENT_KEY_PREFIX) :][:8]
    assert stored.created_by == world.admin and stored.scopes == {PUBLIC}
    service = stored.user
    assert (service.role, service.is_staff, service.is_superuser, service.has_usable_password()) == (
        Role.API_CLIENT,
        False,
        False,
        False,
    )


def test_me_tells_a_client_who_it_is(world: City) -> None:
    _client, api = api_client_for(world.admin, WRITE, write=world.agency_a)

    me = api.get(ME)

    assert me.status_code == 200, me.content
    assert me.json()["roles"] == ["api_client"]
    assert me.json()["agency"]["id"] == world.agency_a.pk
    assert me.json()["may_see_full_id_numbers"] is False


def test_a_revoked_client_is_refused_with_401(world: City) -> None:
    client, key = issue_client(world.admin, READ, read=[world.district_a])
    api_client_revoke(actor=world.admin, client=client)

    assert_error(keyed(key).get(RECORDS), 401, "authentication_failed")
    assert_error(keyed(key).get(ME), 401, "authentication_failed")
    assert ApiClient.objects.get(pk=client.pk).revoked_by == world.admin


@pytest.mark.parametrize("key", [f"{CLIENT_KEY_PREFIX}not-a-real-key", f"{CLIENT_KEY_PREFIX}"])
def test_an_unknown_client_key_is_refused_and_logs_nothing(world: City, key: str) -> None:
    assert_error(keyed(key).get(ME), 401, "authentication_failed")
    assert not ApiClientUse.objects.exists()


def test_a_new_key_replaces_the_old_one_at_once(world: City) -> None:
    client, old = issue_client(world.admin, PUBLIC)

    _client, new = api_client_rotate_key(actor=world.admin, client=client)

    assert_error(keyed(old).get(ME), 401, "authentication_failed")
    assert keyed(new).get(ME).status_code == 200


def test_a_revoked_client_gets_no_new_key_and_no_changes(world: City) -> None:
    client, _key = issue_client(world.admin, PUBLIC)
    api_client_revoke(actor=world.admin, client=client)

    with pytest.raises(DomainError):
        api_client_rotate_key(actor=world.admin, client=client)
    with pytest.raises(DomainError):
        api_client_change(actor=world.admin, client=client, name="新名称", scopes=[PUBLIC])


def test_the_service_account_cannot_sign_in_or_get_a_token(world: City) -> None:
    client, _key = issue_client(world.admin, WRITE, write=world.agency_a)

    response = APIClient().post("/api/v1/auth/token/", {"username": client.user.username, "password": "x" * 12})

    assert_error(response, 400, "invalid_credentials")
    assert not client.user.has_usable_password()


def test_a_person_token_still_works_beside_client_keys(world: City) -> None:
    _token, key = api_token_issue(user=world.clerk_a)

    assert not key.startswith(CLIENT_KEY_PREFIX)
    assert keyed(key).get(ME).json()["username"] == "clerk-a"


@pytest.mark.parametrize(
    ("scopes", "read", "write", "field"),
    [
        ((), False, False, "scopes"),
        (("records:delete",), False, False, "scopes"),
        ((READ,), False, False, "read_agencies"),
        ((PUBLIC,), True, False, "read_agencies"),
        ((WRITE,), False, False, "write_agency"),
        ((PUBLIC,), False, True, "write_agency"),
    ],
)
def test_it_refuses_scopes_without_their_agencies_and_writes_nothing(
    world: City, scopes: tuple[str, ...], read: bool, write: bool, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        api_client_issue(
            actor=world.admin,
            name="对接系统",
            scopes=scopes,
            read_agencies=[world.district_a] if read else [],
            write_agency=world.agency_a if write else None,
        )

    assert refused.value.field == field
    assert not ApiClient.objects.exists()
    assert not User.objects.filter(role=Role.API_CLIENT).exists()


def test_two_active_clients_cannot_share_a_name_but_a_revoked_one_frees_it(world: City) -> None:
    first, _key = issue_client(world.admin, PUBLIC, name="审计系统")
    with pytest.raises(DomainError) as refused:
        issue_client(world.admin, PUBLIC, name="审计系统")
    assert refused.value.field == "name"

    api_client_revoke(actor=world.admin, client=first)

    assert issue_client(world.admin, PUBLIC, name="审计系统")[0].pk != first.pk


# What each scope reaches -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [RECORDS, "/api/v1/agencies/", "/api/v1/civil-servants/", "/api/v1/objections/", "/api/v1/complaints/"],
)
def test_a_public_read_client_is_refused_the_staff_endpoints(world: City, url: str) -> None:
    _client, api = api_client_for(world.admin, PUBLIC)

    error = assert_error(api.get(url), 403, "insufficient_scope")
    assert "范围" in error["message"] or "scope" in error["message"]


def test_a_records_read_client_sees_its_agencies_subtrees_only(
    world: City, records: dict[str, DishonestyRecord]
) -> None:
    _client, api = api_client_for(world.admin, READ, read=[world.agency_a])

    assert ids(api.get(RECORDS)) == {records["a"].pk, records["unit"].pk}
    assert api.get(f"{RECORDS}{records['b'].pk}/").status_code == 404
    assert ids(api.get("/api/v1/agencies/")) == {world.agency_a.pk, world.unit_a.pk}


def test_a_records_read_client_with_two_agencies_sees_both(world: City, records: dict[str, DishonestyRecord]) -> None:
    _client, api = api_client_for(world.admin, READ, read=[world.unit_a, world.agency_b])

    assert ids(api.get(RECORDS)) == {records["unit"].pk, records["b"].pk}


def test_a_records_read_client_cannot_write_or_read_people(world: City, records: dict[str, DishonestyRecord]) -> None:
    _client, api = api_client_for(world.admin, READ, read=[world.district_a])
    before = DishonestyRecord.objects.count()

    assert_error(api.post(RECORDS, record_body(world), format="json"), 403, "insufficient_scope")
    assert_error(api.patch(f"{RECORDS}{records['a'].pk}/", {"facts": "改"}, format="json"), 403, "insufficient_scope")
    assert_error(api.post(f"{RECORDS}{records['a'].pk}/submit/"), 403, "insufficient_scope")
    assert_error(api.get("/api/v1/civil-servants/"), 403, "insufficient_scope")
    assert DishonestyRecord.objects.count() == before


def test_a_records_write_client_enters_and_submits_records_for_its_agency(world: City) -> None:
    client, api = api_client_for(world.admin, WRITE, write=world.agency_a)

    created = api.post(RECORDS, record_body(world), format="json")
    assert created.status_code == 201, created.content
    record = DishonestyRecord.objects.get(pk=created.json()["id"])
    assert (record.data_source_agency, record.created_by) == (world.agency_a, client.user)

    submitted = api.post(f"{RECORDS}{record.pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == RecordStatus.SUBMITTED
    assert [event["actor"] for event in submitted.json()["events"]] == [client.user.username] * 2


def test_a_records_write_client_writes_for_no_other_agency(world: City, records: dict[str, DishonestyRecord]) -> None:
    _client, api = api_client_for(world.admin, WRITE, write=world.agency_a)
    before = DishonestyRecord.objects.count()

    other = api.post(RECORDS, record_body(world, subject_agency=world.agency_b.pk), format="json")
    below = api.post(RECORDS, record_body(world, subject_agency=world.unit_a.pk), format="json")

    assert assert_error(other, 400, "invalid")["fields"].keys() == {"subject_agency"}
    assert assert_error(below, 400, "invalid")["fields"].keys() == {"subject_agency"}
    assert DishonestyRecord.objects.count() == before
    assert api.get(f"{RECORDS}{records['b'].pk}/").status_code == 404
    assert ids(api.get(RECORDS)) == {records["a"].pk, records["unit"].pk}  # supplied by agency A


def test_a_records_write_client_takes_no_decision(world: City) -> None:
    calendar_year_seed(year=2026)
    _client, api = api_client_for(world.admin, WRITE, READ, write=world.agency_a, read=[world.district_a])
    record = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))

    for step in ("publish", "return", "revoke", "correct"):
        assert_error(api.post(f"{RECORDS}{record.pk}/{step}/", {"reason": "x"}), 403, "insufficient_scope")
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_a_records_write_client_names_people_of_its_agency_only(world: City) -> None:
    _client, api = api_client_for(world.admin, WRITE, write=world.agency_a)

    people = api.get("/api/v1/civil-servants/")

    assert ids(people) == set(CivilServant.objects.filter(agency=world.agency_a).values_list("pk", flat=True))
    assert api.get(f"/api/v1/civil-servants/{world.person_b.pk}/").status_code == 404
    assert_error(api.get(f"/api/v1/civil-servants/{world.person_a.pk}/integrity-file/"), 403, "insufficient_scope")


def test_scope_decides_for_clients_in_one_place(world: City) -> None:
    reader, _ = issue_client(world.admin, READ, read=[world.district_a])
    writer, _ = issue_client(world.admin, WRITE, write=world.agency_a)
    public, _ = issue_client(world.admin, PUBLIC)

    assert set(Agency.objects.filter(agency_q(reader.user))) == {world.district_a, world.agency_a, world.unit_a}
    assert set(Agency.objects.filter(agency_q(writer.user))) == {world.agency_a}
    assert not Agency.objects.filter(agency_q(public.user)).exists()
    assert not DishonestyRecord.objects.filter(record_q(public.user)).exists()
    assert not CivilServant.objects.filter(people_q(reader.user)).exists()
    assert may_enter_records_for(writer.user, world.agency_a)
    assert not may_enter_records_for(writer.user, world.unit_a)
    assert not may_enter_records_for(reader.user, world.agency_a)
    assert may_call_api(world.clerk_a, frozenset())  # people: their querysets scope them
    assert not may_call_api(public.user, frozenset({READ, WRITE}))

    api_client_revoke(actor=world.admin, client=reader)
    reader.user.refresh_from_db()
    assert not Agency.objects.filter(agency_q(reader.user)).exists()


# The use log ------------------------------------------------------------------------------------------------------


def test_every_request_is_logged_with_one_insert(world: City) -> None:
    client, api = api_client_for(world.admin, READ, read=[world.district_a])
    api.get(ME)  # the first request of the minute also notes last_used_at

    with CaptureQueriesContext(connection) as queries:
        response = api.get(RECORDS, REMOTE_ADDR="10.1.2.3")

    touching_log = [q["sql"] for q in queries.captured_queries if "accounts_apiclientuse" in q["sql"]]
    assert len(touching_log) == 1 and touching_log[0].startswith("INSERT")
    use = ApiClientUse.objects.first()
    assert use is not None
    assert (use.client_id, use.method, use.path, use.status_code, use.remote_addr) == (
        client.pk,
        "GET",
        RECORDS,
        response.status_code,
        "10.1.2.3",
    )
    assert ApiClientUse.objects.filter(client=client).count() == 2
    assert ApiClient.objects.get(pk=client.pk).last_used_at is not None


def test_refused_uses_of_a_known_client_are_logged_too(world: City) -> None:
    client, key = issue_client(world.admin, PUBLIC)
    keyed(key).get(RECORDS)
    api_client_revoke(actor=world.admin, client=client)
    keyed(key).get(RECORDS)

    assert list(ApiClientUse.objects.filter(client=client).order_by("pk").values_list("status_code", flat=True)) == [
        403,
        401,
    ]


def test_people_s_requests_are_not_in_the_client_log(world: City) -> None:
    _token, key = api_token_issue(user=world.clerk_a)
    keyed(key).get(RECORDS)

    assert not ApiClientUse.objects.exists()


# The admin console and the command -------------------------------------------------------------------------------


def admin_client(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def keys_shown(response: Any) -> list[str]:
    """The keys the console's messages show (each runs from its prefix to the end of a word)."""
    shown = [text for text in messages_of(response) if CLIENT_KEY_PREFIX in text]
    return [text[text.index(CLIENT_KEY_PREFIX) :].split()[0] for text in shown]


def test_an_administrator_issues_a_client_in_the_console_and_reads_the_key_once(world: City) -> None:
    browser = admin_client(world.admin)

    response = browser.post(
        reverse("admin:accounts_apiclient_add"),
        {
            "name": "东城区审计系统",
            "description": "审计局对账",
            "contact": "王工 0571-1234567",
            "scope_records_read": "on",
            "read_agencies": [world.district_a.pk],
        },
        follow=True,
    )

    client = ApiClient.objects.get(name="东城区审计系统")
    (key,) = keys_shown(response)
    assert token_digest(key) == client.digest
    assert set(client.read_agencies.all()) == {world.district_a}
    assert keyed(key).get(ME).status_code == 200
    assert key not in browser.get(reverse("admin:accounts_apiclient_change", args=[client.pk])).content.decode()


def test_the_console_shows_a_scope_rule_as_a_form_error_and_writes_nothing(world: City) -> None:
    response = admin_client(world.admin).post(
        reverse("admin:accounts_apiclient_add"), {"name": "缺单位", "scope_records_write": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not ApiClient.objects.exists()


def test_the_console_changes_a_client_s_scopes_and_its_key_keeps_working(world: City) -> None:
    client, key = issue_client(world.admin, PUBLIC, name="审计系统")

    response = admin_client(world.admin).post(
        reverse("admin:accounts_apiclient_change", args=[client.pk]),
        {"name": "审计系统", "scope_records_write": "on", "write_agency": world.agency_a.pk},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    client.refresh_from_db()
    assert (client.scopes, client.write_agency, client.user.agency) == ({WRITE}, world.agency_a, world.agency_a)
    assert keyed(key).post(RECORDS, record_body(world), format="json").status_code == 201


def test_the_console_actions_issue_a_new_key_and_revoke(world: City) -> None:
    client, old = issue_client(world.admin, PUBLIC)
    browser = admin_client(world.admin)
    changelist = reverse("admin:accounts_apiclient_changelist")

    rotated = browser.post(changelist, {"action": "issue_new_key", "_selected_action": [client.pk]}, follow=True)
    (key,) = keys_shown(rotated)
    assert keyed(key).get(ME).status_code == 200
    assert keyed(old).get(ME).status_code == 401

    browser.post(changelist, {"action": "revoke", "_selected_action": [client.pk]}, follow=True)
    assert keyed(key).get(ME).status_code == 401
    assert ApiClient.objects.get(pk=client.pk).revoked_at is not None


def test_the_use_log_is_read_only_in_the_console_and_filters(world: City) -> None:
    client, api = api_client_for(world.admin, PUBLIC)
    api.get(ME)
    api.get(RECORDS)
    browser = admin_client(world.admin)
    changelist = reverse("admin:accounts_apiclientuse_changelist")

    assert browser.get(changelist).status_code == 200
    refused = browser.get(changelist, {"status_code": 403, "client__id__exact": client.pk})
    assert [use.path for use in refused.context["cl"].result_list] == [RECORDS]
    assert browser.get(reverse("admin:accounts_apiclientuse_add")).status_code == 403
    use = ApiClientUse.objects.first()
    assert use is not None
    page = browser.post(reverse("admin:accounts_apiclientuse_change", args=[use.pk]), {"path": "/x/"})
    assert page.status_code == 403
    assert ApiClientUse.objects.get(pk=use.pk).path != "/x/"


def test_only_administrators_open_api_clients_in_the_console(world: City) -> None:
    issue_client(world.admin, PUBLIC)
    browser = admin_client(world.office_a)

    assert browser.get(reverse("admin:accounts_apiclient_changelist")).status_code == 403
    assert browser.get(reverse("admin:accounts_apiclientuse_changelist")).status_code == 403


def test_service_accounts_stay_out_of_user_management(world: City) -> None:
    client, _key = issue_client(world.admin, PUBLIC)
    browser = admin_client(world.admin)

    users = browser.get(reverse("admin:accounts_user_changelist"))

    assert client.user not in users.context["cl"].result_list
    assert browser.get(reverse("admin:accounts_user_change", args=[client.user.pk])).status_code == 302


def test_the_command_issues_a_client_and_prints_its_key_once(world: City) -> None:
    out = io.StringIO()

    call_command(
        "api_client_issue", "--name", "财政局业务系统", "--scope", WRITE, "--agency", world.agency_a.uscc, stdout=out
    )

    keys = [line for line in out.getvalue().splitlines() if line.startswith(CLIENT_KEY_PREFIX)]
    assert len(keys) == 1
    client = ApiClient.objects.get(name="财政局业务系统")
    assert (client.digest, client.write_agency, client.scopes) == (token_digest(keys[0]), world.agency_a, {WRITE})


def test_the_command_reads_several_agencies(world: City) -> None:
    call_command(
        "api_client_issue",
        "--name=两区",
        f"--scope={READ}",
        f"--scope={PUBLIC}",
        f"--agency={world.district_a.uscc}",
        f"--agency={world.district_b.uscc}",
        stdout=io.StringIO(),
    )

    client = ApiClient.objects.get(name="两区")
    assert set(client.read_agencies.all()) == {world.district_a, world.district_b}
    assert client.scopes == {READ, PUBLIC}


@pytest.mark.parametrize(
    "arguments",
    [
        ["--scope", READ],  # no agency
        ["--scope", READ, "--agency", "11330100MB0000000X"],  # no such agency
        ["--scope", WRITE],
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(world: City, arguments: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("api_client_issue", "--name", "坏输入", *arguments, stdout=io.StringIO())

    assert not ApiClient.objects.exists()


def test_a_client_s_records_reach_the_timeline_under_its_name(world: City) -> None:
    calendar_year_seed(year=2026)
    client, api = api_client_for(world.admin, WRITE, write=world.agency_a)
    record_id = api.post(RECORDS, record_body(world), format="json").json()["id"]
    api.post(f"{RECORDS}{record_id}/submit/")

    record = record_publish(
        actor=world.office_a, record=DishonestyRecord.objects.get(pk=record_id), today=datetime.date(2026, 11, 2)
    )

    assert record.status == RecordStatus.PUBLISHED
    assert record.created_by.first_name == client.name
