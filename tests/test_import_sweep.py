"""Import jobs are not left hanging: a job whose task was lost is queued again, a job whose worker died is failed
(it wrote nothing: the rows go in one transaction), and a fresh or running job is left alone."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now

from records.models import DishonestyRecord, ImportJob, ImportStatus
from records.services import import_job_create, import_jobs_sweep
from records.tasks import sweep_import_jobs
from tests.conftest import City
from tests.test_excel_import import filled, row_for, upload


@pytest.fixture
def job(world: City, settings: object, django_capture_on_commit_callbacks: object) -> ImportJob:
    # The broker never got the task (its on-commit callback is not run here): the job waits as pending.
    return import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(filled([row_for(world)])))


def test_a_pending_job_whose_task_was_lost_is_queued_again(job: ImportJob, settings: object) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    assert import_jobs_sweep() == (0, 0)  # just uploaded: its task may still be on its way
    ImportJob.objects.filter(pk=job.pk).update(created_at=Now() - timedelta(minutes=3))
    assert import_jobs_sweep() == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_records == 1


def test_a_job_whose_worker_died_is_failed_and_wrote_nothing(job: ImportJob, settings: object) -> None:
    settings.RECORD_IMPORT_STUCK_MINUTES = 60  # type: ignore[attr-defined]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, started_at=Now() - timedelta(minutes=30))
    assert import_jobs_sweep() == (0, 0)  # still within its time
    ImportJob.objects.filter(pk=job.pk).update(started_at=Now() - timedelta(minutes=61))
    assert sweep_import_jobs.apply().get() == {"queued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "nothing was imported" in job.failure or "未导入" in job.failure
    assert not DishonestyRecord.objects.exists()


def test_the_sweep_is_scheduled(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]
    assert schedule["sweep-import-jobs"]["task"] == "records.tasks.sweep_import_jobs"
