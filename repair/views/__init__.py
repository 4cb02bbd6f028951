"""Pages of the subject's rights, split by audience: the public filing, tracking and decision pages, the staff
queue and case pages."""

from repair.views.public import (
    complaint_new,
    objection_new,
    repair_decision,
    repair_new,
    repair_verify,
    track,
    track_supply_material,
)
from repair.views.staff import (
    attachment_download,
    case_action,
    case_queue,
    complaint_detail,
    mitigation,
    objection_detail,
    objection_uphold,
    record_cases,
    repair_detail,
    staff_filing,
)
from repair.views.staff import repair_decision as staff_repair_decision

__all__ = [
    "attachment_download",
    "case_action",
    "case_queue",
    "complaint_detail",
    "complaint_new",
    "mitigation",
    "objection_detail",
    "objection_new",
    "objection_uphold",
    "record_cases",
    "repair_decision",
    "repair_detail",
    "repair_new",
    "repair_verify",
    "staff_filing",
    "staff_repair_decision",
    "track",
    "track_supply_material",
]
