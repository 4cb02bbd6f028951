"""The API's default permission beside IsAuthenticated: an API client reaches a view only through its scopes.

A view names the client scopes it accepts, for reading (GET, HEAD, OPTIONS) and for everything else:

    client_read_scopes = READ_SCOPES
    client_write_scopes = WRITE_SCOPES

A view that names none is closed to API clients. People are not affected: their querysets scope them. The decision
is accounts.scope.may_call_api.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiScope
from accounts.scope import may_call_api

NO_SCOPES: frozenset[str] = frozenset()
ANY_SCOPE = frozenset(ApiScope.values)
# Views on agencies and records: what records:read and records:write both reach, for reading.
RECORD_READ_SCOPES = frozenset({ApiScope.RECORDS_READ.value, ApiScope.RECORDS_WRITE.value})
RECORD_WRITE_SCOPES = frozenset({ApiScope.RECORDS_WRITE.value})


class ClientScopePermission(BasePermission):
    message = _("This API client's scopes do not allow this request.")
    code = "insufficient_scope"

    def has_permission(self, request: Any, view: Any) -> bool:
        attribute = "client_read_scopes" if request.method in SAFE_METHODS else "client_write_scopes"
        return may_call_api(request.user, getattr(view, attribute, NO_SCOPES))
