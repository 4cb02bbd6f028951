"""Writes and transitions of objections, complaints, credit repair and mitigation."""

from repair.services.complaints import (
    complaint_accept,
    complaint_dismiss,
    complaint_errors,
    complaint_file,
    complaint_not_accept,
    complaint_resolve,
)
from repair.services.objections import (
    objection_accept,
    objection_errors,
    objection_file,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    objection_uphold,
)
from repair.services.repairs import (
    mitigation_grant,
    repair_accept,
    repair_apply,
    repair_errors,
    repair_grant,
    repair_not_accept,
    repair_refuse,
    repair_request_material,
    repair_supply_material,
)

__all__ = [
    "complaint_accept",
    "complaint_dismiss",
    "complaint_errors",
    "complaint_file",
    "complaint_not_accept",
    "complaint_resolve",
    "mitigation_grant",
    "objection_accept",
    "objection_errors",
    "objection_file",
    "objection_not_accept",
    "objection_reject",
    "objection_send_for_verification",
    "objection_uphold",
    "repair_accept",
    "repair_apply",
    "repair_errors",
    "repair_grant",
    "repair_not_accept",
    "repair_refuse",
    "repair_request_material",
    "repair_supply_material",
]
