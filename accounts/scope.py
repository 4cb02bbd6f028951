"""What a user may see and change: decided here, applied in querysets (docs/domain.md §1).

| role             | sees                                   | changes people / integrity files |
| clerk, reviewer  | own agency                             | own agency                       |
| credit office    | own agency and every agency below it   | the same                         |
| inspector        | own agency and every agency below it   | nothing (read-only)              |
| sector authority | the agencies below it (its sector's    | nothing here                     |
|                  | duty data arrives with the sectors     |                                  |
|                  | issue); no civil-servant files         |                                  |
| administrator    | everything                             | everything                       |
| anonymous        | nothing of the staff data              | nothing                          |

API clients (accounts.ApiClient: another system with a `gck_` key) act as a service user of role "API client"; what
they reach is the union of their scopes, decided here like everyone else's:

| scope            | sees                                   | changes                          |
| public:read      | no staff data; the public change feed  | nothing                          |
|                  | (records' public content only)         |                                  |
| records:read     | its agencies, each with its subtree,   | nothing                          |
|                  | and their records; no civil servants   |                                  |
| records:write    | its one agency, its records and its    | enters and submits records that  |
|                  | civil servants (to name them)          | agency supplies                  |

A client reaches only the API views that accept one of its scopes (`may_call_api`, checked by
accounts.permissions.ClientScopePermission); a revoked client reaches nothing.

Dishonesty records (record_q) are in reach when their subject agency or their data-source agency is; a sector
authority sees only its sector's records.

Every queryset method that filters by user (`Agency.objects.visible_to`, `CivilServant.objects.visible_to`, …) builds
its filter with `agency_q`, so a page, an API list, an export, the admin and an id typed into a URL agree.
"""

import operator
from functools import reduce
from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from accounts.models import AnyUser, Role, User

if TYPE_CHECKING:
    from accounts.models import ApiClient
    from subjects.models import Agency

NOTHING = Q(pk__in=[])
SUBTREE_ROLES = frozenset({Role.CREDIT_OFFICE, Role.INSPECTOR, Role.SECTOR_AUTHORITY})
OWN_AGENCY_ROLES = frozenset({Role.CLERK, Role.REVIEWER})
PEOPLE_READERS = frozenset({Role.CLERK, Role.REVIEWER, Role.CREDIT_OFFICE, Role.INSPECTOR, Role.ADMINISTRATOR})
PEOPLE_EDITORS = frozenset({Role.CLERK, Role.REVIEWER, Role.CREDIT_OFFICE, Role.ADMINISTRATOR})


def _active_staff(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def client_of(user: AnyUser) -> "ApiClient | None":
    """The API client `user` is the service account of, if it is one and the client is not revoked.

    Cached on the user by ApiClientAuthentication (no query); other users answer from their role alone (no query).
    """
    if not isinstance(user, User) or user.role != Role.API_CLIENT:
        return None
    try:
        client: ApiClient = user.api_client
    except ObjectDoesNotExist:
        return None
    return client if client.is_active else None


def _client_agency_q(client: "ApiClient | None", field: str) -> Q:
    if client is None:
        return NOTHING
    prefix = f"{field}__" if field else ""
    reach: list[Q] = []
    if client.scope_records_read:
        reach += [Q(**{f"{prefix}path__startswith": agency.path}) for agency in client.read_agencies.all()]
    if client.scope_records_write and client.write_agency_id is not None:
        reach.append(Q(**{f"{prefix}pk" if not field else f"{field}_id": client.write_agency_id}))
    return reduce(operator.or_, reach) if reach else NOTHING


def _client_writes_for(client: "ApiClient | None", agency: "Agency") -> bool:
    return client is not None and client.scope_records_write and agency.pk == client.write_agency_id


def may_call_api(user: AnyUser, accepted_scopes: frozenset[str]) -> bool:
    """Whether `user` may call an API view at all. People always may (their querysets scope them); an API client only
    when one of its scopes is among those the view accepts."""
    if getattr(user, "role", None) != Role.API_CLIENT:
        return True
    client = client_of(user)
    return client is not None and bool(client.scopes & accepted_scopes)


def may_read_public_changes(user: AnyUser) -> bool:
    """The change feed with the public content of every disclosed record (accounts.scope docstring)."""
    client = client_of(user)
    return _active_staff(user) and client is not None and client.scope_public_read


def agency_q(user: AnyUser | None, field: str = "") -> Q:
    """Filter on `field` (the path to an Agency from the queried model; "" for Agency itself)."""
    if not _active_staff(user):
        return NOTHING
    if user.is_administrator:
        return Q()
    if user.role == Role.API_CLIENT:
        return _client_agency_q(client_of(user), field)
    prefix = f"{field}__" if field else ""
    if user.agency_id is None:
        return NOTHING
    if user.role in OWN_AGENCY_ROLES:
        return Q(**{f"{prefix}pk" if not field else f"{field}_id": user.agency_id})
    if user.role in SUBTREE_ROLES and user.agency is not None:
        return Q(**{f"{prefix}path__startswith": user.agency.path})
    return NOTHING


def may_read_people(user: AnyUser) -> TypeGuard[User]:
    """Roles that read civil servants and their integrity files at all (an API client: only to name them on the
    records it writes)."""
    if _active_staff(user) and user.role == Role.API_CLIENT:
        client = client_of(user)
        return client is not None and client.scope_records_write
    return _active_staff(user) and (user.is_administrator or user.role in PEOPLE_READERS)


def people_q(user: AnyUser, field: str = "agency") -> Q:
    """Civil servants and their integrity files: the agency scope, for the roles that read people at all."""
    if not may_read_people(user):
        return NOTHING
    if user.role == Role.API_CLIENT:
        client = client_of(user)
        return Q(**{f"{field}_id": client.write_agency_id}) if client is not None else NOTHING
    return agency_q(user, field)


def may_edit_people_of(user: AnyUser, agency: "Agency") -> bool:
    if not _active_staff(user):
        return False
    if user.is_administrator:
        return True
    if user.role not in PEOPLE_EDITORS or user.agency_id is None:
        return False
    if user.role in OWN_AGENCY_ROLES:
        return agency.pk == user.agency_id
    return user.agency is not None and agency.path.startswith(user.agency.path)


def may_manage_agencies_under(user: AnyUser, agency: "Agency | None") -> bool:
    """Create, rename, move and merge agencies: administrators anywhere, the credit office inside its region."""
    if not _active_staff(user):
        return False
    if user.is_administrator:
        return True
    if user.role != Role.CREDIT_OFFICE or agency is None or user.agency_id is None:
        return False
    return user.agency is not None and agency.path.startswith(user.agency.path)


def record_q(user: AnyUser, prefix: str = "") -> Q:
    """Dishonesty records (and what hangs off them, through `prefix`, e.g. "record__"): a record is in reach when
    its subject agency or the agency that supplied it is; a sector authority sees its own sector only."""
    if not _active_staff(user):
        return NOTHING
    if user.is_administrator:
        return Q()
    reach = agency_q(user, f"{prefix}subject_agency") | agency_q(user, f"{prefix}data_source_agency")
    if user.role == Role.SECTOR_AUTHORITY:
        return reach & Q(**{f"{prefix}sector": user.sector})
    return reach


def commitment_q(user: AnyUser, prefix: str = "") -> Q:
    """Public commitments (and what hangs off them, through `prefix`, e.g. "commitment__"): those of the agencies in
    the user's reach; a sector authority reads its sector's commitments in its region only (investment-promotion
    policies for the investment authority, docs/domain.md §6). API clients reach them as they reach records."""
    if not _active_staff(user):
        return NOTHING
    if user.is_administrator:
        return Q()
    reach = agency_q(user, f"{prefix}agency")
    if user.role == Role.SECTOR_AUTHORITY:
        return reach & Q(**{f"{prefix}sector": user.sector})
    return reach


def sector_data_q(user: AnyUser, sector: str, field: str = "agency") -> Q:
    """Rows of a sector's duties (procurement contracts, investment agreements, PPP projects…) through `field`, the
    path to the agency the row belongs to: the agency's own staff, the credit office and inspectors of its region, and
    the authority of that sector in its region (docs/domain.md §7). API clients reach them as they reach records."""
    if not _active_staff(user):
        return NOTHING
    if user.role == Role.SECTOR_AUTHORITY and user.sector != sector:
        return NOTHING
    return agency_q(user, field)


def may_enter_sector_data(user: AnyUser, sector: str, agency: "Agency") -> bool:
    """Enter and edit a sector's data for `agency`: its own clerks and reviewers, the credit office of its region, the
    sector's authority in its region, an API client writing for that agency."""
    if not _active_staff(user):
        return False
    if user.role == Role.SECTOR_AUTHORITY:
        return user.sector == sector and _in_reach(
            user, agency, own_roles=frozenset(), subtree_roles=frozenset({Role.SECTOR_AUTHORITY})
        )
    return may_enter_records_for(user, agency)


def may_verify_sector_data(user: AnyUser, sector: str, agency: "Agency") -> bool:
    """Verify a sector's data (confirm a complaint, decide a breach goes to the credit office): the sector's authority
    and the credit office of the region."""
    if not _active_staff(user):
        return False
    if user.role == Role.SECTOR_AUTHORITY and user.sector != sector:
        return False
    return _in_reach(
        user, agency, own_roles=frozenset(), subtree_roles=frozenset({Role.SECTOR_AUTHORITY, Role.CREDIT_OFFICE})
    )


def _in_reach(user: AnyUser, agency: "Agency", *, own_roles: frozenset[str], subtree_roles: frozenset[str]) -> bool:
    if not _active_staff(user) or agency is None:
        return False
    if user.is_administrator:
        return True
    if user.agency_id is None:
        return False
    if user.role in own_roles:
        return agency.pk == user.agency_id
    if user.role in subtree_roles and user.agency is not None:
        return agency.path.startswith(user.agency.path)
    return False


def may_enter_records_for(user: AnyUser, agency: "Agency") -> bool:
    """Create and edit draft records supplied by `agency` (its clerks and reviewers; the credit office above; an API
    client with records:write for that one agency)."""
    if _active_staff(user) and user.role == Role.API_CLIENT:
        return _client_writes_for(client_of(user), agency)
    return _in_reach(user, agency, own_roles=OWN_AGENCY_ROLES, subtree_roles=frozenset({Role.CREDIT_OFFICE}))


def entering_agency_q(user: AnyUser, field: str = "") -> Q:
    """The queryset twin of may_enter_records_for: the agencies `user` may enter records for (through `field`, the
    path to an Agency from the queried model; "" for Agency itself)."""
    if not _active_staff(user):
        return NOTHING
    if user.is_administrator:
        return Q()
    own = f"{field}_id" if field else "pk"
    if user.role == Role.API_CLIENT:
        client = client_of(user)
        return Q(**{own: client.write_agency_id}) if client is not None and client.scope_records_write else NOTHING
    if user.agency_id is None:
        return NOTHING
    if user.role in OWN_AGENCY_ROLES:
        return Q(**{own: user.agency_id})
    if user.role == Role.CREDIT_OFFICE and user.agency is not None:
        return Q(**{f"{field}__path__startswith" if field else "path__startswith": user.agency.path})
    return NOTHING


def may_submit_records_for(user: AnyUser, agency: "Agency") -> bool:
    """The agency reviewer checks and submits what its clerks entered (docs/domain.md §1); an API client with
    records:write submits what it entered for its agency (the other system did the agency's check)."""
    if _active_staff(user) and user.role == Role.API_CLIENT:
        return _client_writes_for(client_of(user), agency)
    return _in_reach(user, agency, own_roles=frozenset({Role.REVIEWER}), subtree_roles=frozenset({Role.CREDIT_OFFICE}))


def may_decide_records_about(user: AnyUser, agency: "Agency") -> bool:
    """Publish, return, correct and revoke records about `agency`: the credit office of its region."""
    return _in_reach(user, agency, own_roles=frozenset(), subtree_roles=frozenset({Role.CREDIT_OFFICE}))


def may_operate_platform_delivery(user: AnyUser) -> bool:
    """The operations page of delivery to the platform: administrators, and credit offices (who see the parked
    changes of records in their reach, record_q, and may replay those)."""
    return _active_staff(user) and (user.is_administrator or user.role == Role.CREDIT_OFFICE)
