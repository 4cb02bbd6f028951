"""The operations page of delivery to the platform: the platform's state, lag, pending and parked changes of the
operator's region with the platform's answers, replay. Counts, banner and lists all come from
`PlatformChange.objects.visible_to(user)`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import AnyUser
from accounts.scope import may_operate_platform_delivery
from delivery import services
from delivery.kick import delivery_kick
from outbox.models import OutboxStatus, PlatformChange

PAGE_SIZE = 50
ANSWERS_SHOWN = 50


def _operator(request: HttpRequest) -> None:
    if not may_operate_platform_delivery(request.user):
        raise PermissionDenied


def parked_changes(user: AnyUser) -> QuerySet[PlatformChange]:
    return (
        PlatformChange.objects.visible_to(user)
        .filter(status=OutboxStatus.FAILED)
        .select_related("record", "record__subject_agency", "agency", "object_type")
        .order_by("-failed_at", "-pk")
    )


@login_required
@require_GET
def operations(request: AuthenticatedRequest) -> HttpResponse:
    _operator(request)
    page = Paginator(parked_changes(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "delivery/operations.html",
        {
            "section": "delivery",
            "status": services.delivery_status(changes=PlatformChange.objects.visible_to(request.user)),
            "page": page,
            "max_attempts": settings.PLATFORM_MAX_ATTEMPTS,
        },
    )


@login_required
@require_GET
def change_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One change of the operator's region with every answer the platform gave it (a parked change's whole story)."""
    _operator(request)
    found = get_object_or_404(
        PlatformChange.objects.visible_to(request.user).select_related(
            "record", "record__subject_agency", "agency", "object_type"
        ),
        pk=pk,
    )
    answers = list(found.answers.order_by("-pk")[: ANSWERS_SHOWN + 1])
    return render(
        request,
        "delivery/change.html",
        {
            "section": "delivery",
            "change": found,
            "answers": answers[:ANSWERS_SHOWN],
            "more_answers": len(answers) > ANSWERS_SHOWN,
        },
    )


@login_required
@require_POST
def replay(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _operator(request)
    change = get_object_or_404(parked_changes(request.user), pk=pk)
    if services.change_replay(change=change):
        delivery_kick()
        messages.success(request, _("The change is queued for delivery again."))
    return HttpResponseRedirect(reverse("delivery:operations"))


@login_required
@require_POST
def replay_failed(request: AuthenticatedRequest) -> HttpResponse:
    _operator(request)
    count = services.changes_replay(parked_changes(request.user))
    if count:
        delivery_kick()
    messages.success(request, services.replayed_message(count))
    return HttpResponseRedirect(reverse("delivery:operations"))
