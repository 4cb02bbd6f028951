"""Objections, complaints and credit repairs for the demo city, in their various states.

Built through the services from the demo city's records, so events, deadlines, suspended measures and notices are
real. Deterministic; `cases_loaded()` makes loading twice a no-op.
"""

import random
from collections import Counter

from django.utils import timezone

from accounts.models import Role, User
from records.models import DishonestyRecord
from repair.models import Complaint, Objection, RepairApplication
from repair.services import (
    complaint_accept,
    complaint_file,
    complaint_resolve,
    objection_accept,
    objection_file,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    objection_uphold,
    repair_accept,
    repair_apply,
    repair_grant,
    repair_refuse,
    repair_request_material,
)
from subjects.models import Agency

FILERS = [("王律师", "13800000001"), ("李会计", "13800000002"), ("赵经理", "0571-86000003"), ("陈主任", "13900000004")]


def cases_loaded(city: Agency) -> bool:
    return Objection.objects.filter(record__subject_agency__path__startswith=city.path).exists()


def _office_for(record: DishonestyRecord) -> User:
    """The credit office of the record's region (the nearest one above the subject agency)."""
    offices = User.objects.filter(role=Role.CREDIT_OFFICE, is_active=True).select_related("agency")
    best, best_depth = None, -1
    for office in offices:
        region = office.agency  # a credit office always has one (user_staff_belongs_to_agency)
        if region is not None and record.subject_agency.path.startswith(region.path) and len(region.path) > best_depth:
            best, best_depth = office, len(region.path)
    if best is None:
        raise LookupError("no credit office above the demo record")
    return best


def build_cases(city: Agency, seed: int = 20261122) -> Counter[str]:
    rng = random.Random(seed)
    today = timezone.localdate()
    in_force = list(
        DishonestyRecord.objects.disclosed(today)
        .filter(subject_agency__path__startswith=city.path)
        .select_related("subject_agency", "data_source_agency")
        .order_by("pk")
    )
    repairable = [r for r in in_force if r.earliest_repair_on <= today]
    others = [r for r in in_force if r not in repairable]
    made: Counter[str] = Counter()

    def filer() -> tuple[str, str]:
        return rng.choice(FILERS)

    # Objections in every state, on records that are not up for repair.
    plan = ["filed", "checking", "verifying", "rejected", "upheld_corrected", "upheld_revoked", "not_accepted"]
    for state, record in zip(plan, others + repairable, strict=False):
        name, contact = filer()
        objection, _code = objection_file(
            record=record,
            grounds=rng.choice(["wrong", "mismatch", "past_period", "duplicated"]),
            statement="认为该记录与生效文书不一致，请予核查。",
            filer_name=name,
            filer_contact=contact,
            commitment_signed=True,
        )
        office = _office_for(record)
        if state == "not_accepted":
            objection_not_accept(actor=office, objection=objection, reason="异议材料不属于受理范围。")
        elif state != "filed":
            objection_accept(actor=office, objection=objection)
            if state in {"verifying", "rejected", "upheld_corrected", "upheld_revoked"}:
                objection_send_for_verification(actor=office, objection=objection)
            if state == "rejected":
                objection_reject(actor=office, objection=objection, reason="经数据提供单位核实，信息准确无误。")
            elif state == "upheld_corrected":
                objection_uphold(
                    actor=office,
                    objection=objection,
                    outcome="corrected",
                    changes={"facts": record.facts + "（经异议核实更正）"},
                    reason="经核实，失信事实表述有误，予以更正。",
                )
            elif state == "upheld_revoked":
                objection_uphold(actor=office, objection=objection, outcome="revoked", reason="生效文书已被撤销。")
        made[f"objection {state}"] += 1
    used = {o.record_id for o in Objection.objects.all()}

    # Credit repair applications, on records past their minimum period.
    repair_plan = ["filed", "accepted", "material_requested", "granted", "refused"]
    candidates = [r for r in repairable if r.pk not in used]
    for state, record in zip(repair_plan, candidates, strict=False):
        office = _office_for(record)
        application, _code = repair_apply(
            record=record,
            statement="已全面履行判决确定的义务并完成整改，现申请信用修复。",
            filer_name=record.subject_agency.name,
            filer_contact="0571-86000000",
            commitment_signed=True,
            filed_by=office,
        )
        if state != "filed":
            repair_accept(actor=office, application=application)
        if state == "material_requested":
            repair_request_material(actor=office, application=application, request="请补充履行完毕的付款凭证。")
        elif state == "granted":
            repair_grant(actor=office, application=application, reason="已履行义务、完成整改并作出信用承诺。")
        elif state == "refused":
            repair_refuse(actor=office, application=application, reason="尚未全部履行判决确定的义务。")
        made[f"repair {state}"] += 1

    # Complaints about the handling of records.
    for state, record in zip(["filed", "handling", "resolved"], in_force[-3:], strict=False):
        name, contact = filer()
        complaint, _code = complaint_file(
            record=record,
            statement="对该记录的处理程序有意见，请上级信用办核查。",
            filer_name=name,
            filer_contact=contact,
            commitment_signed=True,
        )
        office = _office_for(record)
        if state != "filed":
            complaint_accept(actor=office, complaint=complaint)
        if state == "resolved":
            complaint_resolve(actor=office, complaint=complaint, reason="已督促数据提供单位规范处理。")
        made[f"complaint {state}"] += 1
    assert Complaint.objects.exists() and RepairApplication.objects.exists()
    return made
