"""Staff pages of the records app, split by subject: credit subjects, dishonesty records, Excel in and out, the
work queue."""

from records.views.bulk import record_bulk
from records.views.candidates import record_dismiss, record_explain
from records.views.dishonesty import (
    evidence_download,
    evidence_upload,
    measure_state,
    record_actions,
    record_correct,
    record_create,
    record_detail,
    record_edit,
    record_list,
    record_transition,
    rectification_answer,
)
from records.views.imports import (
    import_job,
    import_job_errors,
    import_job_progress,
    import_template,
    import_upload,
    record_export,
)
from records.views.queue import work_queue

__all__ = [
    "evidence_download",
    "evidence_upload",
    "import_job",
    "import_job_errors",
    "import_job_progress",
    "import_template",
    "import_upload",
    "measure_state",
    "record_actions",
    "record_bulk",
    "record_correct",
    "record_create",
    "record_detail",
    "record_dismiss",
    "record_edit",
    "record_explain",
    "record_export",
    "record_list",
    "record_transition",
    "rectification_answer",
    "work_queue",
]
