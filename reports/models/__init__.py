from reports.models.reports import IssuedReport, ReportDownload, ReportVersion

__all__ = ["IssuedReport", "ReportDownload", "ReportVersion"]
