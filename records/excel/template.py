"""The downloadable import template: the data sheet, the explanation sheet and the hidden lists."""

import io
from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from records.excel.columns import (
    AMOUNT,
    CHOICE,
    COLUMNS,
    DATA_SHEET,
    DATE,
    HELP_SHEET,
    LISTS_SHEET,
    TEXT_FORMAT_KINDS,
    Column,
    choice_labels,
)
from records.excel.reader import column_letters

# Rows whose code and ID cells are formatted as text one by one (more than most workbooks hold).
PREFORMATTED_ROWS = 1000


def build_template(*, max_rows: int = 200_000) -> bytes:
    """The dishonesty-record import workbook."""
    return workbook_template(
        columns=COLUMNS,
        labels=choice_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one record per row of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "Do not change the first row, merge cells or use formulas. Type codes and ID numbers as text. "
                "A record about a civil servant names his or her agency and ID number. Columns in red are required. "
                "Nothing is imported until every row is correct; the check lists every error with its row."
            ),
        ],
        max_rows=max_rows,
    )


def workbook_template(
    *,
    columns: Sequence[Column],
    labels: Callable[[str], dict[str, str]],
    data_sheet: str,
    help_sheet: str,
    lists_sheet: str,
    intro: Sequence[str],
    rules: Sequence[str] = (),
    max_rows: int = 200_000,
) -> bytes:
    """An import workbook: the data sheet (ID and code columns formatted as text, choice columns with drop-down
    lists of `labels(column.key)`), the explanation sheet (`intro`, each column, then `rules`) and a hidden sheet
    holding the lists. Shared by every import that reads its rows with records.excel.reader."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet, the active one
    sheet.title = data_sheet
    lists = workbook.create_sheet(lists_sheet)
    lists.sheet_state = "hidden"
    explained = workbook.create_sheet(help_sheet)

    sheet.append([column.header for column in columns])
    bold, required_font = Font(bold=True), Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns):
        letter = column_letters(index)
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = required_font if column.required else bold
        cell.fill = fill
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        # The column's own format, so what is typed below it stays text: 18-digit IDs typed into a General column
        # become floats with lost digits.
        if column.kind in TEXT_FORMAT_KINDS:
            dimension.number_format = "@"
        elif column.kind == DATE:
            dimension.number_format = "yyyy-mm-dd"
    # The column's format is not enough: some spreadsheet programs (WPS among them, common in government offices)
    # give a cell typed into an empty column the General format, and an 18-character code becomes a number with lost
    # digits. The first rows' cells carry the text format themselves; the reader skips rows left empty.
    for index, column in enumerate(columns):
        if column.kind in TEXT_FORMAT_KINDS:
            for row in range(2, PREFORMATTED_ROWS + 2):
                sheet.cell(row=row, column=index + 1).number_format = "@"
    sheet.freeze_panes = "A2"

    list_column = 0
    for index, column in enumerate(columns):
        if column.kind != CHOICE:
            continue
        shown = [label for code, label in labels(column.key).items() if code]
        list_letter = column_letters(list_column)
        lists.cell(row=1, column=list_column + 1, value=column.header)
        for offset, label in enumerate(shown):
            lists.cell(row=offset + 2, column=list_column + 1, value=label)
        letter = column_letters(index)
        validation = DataValidation(
            type="list",
            formula1=f"'{lists_sheet}'!${list_letter}$2:${list_letter}${len(shown) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column.header,
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letter}2:{letter}{max_rows + 1}")
        sheet.add_data_validation(validation)
        list_column += 1

    for line in intro:
        explained.append([line])
    explained.append([])
    explained.append([_("Column"), _("Required"), _("How to fill it in"), _("Allowed values")])
    header_row = len(intro) + 2
    for cell in explained[header_row]:
        cell.font = bold
        cell.fill = fill
    for column in columns:
        if column.allowed is not None:
            allowed = str(column.allowed)
        elif column.kind == CHOICE:
            allowed = "、".join(label for code, label in labels(column.key).items() if code)
            if not column.required:
                allowed += _(" (or leave empty)")
        elif column.kind == DATE:
            allowed = _("An Excel date, or text such as 2026-06-01")
        elif column.kind == AMOUNT:
            allowed = _("A number, zero or more")
        elif column.max_length:
            allowed = _("Text, at most %(n)d characters") % {"n": column.max_length}
        else:
            allowed = ""
        explained.append([column.header, _("Yes") if column.required else _("No"), str(column.help), allowed])
    if rules:
        explained.append([])
        explained.append([_("Rules every row must follow")])
        explained.cell(row=explained.max_row, column=1).font = bold
        for number, rule in enumerate(rules, start=1):
            explained.append([str(number), "", rule])
    for letter, width in zip("ABCD", (26, 8, 70, 70), strict=True):
        explained.column_dimensions[letter].width = width
    for row in explained.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
