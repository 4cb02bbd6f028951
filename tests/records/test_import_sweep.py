"""Import jobs are not left hanging (docs/faults.md #15): a job whose task was lost is queued again within a minute; a
job whose worker died is failed within a couple of minutes — its lease (a heartbeat its worker renews) lapsed, not a
fixed hour — and wrote nothing (the rows go in one transaction); a running job, and a job being written, are left
alone."""

import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import translation

from outbox.models import PlatformChange
from records.models import DishonestyRecord, ImportJob, ImportStatus
from records.services import import_job_create, import_jobs_sweep
from records.services.imports import _Heartbeat
from records.tasks import sweep_import_jobs
from tests.conftest import City
from tests.process_support import Redis, Worker, broker, process_env, wait_for
from tests.records.test_excel_import import filled, row_for, upload

UPLOAD_AGAIN = "导入被中断，未导入任何记录。请重新上传文件。"  # what the clerk reads on the job's page


@pytest.fixture
def job(world: City, settings: object, django_capture_on_commit_callbacks: object) -> ImportJob:
    # The broker never got the task (its on-commit callback is not run here): the job waits as pending.
    return import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(filled([row_for(world)])))


def running_job(world: City, **times: Any) -> ImportJob:
    """A job some worker claimed (as import_job_run does), with the given started_at / heartbeat_at."""
    return ImportJob.objects.create(
        agency=world.agency_a,
        uploaded_by=world.clerk_a,
        file="imports/none.xlsx",
        original_name="失信记录.xlsx",
        size=1,
        sha256="0" * 64,
        status=ImportStatus.IMPORTING,
        **times,
    )


def test_a_pending_job_whose_task_was_lost_is_queued_again_within_a_minute(job: ImportJob, settings: object) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    assert import_jobs_sweep() == (0, 0)  # just uploaded: its task may still be on its way
    ImportJob.objects.filter(pk=job.pk).update(created_at=Now() - timedelta(seconds=31))
    assert import_jobs_sweep() == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_records == 1


def test_a_job_whose_lease_lapsed_is_failed_and_wrote_nothing(job: ImportJob, settings: object) -> None:
    settings.RECORD_IMPORT_LEASE_SECONDS = 90  # type: ignore[attr-defined]
    # Running for 50 minutes, with a sign of life 30 s ago: alive, however long it takes.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING,
        started_at=Now() - timedelta(minutes=50),
        heartbeat_at=Now() - timedelta(seconds=30),
    )
    assert import_jobs_sweep() == (0, 0)
    # No sign of life for 91 s: its worker is gone.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=Now() - timedelta(seconds=91))
    with translation.override("zh-hans"):  # as the workers run (LANGUAGE_CODE)
        assert sweep_import_jobs.apply().get() == {"queued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.failure == UPLOAD_AGAIN
    assert not DishonestyRecord.objects.exists()


def test_the_sweep_is_scheduled_often_enough(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]
    entry = schedule["sweep-import-jobs"]
    assert entry["task"] == "records.tasks.sweep_import_jobs"
    # a dead worker's job is failed within two minutes: lease + one sweep interval
    lease = settings.RECORD_IMPORT_LEASE_SECONDS  # type: ignore[attr-defined]
    assert lease + entry["schedule"].total_seconds() <= 120
    assert lease >= settings.RECORD_IMPORT_HEARTBEAT_SECONDS * 3  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_jobs_heartbeat_keeps_its_lease(world: City, settings: object) -> None:
    settings.RECORD_IMPORT_HEARTBEAT_SECONDS = 0.05  # type: ignore[attr-defined]
    settings.RECORD_IMPORT_LEASE_SECONDS = 60  # type: ignore[attr-defined]
    job = running_job(world, started_at=Now() - timedelta(hours=2), heartbeat_at=Now() - timedelta(minutes=5))
    with _Heartbeat(job.pk):
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, heartbeat_at__gt=Now() - timedelta(seconds=5)).exists(),
            timeout=10,
            what="a heartbeat",
        )
    assert import_jobs_sweep() == (0, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_being_written_is_left_alone_whatever_its_lease(world: City, settings: object) -> None:
    """The writer holds the job's row until its rows are in: its lock proves it alive, and the sweeper skips it."""
    settings.RECORD_IMPORT_LEASE_SECONDS = 60  # type: ignore[attr-defined]
    job = running_job(world, started_at=Now() - timedelta(hours=1), heartbeat_at=Now() - timedelta(minutes=10))
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                list(ImportJob.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(10)
    try:
        assert import_jobs_sweep() == (0, 0)
    finally:
        release.set()
        thread.join()
    assert import_jobs_sweep() == (0, 1)  # the writer is gone and never wrote: now its lapsed lease counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_running_an_import_is_killed_mid_write(world: City, settings: Any, tmp_path: Path) -> None:
    """docs/faults.md #15 with real processes: a Celery worker takes the job, starts writing, and is killed (-9) while
    its write transaction is open. The job is failed once its lease lapses (seconds here, by settings), nothing was
    written, the clerk is told to upload again, and a new worker does not take it up."""
    settings.MEDIA_ROOT = tmp_path
    rows = [row_for(world, 文书号=f"临中法决〔2026〕{90000 + i}号") for i in range(20)]
    redis = Redis(tmp_path)
    env = process_env(
        RECORD_IMPORT_HEARTBEAT_SECONDS="1",
        MEDIA_ROOT=str(tmp_path),
    )
    worker = Worker(env, tmp_path)
    db = connection.settings_dict
    # The write will wait on this lock: the worker is then dead in the middle of writing, its transaction open.
    blocker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    try:
        redis.start()
        worker.env = {**env, "REDIS_URL": redis.url, "CELERY_BROKER_URL": redis.url}
        worker.start()
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE records_dishonestyrecord IN SHARE ROW EXCLUSIVE MODE")
        with broker(redis.url):
            job = import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(filled(rows)))

        def writing() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE 'COPY%%records_dishonestyrecord%%'"
                )
                return bool(cursor.fetchone()[0])

        wait_for(writing, timeout=60, what="the worker writing the rows")
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.IMPORTING
        worker.kill9()
        blocker.rollback()  # the dead worker's backend wakes, finds its client gone and rolls back

        settings.RECORD_IMPORT_LEASE_SECONDS = 3  # minutes in production (90 s); seconds here

        def failed() -> bool:
            with translation.override("zh-hans"):  # as the workers run (LANGUAGE_CODE)
                import_jobs_sweep()
            return ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED

        seconds = wait_for(failed, timeout=60, interval=0.5, what="the job failed")
        print(f"failed {seconds:.1f} s after the worker was killed")  # shown with -s
        job.refresh_from_db()
        assert job.finished_at is not None and job.failure == UPLOAD_AGAIN
        # nothing written: no record, no outbox entry (docs/faults.md: no business change, no platform change)
        assert not DishonestyRecord.objects.filter(document_number__startswith="临中法决〔2026〕9").exists()
        assert not PlatformChange.objects.exists()
        # a new worker does not take the failed job up again
        worker.start()
        time.sleep(2)
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED
    finally:
        blocker.close()
        worker.stop()
        redis.stop()
        if worker.process is not None and worker.process.poll() is None:
            os.killpg(worker.process.pid, signal.SIGKILL)
