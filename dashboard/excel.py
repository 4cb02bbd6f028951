"""Every figure and list of the dashboards exports to Excel: its table, titled, with the as-of time."""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponseBase
from django.utils.translation import gettext as _
from openpyxl import Workbook

from records.excel.export import XLSX_CONTENT_TYPE, escape_cell


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return escape_cell(str(value))


def table_xlsx(*, title: str, headers: list[str], rows: list[list[Any]], as_of: datetime.datetime) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    sheet.append([title])
    sheet.append([_("As of %(time)s") % {"time": as_of.strftime("%Y-%m-%d %H:%M")}])
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponseBase:
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
