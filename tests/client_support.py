"""API clients for tests: issued through the service, with a DRF test client that sends the key."""

import itertools
from collections.abc import Iterable

from rest_framework.test import APIClient

from accounts.models import ApiClient, User
from accounts.services import api_client_issue
from subjects.models import Agency

_names = itertools.count(1)


def issue_client(
    actor: User, *scopes: str, read: Iterable[Agency] = (), write: Agency | None = None, name: str | None = None
) -> tuple[ApiClient, str]:
    return api_client_issue(
        actor=actor, name=name or f"对接系统{next(_names)}", scopes=scopes, read_agencies=read, write_agency=write
    )


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def api_client_for(
    actor: User, *scopes: str, read: Iterable[Agency] = (), write: Agency | None = None
) -> tuple[ApiClient, APIClient]:
    client, key = issue_client(actor, *scopes, read=read, write=write)
    return client, keyed(key)
