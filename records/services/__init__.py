"""Writes and transitions of the records app. Views, API, admin, commands and tasks all come through here."""

from records.services.dishonesty import (
    PublishPreview,
    RecordInput,
    record_correct,
    record_create,
    record_publish,
    record_publish_preview,
    record_repair,
    record_request_review,
    record_return,
    record_revoke,
    record_rule_errors,
    record_send_back,
    record_submit,
    record_update,
    records_expire_due,
    records_windows_recompute,
)
from records.services.evidence import evidence_attach
from records.services.imports import import_job_create, import_job_run, import_jobs_sweep, records_export
from records.services.measures import measure_mark_wrongful, measure_set_state, rectification_submit
from records.services.platform import platform_change_emit

__all__ = [
    "PublishPreview",
    "RecordInput",
    "evidence_attach",
    "import_job_create",
    "import_job_run",
    "import_jobs_sweep",
    "measure_mark_wrongful",
    "measure_set_state",
    "platform_change_emit",
    "record_correct",
    "record_create",
    "record_publish",
    "record_publish_preview",
    "record_repair",
    "record_request_review",
    "record_return",
    "record_revoke",
    "record_rule_errors",
    "record_send_back",
    "record_submit",
    "record_update",
    "records_expire_due",
    "records_export",
    "records_windows_recompute",
    "rectification_submit",
]
