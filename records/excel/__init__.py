"""Dishonesty records in Excel, by subject:

- `columns`: the workbook's columns and the Chinese labels of their allowed values;
- `template`: the downloadable import template;
- `reader`: safe, constant-memory reading of uploaded .xlsx files (zip-bomb and macro checks, streaming rows);
- `rows`: checking every row set-based, with the rules of a record's input (`records/rules.py`);
- `writer`: writing checked rows with COPY (PostgreSQL) or bulk_create, events and history included;
- `export`: any filtered list as xlsx or csv.

The workflows that use them (upload, background run, export with ID-number logging) are services in
`records/services/imports.py`.
"""

from records.excel.columns import COLUMNS, DATA_SHEET, HELP_SHEET, LISTS_SHEET
from records.excel.export import export_csv, export_row, export_xlsx
from records.excel.template import build_template

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "HELP_SHEET",
    "LISTS_SHEET",
    "build_template",
    "export_csv",
    "export_row",
    "export_xlsx",
]
