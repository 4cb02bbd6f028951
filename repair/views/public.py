"""The public pages of the subject's rights (docs/domain.md §5): file an objection, a complaint or a credit-repair
application about a disclosed record, follow it with the query code, print and verify a repair decision.

No account. Every page is private and never stored by a cache (these pages carry a CSRF token, and some a query
code or a filer's details). The query code leaves the server once, in the response to the filing POST: never in a
URL, a redirect, a cookie or a log line, and it is only ever sent back in a POST body. Tracking answers the same
neutral "not found" for any code that is not one, and both filing and lookups are limited per client address
(repair/views/throttle.py). A granted repair's decision is reached from the tracking page through a short-lived
signed link (django.core.signing.TimestampSigner) that carries the application's id, not the query code.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.context_processors import site_name
from kernel.errors import DomainError
from records.models import DishonestyRecord
from repair import services
from repair.forms import SupplyMaterialForm, TrackForm
from repair.models import Objection, ObjectionOutcome, RepairApplication, RepairStatus
from repair.views import throttle
from repair.views.cases import (
    FILING_FORMS,
    OBJECTION,
    Case,
    RecordSummary,
    event_rows,
    file_case,
    filed_page,
    filing_page,
    find_by_code,
    kind_of,
    put_error,
    status_label,
)

PUBLIC_LAYOUT = "disclosure/base.html"
SUPPLY_SALT = "repair.track.supply-material"
DECISION_SALT = "repair.decision-document"


def supply_form_seconds() -> int:
    return int(getattr(settings, "REPAIR_SUPPLY_FORM_SECONDS", 3600))


def decision_link_seconds() -> int:
    return int(getattr(settings, "REPAIR_DECISION_LINK_SECONDS", 600))


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        template,
        {"site_name": site_name(), "layout": PUBLIC_LAYOUT, "public": True, **(context or {})},
        status=status,
    )


def not_found(request: HttpRequest) -> HttpResponse:
    # One answer for "never existed", "not disclosed", "revoked", "expired": the public learns nothing from it.
    return page(request, "disclosure/not_found.html", status=404)


def throttled(request: HttpRequest, limit: throttle.Limit) -> HttpResponse:
    response = page(request, "repair/throttled.html", {"kind": limit.scope}, status=429)
    response["Retry-After"] = str(limit.window)
    return response


def _disclosed(record_id: int) -> DishonestyRecord | None:
    return DishonestyRecord.objects.disclosed().select_related("subject_agency").filter(pk=record_id).first()


# Filing ----------------------------------------------------------------------------------------------------------


def _public_filing(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    record = _disclosed(record_id)
    if record is None:
        return not_found(request)
    context = {
        "site_name": site_name(),
        "layout": PUBLIC_LAYOUT,
        "public": True,
        "summary": RecordSummary.of(record, public=True),
    }
    form_class = FILING_FORMS[kind]
    if request.method != "POST":
        return filing_page(request, kind=kind, record=record, form=form_class(), context=context)
    if not throttle.allow(throttle.FILING, request):
        return throttled(request, throttle.FILING)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            case, code = file_case(kind, form, record)
        except DomainError as exc:
            put_error(form, exc)
        else:
            return filed_page(request, case=case, code=code, context=context)
    return filing_page(request, kind=kind, record=record, form=form, context=context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def objection_new(request: HttpRequest, record_id: int) -> HttpResponse:
    return _public_filing(request, "objection", record_id)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def repair_new(request: HttpRequest, record_id: int) -> HttpResponse:
    """Offered from the record's earliest repair date; before it the page says from when (repair_apply decides)."""
    return _public_filing(request, "repair", record_id)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_new(request: HttpRequest, record_id: int) -> HttpResponse:
    return _public_filing(request, "complaint", record_id)


# Tracking --------------------------------------------------------------------------------------------------------


def _supply_token(application: RepairApplication) -> str:
    return signing.TimestampSigner(salt=SUPPLY_SALT).sign_object({"repair": application.pk})


def decision_token(application: RepairApplication) -> str:
    return signing.TimestampSigner(salt=DECISION_SALT).sign_object({"repair": application.pk})


def _application_from(token: str, *, salt: str, max_age: int) -> RepairApplication | None:
    try:
        payload = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("repair"), int):
        return None
    return (
        RepairApplication.objects.select_related("record__subject_agency", "decided_by__agency")
        .filter(pk=payload["repair"])
        .first()
    )


def _tracked(
    request: HttpRequest,
    case: Case,
    *,
    supply_form: SupplyMaterialForm | None = None,
    supplied: bool = False,
    status: int = 200,
) -> HttpResponse:
    """What the filer sees of their case: no staff names, no internal notes."""
    kind = kind_of(case)
    context: dict[str, Any] = {
        "case": case,
        "kind": kind.key,
        "status_label": status_label(kind, case.status),
        "summary": RecordSummary.of(case.record, public=True),
        "events": event_rows(case, with_actors=False),
        "overdue": case.is_overdue_on(timezone.localdate()),
        "supplied": supplied,
        # A complaint about how an objection is handled is filed from the record's complaint page while it is public.
        "may_complain": kind is OBJECTION and case.record.is_disclosed_on(timezone.localdate()),
    }
    if isinstance(case, Objection):
        context["outcome_label"] = ObjectionOutcome(case.outcome).label if case.outcome else ""
    if isinstance(case, RepairApplication):
        if supply_form is not None and case.status != RepairStatus.MATERIAL_REQUESTED:
            # The application moved on meanwhile (decided, or material already received): say why nothing was sent.
            context["supply_errors"] = supply_form.non_field_errors()
        if case.status == RepairStatus.MATERIAL_REQUESTED:
            context["supply_form"] = supply_form or SupplyMaterialForm(
                initial={"token": _supply_token(case)}, auto_id="supply-%s"
            )
        if case.status == RepairStatus.GRANTED:
            context["decision_token"] = decision_token(case)
            context["decision_link_minutes"] = decision_link_seconds() // 60
    return page(request, "repair/track_result.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """The code is taken from a POST body only: a code in the query string is ignored."""
    if request.method != "POST":
        return page(request, "repair/track.html", {"form": TrackForm(auto_id="track-%s")})
    if not throttle.allow(throttle.LOOKUP, request):
        return throttled(request, throttle.LOOKUP)
    form = TrackForm(request.POST, auto_id="track-%s")
    if not form.is_valid():
        return page(request, "repair/track.html", {"form": form})
    case = find_by_code(form.cleaned_data["code"])
    if case is None:
        return page(request, "repair/track.html", {"form": TrackForm(auto_id="track-%s"), "not_found": True}, 404)
    return _tracked(request, case)


@never_cache
@require_POST
def track_supply_material(request: HttpRequest) -> HttpResponse:
    """The filer of a repair application sends the material asked for, from the tracking page."""
    if not throttle.allow(throttle.FILING, request):
        return throttled(request, throttle.FILING)
    form = SupplyMaterialForm(request.POST, request.FILES, auto_id="supply-%s")
    application = _application_from(request.POST.get("token", ""), salt=SUPPLY_SALT, max_age=supply_form_seconds())
    if application is None:
        return page(request, "repair/track.html", {"form": TrackForm(auto_id="track-%s"), "expired": True}, 400)
    if form.is_valid():
        try:
            application = services.repair_supply_material(
                application=application,
                statement=form.cleaned_data["statement"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            put_error(form, exc)
        else:
            return _tracked(request, application, supplied=True)
    application.refresh_from_db()
    return _tracked(request, application, supply_form=form)


# The repair decision ---------------------------------------------------------------------------------------------


def decision_context(application: RepairApplication, *, public: bool) -> dict[str, Any]:
    decided_by = application.decided_by
    return {
        "application": application,
        "summary": RecordSummary.of(application.record, public=public),
        "decided_by_agency": decided_by.agency if decided_by is not None else None,
    }


@never_cache
@require_safe
def repair_decision(request: HttpRequest, token: str) -> HttpResponse:
    """The printable repair decision, reached through the tracking page's short-lived signed link."""
    application = _application_from(token, salt=DECISION_SALT, max_age=decision_link_seconds())
    if application is None or application.status != RepairStatus.GRANTED:
        return not_found(request)
    return page(request, "repair/decision.html", decision_context(application, public=True))


@never_cache
@require_safe
def repair_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a repair decision checks it here: its essentials, no personal data."""
    if not throttle.allow(throttle.LOOKUP, request):
        return throttled(request, throttle.LOOKUP)
    code = code.strip().upper()
    application = None
    if code.isalnum() and len(code) <= 32:
        application = (
            RepairApplication.objects.select_related("record__subject_agency", "decided_by__agency")
            .filter(verification_code=code, status=RepairStatus.GRANTED)
            .first()
        )
    if application is None:
        return page(request, "repair/verify.html", {"found": False}, status=404)
    return page(request, "repair/verify.html", {"found": True, **decision_context(application, public=True)})
