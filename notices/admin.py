"""The notices in the admin console: read-only, each user sees those of the agencies in scope and their own."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin
from accounts.models import User
from accounts.scope import agency_q
from notices.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    list_display = ("created_at", "subject", "agency", "user", "read_at")
    list_select_related = ("agency", "user")
    search_fields = ("subject",)
    fields = ("agency", "user", "subject", "body", "opens", "created_at", "read_at")
    readonly_fields = fields

    @admin.display(description=_("link"))
    def opens(self, obj: Notification) -> str:
        return format_html('<a href="{}">{}</a>', obj.link, _("Open")) if obj.link else "—"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        # Notices to the agencies the user sees, and the user's own. (Spelled out: Q() | Q(x) would be just Q(x).)
        if user.is_administrator:
            return queryset
        return queryset.filter(agency_q(user, "agency") | Q(user_id=user.pk))
