"""The client's address, for login throttling (django-axes) and the public forms' throttles (repair).

Behind the reverse proxy (PROXY_COUNT trusted proxies, which settings turn into AXES_IPWARE_PROXY_COUNT) the address
is the one the outermost trusted proxy appended to X-Forwarded-For; what the client itself sent further left is not
trusted. Without proxies it is REMOTE_ADDR. One function, so a login lockout and a filing limit count the same client.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0)
    if proxies > 0:
        # Each proxy appends the address it saw; what the client itself sent stays on the left and is not trusted.
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def login_client_address(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address, or None for a request without one (a sign-in made by
    code, e.g. a test client's force_login), which axes records as unknown."""
    address = client_address(request)
    return None if address == "unknown" else address
