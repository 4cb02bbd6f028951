"""The public pages of breach complaints (违约失信投诉): file a complaint about a government body, follow it with
its tracking number and query code.

The same filing rules as the objections and complaints of repair (repair/views/public.py): no account; every error
at once (the form's and the service's); what was typed is kept, also on the throttle's refusal page, which names the
credit office's phone and address; only complaints actually filed count against the filing allowances
(repair/throttle.py). The query code leaves the server only in the answer to the filing POST and in the message sent
to the complainant, and is only ever sent back in a POST body. Tracking answers the same "not found" whichever of
the number and the code is wrong, and shows the stages, dates and reasons — nothing internal (no staff names, no
internal notes).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.context_processors import site_name
from kernel.errors import DomainError
from repair import throttle
from repair.notices import query_code_channel
from repair.views.cases import put_error
from repair.views.public import PUBLIC_LAYOUT, throttled
from supervision.forms.complaints import BreachComplaintForm, TrackForm
from supervision.models.complaints import BreachComplaint
from supervision.services import complaints as services


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request, template, {"site_name": site_name(), "layout": PUBLIC_LAYOUT, "public": True, **context}, status=status
    )


def filed_page(request: HttpRequest, *, complaint: BreachComplaint, code: str, public: bool = True) -> HttpResponse:
    """The one response that carries the query code: rendered in answer to the POST, never redirected to."""
    context = {
        "complaint": complaint,
        "query_code": code,
        "sent_to": query_code_channel(
            filer_email=complaint.complainant_email, filer_contact=complaint.complainant_contact
        ),
        "public": public,
        "layout": PUBLIC_LAYOUT if public else "base.html",
        "site_name": site_name(),
    }
    response = render(request, "supervision/complaints/filed.html", context)
    add_never_cache_headers(response)  # no-store: no cache, proxy or back button keeps the code
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "supervision/complaints/file.html", {"form": BreachComplaintForm()})
    form = BreachComplaintForm(request.POST, request.FILES)
    refusal = throttle.filing_refusal(request)
    if refusal is not None:
        return throttled(request, refusal, form)
    if not form.is_valid():
        form.add_rule_errors()
        return _page(request, "supervision/complaints/file.html", {"form": form}, status=400)
    contact = form.cleaned_data["complainant_contact"]
    refusal = throttle.filer_refusal(contact)
    if refusal is not None:
        return throttled(request, refusal, form)
    try:
        complaint, code = services.complaint_file(data=form.complaint_input())
    except DomainError as exc:
        put_error(form, exc)
        return _page(request, "supervision/complaints/file.html", {"form": form}, status=400)
    throttle.filing_counted(request, contact=contact)
    return filed_page(request, complaint=complaint, code=code)


def public_stages(complaint: BreachComplaint) -> list[dict[str, Any]]:
    """The complaint's public events: what happened, when, and the reasons given to the complainant."""
    return [
        {
            "action": event.action,
            "label": services.ACTION_LABELS.get(event.action, ""),
            "at": event.at,
            "reason": event.reason if event.action in PUBLIC_REASONS else "",
        }
        for event in complaint.events.filter(public=True).order_by("at", "pk")
    ]


# The moves whose reasons are addressed to the complainant; an acceptance or transfer note is internal.
PUBLIC_REASONS = frozenset({"refuse", "verify_untrue", "order_rectification", "rectified", "confirm_breach"})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_track(request: HttpRequest) -> HttpResponse:
    """The number and the code are taken from a POST body only."""
    if request.method != "POST":
        return _page(request, "supervision/complaints/track.html", {"form": TrackForm(auto_id="track-%s")})
    refusal = throttle.lookup_refusal(request)
    if refusal is not None:
        return throttled(request, refusal)
    form = TrackForm(request.POST, auto_id="track-%s")
    if not form.is_valid():
        return _page(request, "supervision/complaints/track.html", {"form": form}, status=400)
    complaint = services.complaint_find(form.cleaned_data["tracking_number"], form.cleaned_data["code"])
    if complaint is None:
        return _page(
            request,
            "supervision/complaints/track.html",
            {
                "form": TrackForm(
                    initial={"tracking_number": form.cleaned_data["tracking_number"]}, auto_id="track-%s"
                ),
                "not_found": True,
            },
            status=404,
        )
    context = {
        "complaint": complaint,
        "stages": public_stages(complaint),
        "overdue": complaint.is_overdue_on(timezone.localdate()),
    }
    return _page(request, "supervision/complaints/track_result.html", context)


urlpatterns: list[URLPattern] = [
    path("new/", complaint_new, name="complaint_new"),
    path("track/", complaint_track, name="complaint_track"),
]
