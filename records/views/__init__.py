"""Staff pages of the records app, split by subject: credit subjects, dishonesty records, Excel in and out, the
work queue."""

from records.views.bulk import record_bulk
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
from records.views.subjects import (
    agency_detail,
    agency_list,
    assessment_create,
    matters_report_create,
    person_create,
    person_detail,
    person_edit,
    person_list,
    person_lookup,
    person_move,
    person_reveal,
    training_create,
)

__all__ = [
    "agency_detail",
    "agency_list",
    "assessment_create",
    "evidence_download",
    "evidence_upload",
    "import_job",
    "import_job_errors",
    "import_job_progress",
    "import_template",
    "import_upload",
    "matters_report_create",
    "measure_state",
    "person_create",
    "person_detail",
    "person_edit",
    "person_list",
    "person_lookup",
    "person_move",
    "person_reveal",
    "record_actions",
    "record_bulk",
    "record_correct",
    "record_create",
    "record_detail",
    "record_edit",
    "record_export",
    "record_list",
    "record_transition",
    "rectification_answer",
    "training_create",
    "work_queue",
]
