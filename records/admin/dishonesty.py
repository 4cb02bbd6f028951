"""Admin console for dishonesty records and what hangs off them: events, measures, rectifications, evidence and
imports. All read here; a record moves only through its workflow, by admin actions that call the services or on the
staff page each row links to, and a stored file is offered only through the staff download, which checks scope.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CONSOLE_ROLES, ReadOnlyScopedAdmin, ScopedAdmin, has_console_role
from accounts.http import acting_user
from accounts.models import User
from accounts.scope import record_q
from kernel.errors import DomainError
from records.filters import record_text_q
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    EvidenceFile,
    ImportJob,
    MeasureEvent,
    MeasureState,
    RecordEvent,
    RecordResponsibility,
    Rectification,
)
from records.services import (
    measure_set_state,
    record_publish,
    record_return,
    record_revoke,
    record_submit,
)
from subjects.admin import ReadOnlyInline
from subjects.models import Agency


class WorkflowActionForm(helpers.ActionForm):
    """The changelist's action bar, with the reason the services ask for when a record is returned or revoked."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


def run_on_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    rows: QuerySet[Any],
    step: Callable[[Any], Any],
    done: Callable[[int], str],
) -> None:
    """One service call per selected row, each its own transaction; what a service refuses is reported, not raised."""
    moved = 0
    refused: dict[str, list[str]] = {}
    for row in rows:
        try:
            step(row)
        except DomainError as error:
            refused.setdefault(str(error.message), []).append(str(row))
        else:
            moved += 1
    if moved:
        model_admin.message_user(request, done(moved), messages.SUCCESS)
    for message, names in refused.items():
        shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        model_admin.message_user(request, f"{message} ({shown})", messages.ERROR)


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")


class ResponsibilityInline(ReadOnlyInline):
    model = RecordResponsibility
    fields = ("person", "id_number_masked", "kind")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("person")

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj: RecordResponsibility) -> str:
        return obj.person.id_number_masked


class MeasureInline(ReadOnlyInline):
    model = AppliedMeasure
    fields = ("measure_type", "target_agency", "target_person", "executing_agency", "starts_on", "ends_on", "state")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("measure_type", "target_agency", "target_person", "executing_agency")
        )


def evidence_link(obj: EvidenceFile) -> str:
    # The staff view serves the file to those who see the record (records.views), never the media URL.
    return format_html('<a href="{}">{}</a>', reverse("records:evidence_download", args=[obj.pk]), _("Download"))


class EvidenceInline(ReadOnlyInline):
    model = EvidenceFile
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at", "download")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj: EvidenceFile) -> str:
        return evidence_link(obj)


class RecordEventInline(ReadOnlyInline):
    model = RecordEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")


RECORD_FIELDS = (
    "status",
    "subject_agency",
    "subject_person",
    "subject_name",
    "source",
    "sector",
    "severity",
    "special_field",
    "document_number",
    "deciding_agency",
    "deciding_body_name",
    "deciding_body_uscc",
    "decision_date",
    "facts",
    "legal_basis",
    "categories",
    "fine_amount",
    "other_amount",
    "loss_description",
    "social_impact",
    "data_source_agency",
    "disclosure_rule",
    "publicly_disclosed",
    "disclosure_starts_on",
    "earliest_repair_on",
    "disclosure_ends_on",
    "version",
    "published_at",
    "created_by",
    "created_at",
    "updated_at",
)


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Read here, never edited: a record changes only through its workflow, by the actions below (each calls the
    service) or on its staff page, where it is also entered, edited as a draft and corrected."""

    editor_roles = frozenset()
    action_form = WorkflowActionForm
    actions = ("submit_records", "publish_records", "return_records", "revoke_records")
    list_display = (
        "document_number",
        "subject_name",
        "subject_agency",
        "severity",
        "source",
        "sector",
        "status",
        "decision_date",
        "disclosure_ends_on",
        "staff_page",
    )
    list_filter = ("status", "severity", "sector", "source")
    list_select_related = ("subject_agency",)
    search_fields = ("subject_name", "document_number")
    fields = (*RECORD_FIELDS, "staff_page")
    readonly_fields = fields
    inlines = (ResponsibilityInline, MeasureInline, EvidenceInline, RecordEventInline)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The staff list's own search: the subject's name (grams index) or the start of the document number.
        return (queryset.filter(record_text_q(search_term)) if search_term.strip() else queryset), False

    def has_workflow_permission(self, request: HttpRequest) -> bool:
        # Who may take which step on which record is the services' decision; the console offers the buttons.
        return has_console_role(request, CONSOLE_ROLES)

    @admin.display(description=_("staff page"))
    def staff_page(self, obj: DishonestyRecord) -> str:
        return format_html('<a href="{}">{}</a>', reverse("records:record_detail", args=[obj.pk]), _("Open"))

    def _steps(self, request: HttpRequest, queryset: QuerySet[Any], step: Callable[[Any], Any], done: Any) -> None:
        rows = queryset.select_related("subject_agency", "data_source_agency").order_by("pk")
        run_on_each(self, request, rows, step, lambda n: str(done % {"count": n}))

    @admin.action(description=_("Submit the selected records"), permissions=["workflow"])
    def submit_records(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d record submitted.", "%(count)d records submitted.", "count")
        self._steps(request, queryset, lambda r: record_submit(actor=acting_user(request), record=r), done)

    @admin.action(description=_("Publish the selected records"), permissions=["workflow"])
    def publish_records(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d record published.", "%(count)d records published.", "count")
        self._steps(request, queryset, lambda r: record_publish(actor=acting_user(request), record=r), done)

    @admin.action(description=_("Return the selected records (give the reason)"), permissions=["workflow"])
    def return_records(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d record returned.", "%(count)d records returned.", "count")
        reason = _reason(request)
        self._steps(
            request, queryset, lambda r: record_return(actor=acting_user(request), record=r, reason=reason), done
        )

    @admin.action(description=_("Revoke the selected records (give the reason)"), permissions=["workflow"])
    def revoke_records(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d record revoked.", "%(count)d records revoked.", "count")
        reason = _reason(request)
        self._steps(
            request, queryset, lambda r: record_revoke(actor=acting_user(request), record=r, reason=reason), done
        )


@admin.register(RecordEvent)
class RecordEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "record", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind",)
    list_select_related = ("record", "actor")
    search_fields = ("record__document_number",)
    fields = ("record", "kind", "from_status", "to_status", "reason", "changes", "actor", "at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(record_q(user, "record__"))


MEASURE_RELATED = ("record", "measure_type", "target_agency", "target_person", "executing_agency")


@admin.register(AppliedMeasure)
class AppliedMeasureAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Applied by publishing; moved between states by the actions below (measure_set_state), with the reason."""

    editor_roles = frozenset()
    action_form = WorkflowActionForm
    actions = ("suspend_measures", "reactivate_measures", "lift_measures")
    list_display = (
        "measure_type",
        "record",
        "target_agency",
        "target_person",
        "executing_agency",
        "starts_on",
        "ends_on",
        "state",
    )
    list_filter = ("state", "measure_type")
    list_select_related = MEASURE_RELATED
    search_fields = ("record__document_number", "target_agency__name")
    fields = (*MEASURE_RELATED, "starts_on", "ends_on", "state", "state_reason", "wrongful")
    readonly_fields = fields

    def has_workflow_permission(self, request: HttpRequest) -> bool:
        return has_console_role(request, CONSOLE_ROLES)

    def _move(self, request: HttpRequest, queryset: QuerySet[Any], to_state: str, done: Any) -> None:
        reason = _reason(request)
        rows = queryset.select_related("record__subject_agency").order_by("pk")
        run_on_each(
            self,
            request,
            rows,
            lambda m: measure_set_state(actor=acting_user(request), measure=m, to_state=to_state, reason=reason),
            lambda n: str(done % {"count": n}),
        )

    @admin.action(description=_("Suspend the selected measures (give the reason)"), permissions=["workflow"])
    def suspend_measures(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d measure suspended.", "%(count)d measures suspended.", "count")
        self._move(request, queryset, MeasureState.SUSPENDED, done)

    @admin.action(description=_("Reactivate the selected measures (give the reason)"), permissions=["workflow"])
    def reactivate_measures(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d measure reactivated.", "%(count)d measures reactivated.", "count")
        self._move(request, queryset, MeasureState.ACTIVE, done)

    @admin.action(description=_("Lift the selected measures (give the reason)"), permissions=["workflow"])
    def lift_measures(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d measure lifted.", "%(count)d measures lifted.", "count")
        self._move(request, queryset, MeasureState.LIFTED, done)


@admin.register(MeasureEvent)
class MeasureEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "measure", "from_state", "to_state", "actor")
    list_filter = ("to_state",)
    list_select_related = ("measure__measure_type", "measure__target_agency", "measure__target_person", "actor")
    search_fields = ("measure__record__document_number",)
    fields = ("measure", "from_state", "to_state", "reason", "actor", "at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(record_q(user, "measure__record__"))


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("Overdue")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.overdue() if self.value() == "yes" else queryset  # type: ignore[attr-defined]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyScopedAdmin):
    """限期整改: the unit answers on the staff pages (rectification_submit); here the deadlines are watched."""

    list_display = ("deadline", "record", "target_agency", "submitted_at", "overdue")
    list_filter = (OverdueFilter,)
    list_select_related = ("measure__record", "measure__target_agency", "submitted_by")
    search_fields = ("measure__record__document_number", "measure__target_agency__name")
    fields = ("measure", "record", "deadline", "explanation", "submitted_at", "submitted_by", "overdue")
    readonly_fields = fields

    @admin.display(description=_("record"))
    def record(self, obj: Rectification) -> DishonestyRecord:
        return obj.measure.record

    @admin.display(description=_("agency"))
    def target_agency(self, obj: Rectification) -> Agency:
        return obj.measure.target_agency

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Rectification) -> bool:
        return obj.is_overdue_on(timezone.localdate())


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyScopedAdmin):
    list_display = ("original_name", "record", "content_type", "size", "uploaded_by", "uploaded_at", "download")
    list_select_related = ("record", "uploaded_by")
    search_fields = ("original_name", "record__document_number")
    # No `file`: its media URL is not served; the download link goes through the scoped staff view.
    fields = ("record", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(record_q(user, "record__"))

    @admin.display(description=_("file"))
    def download(self, obj: EvidenceFile) -> str:
        return evidence_link(obj)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "original_name",
        "agency",
        "uploaded_by",
        "status",
        "total_rows",
        "error_count",
        "created_records",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)
    list_select_related = ("agency", "uploaded_by")
    search_fields = ("original_name", "agency__name")
    # The workbook and the error report are not offered: they may hold full ID numbers.
    fields = (
        "original_name",
        "agency",
        "uploaded_by",
        "size",
        "sha256",
        "status",
        "total_rows",
        "processed_rows",
        "error_count",
        "created_records",
        "failure",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
