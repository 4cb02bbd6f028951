from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.authentication import CLIENT_KEY_PREFIX, KEY_BYTES, token_digest
from accounts.models import ApiClient, ApiClientUse, ApiScope, Role, User
from kernel.errors import DomainError

if TYPE_CHECKING:
    from subjects.models import Agency


def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    agency: Agency | None,
    sector: str = "",
    full_name: str = "",
    email: str = "",
) -> User:
    """A staff user. Admin-site access (is_staff) follows the role: administrators and credit offices."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if role == Role.API_CLIENT:
        raise DomainError(_("API clients are issued under API clients, not as users."), field="role")
    if role != Role.ADMINISTRATOR and agency is None:
        raise DomainError(_("Every staff user belongs to an agency."), field="agency")
    if (role == Role.SECTOR_AUTHORITY) != bool(sector):
        raise DomainError(
            _("A sector authority needs its sector, and only a sector authority has one."), field="sector"
        )
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            agency=agency,
            sector=sector,
            first_name=full_name,
            email=email,
            is_staff=role in {Role.ADMINISTRATOR, Role.CREDIT_OFFICE},
            is_superuser=role == Role.ADMINISTRATOR,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def user_set_role(*, user: User, role: str, agency: Agency | None, sector: str = "", actor: User | None = None) -> User:
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if role == Role.API_CLIENT:
        raise DomainError(_("API clients are issued under API clients, not as users."), field="role")
    user.role, user.agency, user.sector = role, agency, sector
    user.is_staff = role in {Role.ADMINISTRATOR, Role.CREDIT_OFFICE}
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "agency", "sector", "is_staff", "is_superuser"])
    return user


# API clients: other systems' credentials (accounts.ApiClient; what each scope reaches: accounts/scope.py).


def _client_key() -> tuple[str, str, str]:
    """A new key, its digest and the prefix shown to recognise it; the key itself is never stored."""
    secret = secrets.token_urlsafe(KEY_BYTES)
    return f"{CLIENT_KEY_PREFIX}{secret}", token_digest(f"{CLIENT_KEY_PREFIX}{secret}"), secret[:8]


def _check_client_scopes(
    scopes: set[str], read_agencies: list[Agency], write_agency: Agency | None, *, adding_write: bool = True
) -> None:
    unknown = sorted(scopes - set(ApiScope.values))
    if unknown:
        raise DomainError(_("Unknown scope: %(scope)s.") % {"scope": ", ".join(unknown)}, field="scopes")
    if not scopes:
        raise DomainError(_("Choose at least one scope."), field="scopes")
    if (ApiScope.RECORDS_READ in scopes) != bool(read_agencies):
        raise DomainError(
            _("records:read needs the agencies the client reads, and only records:read has them."),
            field="read_agencies",
        )
    if (ApiScope.RECORDS_WRITE in scopes) != (write_agency is not None):
        raise DomainError(
            _("records:write needs the one agency the client writes for, and only records:write has one."),
            field="write_agency",
        )
    if write_agency is not None and adding_write and not write_agency.active:
        raise DomainError(_("This agency is no longer active."), field="write_agency")


def _scope_flags(scopes: set[str]) -> dict[str, bool]:
    return {
        "scope_public_read": ApiScope.PUBLIC_READ in scopes,
        "scope_records_read": ApiScope.RECORDS_READ in scopes,
        "scope_records_write": ApiScope.RECORDS_WRITE in scopes,
    }


def _check_client_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_("Give the client a name."), field="name")
    namesakes = ApiClient.objects.active().filter(name=name)
    if exclude_pk is not None:
        namesakes = namesakes.exclude(pk=exclude_pk)
    if namesakes.exists():
        raise DomainError(_("An active API client already has this name."), field="name")
    return name


def api_client_issue(
    *,
    actor: User | None,
    name: str,
    scopes: Iterable[str],
    read_agencies: Iterable[Agency] = (),
    write_agency: Agency | None = None,
    description: str = "",
    contact: str = "",
) -> tuple[ApiClient, str]:
    """A new API client with its service account; the key is returned once and never stored."""
    scope_set, agencies = set(scopes), list(read_agencies)
    _check_client_scopes(scope_set, agencies, write_agency)
    name = _check_client_name(name)
    key, digest, prefix = _client_key()
    with transaction.atomic():
        user = User(
            username=f"api-client-{secrets.token_hex(6)}",
            first_name=name[:150],
            role=Role.API_CLIENT,
            agency=write_agency,
            is_staff=False,
            is_superuser=False,
        )
        # It never signs in: requests carry the client's key instead.
        user.set_unusable_password()
        user.save()
        client = ApiClient.objects.create(
            name=name,
            description=description.strip(),
            contact=contact.strip(),
            **_scope_flags(scope_set),
            write_agency=write_agency,
            user=user,
            digest=digest,
            prefix=prefix,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        client.read_agencies.set(agencies)
    return client, key


def api_client_change(
    *,
    actor: User,
    client: ApiClient,
    name: str,
    scopes: Iterable[str],
    read_agencies: Iterable[Agency] = (),
    write_agency: Agency | None = None,
    description: str = "",
    contact: str = "",
) -> ApiClient:
    """Changes what a client is and may do; its key stays. A revoked client stays revoked, unchanged."""
    scope_set, agencies = set(scopes), list(read_agencies)
    _check_client_scopes(scope_set, agencies, write_agency, adding_write=write_agency != client.write_agency)
    name = _check_client_name(name, exclude_pk=client.pk)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)
        if not client.is_active:
            raise DomainError(_("A revoked API client cannot be changed; issue a new one."), code="illegal_transition")
        for field, value in _scope_flags(scope_set).items():
            setattr(client, field, value)
        client.name, client.description, client.contact = name, description.strip(), contact.strip()
        client.write_agency = write_agency
        client.save()
        client.read_agencies.set(agencies)
        # The service account writes records as the agency it writes for (its events name it by the client's name).
        client.user.agency, client.user.first_name = write_agency, name[:150]
        client.user.save(update_fields=["agency", "first_name"])
    return client


def api_client_rotate_key(*, actor: User, client: ApiClient) -> tuple[ApiClient, str]:
    """A new key for the client; the old one stops working at once. The new key is returned once."""
    key, digest, prefix = _client_key()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if not client.is_active:
            raise DomainError(_("A revoked API client gets no new key; issue a new client."), code="illegal_transition")
        client.digest, client.prefix, client.key_issued_at = digest, prefix, timezone.now()
        client.save(update_fields=["digest", "prefix", "key_issued_at"])
    return client, key


def api_client_revoke(*, actor: User, client: ApiClient) -> ApiClient:
    """Revokes the client for good: its key is refused from now on. Revoking twice keeps the first revocation."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)
        if not client.is_active:
            return client
        client.revoked_at = timezone.now()
        client.revoked_by = actor if getattr(actor, "pk", None) else None
        client.save(update_fields=["revoked_at", "revoked_by"])
        client.user.is_active = False
        client.user.save(update_fields=["is_active"])
    return client


def api_client_use_log(
    *, client_id: int, method: str, path: str, status_code: int, remote_addr: str | None
) -> ApiClientUse:
    """One request an API client made: a single INSERT, nothing read first."""
    return ApiClientUse.objects.create(
        client_id=client_id,
        method=method[:8],
        path=path[:300],
        status_code=status_code,
        remote_addr=remote_addr or None,
    )


SYSTEM_USERNAME = "system"


def system_account() -> User:
    """The account the product acts as when no person does (a scheduled job that finds a breach): inactive, with no
    usable password, so it can never sign in and no scope check lets it act on its own."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.ADMINISTRATOR, "is_active": False, "first_name": _("System")},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
