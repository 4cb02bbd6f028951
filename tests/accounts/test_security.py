import datetime

import time_machine
from django.test import Client

import config.settings as project_settings
from tests.conftest import City


def test_passwords_are_hashed_with_argon2_in_the_project_settings() -> None:
    # tests/conftest.py swaps in a fast hasher for speed; the project's own list is what production runs.
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("correct-horse-battery-9", Argon2PasswordHasher().salt()).startswith("argon2")


def test_an_idle_session_expires(world: City) -> None:
    client = Client()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        client.force_login(world.clerk_a)
        assert client.get("/staff/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=25))
        assert client.get("/staff/").status_code == 200  # activity renews the session
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_weak_passwords_are_refused() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678901", "password123", "short"):
        try:
            validate_password(weak)
        except ValidationError:
            continue
        raise AssertionError(f"{weak!r} was accepted")


def test_the_session_and_csrf_cookies_are_not_readable_by_scripts() -> None:
    assert project_settings.SESSION_COOKIE_HTTPONLY is True
    assert project_settings.CSRF_COOKIE_HTTPONLY is True
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_forms_refuse_posts_without_a_csrf_token(world: City) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login/", {"username": "clerk-a", "password": "correct-horse-battery-9"})
    assert response.status_code == 403
