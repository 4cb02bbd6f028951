"""Excel export of the yearly results of the honest street and town creation: one row per application, the criteria
as the last review computed them. No import: applications carry evidence files and go through reviews."""

import tempfile
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from records.excel.export import escape_cell
from sectors.models.streets import CreationApplication


def _met(value: Any) -> str:
    if value is None:
        return "—"
    return _("Met") if value else _("Not met")


def creation_export(*, applications: QuerySet[CreationApplication]) -> tuple[IO[bytes], str]:
    """Applications the caller has already scoped, as xlsx; read in chunks, so the queries do not grow with rows."""
    headers = [
        _("Year"),
        _("Sub-district or town"),
        _("Unified Social Credit Code"),
        _("Status"),
        _("Checklist version"),
        _("Criteria met"),
        _("Criteria not met"),
        _("Notice starts"),
        _("Notice ends"),
        _("Named on"),
        _("Revoked on"),
        _("Grounds of revocation"),
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Creation results"))
    sheet.append(headers)
    rows = applications.select_related("agency", "checklist").order_by("-year", "agency__name", "pk")
    for application in rows.iterator(chunk_size=2000):
        evaluation = application.evaluation or {}
        met = [code for code, result in evaluation.items() if result.get("met") is True]
        unmet = [code for code, result in evaluation.items() if result.get("met") is not True]
        row = [
            application.year,
            application.agency.name,
            application.agency.uscc,
            application.get_status_display(),
            application.checklist.version,
            "、".join(met),
            "、".join(unmet),
            application.notice_starts_on,
            application.notice_ends_on,
            application.named_on,
            application.revoked_on,
            application.revocation_reason,
        ]
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, row)])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"creation-results-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
