"""Admin console for objections, complaints and credit repair: read here, scoped like every other page, nothing deleted.

A case moves only through its services — by the actions below or on the staff pages and the API — so every field is
read-only and the simple steps are offered as actions that call one service per selected case. Events, mitigations
and notifications are written by the services and only read here. The query code's digest is never shown: with it,
anyone with database access could not follow a case, but it still has no business on a screen.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CONSOLE_ROLES, ReadOnlyScopedAdmin, ScopedAdmin, has_console_role
from accounts.http import acting_user
from accounts.models import User
from accounts.scope import record_q
from records.admin.dishonesty import OverdueFilter, WorkflowActionForm, run_on_each
from repair.models import (
    CaseAttachment,
    CaseEvent,
    Complaint,
    Mitigation,
    Objection,
    RepairApplication,
)
from repair.services import (
    complaint_accept,
    complaint_dismiss,
    complaint_not_accept,
    complaint_resolve,
    objection_accept,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    repair_accept,
    repair_not_accept,
    repair_refuse,
)
from subjects.admin import ReadOnlyInline
from subjects.personal_data import mask_id_numbers_in_text

# Never `query_code_digest`.
FILER_FIELDS = ("filer_name", "filer_contact", "filer_email", "masked_statement", "commitment_signed", "filed_by")
PROGRESS_FIELDS = ("stage_due_on", "overdue", "decision_reason", "created_at", "closed_at")


@admin.display(description=_("previous status"))
def from_status_label(obj: CaseEvent) -> str:
    return obj.from_status_label


@admin.display(description=_("new status"))
def to_status_label(obj: CaseEvent) -> str:
    return obj.to_status_label


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    # The admin takes callables among read-only fields; the stubs allow names only.
    fields = ("at", from_status_label, to_status_label, "actor", "reason")  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")


class CaseAttachmentInline(ReadOnlyInline):
    """What was filed; the stored file is not linked (its media URL is not served)."""

    model = CaseAttachment
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")


class CaseAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Read-only; the simple steps are actions that call the services, the reason typed in the action bar."""

    editor_roles = frozenset()
    action_form = WorkflowActionForm
    inlines = (CaseAttachmentInline, CaseEventInline)
    list_filter: ClassVar[tuple[Any, ...]] = ("status", OverdueFilter)
    list_select_related: ClassVar[tuple[str, ...]] = ("record",)
    search_fields = ("record__document_number", "filer_name")
    # What the services read to decide who may take a step.
    step_related: tuple[str, ...] = ("record__subject_agency",)

    def has_workflow_permission(self, request: HttpRequest) -> bool:
        # Who may take which step on which case is the services' decision; the console offers the buttons.
        return has_console_role(request, CONSOLE_ROLES)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Any) -> bool:
        return bool(obj.is_overdue_on(timezone.localdate()))

    @admin.display(description=_("statement"))
    def masked_statement(self, obj: Any) -> str:
        return mask_id_numbers_in_text(obj.statement)

    def _steps(self, request: HttpRequest, queryset: QuerySet[Any], step: Callable[[Any], Any], done: Any) -> None:
        rows = queryset.select_related(*self.step_related).order_by("pk")
        run_on_each(self, request, rows, step, lambda n: str(done % {"count": n}))


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")


CASES_MOVED = ngettext_lazy("%(count)d case moved on.", "%(count)d cases moved on.", "count")


@admin.register(Objection)
class ObjectionAdmin(CaseAdmin):
    """Upholding (with its corrections and wrongful measures) is done on the staff page or through the API."""

    actions = ("accept_objections", "send_objections_for_verification", "reject_objections", "not_accept_objections")
    list_display = ("record", "grounds", "status", "filer_name", "stage_due_on", "overdue", "created_at")
    fields = ("record", "grounds", "status", "outcome", *FILER_FIELDS, *PROGRESS_FIELDS)
    readonly_fields = fields

    @admin.action(description=_("Accept the selected objections"), permissions=["workflow"])
    def accept_objections(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._steps(request, queryset, lambda o: objection_accept(actor=acting_user(request), objection=o), CASES_MOVED)

    @admin.action(description=_("Send the selected objections for verification"), permissions=["workflow"])
    def send_objections_for_verification(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._steps(
            request,
            queryset,
            lambda o: objection_send_for_verification(actor=acting_user(request), objection=o),
            CASES_MOVED,
        )

    @admin.action(description=_("Reject the selected objections (give the reason)"), permissions=["workflow"])
    def reject_objections(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda o: objection_reject(actor=acting_user(request), objection=o, reason=reason),
            CASES_MOVED,
        )

    @admin.action(description=_("Do not accept the selected objections (give the reason)"), permissions=["workflow"])
    def not_accept_objections(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda o: objection_not_accept(actor=acting_user(request), objection=o, reason=reason),
            CASES_MOVED,
        )


@admin.register(Complaint)
class ComplaintAdmin(CaseAdmin):
    actions = ("accept_complaints", "resolve_complaints", "dismiss_complaints", "not_accept_complaints")
    list_display = ("record", "handling_agency", "status", "filer_name", "stage_due_on", "overdue", "created_at")
    list_select_related = ("record", "handling_agency")
    step_related = ("record", "handling_agency")
    fields = ("record", "objection", "handling_agency", "status", *FILER_FIELDS, *PROGRESS_FIELDS)
    readonly_fields = fields

    @admin.action(description=_("Accept the selected complaints"), permissions=["workflow"])
    def accept_complaints(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._steps(request, queryset, lambda c: complaint_accept(actor=acting_user(request), complaint=c), CASES_MOVED)

    @admin.action(description=_("Resolve the selected complaints (give the reason)"), permissions=["workflow"])
    def resolve_complaints(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda c: complaint_resolve(actor=acting_user(request), complaint=c, reason=reason),
            CASES_MOVED,
        )

    @admin.action(description=_("Dismiss the selected complaints (give the reason)"), permissions=["workflow"])
    def dismiss_complaints(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda c: complaint_dismiss(actor=acting_user(request), complaint=c, reason=reason),
            CASES_MOVED,
        )

    @admin.action(description=_("Do not accept the selected complaints (give the reason)"), permissions=["workflow"])
    def not_accept_complaints(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda c: complaint_not_accept(actor=acting_user(request), complaint=c, reason=reason),
            CASES_MOVED,
        )


@admin.register(RepairApplication)
class RepairApplicationAdmin(CaseAdmin):
    """Granting (the record leaves disclosure) and requesting material are done on the staff page or the API."""

    actions = ("accept_repairs", "refuse_repairs", "not_accept_repairs")
    list_display = ("record", "status", "filer_name", "stage_due_on", "overdue", "decided_at", "created_at")
    fields = (
        "record",
        "status",
        *FILER_FIELDS,
        *PROGRESS_FIELDS,
        "material_requested_at",
        "material_request",
        "material_due_on",
        "decided_by",
        "decided_at",
        "verification_code",
    )
    readonly_fields = fields

    @admin.action(description=_("Accept the selected repair applications"), permissions=["workflow"])
    def accept_repairs(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._steps(request, queryset, lambda a: repair_accept(actor=acting_user(request), application=a), CASES_MOVED)

    @admin.action(description=_("Refuse the selected repair applications (give the reason)"), permissions=["workflow"])
    def refuse_repairs(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda a: repair_refuse(actor=acting_user(request), application=a, reason=reason),
            CASES_MOVED,
        )

    @admin.action(
        description=_("Do not accept the selected repair applications (give the reason)"), permissions=["workflow"]
    )
    def not_accept_repairs(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = _reason(request)
        self._steps(
            request,
            queryset,
            lambda a: repair_not_accept(actor=acting_user(request), application=a, reason=reason),
            CASES_MOVED,
        )


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "case", from_status_label, to_status_label, "actor")
    list_select_related = ("objection__record", "complaint__record", "repair__record", "actor")
    # The admin takes callables among read-only fields; the stubs allow names only.
    fields = ("objection", "complaint", "repair", from_status_label, to_status_label, "reason", "actor", "at")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        # The events of the cases the user sees, by each case model's own rule.
        return queryset.filter(
            Q(objection__in=Objection.objects.visible_to(user).values("pk"))
            | Q(complaint__in=Complaint.objects.visible_to(user).values("pk"))
            | Q(repair__in=RepairApplication.objects.visible_to(user).values("pk"))
        )

    @admin.display(description=_("case"))
    def case(self, obj: CaseEvent) -> str:
        return str(obj.objection or obj.complaint or obj.repair)


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyScopedAdmin):
    """主动自新: approved on the staff pages or through the API (mitigation_grant)."""

    list_display = ("measure", "kind", "approved_by", "approved_at")
    list_filter = ("kind",)
    list_select_related = ("measure__measure_type", "measure__target_agency", "measure__target_person", "approved_by")
    fields = ("measure", "kind", "reason", "approved_by", "approved_at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(record_q(user, "measure__record__"))
