"""The in-app notices (notices.services.notify): those addressed to the user's agency or to the user, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from notices.models import Notification
from notices.services import notifications_mark_read

PAGE_SIZE = 50


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user)


def unread_count(user: User) -> int:
    return Notification.objects.for_user(user).unread().count()


def _back(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    url = reverse("notices:notification_list")
    return redirect(f"{url}?page={int(page)}" if page.isdigit() else url)


@login_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/notifications.html", {"section": "notifications", "page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notifications_mark_read(user=request.user, notification=notification)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return _back(request)
