"""Staff pages of the periods: the list with the freeze button (with a confirmation) and corrections."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from evaluation.models import Period, Snapshot
from evaluation.services.periods import may_freeze, period_correct, period_freeze
from kernel.errors import DomainError, NotAllowed


class FreezeForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the scores: freeze this period. The frozen result never changes."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the freeze.")},
    )


class CorrectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_GET
def period_list(request: AuthenticatedRequest) -> HttpResponse:
    periods = list(Period.objects.select_related("indicator_set").order_by("-end"))
    snapshots: dict[int, list[Snapshot]] = {}
    for snap in Snapshot.objects.select_related("frozen_by").defer("content").order_by("period_id", "-version"):
        snapshots.setdefault(snap.period_id, []).append(snap)
    rows = [(p, snapshots.get(p.pk, [])) for p in periods]
    context = {
        "section": "evaluation",
        "rows": rows,
        "may_freeze": may_freeze(request.user),
        "freeze_form": FreezeForm(),
        "correct_form": CorrectForm(),
    }
    return render(request, "evaluation/period_list.html", context)


@login_required
@require_POST
def freeze(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    if not may_freeze(request.user):
        raise PermissionDenied
    form = FreezeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the freeze."))
        return redirect("evaluation:periods")
    try:
        snapshot = period_freeze(actor=request.user, period=period)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Frozen: snapshot version %(v)s.") % {"v": snapshot.version})
    return redirect("evaluation:periods")


@login_required
@require_POST
def correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    if not may_freeze(request.user):
        raise PermissionDenied
    try:
        snapshot = period_correct(actor=request.user, period=period, reason=request.POST.get("reason", ""))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Corrected: snapshot version %(v)s.") % {"v": snapshot.version})
    return redirect("evaluation:periods")


urlpatterns: list[URLPattern] = [
    path("periods/", period_list, name="periods"),
    path("periods/<int:pk>/freeze/", freeze, name="period_freeze"),
    path("periods/<int:pk>/correct/", correct, name="period_correct"),
]
