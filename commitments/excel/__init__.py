"""Public commitments in Excel, on the engine of the records' Excel (records/excel/): the same checks of the uploaded
package before anything parses it (size, zip bomb, macros, password), the same streaming reader, the same reading of
cells and the same escaping of formula-looking text.

- `columns`: the workbook's columns, the Chinese labels of their allowed values, and the import template;
- `rows`: the import: each row read into a commitment's input and held to `commitments.rules.commitment_problems`,
  the one rule path of the form and the API, so a bad value gets the same words everywhere. Every problem of every
  row is reported at once, by row and column; nothing is written unless every row is valid, and then all rows become
  drafts in one transaction through `commitments.services.commitments_create_many`;
- `export`: any scoped list of commitments as xlsx, in the template's columns (so it imports again), streamed.

The import runs in the request, not as a background job: the records' job row (records.models.ImportJob) belongs to
records, and commitments come by the dozen, not by the hundred thousand. COMMITMENT_IMPORT_MAX_ROWS bounds it.
"""

from commitments.excel.columns import COLUMNS, DATA_SHEET, HELP_SHEET, LISTS_SHEET, TEMPLATE_NAME, build_template
from commitments.excel.export import commitments_export
from commitments.excel.rows import ImportOutcome, commitments_import

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "HELP_SHEET",
    "LISTS_SHEET",
    "TEMPLATE_NAME",
    "ImportOutcome",
    "build_template",
    "commitments_export",
    "commitments_import",
]
