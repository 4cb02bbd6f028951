"""Sign-in, the lockout after repeated failures, the staff layout and the role-aware start page."""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.conftest import PASSWORD, City

LOGIN_URL = "/staff/login/"


class _LabelAudit(HTMLParser):
    """Collects form controls that a screen reader could not name: no <label for>, no aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.landmarks: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.labelled.add(str(attributes["for"]))
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.add(tag)
        if tag in {"select", "textarea"} or (
            tag == "input" and attributes.get("type") not in {"hidden", "submit", "button"}
        ):
            self.controls.append((tag, attributes))

    def unlabelled(self) -> list[str]:
        return [
            str(attributes.get("name"))
            for _tag, attributes in self.controls
            if attributes.get("id") not in self.labelled and not attributes.get("aria-label")
        ]


def audit(html: str) -> _LabelAudit:
    parser = _LabelAudit()
    parser.feed(html)
    return parser


# Sign-in -----------------------------------------------------------------------------------------------------------


def test_it_shows_the_login_form_to_anyone(client: Client, world: City) -> None:
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"username", "password"}
    assert audit(response.content.decode()).unlabelled() == []


def test_it_signs_a_clerk_in_through_the_form(client: Client, world: City) -> None:
    response = client.post(LOGIN_URL, {"username": "clerk-a", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.session["_auth_user_id"] == str(world.clerk_a.pk)


def test_it_refuses_a_wrong_password(client: Client, world: City) -> None:
    response = client.post(LOGIN_URL, {"username": "clerk-a", "password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_out_after_five_wrong_passwords(client: Client, world: City) -> None:
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "clerk-a", "password": "not-the-password"})

    response = client.post(LOGIN_URL, {"username": "clerk-a", "password": PASSWORD})

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_says_in_minutes_when_to_try_again(client: Client, world: City, settings: object) -> None:
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)  # type: ignore[attr-defined]
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "clerk-a", "password": "not-the-password"})

    response = client.post(LOGIN_URL, {"username": "clerk-a", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert "请15分钟后重试" in html
    assert "0:15:00" not in html
    assert "时:分:秒" not in html


def test_the_lockout_is_per_username_and_address(client: Client, world: City) -> None:
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "clerk-a", "password": "not-the-password"})

    response = client.post(LOGIN_URL, {"username": "reviewer-a", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.reviewer_a.pk)


def test_behind_the_proxy_the_lockout_counts_the_client_not_the_proxy(
    client: Client, world: City, settings: object
) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1  # type: ignore[attr-defined]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):  # an attacker at 203.0.113.9 guesses clerk-a's password (and forges a left-hand hop)
        client.post(
            LOGIN_URL,
            {"username": "clerk-a", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
            **proxy,
        )
    locked = client.post(
        LOGIN_URL, {"username": "clerk-a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy
    )
    assert locked.status_code == 429
    # the clerk, at her own address behind the same proxy, still signs in
    response = Client().post(
        LOGIN_URL, {"username": "clerk-a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.44", **proxy
    )
    assert response.status_code == 302


def test_a_signed_in_user_going_to_login_is_sent_home(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_logout_is_a_post(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert "_auth_user_id" not in client.session


# The start page ----------------------------------------------------------------------------------------------------


def test_the_start_page_sends_anonymous_visitors_to_login(client: Client, world: City) -> None:
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/staff/"


@pytest.mark.parametrize(
    ("persona", "agencies", "people"),
    [
        ("clerk_a", 1, 1),  # agency A only
        ("office_a", 3, 1),  # district A, agency A and the unit below it
        ("inspector_a", 3, 1),
        ("sector_a", 3, None),  # reads no civil servants
        ("outsider", 1, 1),
        ("admin", 6, 2),
    ],
)
def test_the_start_page_counts_what_lies_in_scope(
    client: Client, world: City, persona: str, agencies: int, people: int | None
) -> None:
    client.force_login(getattr(world, persona))

    response = client.get("/staff/")

    assert response.status_code == 200
    assert response.context["agency_count"] == agencies
    assert response.context["people_count"] == people
    html = response.content.decode()
    assert f'data-count="{agencies}"' in html
    assert ('id="stat-people"' in html) is (people is not None)


@pytest.mark.parametrize(
    ("persona", "sees_people", "sees_admin"),
    [
        ("clerk_a", True, False),
        ("reviewer_a", True, False),
        ("office_a", True, True),
        ("inspector_a", True, False),
        ("sector_a", False, False),
        ("admin", True, True),
    ],
)
def test_the_navigation_follows_the_role(
    client: Client, world: City, persona: str, sees_people: bool, sees_admin: bool
) -> None:
    client.force_login(getattr(world, persona))

    html = client.get("/staff/").content.decode()

    assert 'href="/staff/agencies/"' in html
    assert ('href="/staff/people/"' in html) is sees_people
    assert ('href="/admin/"' in html) is sees_admin


def test_the_header_names_the_user_their_role_and_agency(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    html = client.get("/staff/").content.decode()

    assert 'data-role="clerk"' in html
    assert "clerk-a" in html
    assert world.agency_a.name in html
    assert 'action="/staff/logout/"' in html


def test_the_layout_has_landmarks_a_skip_link_and_a_language_switcher(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    html = client.get("/staff/").content.decode()

    assert {"header", "nav", "main", "footer"} <= audit(html).landmarks
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert 'action="/i18n/setlang/"' in html


def test_the_language_switcher_changes_the_page_language(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/staff/"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert '<html lang="en">' in client.get("/staff/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/staff/"})
    assert '<html lang="zh-hans">' in client.get("/staff/").content.decode()


def test_pages_outside_scope_render_the_staff_404_page(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get(f"/staff/agencies/{world.agency_b.pk}/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_every_control_on_the_staff_pages_has_a_label(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    person, agency = world.person_a.pk, world.agency_a.pk
    urls = [
        "/staff/",
        "/staff/agencies/",
        "/staff/agencies/?q=财政",
        f"/staff/agencies/{agency}/",
        f"/staff/agencies/{agency}/people/new/",
        "/staff/people/",
        "/staff/people/lookup/",
        f"/staff/people/{person}/",
        f"/staff/people/{person}/edit/",
        f"/staff/people/{person}/move/",
        f"/staff/people/{person}/assessments/new/",
        f"/staff/people/{person}/trainings/new/",
        f"/staff/people/{person}/matters-reports/new/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert audit(response.content.decode()).unlabelled() == [], url

    client.force_login(world.inspector_a)
    html = client.get(f"/staff/people/{person}/").content.decode()
    assert 'id="reveal-form"' in html
    assert audit(html).unlabelled() == []
