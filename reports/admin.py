from django.contrib import admin

from reports.models import IssuedReport, ReportDownload


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "version", "subject_label", "issuer_name", "issued_by", "issued_at"]
    list_filter = ["version"]
    search_fields = ["number", "verification_code", "subject_label"]
    # The snapshot is the report's data (JSON keys and values): read it as the report, on the verification page or
    # through the staff pages, not as raw JSON here.
    exclude = ["snapshot"]
    readonly_fields = [f.name for f in IssuedReport._meta.fields if f.name != "snapshot"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ReportDownload)
class ReportDownloadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor", "report", "purpose", "format", "channel"]
    list_filter = ["format", "channel"]
    search_fields = ["report__number", "purpose", "actor__username"]
    readonly_fields = ["report", "actor", "purpose", "format", "channel", "at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
