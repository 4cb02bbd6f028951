"""The outbox in the console: read-only, with replay of parked changes (the operations page has the same)."""

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin
from accounts.models import User
from delivery import services
from delivery.kick import delivery_kick
from outbox.kinds import changes_q
from outbox.models import PlatformChange


@admin.register(PlatformChange)
class PlatformChangeAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "number",
        "object_type",
        "record",
        "change_type",
        "version",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
    )
    list_filter = ("status", "change_type")
    list_select_related = ("record", "object_type")
    search_fields = ("record__document_number",)
    show_full_result_count = False
    actions = ("replay",)
    fields = (
        "object_type",
        "object_id",
        "agency",
        "record",
        "change_type",
        "version",
        "status",
        "attempts",
        "refusals",
        "failure",
        "generation",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "leased_until",
        "delivered_at",
        "failed_at",
        "last_error",
        "payload_shown",
    )
    readonly_fields = fields

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj: PlatformChange) -> int:
        return obj.pk

    @admin.display(description=_("payload"))
    def payload_shown(self, obj: PlatformChange) -> str:
        # The national 双公示 fields as sent, readable: Chinese as itself, not as \u escapes.
        return format_html('<pre class="payload">{}</pre>', json.dumps(obj.payload, ensure_ascii=False, indent=2))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # Lag, pending, parked and the last delivery above the list, as on the operations page.
        status = services.delivery_status(changes=PlatformChange.objects.visible_to(request.user))
        return super().changelist_view(request, {**(extra_context or {}), "delivery": status})

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(changes_q(user))  # as PlatformChange.objects.visible_to(user)

    @admin.action(description=_("Replay the selected parked changes"))
    def replay(self, request: HttpRequest, queryset: QuerySet[PlatformChange]) -> None:
        count = services.changes_replay(queryset)
        if count:
            delivery_kick()
        self.message_user(request, services.replayed_message(count), messages.SUCCESS)
