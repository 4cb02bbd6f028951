"""Excel import and export of dishonesty records.

An upload is checked at once (permission, then the file: type, size, zip bomb, macros, row count) and stored; a
background job then checks every row and writes nothing unless all are valid, and then all of them in one
transaction. The job claims its row with a conditional UPDATE, so a task delivered twice imports once.
"""

import csv
import datetime
import hashlib
import logging
import os
import pickle
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_enter_records_for
from config.queueing import queue_now
from kernel.errors import DomainError, NotAllowed
from records.excel.columns import DATA_SHEET
from records.excel.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, export_csv, export_row, export_xlsx
from records.excel.reader import PackageLimits, UnreadableWorkbook, XlsxReader, check_package
from records.excel.rows import ImportValidator, RowError, ValidRow
from records.excel.writer import import_rows_write
from records.models import DishonestyRecord, ImportJob, ImportStatus
from subjects.models import AccessAction, Agency, CivilServant, PersonalDataAccess
from subjects.personal_data import mask_id_numbers_in_text

logger = logging.getLogger(__name__)

ERRORS_KEPT = 1000  # on the job row, for the page; the report file has all of them
CHUNK_ROWS = 5000  # rows checked per set of look-ups, and between progress updates


def import_max_rows() -> int:
    return int(settings.RECORD_IMPORT_MAX_ROWS)


def import_limits() -> PackageLimits:
    return PackageLimits(
        max_file_bytes=int(settings.RECORD_IMPORT_MAX_FILE_BYTES),
        max_uncompressed_bytes=int(settings.RECORD_IMPORT_MAX_UNCOMPRESSED_BYTES),
        max_ratio=int(settings.RECORD_IMPORT_MAX_COMPRESSION_RATIO),
    )


def _file_error(exc: UnreadableWorkbook) -> DomainError:
    return DomainError(exc.message, code=exc.code, field="file")


def import_job_create(*, actor: User, agency: Agency, upload: Any) -> ImportJob:
    """Checks and stores an uploaded workbook and queues its import after commit. `upload` is an UploadedFile (or
    any django File with a name and a size)."""
    if not may_enter_records_for(actor, agency):
        raise NotAllowed(_("You may not enter records for this agency."))
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension in {".xlsm", ".xltm", ".xlam"}:
        raise DomainError(
            _("The workbook contains macros; save it as a plain .xlsx workbook."), code="macros", field="file"
        )
    if extension != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    size = int(upload.size)
    try:
        check_package(upload, size=size, limits=import_limits())
        with XlsxReader(upload) as reader:
            rows = reader.count_rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
    except UnreadableWorkbook as exc:
        raise _file_error(exc) from exc
    data_rows = max(rows - 1, 0)
    if data_rows > import_max_rows():
        raise DomainError(
            _("The sheet has %(rows)d rows; at most %(limit)d can be imported at once. Split the file.")
            % {"rows": data_rows, "limit": import_max_rows()},
            code="too_many_rows",
            field="file",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            agency=agency,
            uploaded_by=actor,
            original_name=name[:200],
            size=size,
            sha256=digest.hexdigest(),
            total_rows=data_rows,
        )
        # A name of our own: the uploaded one goes in original_name, never into a path.
        job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
        job.save()
        transaction.on_commit(partial(_queue, job.pk, in_process=True))
    return job


def _queue(job_id: int, *, in_process: bool = False) -> None:
    """Queues the job's task. An upload whose task the broker will not take runs in a thread of the web process
    instead (the clerk is watching its progress); the sweeper only queues again."""
    # The task module calls these services (a task is a thin wrapper of one): imported when a job is queued.
    from records.tasks import run_import_job

    queue_now(run_import_job, job_id, in_process=in_process)


# A pending job older than this lost its task (its queue was wiped, or the broker refused it and no in-process start
# was possible): queued again, so with the sweep every RECORD_IMPORT_SWEEP_SECONDS it starts within a minute.
PENDING_GRACE = datetime.timedelta(seconds=30)
RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def import_jobs_sweep() -> tuple[int, int]:
    """Every RECORD_IMPORT_SWEEP_SECONDS (beat): queues again the jobs whose task was lost, and fails the jobs whose
    worker died while checking or importing them — its lease (heartbeat_at) lapsed. The rows are written in one
    transaction, so such a job wrote nothing and its file can simply be uploaded again. A job whose writer still holds
    its row (writing right now) is skipped, whatever its lease says. Times are the database's clock. Returns
    (queued again, failed)."""
    stale_pending = list(
        ImportJob.objects.filter(status=ImportStatus.PENDING, created_at__lt=Now() - PENDING_GRACE).values_list(
            "pk", flat=True
        )
    )
    for job_id in stale_pending:
        _queue(job_id)
    lease = datetime.timedelta(seconds=settings.RECORD_IMPORT_LEASE_SECONDS)
    with transaction.atomic():
        lapsed = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .annotate(alive_at=Coalesce("heartbeat_at", "started_at"))
            .filter(status__in=RUNNING, alive_at__lt=Now() - lease)
            .values_list("pk", flat=True)
        )
        failed = ImportJob.objects.filter(pk__in=lapsed, status__in=RUNNING).update(
            status=ImportStatus.FAILED,
            failure=_("The import was interrupted and nothing was imported. Upload the file again."),
            finished_at=Now(),
        )
    if failed:
        logger.warning("%s import job(s) lost their worker (no sign of life for %s) and were failed", failed, lease)
    return len(stale_pending), failed


class _Heartbeat:
    """While a job runs, a thread of its worker renews the job's lease every RECORD_IMPORT_HEARTBEAT_SECONDS on its own
    connection, so the lease stays fresh through a long check or write; a killed worker stops beating and the
    sweeper fails the job. While the write transaction holds the job's row the beat skips (the lock itself proves the
    writer is alive, and the sweeper skips locked rows)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"import-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self.stopping.wait(settings.RECORD_IMPORT_HEARTBEAT_SECONDS):
                try:
                    with transaction.atomic():
                        free = ImportJob.objects.select_for_update(skip_locked=True).filter(
                            pk=self.job_id, status__in=RUNNING
                        )
                        if list(free.values_list("pk", flat=True)):
                            ImportJob.objects.filter(pk=self.job_id).update(heartbeat_at=Now())
                except DatabaseError:
                    logger.warning("import job %s: its heartbeat could not be written", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


class _Abandoned(Exception):
    """The job was failed by the sweeper while this worker still ran it (its lease had lapsed): write nothing."""


@dataclass
class _ErrorLog:
    """Every error goes to a CSV file; the first ERRORS_KEPT stay in memory for the job row."""

    count: int = 0
    first: list[dict[str, Any]] = field(default_factory=list)
    file: IO[str] = field(
        default_factory=lambda: tempfile.TemporaryFile("w+", encoding="utf-8-sig", newline="")  # noqa: SIM115
    )

    def __post_init__(self) -> None:
        self.writer = csv.writer(self.file)
        self.writer.writerow([_("Row"), _("Column"), _("Problem"), _("Code")])

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.first) < ERRORS_KEPT:
            self.first.append(error.as_dict())
        self.writer.writerow(["" if error.row is None else error.row, error.column, error.message, error.code])


class _ValidRows:
    """Checked rows parked in a temporary file between the check and the write (memory stays flat). Dates and
    amounts go in as ordinals and strings: pickle writes those three times faster than date and Decimal objects."""

    DATES = tuple(i for i, name in enumerate(ValidRow._fields) if name == "decision_date" or name.endswith("_on"))
    AMOUNTS = tuple(i for i, name in enumerate(ValidRow._fields) if name.endswith("_amount"))

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.count = 0

    def add(self, rows: list[ValidRow]) -> None:
        if not rows:
            return
        packed = []
        for row in rows:
            values: list[Any] = list(row)
            for i in self.DATES:
                values[i] = values[i].toordinal()
            for i in self.AMOUNTS:
                if values[i] is not None:
                    values[i] = str(values[i])
            packed.append(values)
        pickle.dump(packed, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(rows)

    def chunks(self) -> Iterator[list[ValidRow]]:
        self.file.seek(0)
        dates: dict[int, datetime.date] = {}
        while True:
            try:
                # Our own file, written just above from checked values: not untrusted input.
                packed = pickle.load(self.file)  # noqa: S301
            except EOFError:
                return
            for values in packed:
                for i in self.DATES:
                    day = values[i]
                    values[i] = dates.get(day) or dates.setdefault(day, datetime.date.fromordinal(day))
                for i in self.AMOUNTS:
                    if values[i] is not None:
                        values[i] = Decimal(values[i])
            yield [ValidRow(*values) for values in packed]

    def close(self) -> None:
        self.file.close()


def _progress(job_id: int, rows: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(processed_rows=rows)


def _check_rows(job: ImportJob, errors: _ErrorLog, valid: _ValidRows) -> int:
    """Reads and checks every row; returns how many non-blank rows the sheet has."""
    validator = ImportValidator(actor=job.uploaded_by, agency=job.agency, today=timezone.localdate(), report=errors.add)
    try:
        return _read_and_check(job, validator, errors, valid)
    finally:
        validator.close()


def _read_and_check(job: ImportJob, validator: ImportValidator, errors: _ErrorLog, valid: _ValidRows) -> int:
    limit = import_max_rows()
    with job.file.open("rb") as stored, XlsxReader(stored) as reader:
        rows = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
        header = next(rows, None)
        if header is None:
            errors.add(RowError(None, "", "no_rows", _("The sheet is empty.")))
            return 0
        if not validator.read_header(header):
            return 0
        chunk = []
        for seen, row in enumerate(rows, start=1):
            if seen > limit:
                errors.add(
                    RowError(
                        row.number,
                        "",
                        "too_many_rows",
                        _("At most %(limit)d rows can be imported at once; split the file.") % {"limit": limit},
                    )
                )
                return validator.rows_seen
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                _check_chunk(validator, chunk, errors, valid)
                chunk = []
                _progress(job.pk, validator.rows_seen)
        _check_chunk(validator, chunk, errors, valid)
        validator.finish(reader.merged_ranges)
    if not validator.rows_seen and not errors.count:
        errors.add(RowError(None, "", "no_rows", _("The sheet has no records below its first row.")))
    return validator.rows_seen


def _check_chunk(validator: ImportValidator, chunk: list[Any], errors: _ErrorLog, valid: _ValidRows) -> None:
    rows = validator.check(chunk)
    if not errors.count:  # once a row is wrong nothing will be written: stop parking rows
        valid.add(rows)


def import_job_run(*, job_id: int) -> ImportJob:
    """Checks every row of a pending job, then imports all of them in one transaction or none. Safe to run twice:
    only the run that moves the job out of "pending" does anything."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING, started_at=Now(), heartbeat_at=Now(), processed_rows=0
    )
    job = ImportJob.objects.select_related("agency", "uploaded_by").get(pk=job_id)
    if not claimed:
        return job
    with _Heartbeat(job_id):
        return _import_job_run(job)


def _import_job_run(job: ImportJob) -> ImportJob:
    errors, valid = _ErrorLog(), _ValidRows()
    try:
        if not may_enter_records_for(job.uploaded_by, job.agency):
            raise NotAllowed(_("The uploader may no longer enter records for this agency."))
        try:
            rows = _check_rows(job, errors, valid)
        except UnreadableWorkbook as exc:
            errors.add(RowError(None, "", exc.code, exc.message))
            rows = 0
        if errors.count:
            _finish_invalid(job, errors, rows)
        else:
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
                status=ImportStatus.IMPORTING, processed_rows=rows, total_rows=rows, heartbeat_at=Now()
            )
            now = timezone.now()
            with transaction.atomic():
                # The job's row stays locked until the rows are in: the sweeper leaves a job being written alone, and
                # a job it failed meanwhile (a lapsed lease) is not written at all.
                mine = ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.IMPORTING)
                if not list(mine.values_list("pk", flat=True)):
                    raise _Abandoned
                created = import_rows_write(
                    valid.chunks(),
                    actor=job.uploaded_by,
                    source_agency=job.agency,
                    reason=f"Excel import #{job.pk}",
                    now=now,
                )
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.DONE, created_records=created, finished_at=timezone.now()
                )
    except _Abandoned:
        logger.warning("Import job %s was failed by the sweeper while it ran; nothing was written", job.pk)
    except IntegrityError as exc:
        logger.warning("Import job %s collided with records written meanwhile: %s", job.pk, exc)
        _finish_failed(
            job,
            _(
                "Some document numbers were entered by someone else while this file was being imported; nothing "
                "was imported. Upload the file again to see which rows."
            ),
        )
    except DomainError as exc:
        _finish_failed(job, str(exc.message))
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        _finish_failed(job, _("The import failed and nothing was imported: %(error)s") % {"error": exc})
    finally:
        errors.file.close()
        valid.close()
    job.refresh_from_db()
    return job


def _finish_invalid(job: ImportJob, errors: _ErrorLog, rows: int) -> None:
    errors.file.seek(0)
    job.error_report.save(f"{uuid.uuid4().hex}-errors.csv", File(errors.file), save=False)
    # Conditional: a job the sweeper failed meanwhile stays failed (the clerk was already told to upload again).
    ImportJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
        status=ImportStatus.INVALID,
        errors=errors.first,
        error_count=errors.count,
        error_report=job.error_report.name,
        processed_rows=rows,
        total_rows=rows,
        finished_at=timezone.now(),
    )


def _finish_failed(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
        status=ImportStatus.FAILED, failure=mask_id_numbers_in_text(message)[:2000], finished_at=timezone.now()
    )


# Export -------------------------------------------------------------------------------------------------------


EXPORT_NAME = "政务失信记录导出"


def records_export(
    *, queryset: QuerySet[DishonestyRecord], user: User, fmt: str, channel: str = "web"
) -> tuple[bytes | Iterator[bytes], str, str]:
    """Any filtered list of records the caller has already scoped (`DishonestyRecord.objects.visible_to(user)…`) as
    (content, content type, file name): xlsx as bytes, csv as an iterator of bytes to stream.

    ID numbers are masked, except for the roles that may see them whole (inspectors); then every person whose
    number the file reveals is logged in PersonalDataAccess before the file is made. The number of queries does
    not depend on the number of rows.
    """
    if fmt not in {"xlsx", "csv"}:
        raise DomainError(_("Choose xlsx or csv."), field="format")
    reveal = bool(getattr(user, "may_see_full_id_numbers", False))
    records = queryset.select_related("subject_agency", "subject_person")
    if reveal:
        people = list(
            records.filter(subject_person__isnull=False)
            .order_by()
            .values_list("subject_person_id", flat=True)
            .distinct()
        )
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(
                actor=user, person_id=pk, action=AccessAction.REVEAL_ID, channel=channel, purpose="records export"
            )
            for pk in people
        )

    def rows() -> Iterator[list[Any]]:
        for record in records.iterator(chunk_size=2000):
            yield export_row(record, _id_number(record.subject_person, reveal))

    # Named in Chinese like the template (失信记录导入模板.xlsx): the file is passed around by people, not systems.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return export_xlsx(rows()), XLSX_CONTENT_TYPE, f"{EXPORT_NAME}-{stamp}.xlsx"
    return export_csv(rows()), CSV_CONTENT_TYPE, f"{EXPORT_NAME}-{stamp}.csv"


def _id_number(person: CivilServant | None, reveal: bool) -> str:
    if person is None:
        return ""
    return person.decrypted_id_number() if reveal else person.id_number_masked
