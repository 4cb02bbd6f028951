from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportVersion
from reports.models.reports import DownloadFormat

PURPOSE_HELP = _("What the report is for (e.g. 2027年公务员招录资格审查). Kept in the download log.")


class UnitReportForm(forms.Form):
    version = forms.ChoiceField(
        label=_("Version"),
        choices=[(ReportVersion.PUBLIC, ReportVersion.PUBLIC.label), (ReportVersion.FULL, ReportVersion.FULL.label)],
        initial=ReportVersion.FULL,
        widget=forms.RadioSelect,
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False, help_text=PURPOSE_HELP)
    format = forms.ChoiceField(label=_("Format"), choices=DownloadFormat.choices, initial=DownloadFormat.PDF)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("version") == ReportVersion.FULL and not (data.get("purpose") or "").strip():
            self.add_error("purpose", _("Say what the full report is for."))
        return data


class ReviewReportForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=200, help_text=PURPOSE_HELP)
    format = forms.ChoiceField(label=_("Format"), choices=DownloadFormat.choices, initial=DownloadFormat.PDF)
