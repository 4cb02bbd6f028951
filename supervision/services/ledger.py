"""The work ledger (工作台账): reading a ledger's rows into tasks and unit assignments (the names its responsibility
column uses, its schedule and its check plan), each unit's status with evidence and a note, one at a time or in bulk,
the mid-year and year-end results, and the daily deadline job. docs/supervision.md § 工作台账.

The moves of a unit's status (kernel.transitions, every one an event row):
    not_started / overdue / done ─start→ in_progress
    not_started / in_progress / overdue ─finish→ done
    not_started / in_progress ─overdue→ overdue      (the daily job, once the task's deadline has passed)
"""

import calendar
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about, may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from records.services.candidates import credit_office_over
from records.services.evidence import evidence_check
from subjects.models import Agency, AgencyKind
from supervision.models.ledger import (
    AssignmentRole,
    LedgerAssignment,
    LedgerEvent,
    LedgerEventKind,
    LedgerEvidence,
    LedgerStatus,
    LedgerTask,
    LedgerUnitAlias,
    ScheduleKind,
)
from supervision.services.inspections import store_file

S = LedgerStatus


def _refusal(assignment: LedgerAssignment, move: Move) -> str:
    return _("The task is “%(status)s” for this unit; it cannot become “%(target)s”.") % {
        "status": assignment.get_status_display(),
        "target": LedgerStatus(move.target).label,
    }


TRANSITIONS: StateMachine[LedgerAssignment] = StateMachine(
    field="status",
    moves={
        "start": ((S.NOT_STARTED, S.OVERDUE, S.DONE), S.IN_PROGRESS),
        "finish": ((S.NOT_STARTED, S.IN_PROGRESS, S.OVERDUE), S.DONE),
        "overdue": ((S.NOT_STARTED, S.IN_PROGRESS), S.OVERDUE),
    },
    refusal=_refusal,
)
# What a unit may set its status to (overdue is the job's).
SETTABLE = (S.IN_PROGRESS, S.DONE)


def may_run(user: Any, region: Agency) -> bool:
    """Import and keep the region's ledger, record the results: the credit office over the region."""
    return may_decide_records_about(user, region)


def may_update(user: Any, assignment: LedgerAssignment) -> bool:
    """Set a unit's status, note and evidence: its own staff, the credit office above it."""
    return may_enter_records_for(user, assignment.agency)


# Reading the ledger's words ---------------------------------------------------------------------------------------

CONTINUOUS_WORDS = ("持续实施", "长期坚持", "持续推进")
# 2017年底完成, 2017年底前完成, 2018年12月底前完成, 2018年1月底前完成, 2017年底完成并逐年实施
_DEADLINE = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:底|末)?\s*(?:前)?\s*完成")
_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")


def schedule_read(text: str) -> tuple[str, datetime.date | None] | None:
    """(kind, deadline) of the ledger's 时间进度 wording; None when it is neither continuous nor a deadline."""
    text = (text or "").strip()
    if any(word in text for word in CONTINUOUS_WORDS):
        return ScheduleKind.CONTINUOUS, None
    match = _ISO.match(text)
    if match:
        try:
            return ScheduleKind.DATED, datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    match = _DEADLINE.search(text)
    if match:
        year, month = int(match[1]), int(match[2] or 12)
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            return None
        return ScheduleKind.DATED, datetime.date(year, month, calendar.monthrange(year, month)[1])
    return None


def check_plan_read(text: str) -> tuple[bool, bool]:
    """(mid-year check, year-end assessment) of the ledger's 检查考核 wording."""
    text = text or ""
    return ("年中" in text, "年底" in text or "年终" in text or "年初考核" in text or "考核" in text)


# Collective names: the region's units of these kinds (its direct children). "有关部门" names nobody in particular.
COLLECTIVE: dict[str, tuple[str, ...]] = {
    "各功能区": (AgencyKind.DEVELOPMENT_ZONE,),
    "各管委会": (AgencyKind.DEVELOPMENT_ZONE,),
    "各街镇": (AgencyKind.SUBDISTRICT, AgencyKind.TOWN),
    "各街道": (AgencyKind.SUBDISTRICT,),
    "各乡镇": (AgencyKind.TOWN,),
    "各委局": (AgencyKind.DEPARTMENT,),
    "各部门": (AgencyKind.DEPARTMENT,),
}
UNNAMED = frozenset({"区有关部门", "有关部门", "区相关部门", "相关部门", "各单位"})
# What the ledger adds to the names of a clause, longest first.
CLAUSE_WORDS = (
    "按照职责分工分别负责",
    "按照职责分工负责",
    "负责各自辖区",
    "负责本单位",
    "牵头负责",
    "分别负责",
    "牵头",
    "负责",
    "参加",
    "配合",
)


@dataclass
class Units:
    leads: list[Agency] = field(default_factory=list)
    participants: list[Agency] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class UnitNames:
    """The names a region's ledger may use: its aliases, then the exact names of its units (active ones)."""

    def __init__(self, region: Agency) -> None:
        self.region = region
        units = list(Agency.objects.subtree_of(region).filter(active=True).only("pk", "name", "kind", "parent_id"))
        self.by_name: dict[str, Agency] = {a.name: a for a in units}
        self.children = [a for a in units if a.parent_id == region.pk]
        for alias in LedgerUnitAlias.objects.filter(region=region).select_related("agency"):
            self.by_name[alias.alias] = alias.agency

    def find(self, name: str) -> list[Agency] | None:
        if name in UNNAMED:
            return []
        if name in COLLECTIVE:
            return [a for a in self.children if a.kind in COLLECTIVE[name]]
        if name in self.by_name:
            return [self.by_name[name]]
        # Two names run together without their 、 (区发展改革委区建交局).
        for cut in range(2, len(name) - 1):
            first, second = self.find_exact(name[:cut]), self.find_exact(name[cut:])
            if first is not None and second is not None:
                return [first, second]
        return None

    def find_exact(self, name: str) -> Agency | None:
        return self.by_name.get(name)

    def read(self, text: str) -> Units:
        """The units a responsibility wording names, by role: a clause that ends in 参加 names participants, any
        other clause lead units; a unit named as both leads."""
        found = Units()
        text = re.sub(r"[，,；;。]", "，", text or "")
        # 区发展改革委牵头各功能区、各委局、各街镇参加: 牵头 ends a clause even without its comma.
        text = re.sub(r"牵头(?!负责)(?=\S)", "牵头，", text)
        for clause in text.split("，"):
            role = AssignmentRole.PARTICIPANT if "参加" in clause or "配合" in clause else AssignmentRole.LEAD
            for word in CLAUSE_WORDS:
                clause = clause.replace(word, "")
            clause = re.sub(r"等有关部门和", "、", clause)
            clause = re.sub(r"等有关部门|等相关部门", "", clause)
            for raw in clause.split("、"):
                name = raw.strip().lstrip("等").strip()
                if not name:
                    continue
                agencies = self.find(name)
                if agencies is None:
                    if name not in found.unknown:
                        found.unknown.append(name)
                    continue
                target = found.leads if role == AssignmentRole.LEAD else found.participants
                target.extend(a for a in agencies if a not in target)
        found.participants = [a for a in found.participants if a not in found.leads]
        return found


# Writing tasks ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskInput:
    number: int | None
    group: str
    content: str
    responsibility: str
    schedule_text: str
    check_plan: str


@dataclass(frozen=True)
class CheckedTask:
    values: dict[str, Any]
    units: Units


def task_problems(data: TaskInput, names: UnitNames) -> tuple[dict[str, list[str]], CheckedTask | None]:
    """Every problem of one task's input by field, all at once, and the checked task when there is none."""
    errors: dict[str, list[str]] = {}
    if data.number is None or data.number < 1:
        errors["number"] = [_("Give the task's number (a whole number from 1).")]
    if not data.group.strip():
        errors["group"] = [_("Give the measure group.")]
    if not data.content.strip():
        errors["content"] = [_("Write the task.")]
    units = names.read(data.responsibility)
    if not data.responsibility.strip():
        errors["responsibility"] = [_("Name the responsible units.")]
    elif units.unknown:
        errors["responsibility"] = [
            _("Unknown unit names: %(names)s. Add them as units of the region or as ledger unit names.")
            % {"names": "、".join(units.unknown)}
        ]
    elif not units.leads:
        errors["responsibility"] = [_("The responsibility names no lead unit.")]
    schedule = schedule_read(data.schedule_text)
    if schedule is None:
        errors["schedule_text"] = [
            _("The schedule must be “持续实施” or a deadline such as “2018年12月底前完成” or 2018-12-31.")
        ]
    if not data.check_plan.strip():
        errors["check_plan"] = [_("Give the check plan, e.g. “每年年中检查，年底考核”.")]
    if errors:
        return errors, None
    assert schedule is not None
    mid, end = check_plan_read(data.check_plan)
    values = {
        "number": data.number,
        "group": data.group.strip(),
        "content": data.content.strip(),
        "responsibility": data.responsibility.strip(),
        "schedule_kind": schedule[0],
        "schedule_text": data.schedule_text.strip(),
        "due_on": schedule[1],
        "check_plan": data.check_plan.strip(),
        "check_mid_year": mid,
        "check_year_end": end,
    }
    return {}, CheckedTask(values, units)


def tasks_create(*, actor: User, region: Agency, year: int, tasks: Sequence[CheckedTask]) -> list[LedgerTask]:
    """Writes checked tasks with their assignments in one transaction (the import and the form use it)."""
    if not may_run(actor, region):
        raise NotAllowed(_("Only the credit office over the region keeps its ledger."))
    created: list[LedgerTask] = []
    with transaction.atomic():
        for checked in tasks:
            task = LedgerTask.objects.create(region=region, year=year, created_by=actor, **checked.values)
            rows = [LedgerAssignment(task=task, agency=a, role=AssignmentRole.LEAD) for a in checked.units.leads]
            rows += [
                LedgerAssignment(task=task, agency=a, role=AssignmentRole.PARTICIPANT)
                for a in checked.units.participants
            ]
            LedgerAssignment.objects.bulk_create(rows)
            LedgerEvent.objects.bulk_create(
                [
                    LedgerEvent(assignment=row, kind=LedgerEventKind.IMPORTED, to_status=row.status, actor=actor)
                    for row in rows
                ]
            )
            unit_changed([row.agency_id for row in rows], task.due_on or datetime.date(year, 12, 31))
            created.append(task)
    return created


def task_create(*, actor: User, region: Agency, year: int | None, data: TaskInput) -> LedgerTask:
    """One task typed in the form: every problem at once, nothing written until there is none."""
    if not may_run(actor, region):
        raise NotAllowed(_("Only the credit office over the region keeps its ledger."))
    errors, checked = task_problems(data, UnitNames(region))
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    elif data.number is not None and LedgerTask.objects.filter(region=region, year=year, number=data.number).exists():
        errors.setdefault("number", []).append(_("The ledger of this year already has a task with this number."))
    if errors:
        raise DomainError.of_fields(errors)
    assert checked is not None and year is not None
    return tasks_create(actor=actor, region=region, year=year, tasks=[checked])[0]


# A unit's status --------------------------------------------------------------------------------------------------


def _action_for(target: str) -> str:
    if target == S.IN_PROGRESS:
        return "start"
    if target == S.DONE:
        return "finish"
    raise DomainError(_("Choose in progress or done."), field="status", code="invalid")


def status_set(
    *,
    actor: User,
    assignment: LedgerAssignment,
    status: str,
    note: str = "",
    files: Iterable[Any] = (),
    done_on: datetime.date | None = None,
) -> LedgerAssignment:
    """The unit sets its status (in progress or done) with a note and evidence files; done needs evidence or a note."""
    if not may_update(actor, assignment):
        raise NotAllowed(_("Only the unit's own staff update its ledger task."))
    errors: dict[str, list[Any]] = {}
    if status not in SETTABLE:
        errors["status"] = [_("Choose in progress or done.")]
    checked: list[tuple[Any, str, str]] = []
    for upload in files:
        try:
            kind, name = evidence_check(upload)
        except DomainError as exc:
            errors.setdefault("file", []).append(exc.message)
        else:
            checked.append((upload, kind.content_type, name))
    today = timezone.localdate()
    if done_on is not None and done_on > today:
        errors["done_on"] = [_("The day it was done cannot be in the future.")]
    if status == S.DONE and not note.strip() and not checked and not assignment.evidence.exists():
        errors["note"] = [_("A task done needs a note or an evidence file.")]
    if errors:
        raise DomainError.of_fields(errors)
    fields: dict[str, Any] = {"note": note.strip() or assignment.note}
    fields["done_on"] = (done_on or today) if status == S.DONE else None
    stored: list[LedgerEvidence] = []
    try:
        with transaction.atomic():
            if status == assignment.status:
                LedgerAssignment.objects.filter(pk=assignment.pk).update(**fields)
                for name, value in fields.items():
                    setattr(assignment, name, value)
            else:
                assignment = transition(
                    assignment,
                    TRANSITIONS,
                    _action_for(status),
                    actor=actor,
                    reason=note.strip(),
                    fields=fields,
                    queryset=_rows(),
                    event=_moved,
                )
            stored += [store_file(LedgerEvidence(assignment=assignment, uploaded_by=actor), *c) for c in checked]
            for evidence in stored:
                _event(assignment, LedgerEventKind.EVIDENCE, actor, reason=evidence.original_name)
            unit_changed(assignment.agency_id, _period_day(assignment.task))
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return assignment


def status_bulk_set(*, actor: User, agency: Agency, assignment_ids: Sequence[int], status: str, note: str = "") -> int:
    """One unit's tasks set to one status at once: all of them or none, every refusal named."""
    errors: dict[str, list[Any]] = {}
    if not may_enter_records_for(actor, agency):
        raise NotAllowed(_("Only the unit's own staff update its ledger tasks."))
    if status not in SETTABLE:
        errors["status"] = [_("Choose in progress or done.")]
    if not assignment_ids:
        errors["assignments"] = [_("Choose at least one task.")]
    if status == S.DONE and not note.strip():
        errors.setdefault("note", []).append(_("A task done needs a note or an evidence file."))
    if errors:
        raise DomainError.of_fields(errors)
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(
            _rows().select_for_update(of=("self",)).filter(agency=agency, pk__in=list(assignment_ids)).order_by("pk")
        )
        if len(rows) != len(set(assignment_ids)):
            raise DomainError(_("Some chosen tasks are not this unit's."), field="assignments", code="not_found")
        refused = [
            _("Task %(number)d: %(message)s")
            % {"number": row.task.number, "message": _refusal(row, TRANSITIONS.move(_action_for(status)))}
            for row in rows
            if row.status != status and not TRANSITIONS.allows(row.status, _action_for(status))
        ]
        if refused:
            raise DomainError.of_fields({"assignments": refused})
        for row in rows:
            if row.status == status:
                continue
            transition(
                row,
                TRANSITIONS,
                _action_for(status),
                actor=actor,
                reason=note.strip(),
                fields={"note": note.strip() or row.note, "done_on": today if status == S.DONE else None},
                event=_moved,
                locked=True,
            )
        unit_changed(agency.pk, today)
    return len(rows)


def result_set(
    *, actor: User, assignment: LedgerAssignment, mid_year_result: str, year_end_result: str
) -> LedgerAssignment:
    """The credit office records a unit's mid-year and year-end results (a grade or score as text)."""
    if not may_run(actor, assignment.task.region):
        raise NotAllowed(_("Only the credit office over the region records the results."))
    errors: dict[str, list[Any]] = {}
    for name, value in (("mid_year_result", mid_year_result), ("year_end_result", year_end_result)):
        if len(value.strip()) > 100:
            errors[name] = [_("At most 100 characters.")]
    if not mid_year_result.strip() and not year_end_result.strip():
        errors["mid_year_result"] = [_("Give the mid-year result, the year-end result, or both.")]
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        LedgerAssignment.objects.filter(pk=assignment.pk).update(
            mid_year_result=mid_year_result.strip(), year_end_result=year_end_result.strip()
        )
        assignment.mid_year_result, assignment.year_end_result = mid_year_result.strip(), year_end_result.strip()
        text = "；".join(v for v in (mid_year_result.strip(), year_end_result.strip()) if v)
        _event(assignment, LedgerEventKind.RESULT, actor, reason=text)
    return assignment


@dataclass(frozen=True)
class OverdueRun:
    marked: int


def ledger_overdue_run(on: datetime.date | None = None) -> OverdueRun:
    """Daily, idempotent: a unit's task not done by its deadline becomes overdue (once), with a notice to the unit
    and the credit office over the region."""
    on = on or timezone.localdate()
    marked = 0
    late = LedgerAssignment.objects.due_passed(on).select_related("agency", "task__region")
    for assignment in late.iterator(chunk_size=500):
        with transaction.atomic():
            try:
                row = transition(assignment, TRANSITIONS, "overdue", actor=None, queryset=_rows(), event=_moved)
            except DomainError:
                continue  # someone moved it meanwhile
            unit_changed(row.agency_id, row.task.due_on)
            text = _("Ledger task %(number)d of %(agency)s was due on %(due)s and is not done.") % {
                "number": row.task.number,
                "agency": row.agency.name,
                "due": row.task.due_on.isoformat() if row.task.due_on else "",
            }
            office = credit_office_over(row.task.region)
            notify(subject=text[:200], body=text, link=task_url(row.task), agencies=[row.agency, office])
            marked += 1
    return OverdueRun(marked=marked)


# Helpers ------------------------------------------------------------------------------------------------------------


def _period_day(task: LedgerTask) -> datetime.date:
    return task.due_on or datetime.date(task.year, 12, 31)


def _rows() -> Any:
    return LedgerAssignment.objects.select_related("agency", "task__region")


def _event(assignment: LedgerAssignment, kind: str, actor: User | None, *, reason: str = "") -> LedgerEvent:
    return LedgerEvent.objects.create(
        assignment=assignment,
        kind=kind,
        from_status=assignment.status,
        to_status=assignment.status,
        reason=reason,
        actor=actor,
    )


def _moved(assignment: LedgerAssignment, step: Step) -> LedgerEvent:
    kind = LedgerEventKind.OVERDUE if step.action == "overdue" else LedgerEventKind.STATUS
    return LedgerEvent.objects.create(
        assignment=assignment,
        kind=kind,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
        actor=step.actor,
    )


def task_url(task: LedgerTask) -> str:
    return reverse("supervision:ledger_task_detail", args=[task.pk])
