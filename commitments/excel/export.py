"""The export of commitments to xlsx: the template's columns, then code, status and progress; streamed from a
temporary file, formula-looking text escaped, ID numbers masked."""

import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import User
from commitments.excel.columns import (
    COLUMNS,
    DATA_SHEET,
    EXPORT_EXTRA_HEADERS,
    EXPORT_NAME,
    KIND_LABELS,
    SERVICE_AREA_LABELS,
    STATUS_LABELS,
)
from commitments.models import Commitment
from records.excel.export import escape_cell
from records.excel.reader import column_letters
from subjects.models import AccessAction, CivilServant, PersonalDataAccess


def export_headers() -> list[str]:
    return [column.header for column in COLUMNS] + list(EXPORT_EXTRA_HEADERS)


def _number(value: Decimal | None) -> Decimal | None:
    # 95.0000 as 95: the column keeps four places, Excel shows what was typed.
    return None if value is None else Decimal(format(value.normalize(), "f"))


def export_row(commitment: Commitment, id_number: str) -> list[Any]:
    """One commitment as the export's cells, in the template's columns (so the file imports again) and then its
    code, status and progress."""
    agency, person = commitment.agency, commitment.responsible_person
    values = [
        agency.uscc,
        agency.name,
        KIND_LABELS.get(commitment.kind, commitment.kind),
        SERVICE_AREA_LABELS.get(commitment.service_area, commitment.service_area),
        commitment.title,
        commitment.content,
        _number(commitment.baseline),
        _number(commitment.target_value),
        commitment.unit,
        commitment.recurring_standard,
        commitment.source_document_number,
        commitment.source_date,
        commitment.source_url,
        commitment.promised_on,
        commitment.due_on,
        commitment.year,
        commitment.liability,
        person.name if person else "",
        id_number,
        commitment.counterparty_name,
        commitment.counterparty_uscc,
        commitment.code,
        STATUS_LABELS.get(commitment.status, commitment.status),
        commitment.progress_percent,
        commitment.last_progress_on,
    ]
    return [escape_cell(value) for value in values]


def commitments_export(*, queryset: QuerySet[Commitment], user: User, channel: str = "web") -> tuple[IO[bytes], str]:
    """Any list of commitments the caller has already scoped (`Commitment.objects.visible_to(user)…`) as an xlsx file
    written to a temporary file, to be streamed, and its name. Rows are read in chunks and written with openpyxl's
    write-only workbook, so memory stays flat; the number of queries does not depend on the number of rows.

    ID numbers are masked, except for the roles that may see them whole (inspectors); then every person whose number
    the file reveals is logged in PersonalDataAccess before the file is made."""
    reveal = bool(getattr(user, "may_see_full_id_numbers", False))
    commitments = queryset.select_related("agency", "responsible_person")
    if reveal:
        people = list(
            commitments.filter(responsible_person__isnull=False)
            .order_by()
            .values_list("responsible_person_id", flat=True)
            .distinct()
        )
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(
                actor=user, person_id=pk, action=AccessAction.REVEAL_ID, channel=channel, purpose="commitments export"
            )
            for pk in people
        )

    def rows() -> Iterator[list[Any]]:
        for commitment in commitments.iterator(chunk_size=2000):
            yield export_row(commitment, _id_number(commitment.responsible_person, reveal))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return write_xlsx(rows()), f"{EXPORT_NAME}-{stamp}.xlsx"


def write_xlsx(rows: Iterator[list[Any]]) -> IO[bytes]:
    """The rows below the export's headers, in a temporary file read from its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letters(index)].width = column.width
    sheet.append(export_headers())
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled


def _id_number(person: CivilServant | None, reveal: bool) -> str:
    if person is None:
        return ""
    return person.decrypted_id_number() if reveal else person.id_number_masked
