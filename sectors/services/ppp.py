"""PPP projects: entry, stages, responsibility per stage with handovers, payment obligations, the public card, and
breaches attributed by traceback (项目责任回溯, seed 000 §(九), 004 §二(三)2). docs/sectors.md § PPP.

The rules of a project's and an obligation's input are written once here (`ppp_project_problems`,
`ppp_payment_problems`) for the form, the API and the Excel import; each reports every problem at once.

Traceback: `ppp_responsible_on(project, stage, day)` is the stage's responsibility row that covered `day`, and
`ppp_traceback(project, day)` first finds the stage in force that day. A row keeps the unit as it was and the person
as who they are, so a breach found years later names the person who held the stage then, wherever they work now, and
has as its subject the unit that held it. A breach proposes a *candidate* record (records.services.candidates); the
credit office decides it.
"""

import datetime
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from sectors.models.ppp import (
    STAGE_DATE_FIELDS,
    STAGE_ORDER,
    PppBreach,
    PppConsultant,
    PppEventKind,
    PppIndustry,
    PppMode,
    PppPaymentKind,
    PppPaymentObligation,
    PppProject,
    PppProjectEvent,
    PppRegime,
    PppReturn,
    PppStage,
    PppStageAssignment,
)
from subjects.codes import normalize_uscc, validate_uscc
from subjects.masking import mask_person_name
from subjects.models import Agency, CivilServant, CivilServantMove
from workcalendar.workdays import working_days_between

PPP_PROJECT_KIND = "ppp_project"
# The day the 2023 new mechanism was issued (国办函〔2023〕115号, dated 3 November 2023): a project under it cannot
# have been identified earlier.
NEW_MECHANISM_FROM = datetime.date(2023, 11, 3)
S = PppStage


# The rules ----------------------------------------------------------------------------------------------------------

REQUIRED: dict[str, Any] = {
    "agency": gettext_lazy("Name the implementing agency."),
    "name": gettext_lazy("Give the project's name."),
    "industry": gettext_lazy("Choose the industry from the list."),
    "mode": gettext_lazy("Choose the mode from the list."),
    "return_mechanism": gettext_lazy("Choose the return mechanism from the list."),
    "regime": gettext_lazy("Choose the regime from the list."),
    "term_years": gettext_lazy("Give the term in years."),
    "total_investment": gettext_lazy("Give the total investment."),
    "identification_on": gettext_lazy("Give the date the project was identified."),
}
LIMITS: dict[str, int] = {
    "code": 40,
    "name": 200,
    "partner_name": 200,
    "company_name": 200,
    "contract_summary": 5000,
}
CHOICES: dict[str, Any] = {
    "industry": PppIndustry.values,
    "mode": PppMode.values,
    "return_mechanism": PppReturn.values,
    "regime": PppRegime.values,
}
MESSAGES: dict[str, Any] = {
    "term": gettext_lazy("Give a term between 1 and 99 years."),
    "investment": gettext_lazy("The total investment must be a number above zero (in 10,000 yuan)."),
    "future": gettext_lazy("The date cannot be in the future."),
    "name_for_code": gettext_lazy("Name the company whose code is given."),
    "new_mechanism_date": gettext_lazy(
        "A project under the 2023 new mechanism cannot have been identified before 3 November 2023."
    ),
    "too_long": gettext_lazy("At most %(limit)d characters."),
    "amount_due": gettext_lazy("The amount due must be a number above zero (in 10,000 yuan)."),
    "year": gettext_lazy("Give a year between 2000 and 2100."),
    "due_year": gettext_lazy("The due date is in the obligation's year or the next."),
    "kind": gettext_lazy("Choose the kind of payment from the list."),
    "due_on": gettext_lazy("Give the due date."),
    "payment_taken": gettext_lazy("The project already has an obligation of this kind for that year."),
}
AMOUNT_LIMIT = Decimal("1e12")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _amount_ok(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and Decimal(0) < value < AMOUNT_LIMIT


def _add(errors: dict[str, list[str]], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(str(message))


def ppp_project_problems(values: Mapping[str, Any], *, today: datetime.date | None = None) -> dict[str, list[str]]:
    """Every rule a project's values break, by field (PppProjectInput's names). A rule whose input is missing from
    `values` is skipped, so an input read only in part still hears of every other problem."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name, message in REQUIRED.items():
        if name in values and _blank(values[name]):
            _add(errors, name, message)
    for name, limit in LIMITS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text.strip()) > limit:
            _add(errors, name, MESSAGES["too_long"] % {"limit": limit})
    for name, allowed in CHOICES.items():
        value = values.get(name)
        if isinstance(value, str) and value and value not in allowed:
            _add(errors, name, REQUIRED[name])
    term = values.get("term_years")
    if term is not None and (not isinstance(term, int) or not 1 <= term <= 99):
        _add(errors, "term_years", MESSAGES["term"])
    investment = values.get("total_investment")
    if investment is not None and not _amount_ok(investment):
        _add(errors, "total_investment", MESSAGES["investment"])
    for name in ("identification_on", "contract_signed_on"):
        day = values.get(name)
        if isinstance(day, datetime.date) and day > today:
            _add(errors, name, MESSAGES["future"])
    for code_field, name_field in (("partner_uscc", "partner_name"), ("company_uscc", "company_name")):
        code = (values.get(code_field) or "").strip()
        if not code:
            continue
        try:
            validate_uscc(code)
        except ValidationError as exc:
            _add(errors, code_field, exc.messages[0])
        if name_field in values and _blank(values[name_field]):
            _add(errors, name_field, MESSAGES["name_for_code"])
    identified = values.get("identification_on")
    if (
        values.get("regime") == PppRegime.NEW_2023
        and isinstance(identified, datetime.date)
        and identified < NEW_MECHANISM_FROM
    ):
        _add(errors, "regime", MESSAGES["new_mechanism_date"])
    return errors


def ppp_payment_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every rule a payment obligation's values break, by field (PppPaymentInput's names)."""
    errors: dict[str, list[str]] = {}
    year, kind, amount, due = values.get("year"), values.get("kind"), values.get("amount_due"), values.get("due_on")
    if "year" in values and (not isinstance(year, int) or not 2000 <= year <= 2100):
        _add(errors, "year", MESSAGES["year"])
    if "kind" in values and kind not in PppPaymentKind.values:
        _add(errors, "kind", MESSAGES["kind"])
    if "amount_due" in values and not _amount_ok(amount):
        _add(errors, "amount_due", MESSAGES["amount_due"])
    if "due_on" in values and not isinstance(due, datetime.date):
        _add(errors, "due_on", MESSAGES["due_on"])
    if isinstance(year, int) and isinstance(due, datetime.date) and due.year not in (year, year + 1):
        _add(errors, "due_on", MESSAGES["due_year"])
    return errors


# Inputs --------------------------------------------------------------------------------------------------------------


@dataclass
class PppProjectInput:
    """What a clerk types (form, API or Excel row)."""

    agency: Agency
    name: str
    industry: str
    mode: str
    return_mechanism: str
    regime: str
    term_years: int
    total_investment: Decimal
    identification_on: datetime.date
    partner_name: str = ""
    partner_uscc: str = ""
    company_name: str = ""
    company_uscc: str = ""
    contract_signed_on: datetime.date | None = None
    contract_summary: str = ""
    code: str = ""


@dataclass
class PppPaymentInput:
    project: PppProject
    year: int
    kind: str
    amount_due: Decimal
    due_on: datetime.date


def _values(data: Any) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def ppp_project_input_check(data: PppProjectInput, *, project_id: int | None = None) -> None:
    """Every rule the input breaks, at once, and a code another project has; then the input normalised."""
    errors = ppp_project_problems(_values(data))
    code = (data.code or "").strip()
    taken = PppProject.objects.filter(code=code)
    if project_id is not None:
        taken = taken.exclude(pk=project_id)
    if code and taken.exists():
        _add(errors, "code", _("Another project has this code."))
    if errors:
        raise DomainError.of_fields(errors)
    data.code = code
    for name in ("name", "partner_name", "company_name", "contract_summary"):
        setattr(data, name, getattr(data, name).strip())
    data.partner_uscc = normalize_uscc(data.partner_uscc) if data.partner_uscc.strip() else ""
    data.company_uscc = normalize_uscc(data.company_uscc) if data.company_uscc.strip() else ""


def _payment_input_check(data: PppPaymentInput, *, exclude: int | None = None) -> None:
    errors = ppp_payment_problems(_values(data))
    if not errors:
        taken = PppPaymentObligation.objects.filter(project=data.project, year=data.year, kind=data.kind)
        if exclude is not None:
            taken = taken.exclude(pk=exclude)
        if taken.exists():
            _add(errors, "kind", MESSAGES["payment_taken"])
    if errors:
        raise DomainError.of_fields(errors)


# Events, the outbox and the public card -------------------------------------------------------------------------------


def _event(
    project: PppProject,
    kind: str,
    actor: User | None,
    *,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    from_stage: str = "",
    to_stage: str = "",
) -> PppProjectEvent:
    return PppProjectEvent.objects.create(
        project=project,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        changes=changes or {},
        actor=actor,
    )


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def ppp_project_payload(project: PppProject) -> dict[str, Any]:
    """The project card as the platform receives it: what the public card shows, persons as 张某."""
    assignments = (
        PppStageAssignment.objects.filter(project=project).select_related("agency", "person").order_by("starts_on")
    )
    return {
        "code": project.code,
        "name": project.name,
        "agency_name": project.agency.name,
        "agency_uscc": project.agency.uscc,
        "industry": project.industry,
        "mode": project.mode,
        "return_mechanism": project.return_mechanism,
        "regime": project.regime,
        "term_years": project.term_years,
        "total_investment": str(project.total_investment),
        "partner_name": project.partner_name,
        "partner_uscc": project.partner_uscc,
        "company_name": project.company_name,
        "company_uscc": project.company_uscc,
        "contract_signed_on": project.contract_signed_on.isoformat() if project.contract_signed_on else None,
        "contract_summary": project.contract_summary,
        "stage": project.stage,
        "stages": {stage: _iso(project.stage_began_on(stage)) for stage in STAGE_ORDER},
        "consultants": [{"name": c.name, "role": c.role, "uscc": c.uscc} for c in project.consultants.order_by("pk")],
        "responsibility": [
            {
                "stage": a.stage,
                "unit": a.agency.name,
                "person": mask_person_name(a.person.name),
                "from": a.starts_on.isoformat(),
                "to": _iso(a.ends_on),
            }
            for a in assignments
        ],
        "payments": [
            {
                "year": p.year,
                "kind": p.kind,
                "amount_due": str(p.amount_due),
                "due_on": p.due_on.isoformat(),
                "paid_amount": str(p.paid_amount),
                "paid_on": _iso(p.paid_on),
                "late": p.late,
            }
            for p in project.payments.order_by("year", "due_on", "pk")
        ],
        "published_at": project.published_at.isoformat() if project.published_at else None,
    }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _emit(project: PppProject, change_type: str) -> None:
    outbox_emit(
        kind=PPP_PROJECT_KIND,
        obj=project,
        version=project.version,
        change_type=change_type,
        payload=ppp_project_payload(project),
        agency=project.agency,
    )
    transaction.on_commit(public_changed.announce, robust=True)


def _card_changed(project: PppProject) -> None:
    """A published card changed: a new version reaches the platform and the public pages (call inside the change's
    transaction)."""
    locked = PppProject.objects.select_for_update().select_related("agency").get(pk=project.pk)
    if locked.published_at is None:
        return
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    project.version = locked.version
    _emit(locked, ChangeType.CORRECTED)


def ppp_project_publish(*, actor: User, project: PppProject) -> PppProject:
    """The PPP authority or the credit office publishes the project card: the public sees it, the platform hears."""
    if not may_verify_sector_data(actor, Sector.PPP, project.agency):
        raise NotAllowed(_("Only the PPP authority or the credit office of the region may publish a project card."))
    with transaction.atomic():
        project = PppProject.objects.select_for_update().select_related("agency").get(pk=project.pk)
        if project.published_at is not None:
            raise DomainError(_("The project card is already published."), code="illegal_transition")
        project.published_at = timezone.now()
        project.version += 1
        project.save(update_fields=["published_at", "version", "updated_at"])
        _event(project, PppEventKind.PUBLISHED, actor)
        _emit(project, ChangeType.PUBLISHED)
    return project


# Projects -------------------------------------------------------------------------------------------------------------


def _may_enter(actor: User, agency: Agency) -> bool:
    return may_enter_sector_data(actor, Sector.PPP, agency)


def ppp_project_create(*, actor: User, data: PppProjectInput) -> PppProject:
    if not _may_enter(actor, data.agency):
        raise NotAllowed(_("You may not enter PPP projects for this agency."))
    ppp_project_input_check(data)
    values = _values(data)
    code = values.pop("code") or f"TMP-{uuid.uuid4().hex[:30]}"
    with transaction.atomic():
        project = PppProject.objects.create(**values, code=code, created_by=actor)
        if code.startswith("TMP-"):
            project.code = f"PPP{data.identification_on.year}-{project.pk:06d}"
            project.save(update_fields=["code"])
        _event(project, PppEventKind.CREATED, actor, to_stage=project.stage)
    return project


class PppRowsRefused(DomainError):
    """Some inputs of a batch break the rules: `refusals` maps each one's index to its messages by field."""

    def __init__(self, refusals: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(_("Some rows break the rules; nothing was written."), code="invalid")
        self.refusals = refusals


def ppp_projects_create_many(*, actor: User, items: Sequence[PppProjectInput]) -> list[PppProject]:
    """Every project or none (the Excel import), each held to ppp_project_create's permission and rules first."""
    refusals: dict[int, dict[str, list[str]]] = {}
    codes: dict[str, int] = {}
    for index, data in enumerate(items):
        if not _may_enter(actor, data.agency):
            raise NotAllowed(_("You may not enter PPP projects for this agency."))
        try:
            ppp_project_input_check(data)
        except DomainError as exc:
            refusals[index] = exc.field_errors()
        if data.code and codes.setdefault(data.code, index) != index:
            refusals.setdefault(index, {}).setdefault("code", []).append(_("Another project has this code."))
    if refusals:
        raise PppRowsRefused(refusals)
    with transaction.atomic():
        return [ppp_project_create(actor=actor, data=data) for data in items]


def ppp_project_update(*, actor: User, project: PppProject, data: PppProjectInput) -> PppProject:
    """Edits the project's facts; its stage moves only through ppp_stage_advance. A published card is sent again."""
    if not _may_enter(actor, project.agency) or not _may_enter(actor, data.agency):
        raise NotAllowed(_("You may not edit this project."))
    if not data.code:
        data.code = project.code
    ppp_project_input_check(data, project_id=project.pk)
    with transaction.atomic():
        project = PppProject.objects.select_for_update().get(pk=project.pk)
        if project.preparation_on is not None and data.identification_on > project.preparation_on:
            raise DomainError(
                _("The project cannot have been identified after its preparation began."), field="identification_on"
            )
        changes: dict[str, list[Any]] = {}
        for name, value in _values(data).items():
            if getattr(project, name) != value:
                changes[name] = [_plain(getattr(project, name)), _plain(value)]
                setattr(project, name, value)
        if not changes:
            return project
        project.save()
        _event(project, PppEventKind.EDITED, actor, changes=changes)
        _card_changed(project)
    return project


def ppp_consultant_add(*, actor: User, project: PppProject, name: str, role: str, uscc: str = "") -> PppConsultant:
    if not _may_enter(actor, project.agency):
        raise NotAllowed(_("You may not edit this project."))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        _add(errors, "name", _("Give the consultant's name."))
    elif len(name.strip()) > 200:
        _add(errors, "name", MESSAGES["too_long"] % {"limit": 200})
    if not role.strip():
        _add(errors, "role", _("Say what the consultant did (its role)."))
    elif len(role.strip()) > 100:
        _add(errors, "role", MESSAGES["too_long"] % {"limit": 100})
    if uscc.strip():
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            _add(errors, "uscc", exc.messages[0])
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        consultant = PppConsultant.objects.create(
            project=project, name=name.strip(), role=role.strip(), uscc=normalize_uscc(uscc) if uscc.strip() else ""
        )
        _event(project, PppEventKind.CONSULTANT, actor, changes={"consultant": [consultant.name, consultant.role]})
        _card_changed(project)
    return consultant


# Stages ---------------------------------------------------------------------------------------------------------------


def _refusal(project: PppProject, move: Move) -> str:
    return _("A project in %(stage)s cannot move to %(target)s.") % {
        "stage": project.get_stage_display(),
        "target": PppStage(move.target).label,
    }


TRANSITIONS = StateMachine[PppProject](
    field="stage",
    moves={
        "prepare": ({S.IDENTIFICATION}, S.PREPARATION),
        "procure": ({S.PREPARATION}, S.PROCUREMENT),
        "execute": ({S.PROCUREMENT}, S.EXECUTION),
        "hand_over": ({S.EXECUTION}, S.HANDOVER),
    },
    refusal=_refusal,
)


def next_stage(stage: str) -> str | None:
    targets = TRANSITIONS.targets_from(stage)
    return next(iter(targets)) if targets else None


def ppp_stage_advance(
    *, actor: User, project: PppProject, to_stage: str, on: datetime.date, reason: str = ""
) -> PppProject:
    """Moves the project to its next stage, which began on `on` (not before the current stage began, not in the
    future). Execution needs the private partner and the signed contract."""
    if not _may_enter(actor, project.agency):
        raise NotAllowed(_("You may not move this project's stage."))
    if to_stage not in STAGE_ORDER or to_stage == S.IDENTIFICATION:
        raise DomainError(_("Choose the next stage."), field="to_stage")
    today = timezone.localdate()

    def moved(row: PppProject) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        began = row.stage_began_on(row.stage)
        if on > today:
            _add(errors, "on", MESSAGES["future"])
        elif began is not None and on < began:
            _add(
                errors,
                "on",
                _("The stage cannot begin before the current one did (%(date)s).") % {"date": began.isoformat()},
            )
        if to_stage == S.EXECUTION:
            if not (row.partner_name and row.partner_uscc):
                _add(errors, "partner_name", _("Execution needs the private partner and its code."))
            if row.contract_signed_on is None:
                _add(errors, "contract_signed_on", _("Execution needs the date the PPP contract was signed."))
        if errors:
            raise DomainError.of_fields(errors)
        return {STAGE_DATE_FIELDS[to_stage]: on}

    def event(row: PppProject, step: Step) -> PppProjectEvent:
        return PppProjectEvent.objects.create(
            project=row,
            kind=PppEventKind.STAGE,
            from_stage=step.from_state,
            to_stage=step.to_state,
            reason=step.reason,
            changes={"on": on.isoformat()},
            actor=step.actor,
            at=step.at,
        )

    with transaction.atomic():
        project = transition(
            project,
            TRANSITIONS,
            TRANSITIONS.action_to(to_stage),
            actor=actor,
            reason=reason.strip(),
            prepare=moved,
            event=event,
        )
        _card_changed(project)
    return project


# Responsibility per stage and traceback -------------------------------------------------------------------------------


def person_agency_on(person: CivilServant, day: datetime.date) -> int:
    """The id of the agency `person` worked in on `day`, from their moves (subjects.CivilServantMove: from the day
    of a move they work in its new agency)."""
    later = CivilServantMove.objects.filter(person=person, moved_on__gt=day).order_by("moved_on", "pk").first()
    return later.from_agency_id if later is not None else person.agency_id


def ppp_responsible_on(project: PppProject, stage: str, day: datetime.date) -> PppStageAssignment | None:
    """Who held `stage` of `project` on `day`: the responsibility row covering it, with the unit as it was and the
    person as they are (None when nobody was assigned)."""
    return (
        PppStageAssignment.objects.filter(project=project, stage=stage)
        .on(day)
        .select_related("agency", "person", "person__agency")
        .order_by("-starts_on", "-pk")
        .first()
    )


def ppp_traceback(project: PppProject, day: datetime.date) -> tuple[str | None, PppStageAssignment | None]:
    """The stage in force on `day` and who held it then."""
    stage = project.stage_on(day)
    return stage, (ppp_responsible_on(project, stage, day) if stage is not None else None)


def _assignment_problems(
    *, agency: Agency | None, person: CivilServant | None, on: datetime.date | None, today: datetime.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if agency is None:
        _add(errors, "agency", _("Name the responsible unit."))
    if person is None:
        _add(errors, "person", _("Name the responsible civil servant."))
    if on is None:
        _add(errors, "on", _("Give the date."))
    elif on > today:
        _add(errors, "on", MESSAGES["future"])
    if agency is not None and person is not None and on is not None and person_agency_on(person, on) != agency.pk:
        _add(errors, "person", _("On that day the person did not work in the responsible unit."))
    return errors


def ppp_stage_assign(
    *,
    actor: User,
    project: PppProject,
    stage: str,
    agency: Agency,
    person: CivilServant,
    starts_on: datetime.date,
    duties: str = "",
) -> PppStageAssignment:
    """Names the first unit and civil servant responsible for a stage, from `starts_on`."""
    if not _may_enter(actor, project.agency):
        raise NotAllowed(_("You may not assign this project's stages."))
    errors = _assignment_problems(agency=agency, person=person, on=starts_on, today=timezone.localdate())
    if stage not in STAGE_ORDER:
        _add(errors, "stage", _("Choose the stage."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        PppProject.objects.select_for_update().get(pk=project.pk)
        held = PppStageAssignment.objects.filter(project=project, stage=stage)
        if held.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)).exists():
            raise DomainError(_("Somebody already holds this stage on that day: hand it over instead."), field="stage")
        assignment = PppStageAssignment.objects.create(
            project=project,
            stage=stage,
            agency=agency,
            person=person,
            starts_on=starts_on,
            duties=duties.strip()[:200],
            created_by=actor,
        )
        _event(
            project,
            PppEventKind.ASSIGNED,
            actor,
            changes={"stage": stage, "person": person.name, "unit": agency.name, "from": starts_on.isoformat()},
        )
        _card_changed(project)
    return assignment


def ppp_stage_hand_over(
    *,
    actor: User,
    project: PppProject,
    stage: str,
    agency: Agency,
    person: CivilServant,
    on: datetime.date,
    note: str,
    duties: str = "",
) -> PppStageAssignment:
    """Hands a stage from whoever holds it to `person` of `agency` from `on`: the outgoing row ends the day before
    and keeps the handover note; neither row is rewritten afterwards (the traceback reads them)."""
    if not _may_enter(actor, project.agency):
        raise NotAllowed(_("You may not hand over this project's stages."))
    errors = _assignment_problems(agency=agency, person=person, on=on, today=timezone.localdate())
    if not note.strip():
        _add(errors, "note", _("Write the handover note: what was handed over and what is pending."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        PppProject.objects.select_for_update().get(pk=project.pk)
        current = (
            PppStageAssignment.objects.select_for_update()
            .select_related("person")
            .filter(project=project, stage=stage, ends_on__isnull=True)
            .first()
        )
        if current is None:
            raise DomainError(_("Nobody holds this stage yet: assign it first."), field="stage")
        if current.person_id == person.pk and current.agency_id == agency.pk:
            raise DomainError(_("That person already holds the stage."), field="person")
        if on <= current.starts_on:
            raise DomainError(
                _("The handover must come after %(date)s, when the current holder took the stage.")
                % {"date": current.starts_on.isoformat()},
                field="on",
            )
        current.ends_on = on - datetime.timedelta(days=1)
        current.handover_note = note.strip()
        current.save(update_fields=["ends_on", "handover_note"])
        incoming = PppStageAssignment.objects.create(
            project=project,
            stage=stage,
            agency=agency,
            person=person,
            starts_on=on,
            duties=duties.strip()[:200],
            created_by=actor,
        )
        _event(
            project,
            PppEventKind.HANDED_OVER,
            actor,
            reason=note.strip(),
            changes={"stage": stage, "person": [current.person.name, person.name], "on": on.isoformat()},
        )
        _card_changed(project)
    return incoming


# Payment obligations --------------------------------------------------------------------------------------------------


def ppp_payment_add(*, actor: User, data: PppPaymentInput) -> PppPaymentObligation:
    if not _may_enter(actor, data.project.agency):
        raise NotAllowed(_("You may not enter this project's payments."))
    _payment_input_check(data)
    with transaction.atomic():
        payment = PppPaymentObligation.objects.create(**_values(data))
        _event(
            data.project,
            PppEventKind.PAYMENT_ADDED,
            actor,
            changes={"year": data.year, "kind": data.kind, "amount_due": str(data.amount_due)},
        )
        _card_changed(data.project)
    return payment


def ppp_payments_create_many(*, actor: User, items: Sequence[PppPaymentInput]) -> list[PppPaymentObligation]:
    """Every obligation or none (the Excel import)."""
    refusals: dict[int, dict[str, list[str]]] = {}
    keys: dict[tuple[int, int, str], int] = {}
    for index, data in enumerate(items):
        if not _may_enter(actor, data.project.agency):
            raise NotAllowed(_("You may not enter this project's payments."))
        try:
            _payment_input_check(data)
        except DomainError as exc:
            refusals[index] = exc.field_errors()
        if keys.setdefault((data.project.pk, data.year, data.kind), index) != index:
            refusals.setdefault(index, {}).setdefault("kind", []).append(str(MESSAGES["payment_taken"]))
    if refusals:
        raise PppRowsRefused(refusals)
    with transaction.atomic():
        return [ppp_payment_add(actor=actor, data=data) for data in items]


def ppp_payment_record(
    *, actor: User, payment: PppPaymentObligation, amount: Decimal, paid_on: datetime.date
) -> PppPaymentObligation:
    """Records a payment against the obligation; one paid after its due date leaves it flagged late."""
    if not _may_enter(actor, payment.project.agency):
        raise NotAllowed(_("You may not enter this project's payments."))
    errors: dict[str, list[str]] = {}
    if not _amount_ok(amount):
        _add(errors, "amount", _("The amount paid must be a number above zero (in 10,000 yuan)."))
    if paid_on > timezone.localdate():
        _add(errors, "paid_on", MESSAGES["future"])
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        unit_changed(payment.project.agency_id, timezone.localdate())  # the evaluation recounts it
        payment = PppPaymentObligation.objects.select_for_update().select_related("project").get(pk=payment.pk)
        if payment.paid_amount + amount > payment.amount_due:
            raise DomainError(
                _("That is more than is still due (%(outstanding)s).") % {"outstanding": payment.outstanding},
                field="amount",
            )
        payment.paid_amount += amount
        payment.paid_on = max(paid_on, payment.paid_on) if payment.paid_on else paid_on
        payment.late = payment.late or paid_on > payment.due_on
        payment.save(update_fields=["paid_amount", "paid_on", "late", "updated_at"])
        _event(
            payment.project,
            PppEventKind.PAID,
            actor,
            changes={"year": payment.year, "kind": payment.kind, "amount": str(amount), "paid_on": paid_on.isoformat()},
        )
        _card_changed(payment.project)
    return payment


# Breaches -------------------------------------------------------------------------------------------------------------


def ppp_breach_propose(
    *,
    actor: User | None,
    project: PppProject,
    occurred_on: datetime.date,
    facts: str,
    payment: PppPaymentObligation | None = None,
) -> PppBreach:
    """A government-side breach of the project on `occurred_on`, attributed by traceback: its subject is the unit
    that held the stage in force that day and the person who held it is named responsible, wherever they work now
    (with the unit's principal). Proposes a candidate record; `actor` None for the scheduled job."""
    if actor is not None and not may_verify_sector_data(actor, Sector.PPP, project.agency):
        raise NotAllowed(_("Only the PPP authority or the credit office of the region may report a breach."))
    errors: dict[str, list[str]] = {}
    if not facts.strip():
        _add(errors, "facts", _("Say what the government side failed to do."))
    if occurred_on > timezone.localdate():
        _add(errors, "occurred_on", MESSAGES["future"])
    elif occurred_on < project.identification_on:
        _add(errors, "occurred_on", _("The project had not been identified on that day."))
    if errors:
        raise DomainError.of_fields(errors)
    stage, held = ppp_traceback(project, occurred_on)
    unit = held.agency if held is not None else project.agency
    responsible: list[tuple[CivilServant, str]] = []
    if held is not None:
        responsible.append((held.person, ResponsibilityKind.DIRECT.value))
    principal = principals([unit.pk]).first()
    if principal is not None and principal.pk not in {person.pk for person, _kind in responsible}:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    office = credit_office_over(unit)
    with transaction.atomic():
        breach = PppBreach.objects.create(
            project=project,
            occurred_on=occurred_on,
            stage=stage or S.IDENTIFICATION,
            assignment=held,
            agency=unit,
            person=held.person if held is not None else None,
            payment=payment,
            facts=facts.strip(),
            created_by=actor,
        )
        held_text = (
            _("%(unit)s held the %(stage)s stage on that day; the responsible civil servant was %(person)s.")
            % {"unit": unit.name, "stage": PppStage(breach.stage).label, "person": held.person.name}
            if held is not None
            else _("Nobody was recorded as holding the stage on that day.")
        )
        data = RecordInput(
            subject_agency=unit,
            source=RecordSource.BREACH_OF_CONTRACT,
            sector=Sector.PPP,
            severity=Severity.GENERAL,
            document_number=_("PPP breach %(code)s-%(number)d") % {"code": project.code, "number": breach.pk},
            deciding_body_name=office.name,
            deciding_body_uscc=office.uscc,
            deciding_agency=office,
            decision_date=timezone.localdate(),
            facts=_("In PPP project %(name)s (%(code)s), on %(date)s: %(facts)s %(held)s")
            % {
                "name": project.name,
                "code": project.code,
                "date": occurred_on.isoformat(),
                "facts": facts.strip(),
                "held": held_text,
            },
            legal_basis=_("The PPP project contract; responsibility traceback of the government side of PPP projects."),
            data_source_agency=project.agency,
            responsible=responsible,
        )
        record = record_candidate_propose(
            origin=breach,
            origin_label=_("PPP project %(code)s, breach of %(date)s") % {"code": project.code, "date": occurred_on},
            data=data,
            actor=actor,
            reason=facts.strip(),
        )
        breach.record = record
        breach.save(update_fields=["record"])
        _event(
            project,
            PppEventKind.BREACH,
            actor,
            reason=facts.strip(),
            changes={
                "record": record.pk,
                "occurred_on": occurred_on.isoformat(),
                "stage": breach.stage,
                "unit": unit.name,
                "person": held.person.name if held is not None else "",
            },
        )
    return breach


# The scheduled job ----------------------------------------------------------------------------------------------------


@dataclass
class PaymentWatch:
    marked_late: int = 0
    reminded: int = 0
    breaches: int = 0


def _breach_cutoff(today: datetime.date, days: int) -> datetime.date:
    """The latest due date that is at least `days` working days before `today`. Stepping back by the working days
    still missing never passes it (a calendar day adds at most one working day), so a few counts find it."""
    day, counted = today, 0
    while counted < days:
        day -= datetime.timedelta(days=days - counted)
        counted = working_days_between(day, today)
    return day


def _notify_agencies(counts: Sequence[Mapping[str, Any]], subject: Callable[[int], str], link: str) -> None:
    agencies = Agency.objects.in_bulk([row["project__agency"] for row in counts])
    for row in counts:
        agency = agencies[row["project__agency"]]
        notify(subject=subject(row["n"]), body=subject(row["n"]), link=link, agencies=[agency])


def ppp_payments_watch(*, today: datetime.date | None = None) -> PaymentWatch:
    """The scheduled job, safe to run twice (a second run the same day changes nothing):
    1. flags late, with one UPDATE, every obligation not paid in full by its due date, telling each agency once;
    2. reminds each agency once of its obligations due within PPP_PAYMENT_REMIND_DAYS;
    3. proposes the breach (a candidate record attributed by traceback) of every obligation still unpaid
       PPP_BREACH_AFTER_WORKING_DAYS working days after its due date."""
    today = today or timezone.localdate()
    run = PaymentWatch()
    link = reverse("sectors:ppp_list")
    with transaction.atomic():
        newly_late = PppPaymentObligation.objects.filter(late=False, due_on__lt=today).filter(
            Q(paid_amount__lt=F("amount_due")) | Q(paid_on__gt=F("due_on"))
        )
        counts = list(newly_late.order_by().values("project__agency").annotate(n=Count("pk")))
        run.marked_late = newly_late.update(late=True)
        _notify_agencies(
            counts,
            lambda n: _("%(count)d PPP payment obligation(s) of the government side are late.") % {"count": n},
            link,
        )
    horizon = today + datetime.timedelta(days=int(settings.PPP_PAYMENT_REMIND_DAYS))
    with transaction.atomic():
        due_soon = PppPaymentObligation.objects.unpaid().filter(
            reminded_on__isnull=True, due_on__gte=today, due_on__lte=horizon
        )
        counts = list(due_soon.order_by().values("project__agency").annotate(n=Count("pk")))
        run.reminded = due_soon.update(reminded_on=today)
        _notify_agencies(
            counts,
            lambda n: (
                _("%(count)d PPP payment obligation(s) fall due within %(days)d days.")
                % {"count": n, "days": int(settings.PPP_PAYMENT_REMIND_DAYS)}
            ),
            link,
        )
    limit = int(settings.PPP_BREACH_AFTER_WORKING_DAYS)
    overdue = (
        PppPaymentObligation.objects.unpaid()
        .filter(late=True, due_on__lte=_breach_cutoff(today, limit), breach__isnull=True)
        .select_related("project", "project__agency")
        .order_by("pk")
    )
    for payment in overdue:
        with transaction.atomic():
            locked = PppPaymentObligation.objects.select_for_update().get(pk=payment.pk)
            if locked.is_paid or PppBreach.objects.filter(payment=locked).exists():
                continue
            ppp_breach_propose(
                actor=None,
                project=payment.project,
                occurred_on=payment.due_on + datetime.timedelta(days=1),
                facts=_(
                    "The %(kind)s of %(year)d, %(amount)s (10,000 yuan) due on %(due)s, was still unpaid "
                    "%(days)d working days later (%(outstanding)s outstanding)."
                )
                % {
                    "kind": payment.get_kind_display(),
                    "year": payment.year,
                    "amount": payment.amount_due,
                    "due": payment.due_on.isoformat(),
                    "days": limit,
                    "outstanding": payment.outstanding,
                },
                payment=locked,
            )
            run.breaches += 1
    return run
