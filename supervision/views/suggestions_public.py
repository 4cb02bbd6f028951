"""The public page of the handling results of NPC suggestions and CPPCC proposals (seed 001 §6: the results are made
public): number, session, title, lead unit, reply class, reply summary and the deputy's satisfaction of each one
replied to. Never the deputy's contact, never one not yet replied to. Rendered in the public site's frame."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.context_processors import site_name
from supervision.models.suggestions import ReplyClass, Suggestion, SuggestionKind

PAGE_SIZE = 50
PUBLIC_FIELDS = (
    "number",
    "kind",
    "session",
    "title",
    "status",
    "reply_class",
    "rereply_class",
    "replied_on",
    "rereplied_on",
    "reply_summary",
    "satisfaction",
    "final_satisfaction",
    "lead_unit__name",
)


@require_safe
def suggestion_results(request: HttpRequest) -> HttpResponse:
    rows = Suggestion.objects.published().select_related("lead_unit").only(*PUBLIC_FIELDS)
    kind = request.GET.get("kind", "")
    if kind in SuggestionKind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    reply_class = request.GET.get("class", "")
    if reply_class in ReplyClass.values:
        rows = rows.filter(Q(rereply_class=reply_class) | Q(rereply_class="", reply_class=reply_class))
    else:
        reply_class = ""
    page = Paginator(rows.order_by("-replied_on", "number", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "site_name": site_name(),
        "page": page,
        "kind": kind,
        "reply_class": reply_class,
        "kinds": SuggestionKind.choices,
        "classes": ReplyClass.choices,
        "title": _("Handling results of NPC suggestions and CPPCC proposals"),
    }
    return render(request, "supervision/suggestions/public.html", context)


urlpatterns: list[URLPattern] = [
    path("suggestions/", suggestion_results, name="suggestion_results"),
]
