"""Middleware of the API: one row per request an API client makes (accounts.ApiClientUse), and JSON 404s under
/api/."""

from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse
from rest_framework.response import Response

from accounts.api_support import API_PREFIX, not_found
from accounts.authentication import CLIENT_USE_ATTR
from accounts.services import api_client_use_log


class ApiClientUseMiddleware:
    """ApiClientAuthentication leaves the client a key named on the request (refused keys of a known client too);
    the row is written once the response, and so its status, is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        client = getattr(request, CLIENT_USE_ATTR, None)
        if client is not None:
            api_client_use_log(
                client_id=client.pk,
                method=request.method or "",
                path=request.path,
                status_code=response.status_code,
                # The address axes reads too: behind the proxy, the hop it appends (settings.AXES_IPWARE_*).
                remote_addr=get_client_ip_address(request),
            )
        return response


class ApiNotFoundMiddleware:
    """Under /api/ a 404 is JSON in the error shape, whatever answered it.

    An unknown path, or an id that is not a number (`<int:pk>` does not match it), is answered by Django's URL
    resolver before any API view runs: with DEBUG an HTML page naming every URL pattern, otherwise handler404. The
    API's own 404s (DRF responses, the browsable page included) are left as they are. It sits below CommonMiddleware,
    which still redirects `/api/v1/agencies` to `/api/v1/agencies/`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.path.startswith(API_PREFIX) and not isinstance(response, Response):
            return not_found(request)
        return response
