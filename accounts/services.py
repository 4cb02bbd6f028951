from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from records.errors import DomainError
from records.models import Agency


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


def user_set_role(*, user: User, role: str, agency: Agency | None, sector: str = "", actor: Any = None) -> User:
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    user.role, user.agency, user.sector = role, agency, sector
    user.is_staff = role in {Role.ADMINISTRATOR, Role.CREDIT_OFFICE}
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "agency", "sector", "is_staff", "is_superuser"])
    return user
