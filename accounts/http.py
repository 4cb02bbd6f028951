"""The user a request acts as, once sign-in has been checked.

Staff pages behind `login_required` annotate their request as `AuthenticatedRequest` (an annotation only: Django
builds the request). Admin actions and API views, whose methods must accept any request, ask `acting_user`.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request `login_required` has let through: its user is signed in."""

    user: User


def acting_user(request: HttpRequest) -> User:
    """The signed-in user behind a request that the admin site or an API permission has already let through (an API
    client acts as its service account)."""
    user: User | AnonymousUser = request.user
    if not isinstance(user, User):
        # Not reached: the admin site and IsAuthenticated answer anonymous requests before the view runs.
        raise PermissionDenied
    return user
