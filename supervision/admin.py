"""Admin of supervision: each kind registers its models from `supervision/admin.py` below."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from accounts.admin import ReadOnlyScopedAdmin
from accounts.models import User
from accounts.scope import agency_q
from subjects.admin import ReadOnlyInline
from supervision import admin_suggestions  # noqa: F401 - registers NPC suggestions and court cases
from supervision.admin_ledger import register as _register_ledger
from supervision.models.complaints import (
    BreachComplaint,
    BreachComplaintAttachment,
    BreachComplaintEvent,
)
from supervision.models.hotline import HotlineTicket

# Breach complaints and 12345 tickets: read in the console, written by the services and the import.


class BreachComplaintEventInline(ReadOnlyInline):
    model = BreachComplaintEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "reason", "public")


class BreachComplaintAttachmentInline(ReadOnlyInline):
    model = BreachComplaintAttachment
    fields = ("original_name", "purpose", "size", "uploaded_at")


@admin.register(BreachComplaint)
class BreachComplaintAdmin(ReadOnlyScopedAdmin):
    list_display = ("tracking_number", "respondent", "channel", "category", "status", "received_on", "stage_due_on")
    list_filter = ("status", "channel", "category")
    list_select_related = ("respondent",)
    search_fields = ("tracking_number", "complainant_name", "respondent__name")
    date_hierarchy = "received_on"
    exclude = ("query_code_digest",)
    inlines = (BreachComplaintEventInline, BreachComplaintAttachmentInline)


@admin.register(HotlineTicket)
class HotlineTicketAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "type", "unit", "received_on", "due_on", "closed_on", "satisfaction", "reopened_count")
    list_filter = ("type", "satisfaction")
    list_select_related = ("unit",)
    search_fields = ("number", "unit__name")
    date_hierarchy = "received_on"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(agency_q(user, "unit"))


# Inspections and the work ledger (docs/supervision.md § 督导检查, § 工作台账)

_register_ledger()
