"""Staff pages of the 12345 tickets: the list with filters and counts, a ticket's read-only page, the Excel template,
import (every bad row reported, nothing written until the file is valid) and export. Tickets feed the indicators;
they are handled on the hotline platform, not here."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from supervision.excel.hotline import TEMPLATE_NAME, hotline_export, hotline_import, hotline_template
from supervision.forms.hotline import HotlineFilterForm, HotlineImportForm
from supervision.models.hotline import SATISFIED, HotlineTicket

PAGE_SIZE = 50


def may_import(user: User) -> bool:
    return user.is_administrator or user.role == Role.CREDIT_OFFICE


def filtered_tickets(user: User, params: Any) -> tuple[HotlineFilterForm, QuerySet[HotlineTicket]]:
    form = HotlineFilterForm(params)
    rows = HotlineTicket.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        rows = rows.filter(Q(number__iexact=text) | Q(unit__name__contains=text))
    if data["type"]:
        rows = rows.filter(type=data["type"])
    if data["satisfaction"]:
        rows = rows.filter(satisfaction=data["satisfaction"])
    if data["closing"] == "on_time":
        rows = rows.filter(closed_on__isnull=False, closed_on__lte=F("due_on"))
    elif data["closing"] == "late":
        rows = rows.filter(closed_on__gt=F("due_on"))
    elif data["closing"] == "open":
        rows = rows.filter(closed_on__isnull=True)
    if data["received_from"]:
        rows = rows.filter(received_on__gte=data["received_from"])
    if data["received_to"]:
        rows = rows.filter(received_on__lte=data["received_to"])
    return form, rows


@login_required
@require_GET
def hotline_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_tickets(request.user, request.GET)
    counts = rows.aggregate(
        total=Count("pk"),
        closed_on_time=Count("pk", filter=Q(closed_on__isnull=False, closed_on__lte=F("due_on"))),
        open=Count("pk", filter=Q(closed_on__isnull=True)),
        satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
    )
    page = Paginator(rows.select_related("unit").order_by("-received_on", "-pk"), PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "supervision",
        "form": form,
        "counts": counts,
        "page": page.get_page(request.GET.get("page")),
        "export_query": params.urlencode(),
        "may_import": may_import(request.user),
    }
    return render(request, "supervision/hotline/list.html", context)


@login_required
@require_GET
def hotline_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(HotlineTicket.objects.visible_to(request.user).select_related("unit"), pk=pk)
    return render(request, "supervision/hotline/detail.html", {"section": "supervision", "ticket": ticket})


@login_required
@require_GET
def hotline_template_download(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(hotline_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{TEMPLATE_NAME}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import_page(request: AuthenticatedRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied(_("Only a credit office imports 12345 tickets."))
    form = HotlineImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"section": "supervision", "form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                outcome = hotline_import(actor=request.user, upload=form.cleaned_data["file"])
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                if not outcome.errors:
                    messages.success(
                        request,
                        _("Imported: %(created)d new tickets, %(updated)d updated.")
                        % {"created": outcome.created, "updated": outcome.updated},
                    )
                    return redirect("supervision:hotline_list")
                context["outcome"] = outcome
    return render(request, "supervision/hotline/import.html", context, status=status)


@login_required
@require_GET
def hotline_export_download(request: AuthenticatedRequest) -> FileResponse:
    _form, rows = filtered_tickets(request.user, request.GET)
    stream, name = hotline_export(tickets=rows)
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("hotline/", hotline_list, name="hotline_list"),
    path("hotline/template/", hotline_template_download, name="hotline_template"),
    path("hotline/import/", hotline_import_page, name="hotline_import"),
    path("hotline/export/", hotline_export_download, name="hotline_export"),
    path("hotline/<int:pk>/", hotline_detail, name="hotline_detail"),
]
