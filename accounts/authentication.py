"""Bearer keys for REST callers: `Authorization: Bearer <key>`; only a digest of a key is stored.

Two kinds share the header, told apart by the key's prefix:
- a person's token (`POST /api/v1/auth/token/`): the request acts as that person;
- an API client's key (`gck_…`, issued by an administrator, accounts.services.api_client_issue): the request acts as
  the client's service account, which reaches what its scopes allow (accounts/scope.py). Each request made with a
  client key is logged (accounts.middleware.ApiClientUseMiddleware), refused ones included.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiClient, ApiToken, Role, User

KEY_BYTES = 32
# Keys of API clients start with this; a person's token never does (api_token_issue draws again).
CLIENT_KEY_PREFIX = "gck_"
# The request attribute carrying the client a key named, even a refused one, for the use log.
CLIENT_USE_ATTR = "api_client_use"


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token; the key is returned once and never stored."""
    key = secrets.token_urlsafe(KEY_BYTES)
    while key.startswith(CLIENT_KEY_PREFIX):
        key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoking twice is harmless: the first revocation time stays."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def bearer_key(request: Any, keyword: str = "Bearer") -> str | None:
    """The key of an `Authorization: Bearer <key>` header; None without one; refused when malformed."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != keyword.lower().encode():
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
    try:
        return header[1].decode()
    except UnicodeError as exc:
        raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        key = bearer_key(request, self.keyword)
        if key is None or key.startswith(CLIENT_KEY_PREFIX):
            return None  # an API client's key is ApiClientAuthentication's
        token = ApiToken.objects.select_related("user", "user__agency").filter(digest=token_digest(key)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        # One write per minute at most, not per request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes BearerTokenAuthentication in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from `POST /api/v1/auth/token/`, sent as `Authorization: Bearer <key>`.",
        }


class ApiClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer gck_<key>`: the request acts as the client's service account (module docstring)."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[User, ApiClient] | None:
        key = bearer_key(request, self.keyword)
        if key is None or not key.startswith(CLIENT_KEY_PREFIX):
            return None
        # One query; select_related through the one-to-one also caches user.api_client, which scope.py reads.
        client = (
            ApiClient.objects.select_related("user", "user__agency", "write_agency")
            .filter(digest=token_digest(key))
            .first()
        )
        if client is not None:
            setattr(request._request, CLIENT_USE_ATTR, client)
        if client is None or not client.is_active or not client.user.is_active or client.user.role != Role.API_CLIENT:
            raise exceptions.AuthenticationFailed(_("The API client key is invalid or revoked."))
        if client.scope_records_read:
            # The subtrees it reads, for accounts.scope.agency_q: once per request.
            prefetch_related_objects([client], "read_agencies")
        now = timezone.now()
        # One write per minute at most, not per request (every request is in the use log anyway).
        if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user, client

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class ApiClientScheme(OpenApiAuthenticationExtension):
    """Describes ApiClientAuthentication in the OpenAPI schema."""

    target_class = ApiClientAuthentication
    name = "apiClientAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API client's key, issued by an administrator and starting with `gck_`, sent as "
                "`Authorization: Bearer gck_<key>`. What it reaches follows the client's scopes: `public:read`, "
                "`records:read`, `records:write`."
            ),
        }
