"""The API's token flow, who-am-I, and the error shape of refusals (accounts/api.py)."""

import datetime
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.authentication import api_token_issue
from accounts.models import ApiToken, User
from tests.conftest import PASSWORD, City

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
ME_URL = "/api/v1/me/"


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def ask_for_token(client: APIClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def bearer_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# Issuing and using tokens -----------------------------------------------------------------------------------------


def test_it_issues_a_token_that_authenticates_requests(world: City) -> None:
    response = ask_for_token(APIClient(), "clerk-a")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = ApiToken.objects.get(user=world.clerk_a)
    assert token.digest != body["token"] and body["token"].startswith(token.prefix)
    expected_expiry = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs(datetime.datetime.fromisoformat(body["expires_at"]) - expected_expiry) < datetime.timedelta(minutes=1)

    me = bearer_client(body["token"]).get(ME_URL)
    assert me.status_code == 200
    assert me.json()["username"] == "clerk-a"


def test_it_refuses_a_wrong_password_in_the_error_shape_and_issues_nothing(world: City) -> None:
    response = ask_for_token(APIClient(), "clerk-a", "not-the-password")

    assert_error(response, 400, "invalid_credentials")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("username", ["nobody", "clerk-a"])
def test_it_refuses_unknown_and_deactivated_users_alike(world: City, username: str) -> None:
    User.objects.filter(username="clerk-a").update(is_active=False)

    assert_error(ask_for_token(APIClient(), username), 400, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_it_names_the_missing_credentials(world: City) -> None:
    error = assert_error(APIClient().post(TOKEN_URL, {}, format="json"), 400, "invalid")

    assert set(error["fields"]) == {"username", "password"}
    assert not ApiToken.objects.exists()


def test_the_password_is_never_echoed_back(world: City) -> None:
    response = ask_for_token(APIClient(), "clerk-a", "a-secret-guess-123")

    assert b"a-secret-guess-123" not in response.content


# Lockout (django-axes) and throttling ------------------------------------------------------------------------------


def test_it_locks_the_username_out_after_five_failures_even_with_the_right_password(world: City) -> None:
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(ask_for_token(client, "clerk-a", "wrong-password"), 400, "invalid_credentials")

    # The fifth failure is the one that locks.
    assert_error(ask_for_token(client, "clerk-a", "wrong-password"), 429, "locked_out")
    response = ask_for_token(client, "clerk-a")

    assert_error(response, 429, "locked_out")
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert response["Content-Type"] == "application/json"
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.filter(username="clerk-a").exists()


def test_the_lockout_ends_after_the_cool_off_time(world: City) -> None:
    client = APIClient()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            ask_for_token(client, "clerk-a", "wrong-password")
        assert_error(ask_for_token(client, "clerk-a"), 429, "locked_out")

        traveller.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
        # A new minute: the token throttle's window has passed too.
        assert ask_for_token(client, "clerk-a").status_code == 201


def test_a_successful_login_clears_the_failures(world: City) -> None:
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        ask_for_token(client, "clerk-a", "wrong-password")
    assert ask_for_token(client, "clerk-a").status_code == 201

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(ask_for_token(client, "clerk-a", "wrong-password"), 400, "invalid_credentials")


def test_one_locked_username_does_not_lock_another(world: City) -> None:
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token(client, "clerk-a", "wrong-password")

    assert ask_for_token(client, "office-a").status_code == 201


def test_token_requests_are_throttled(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/min"})
    client = APIClient()
    # Different unknown usernames, so axes locks nobody out and only the throttle speaks.
    for n in range(3):
        assert_error(ask_for_token(client, f"nobody-{n}"), 400, "invalid_credentials")

    response = ask_for_token(client, "clerk-a")

    assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert not ApiToken.objects.exists()


def test_the_token_throttle_has_a_configured_rate() -> None:
    assert ScopedRateThrottle.THROTTLE_RATES["token"]


# Expiry and revocation --------------------------------------------------------------------------------------------


def test_an_expired_token_is_refused(world: City) -> None:
    _, key = api_token_issue(user=world.clerk_a)
    client = bearer_client(key)
    assert client.get(ME_URL).status_code == 200

    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS, seconds=1)):
        response = client.get(ME_URL)

    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(world: City) -> None:
    token, key = api_token_issue(user=world.clerk_a)
    client = bearer_client(key)

    assert client.post(REVOKE_URL).status_code == 204

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(client.get(ME_URL), 401, "authentication_failed")
    assert_error(client.post(REVOKE_URL), 401, "authentication_failed")


def test_revoking_touches_only_the_token_in_use(world: City) -> None:
    _, first = api_token_issue(user=world.clerk_a)
    _, second = api_token_issue(user=world.clerk_a)

    bearer_client(first).post(REVOKE_URL)

    assert bearer_client(second).get(ME_URL).status_code == 200


def test_revoking_needs_a_token_not_a_session(world: City) -> None:
    client = APIClient()
    client.force_login(world.clerk_a)

    assert_error(client.post(REVOKE_URL), 401, "not_authenticated")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-real-key"])
def test_a_malformed_or_unknown_bearer_header_is_refused(world: City, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert_error(client.get(ME_URL), 401, "authentication_failed")


@pytest.mark.parametrize(
    "url", [ME_URL, "/api/v1/agencies/", "/api/v1/civil-servants/", "/api/v1/agencies/1/", "/api/v1/civil-servants/1/"]
)
def test_anonymous_callers_get_401_in_the_error_shape(db: None, url: str) -> None:
    response = APIClient().get(url)

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_anonymous_callers_cannot_look_people_up(db: None) -> None:
    response = APIClient().post("/api/v1/civil-servants/lookup/", {"id_number": "33010219850312148X"}, format="json")

    assert_error(response, 401, "not_authenticated")


# Who am I ---------------------------------------------------------------------------------------------------------


def me(user: User) -> dict[str, Any]:
    _, key = api_token_issue(user=user)
    response = bearer_client(key).get(ME_URL)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_me_tells_a_clerk_its_role_and_agency(world: City) -> None:
    assert me(world.clerk_a) == {
        "username": "clerk-a",
        "full_name": "",
        "roles": ["clerk"],
        "agency": {"id": world.agency_a.pk, "name": world.agency_a.name, "uscc": world.agency_a.uscc},
        "sector": "",
        "may_see_full_id_numbers": False,
    }


def test_me_tells_an_inspector_it_may_see_full_id_numbers(world: City) -> None:
    body = me(world.inspector_a)

    assert body["roles"] == ["inspector"]
    assert body["agency"]["id"] == world.district_a.pk
    assert body["may_see_full_id_numbers"] is True


def test_me_tells_a_sector_authority_its_sector(world: City) -> None:
    body = me(world.sector_a)

    assert body["roles"] == ["sector_authority"]
    assert body["sector"] == "procurement"
    assert body["may_see_full_id_numbers"] is False


def test_me_gives_an_administrator_without_agency_a_null_agency(world: City) -> None:
    body = me(world.admin)

    assert body["roles"] == ["administrator"]
    assert body["agency"] is None


def test_me_works_with_a_session_too(world: City) -> None:
    world.office_a.first_name = "王芳"
    world.office_a.save(update_fields=["first_name"])
    client = APIClient()
    client.force_login(world.office_a)

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["full_name"] == "王芳"
    assert response.json()["roles"] == ["credit_office"]
