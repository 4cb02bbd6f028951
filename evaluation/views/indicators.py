"""Staff pages of the indicator sets: the list, a set with its indicators, grades and vetoes, a new version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from evaluation.models import GradeRule, Indicator, IndicatorSet, VetoRule
from evaluation.services.indicators import indicator_set_new_version
from evaluation.services.periods import may_freeze
from kernel.errors import NotAllowed
from kernel.sources import sources
from subjects.models import AgencyKind


@login_required
@require_GET
def set_list(request: AuthenticatedRequest) -> HttpResponse:
    context = {"section": "evaluation", "sets": IndicatorSet.objects.all(), "may_edit": may_freeze(request.user)}
    return render(request, "evaluation/set_list.html", context)


@login_required
@require_GET
def set_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    indicator_set = get_object_or_404(IndicatorSet, pk=pk)
    indicators = list(Indicator.objects.filter(indicator_set=indicator_set).order_by("position"))
    registered = sources()
    kinds = dict(AgencyKind.choices)
    rows = [
        {
            "indicator": i,
            "children": [
                (c, "、".join(str(kinds.get(k, k)) for k in c.applies_to or []), registered.get(c.source_code))
                for c in indicators
                if c.parent_id == i.pk
            ],
        }
        for i in indicators
        if i.level == 1
    ]
    context = {
        "section": "evaluation",
        "set": indicator_set,
        "rows": rows,
        "grades": GradeRule.objects.filter(indicator_set=indicator_set),
        "vetoes": VetoRule.objects.filter(indicator_set=indicator_set),
        "registered": registered,
        "may_edit": may_freeze(request.user),
    }
    return render(request, "evaluation/set_detail.html", context)


@login_required
@require_POST
def set_new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(IndicatorSet, pk=pk)
    raw = request.POST.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else base.year
    try:
        copy = indicator_set_new_version(actor=request.user, base=base, year=year)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    messages.success(request, _("A new draft version was made from this set."))
    return redirect("evaluation:set_detail", copy.pk)


urlpatterns: list[URLPattern] = [
    path("indicator-sets/", set_list, name="sets"),
    path("indicator-sets/<int:pk>/", set_detail, name="set_detail"),
    path("indicator-sets/<int:pk>/new-version/", set_new_version, name="set_new_version"),
]
