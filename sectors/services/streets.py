"""Honest street and town creation (诚信街道/诚信乡镇创建): the yearly checklist, the automatic criteria, the
application and its reviews, the public notice, the naming and its revocation by a later one-vote veto.
docs/sectors.md § Streets and towns.

The moves (kernel.transitions, every one an event row):
    apply → district_review ─pass→ city_review ─pass→ notice ─(notice over)→ named ─(veto)→ revoked
            district_review ─return→ returned ─resubmit→ district_review
            city_review / notice ─reject→ rejected
"""

import datetime
import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from commitments.models import Commitment, CommitmentStatus
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import DishonestyRecord, Severity
from records.services.evidence import evidence_check
from sectors.models.streets import (
    CreationAnswer,
    CreationApplication,
    CreationChecklist,
    CreationCriterion,
    CreationEvent,
    CreationEventKind,
    CreationEvidence,
    CreationObjection,
    CreationStatus,
    CreationVeto,
    CriterionKind,
    CriterionRule,
)
from subjects.models import Agency, AgencyKind
from workcalendar.workdays import add_working_days, is_working_day

CREATION_KIND = "creation_naming"
STREET_KINDS = (AgencyKind.SUBDISTRICT, AgencyKind.TOWN)
S = CreationStatus


def _refusal(application: CreationApplication, move: Move) -> str:
    return _("The application is %(status)s; this step is not possible now.") % {
        "status": application.get_status_display()
    }


TRANSITIONS: StateMachine[CreationApplication] = StateMachine(
    field="status",
    moves={
        "district_pass": ([S.DISTRICT_REVIEW], S.CITY_REVIEW),
        "district_return": ([S.DISTRICT_REVIEW], S.RETURNED),
        "resubmit": ([S.RETURNED], S.DISTRICT_REVIEW),
        "city_pass": ([S.CITY_REVIEW], S.NOTICE),
        "city_reject": ([S.CITY_REVIEW, S.NOTICE], S.REJECTED),
        "name": ([S.NOTICE], S.NAMED),
        "revoke": ([S.NAMED], S.REVOKED),
    },
    refusal=_refusal,
)
EVENT_KINDS: dict[str, str] = {
    "district_pass": CreationEventKind.DISTRICT_PASSED,
    "district_return": CreationEventKind.RETURNED,
    "resubmit": CreationEventKind.RESUBMITTED,
    "city_pass": CreationEventKind.CITY_PASSED,
    "city_reject": CreationEventKind.REJECTED,
    "name": CreationEventKind.NAMED,
    "revoke": CreationEventKind.REVOKED,
}


# The checklist ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    code: str
    text: str
    kind: str
    rule: str = ""
    threshold: int | None = None


def checklist_create(*, actor: User, year: int, title: str, criteria: Sequence[CriterionInput]) -> CreationChecklist:
    """A year's checklist as a new version: the versions before it, used or not, stay as they were."""
    if not (actor.is_administrator or actor.role == Role.CREDIT_OFFICE):
        raise NotAllowed(_("Only the credit office sets the creation criteria."))
    errors: dict[str, list[Any]] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    if not title.strip():
        errors["title"] = [_("Give the checklist a title.")]
    if not criteria:
        errors["criteria"] = [_("List at least one criterion.")]
    codes = [c.code.strip() for c in criteria]
    if len(set(codes)) != len(codes) or any(not code for code in codes):
        errors.setdefault("criteria", []).append(_("Each criterion needs a code of its own."))
    for c in criteria:
        if c.kind not in CriterionKind.values:
            errors.setdefault("criteria", []).append(_("Choose the kind of each criterion from the list."))
        elif c.kind == CriterionKind.AUTOMATIC and c.rule not in CriterionRule.values:
            errors.setdefault("criteria", []).append(_("An automatic criterion needs a rule from the list."))
        if c.rule == CriterionRule.COMMITMENTS_KEPT and not (c.threshold is not None and 0 < c.threshold <= 100):
            errors.setdefault("criteria", []).append(_("Give the share of commitments kept as a percentage (1–100)."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        last = CreationChecklist.objects.select_for_update().filter(year=year).aggregate(v=Max("version"))["v"]
        checklist = CreationChecklist.objects.create(year=year, version=(last or 0) + 1, title=title.strip())
        CreationCriterion.objects.bulk_create(
            CreationCriterion(
                checklist=checklist,
                code=c.code.strip(),
                text=c.text.strip(),
                kind=c.kind,
                rule=c.rule if c.kind == CriterionKind.AUTOMATIC else "",
                threshold=c.threshold if c.rule == CriterionRule.COMMITMENTS_KEPT else None,
                position=position,
            )
            for position, c in enumerate(criteria)
        )
    return checklist


def checklist_current(year: int) -> CreationChecklist | None:
    return CreationChecklist.objects.filter(year=year).order_by("-version").first()


# The automatic criteria ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    code: str
    text: str
    kind: str
    met: bool | None  # None: a manual criterion not answered
    detail: str


def serious_records(agency: Agency, year: int) -> Any:
    """Verified serious dishonesty records of `agency` decided in `year`."""
    return DishonestyRecord.objects.verified().filter(
        subject_agency=agency, severity=Severity.SERIOUS, decision_date__year=year
    )


def commitments_kept_share(agency: Agency, year: int) -> tuple[int, int]:
    """(kept, decided) of the year's commitments: decided = kept + partly kept + broken (a lawful change is none)."""
    counts = Commitment.objects.filter(agency=agency, year=year).aggregate(
        kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
        decided=Count(
            "pk",
            filter=Q(status__in=[CommitmentStatus.KEPT, CommitmentStatus.PARTLY_KEPT, CommitmentStatus.BROKEN]),
        ),
    )
    return counts["kept"], counts["decided"]


def criterion_evaluate(criterion: CreationCriterion, agency: Agency, year: int) -> tuple[bool, str]:
    """An automatic criterion's result and why, from the data as it is now."""
    if criterion.rule == CriterionRule.NO_SERIOUS_RECORD:
        found = serious_records(agency, year).count()
        if found:
            return False, _("%(count)d serious dishonesty record(s) in %(year)d.") % {"count": found, "year": year}
        return True, _("No serious dishonesty record in %(year)d.") % {"year": year}
    if criterion.rule == CriterionRule.COMMITMENTS_KEPT:
        kept, decided = commitments_kept_share(agency, year)
        threshold = criterion.threshold or 0
        if decided == 0:
            return False, _("No commitment of %(year)d has been decided yet.") % {"year": year}
        share = kept * 100 / decided
        return share >= threshold, _(
            "%(kept)d of %(decided)d decided commitments kept (%(share).1f%%; at least %(threshold)d%% needed)."
        ) % {
            "kept": kept,
            "decided": decided,
            "share": share,
            "threshold": threshold,
        }
    vetoes = CreationVeto.objects.filter(agency=agency, year=year).count()
    if vetoes:
        return False, _("A one-vote veto was declared for %(year)d.") % {"year": year}
    return True, _("No one-vote veto in %(year)d.") % {"year": year}


def criteria_evaluate(application: CreationApplication) -> list[CriterionResult]:
    """Every criterion of the application's checklist: automatic ones computed now, manual ones as answered."""
    answers = {answer.criterion_id: answer for answer in application.answers.all()}
    results = []
    for criterion in application.checklist.criteria.all():
        if criterion.kind == CriterionKind.AUTOMATIC:
            met, detail = criterion_evaluate(criterion, application.agency, application.year)
            results.append(CriterionResult(criterion.code, criterion.text, criterion.kind, met, detail))
        else:
            answer = answers.get(criterion.pk)
            results.append(
                CriterionResult(
                    criterion.code,
                    criterion.text,
                    criterion.kind,
                    None if answer is None else answer.met,
                    "" if answer is None else answer.note,
                )
            )
    return results


def _snapshot(application: CreationApplication) -> dict[str, Any]:
    return {r.code: {"met": r.met, "detail": r.detail} for r in criteria_evaluate(application)}


# Who may do what ----------------------------------------------------------------------------------------------------


def may_apply(user: User, agency: Agency) -> bool:
    return agency.kind in STREET_KINDS and may_enter_sector_data(user, Sector.STREETS_TOWNS, agency)


def _is_city_level(user: User) -> bool:
    return user.is_administrator or (user.agency is not None and user.agency.parent_id is None)


def may_review_district(user: User, application: CreationApplication) -> bool:
    if user.is_administrator:
        return True
    return (
        user.role == Role.CREDIT_OFFICE
        and not _is_city_level(user)
        and may_verify_sector_data(user, Sector.STREETS_TOWNS, application.agency)
    )


def may_review_city(user: User, application: CreationApplication) -> bool:
    if user.is_administrator:
        return True
    return (
        user.role == Role.CREDIT_OFFICE
        and _is_city_level(user)
        and may_verify_sector_data(user, Sector.STREETS_TOWNS, application.agency)
    )


def may_oversee(user: User, agency: Agency) -> bool:
    """Note objections and declare vetoes: the credit office of the street's district or city."""
    return user.is_administrator or (
        user.role == Role.CREDIT_OFFICE and may_verify_sector_data(user, Sector.STREETS_TOWNS, agency)
    )


# Applying -----------------------------------------------------------------------------------------------------------


@dataclass
class AnswerInput:
    met: bool
    note: str = ""
    files: Sequence[Any] = field(default_factory=list)


@dataclass
class ApplicationInput:
    agency: Agency | None
    year: int | None
    self_evaluation: str
    answers: Mapping[str, AnswerInput] = field(default_factory=dict)  # by criterion code


def _check_answers(
    checklist: CreationChecklist | None, data: ApplicationInput, errors: dict[str, list[Any]], *, resubmit: bool
) -> list[tuple[CreationCriterion, AnswerInput, list[tuple[Any, str, str]]]]:
    checked: list[tuple[CreationCriterion, AnswerInput, list[tuple[Any, str, str]]]] = []
    if checklist is None:
        return checked
    for criterion in checklist.criteria.filter(kind=CriterionKind.MANUAL):
        answer = data.answers.get(criterion.code)
        key = f"answer_{criterion.code}"
        if answer is None:
            errors.setdefault(key, []).append(_("Evaluate criterion %(code)s.") % {"code": criterion.code})
            continue
        files: list[tuple[Any, str, str]] = []
        for upload in answer.files:
            try:
                kind, name = evidence_check(upload)
            except DomainError as exc:
                errors.setdefault(key, []).append(f"{criterion.code}: {exc.message}")
            else:
                files.append((upload, kind.content_type, name))
        if answer.met and not answer.note.strip():
            errors.setdefault(key, []).append(_("Say how criterion %(code)s is met.") % {"code": criterion.code})
        if answer.met and not answer.files and not resubmit:
            errors.setdefault(key, []).append(
                _("Attach evidence that criterion %(code)s is met.") % {"code": criterion.code}
            )
        checked.append((criterion, answer, files))
    return checked


def application_create(*, actor: User, data: ApplicationInput) -> CreationApplication:
    """The street or town applies for a year with its self-evaluation and the evidence of each manual criterion."""
    errors: dict[str, list[Any]] = {}
    agency = data.agency
    if agency is None:
        errors["agency"] = [_("Name the sub-district or town.")]
    elif agency.kind not in STREET_KINDS:
        errors["agency"] = [_("Only a sub-district or a town applies for the honest creation.")]
    elif not may_apply(actor, agency):
        raise NotAllowed(_("You may not apply for this sub-district or town."))
    checklist = None
    if data.year is None or not 2000 <= data.year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    else:
        checklist = checklist_current(data.year)
        if checklist is None:
            errors["year"] = [_("There is no creation checklist for %(year)d yet.") % {"year": data.year}]
        elif agency is not None and CreationApplication.objects.filter(agency=agency, year=data.year).exists():
            errors["year"] = [_("This sub-district or town has already applied for %(year)d.") % {"year": data.year}]
    if not data.self_evaluation.strip():
        errors["self_evaluation"] = [_("Write the self-evaluation.")]
    checked = _check_answers(checklist, data, errors, resubmit=False)
    if errors:
        raise DomainError.of_fields(errors)
    assert agency is not None and checklist is not None and data.year is not None
    stored: list[CreationEvidence] = []
    try:
        with transaction.atomic():
            application = CreationApplication.objects.create(
                agency=agency,
                year=data.year,
                checklist=checklist,
                self_evaluation=data.self_evaluation.strip(),
                created_by=actor,
            )
            for criterion, answer, files in checked:
                row = CreationAnswer.objects.create(
                    application=application, criterion=criterion, met=answer.met, note=answer.note.strip()
                )
                stored += [_store_evidence(row, *file, actor) for file in files]
            application.evaluation = _snapshot(application)
            application.save(update_fields=["evaluation"])
            _event(application, CreationEventKind.APPLIED, actor, from_status="", to_status=application.status)
            _notify_office(application, _("%(agency)s applied for the honest creation of %(year)d."))
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return application


def application_resubmit(
    *, actor: User, application: CreationApplication, data: ApplicationInput
) -> CreationApplication:
    """A returned application corrected and sent to the district again (answers updated, more evidence added)."""
    if not may_apply(actor, application.agency):
        raise NotAllowed(_("You may not apply for this sub-district or town."))
    errors: dict[str, list[Any]] = {}
    if not data.self_evaluation.strip():
        errors["self_evaluation"] = [_("Write the self-evaluation.")]
    checked = _check_answers(application.checklist, data, errors, resubmit=True)
    if errors:
        raise DomainError.of_fields(errors)
    stored: list[CreationEvidence] = []
    try:
        with transaction.atomic():
            application = transition(
                application,
                TRANSITIONS,
                "resubmit",
                actor=actor,
                fields={"self_evaluation": data.self_evaluation.strip()},
                queryset=_rows(),
                event=_moved,
            )
            existing = {a.criterion_id: a for a in application.answers.all()}
            for criterion, answer, files in checked:
                row = existing.get(criterion.pk)
                if row is None:
                    row = CreationAnswer.objects.create(
                        application=application, criterion=criterion, met=answer.met, note=answer.note.strip()
                    )
                else:
                    row.met, row.note = answer.met, answer.note.strip()
                    row.save(update_fields=["met", "note"])
                stored += [_store_evidence(row, *file, actor) for file in files]
            application.evaluation = _snapshot(application)
            application.save(update_fields=["evaluation"])
            _notify_office(application, _("%(agency)s sent its application for %(year)d again."))
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return application


def _store_evidence(answer: CreationAnswer, upload: Any, content_type: str, name: str, actor: User) -> CreationEvidence:
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    evidence = CreationEvidence(
        answer=answer,
        original_name=name,
        content_type=content_type,
        size=int(upload.size),
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    # A name of our own: the uploaded one is a label in original_name, never part of a path.
    evidence.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
    evidence.save()
    return evidence


# Reviews ------------------------------------------------------------------------------------------------------------


def _reason_required(reason: str) -> None:
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason", code="required")


def application_district_review(
    *, actor: User, application: CreationApplication, passed: bool, reason: str = ""
) -> CreationApplication:
    """The district's credit office passes the application to the city or returns it with the reason."""
    if not may_review_district(actor, application):
        raise NotAllowed(_("Only the district's credit office reviews this application."))
    if not passed:
        _reason_required(reason)
    action = "district_pass" if passed else "district_return"
    with transaction.atomic():
        application = transition(
            application,
            TRANSITIONS,
            action,
            actor=actor,
            reason=reason.strip(),
            prepare=lambda row: {"evaluation": _snapshot(row)},
            queryset=_rows(),
            event=_moved,
        )
        if passed:
            _notify(application, _("The district passed the application of %(agency)s for %(year)d to the city."))
        else:
            _notify(
                application,
                _("The district returned the application of %(agency)s for %(year)d: %(reason)s"),
                reason=reason.strip(),
            )
    return application


def application_city_review(
    *, actor: User, application: CreationApplication, passed: bool, reason: str = ""
) -> CreationApplication:
    """The city passes the application, which opens the public notice, or rejects it with the reason (also during
    the notice, on an objection found well-founded)."""
    if not may_review_city(actor, application):
        raise NotAllowed(_("Only the city's credit office decides this application."))
    if not passed:
        _reason_required(reason)
        with transaction.atomic():
            application = transition(
                application,
                TRANSITIONS,
                "city_reject",
                actor=actor,
                reason=reason.strip(),
                queryset=_rows(),
                event=_moved,
            )
            _notify(
                application,
                _("The city rejected the application of %(agency)s for %(year)d: %(reason)s"),
                reason=reason.strip(),
            )
        return application
    today = timezone.localdate()
    starts = today if is_working_day(today) else add_working_days(today, 1)
    ends = add_working_days(starts, settings.CREATION_NOTICE_DAYS - 1) if settings.CREATION_NOTICE_DAYS > 1 else starts
    with transaction.atomic():
        application = transition(
            application,
            TRANSITIONS,
            "city_pass",
            actor=actor,
            reason=reason.strip(),
            fields={"notice_starts_on": starts, "notice_ends_on": ends},
            prepare=lambda row: {"evaluation": _snapshot(row)},
            queryset=_rows(),
            event=_moved,
        )
        _notify(
            application,
            _("The city passed the application of %(agency)s for %(year)d; the public notice runs until %(ends)s."),
            ends=ends.isoformat(),
        )
    return application


def objection_note(
    *, actor: User, application: CreationApplication, received_on: datetime.date | None, text: str
) -> CreationObjection:
    """An objection received during the notice, noted against the application (an event row)."""
    if not may_oversee(actor, application.agency):
        raise NotAllowed(_("Only the credit office notes objections."))
    errors: dict[str, list[Any]] = {}
    if application.status != S.NOTICE:
        raise DomainError(_("Objections are noted only during the public notice."), code="not_in_notice")
    if received_on is None:
        errors["received_on"] = [_("Give the day the objection was received.")]
    elif received_on > timezone.localdate() or (
        application.notice_starts_on is not None and received_on < application.notice_starts_on
    ):
        errors["received_on"] = [_("The day must be inside the notice period and not in the future.")]
    if not text.strip():
        errors["text"] = [_("Write the objection.")]
    if errors:
        raise DomainError.of_fields(errors)
    assert received_on is not None
    with transaction.atomic():
        objection = CreationObjection.objects.create(
            application=application, received_on=received_on, text=text.strip(), noted_by=actor
        )
        _event(
            application,
            CreationEventKind.OBJECTION,
            actor,
            from_status=S.NOTICE,
            to_status=S.NOTICE,
            reason=text.strip(),
        )
    return objection


def application_name(*, application: CreationApplication, actor: User | None = None) -> CreationApplication:
    """The notice is over: the street or town is named for the year (the watch does it; the city may too)."""
    if actor is not None and not may_review_city(actor, application):
        raise NotAllowed(_("Only the city's credit office names a street or town."))
    today = timezone.localdate()

    def prepare(row: CreationApplication) -> dict[str, Any]:
        if row.notice_ends_on is None or row.notice_ends_on >= today:
            raise DomainError(_("The public notice has not ended yet."), code="notice_running")
        return {"named_on": today, "version": row.version + 1}

    with transaction.atomic():
        unit_changed(application.agency_id, timezone.localdate())  # the evaluation recounts it
        application = transition(
            application, TRANSITIONS, "name", actor=actor, prepare=prepare, queryset=_rows(), event=_moved
        )
        _emit(application, ChangeType.PUBLISHED)
        _notify(application, _("%(agency)s is named %(title)s."), title=application.title)
    return application


def application_revoke(
    *, application: CreationApplication, reason: str, actor: User | None = None
) -> CreationApplication:
    """A later one-vote veto revokes the naming, with its reason; public on the list of named streets and towns."""
    if actor is not None and not may_oversee(actor, application.agency):
        raise NotAllowed(_("Only the credit office revokes a naming."))
    _reason_required(reason)
    with transaction.atomic():
        unit_changed(application.agency_id, timezone.localdate())  # the evaluation recounts it
        application = transition(
            application,
            TRANSITIONS,
            "revoke",
            actor=actor,
            reason=reason.strip(),
            prepare=lambda row: {
                "revoked_on": timezone.localdate(),
                "revocation_reason": reason.strip(),
                "version": row.version + 1,
            },
            queryset=_rows(),
            event=_moved,
        )
        _emit(application, ChangeType.REVOKED)
        _notify(application, _("The naming of %(agency)s for %(year)d is revoked: %(reason)s"), reason=reason.strip())
    return application


def veto_declare(*, actor: User, agency: Agency, year: int | None, reason: str) -> CreationVeto:
    """The credit office declares a one-vote veto against a street or town for a year; a naming of that year is
    revoked with it."""
    if not may_oversee(actor, agency):
        raise NotAllowed(_("Only the credit office declares a one-vote veto."))
    errors: dict[str, list[Any]] = {}
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise DomainError.of_fields(errors)
    assert year is not None
    with transaction.atomic():
        veto = CreationVeto.objects.create(agency=agency, year=year, reason=reason.strip(), declared_by=actor)
        named = CreationApplication.objects.filter(agency=agency, year=year, status=S.NAMED).first()
        if named is not None:
            application_revoke(
                application=named,
                actor=actor,
                reason=_("One-vote veto declared by the credit office: %(reason)s") % {"reason": reason.strip()},
            )
    return veto


@dataclass(frozen=True)
class WatchRun:
    named: int
    revoked: int


def creation_watch_run(on: datetime.date | None = None) -> WatchRun:
    """Idempotent: applications whose notice ended before `on` are named; a named one with a serious record of its
    year (verified since) is revoked."""
    on = on or timezone.localdate()
    named = revoked = 0
    for application in CreationApplication.objects.filter(status=S.NOTICE, notice_ends_on__lt=on):
        application_name(application=application)
        named += 1
    serious = DishonestyRecord.objects.verified().filter(severity=Severity.SERIOUS)
    hit = CreationApplication.objects.filter(status=S.NAMED).filter(
        Q(agency__in=serious.values("subject_agency")),
    )
    for application in hit.select_related("agency"):
        record = serious_records(application.agency, application.year).order_by("decision_date").first()
        if record is None:
            continue
        application_revoke(
            application=application,
            reason=_("One-vote veto: serious dishonesty record %(number)s of %(date)s.")
            % {"number": record.document_number, "date": record.decision_date.isoformat()},
        )
        revoked += 1
    return WatchRun(named=named, revoked=revoked)


# Helpers ------------------------------------------------------------------------------------------------------------


def _rows() -> Any:
    return CreationApplication.objects.select_related("agency", "checklist")


def _event(
    application: CreationApplication,
    kind: str,
    actor: User | None,
    *,
    from_status: str,
    to_status: str,
    reason: str = "",
) -> CreationEvent:
    return CreationEvent.objects.create(
        application=application, kind=kind, from_status=from_status, to_status=to_status, reason=reason, actor=actor
    )


def _moved(application: CreationApplication, step: Step) -> CreationEvent:
    return _event(
        application,
        EVENT_KINDS[step.action],
        step.actor,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
    )


def _link(application: CreationApplication) -> str:
    return reverse("sectors:creation_detail", args=[application.pk])


def _notify(application: CreationApplication, template: str, **values: str) -> None:
    text = template % {"agency": application.agency.name, "year": application.year, **values}
    notify(subject=text[:200], body=text, link=_link(application), agencies=[application.agency])


def _notify_office(application: CreationApplication, template: str) -> None:
    text = template % {"agency": application.agency.name, "year": application.year}
    district = application.agency.parent
    notify(subject=text[:200], body=text, link=_link(application), agencies=[district] if district else [])


def creation_payload(application: CreationApplication) -> dict[str, Any]:
    """The naming as the platform receives it."""
    return {
        "agency": application.agency.name,
        "agency_uscc": application.agency.uscc,
        "year": application.year,
        "title": application.title,
        "status": application.status,
        "named_on": application.named_on.isoformat() if application.named_on else None,
        "revoked_on": application.revoked_on.isoformat() if application.revoked_on else None,
        "revocation_reason": application.revocation_reason,
    }


def _emit(application: CreationApplication, change_type: str) -> None:
    outbox_emit(
        kind=CREATION_KIND,
        obj=application,
        version=application.version,
        change_type=change_type,
        payload=creation_payload(application),
        agency=application.agency,
    )
    transaction.on_commit(public_changed.announce, robust=True)
