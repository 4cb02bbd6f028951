"""Admin console for public commitments and what hangs off them: progress reports, evidence, events and warnings. All
read here; a commitment moves only through its workflow, by the actions below (each calls the service) or on its staff
page, and a stored file is offered only through the staff download, which checks scope."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CONSOLE_ROLES, ReadOnlyScopedAdmin, ScopedAdmin, has_console_role
from accounts.http import acting_user
from accounts.models import User
from accounts.scope import commitment_q
from commitments.models import (
    Commitment,
    CommitmentEvent,
    CommitmentWarning,
    ProgressEvidence,
    ProgressReport,
)
from commitments.services import commitment_publish, commitment_return, commitment_submit
from records.admin.dishonesty import WorkflowActionForm, run_on_each
from subjects.admin import ReadOnlyInline
from subjects.search import query_grams


def evidence_link(obj: ProgressEvidence) -> str:
    # The staff view serves the file to those who see the commitment (commitments.views), never the media URL.
    return format_html('<a href="{}">{}</a>', reverse("commitments:evidence_download", args=[obj.pk]), _("Download"))


class ProgressReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = ("reported_on", "percent", "narrative", "created_by", "created_at")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("created_by")


class CommitmentEventInline(ReadOnlyInline):
    model = CommitmentEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")


class CommitmentWarningInline(ReadOnlyInline):
    model = CommitmentWarning
    fields = ("kind", "about_date", "raised_on", "cleared_at")


COMMITMENT_FIELDS = (
    "code",
    "status",
    "agency",
    "responsible_person",
    "kind",
    "sector",
    "service_area",
    "title",
    "content",
    "baseline",
    "target_value",
    "unit",
    "recurring_standard",
    "source_document_number",
    "source_date",
    "source_url",
    "counterparty_name",
    "counterparty_uscc",
    "promised_on",
    "due_on",
    "liability",
    "year",
    "progress_percent",
    "last_progress_on",
    "outcome_reason",
    "outcome_decided_at",
    "change_ground",
    "change_authority",
    "change_description",
    "legality_review_on",
    "collective_decision_on",
    "counterparty_notified_on",
    "change_published_on",
    "compensation_amount",
    "breach_record",
    "version",
    "published_at",
    "created_by",
    "created_at",
    "updated_at",
)


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdmin, SimpleHistoryAdmin):  # type: ignore[misc]  # simple_history ships no types
    """Read here, never edited: a commitment changes only through its workflow, by the actions below (each calls the
    service) or on its staff page, where it is also entered, edited as a draft and decided."""

    editor_roles = frozenset()
    action_form = WorkflowActionForm
    actions = ("submit_commitments", "publish_commitments", "return_commitments")
    list_display = ("code", "title", "agency", "kind", "status", "year", "due_on", "progress_percent", "staff_page")
    list_filter = ("status", "kind", "year", "sector")
    list_select_related = ("agency",)
    search_fields = ("code", "title")
    fields = (*COMMITMENT_FIELDS, "staff_page")
    readonly_fields = fields
    inlines = (ProgressReportInline, CommitmentWarningInline, CommitmentEventInline)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The staff list's own search: the title and agency (grams index) or the start of the code.
        text = search_term.strip()
        if not text:
            return queryset, False
        return queryset.filter(Q(search_grams__has_all=query_grams(text)) | Q(code__startswith=text)), False

    def has_workflow_permission(self, request: HttpRequest) -> bool:
        return has_console_role(request, CONSOLE_ROLES)

    @admin.display(description=_("staff page"))
    def staff_page(self, obj: Commitment) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open"))

    def _steps(self, request: HttpRequest, queryset: QuerySet[Any], step: Callable[[Any], Any], done: Any) -> None:
        rows = queryset.select_related("agency").order_by("pk")
        run_on_each(self, request, rows, step, lambda n: str(done % {"count": n}))

    @admin.action(description=_("Submit the selected commitments"), permissions=["workflow"])
    def submit_commitments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d commitment submitted.", "%(count)d commitments submitted.", "count")
        self._steps(request, queryset, lambda c: commitment_submit(actor=acting_user(request), commitment=c), done)

    @admin.action(description=_("Publish the selected commitments"), permissions=["workflow"])
    def publish_commitments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d commitment published.", "%(count)d commitments published.", "count")
        self._steps(request, queryset, lambda c: commitment_publish(actor=acting_user(request), commitment=c), done)

    @admin.action(description=_("Return the selected commitments (give the reason)"), permissions=["workflow"])
    def return_commitments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = ngettext_lazy("%(count)d commitment returned.", "%(count)d commitments returned.", "count")
        reason = request.POST.get("reason", "")
        self._steps(
            request,
            queryset,
            lambda c: commitment_return(actor=acting_user(request), commitment=c, reason=reason),
            done,
        )


@admin.register(CommitmentEvent)
class CommitmentEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "commitment", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind",)
    list_select_related = ("commitment", "actor")
    search_fields = ("commitment__code",)
    fields = ("commitment", "kind", "from_status", "to_status", "reason", "changes", "actor", "at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(commitment_q(user, "commitment__"))


# The evidence kinds (records/services/evidence.py) by the names people use, rather than their MIME types.
FILE_KINDS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "application/ofd": "OFD"}


class EvidenceKindColumn:
    @admin.display(description=_("content type"))
    def file_kind(self, obj: ProgressEvidence) -> str:
        return FILE_KINDS.get(obj.content_type, obj.content_type)


class ProgressEvidenceInline(EvidenceKindColumn, ReadOnlyInline):
    model = ProgressEvidence
    fields = ("original_name", "file_kind", "size", "uploaded_by", "uploaded_at", "download")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj: ProgressEvidence) -> str:
        return evidence_link(obj)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyScopedAdmin):
    list_display = ("reported_on", "commitment", "percent", "created_by", "created_at")
    list_select_related = ("commitment", "created_by")
    search_fields = ("commitment__code",)
    fields = ("commitment", "reported_on", "percent", "narrative", "created_by", "created_at")
    readonly_fields = fields
    inlines = (ProgressEvidenceInline,)

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(commitment_q(user, "commitment__"))


@admin.register(ProgressEvidence)
class ProgressEvidenceAdmin(EvidenceKindColumn, ReadOnlyScopedAdmin):
    list_display = ("original_name", "report", "file_kind", "size", "uploaded_by", "uploaded_at", "download")
    list_select_related = ("report__commitment", "uploaded_by")
    search_fields = ("original_name", "report__commitment__code")
    # No `file`: its media URL is not served; the download link goes through the scoped staff view.
    fields = ("report", "original_name", "file_kind", "size", "sha256", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(commitment_q(user, "report__commitment__"))

    @admin.display(description=_("file"))
    def download(self, obj: ProgressEvidence) -> str:
        return evidence_link(obj)


@admin.register(CommitmentWarning)
class CommitmentWarningAdmin(ReadOnlyScopedAdmin):
    list_display = ("raised_on", "kind", "commitment", "about_date", "cleared_at")
    list_filter = ("kind",)
    list_select_related = ("commitment",)
    search_fields = ("commitment__code",)
    fields = ("commitment", "kind", "about_date", "raised_on", "cleared_at")
    readonly_fields = fields
