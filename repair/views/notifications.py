"""The in-app notices (repair.notices.notify): those addressed to the user's agency or to the user, newest first."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from repair.models import Notification

PAGE_SIZE = 50


def notifications_for(user: Any) -> QuerySet[Notification]:
    recipients = Q(user_id=user.pk)
    if user.agency_id is not None:
        recipients |= Q(agency_id=user.agency_id)
    return Notification.objects.filter(recipients)


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def _back(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    url = reverse("repair:notification_list")
    return redirect(f"{url}?page={int(page)}" if page.isdigit() else url)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "repair/notifications.html", {"section": "notifications", "page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    # Conditional: the first reader's time stays.
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return _back(request)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_for(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return _back(request)
