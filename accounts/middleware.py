"""Logs every request an API client makes, after the response, with one INSERT (accounts.ApiClientUse)."""

from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse

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
