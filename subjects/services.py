"""Writes on credit subjects: agencies, civil servants and their integrity files."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_edit_people_of, may_manage_agencies_under
from kernel.errors import DomainError, NotAllowed
from outbox.hooks import public_changed
from subjects.codes import normalize_uscc, validate_uscc
from subjects.integrity import excellent_rating_blockers
from subjects.models import (
    AccessAction,
    Agency,
    AgencyEvent,
    AgencyEventKind,
    AnnualAssessment,
    AssessmentResult,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalDataAccess,
    PersonalMattersReport,
)
from subjects.personal_data import decrypt_id_number, id_number_digest, normalize_id_number, validate_id_number
from subjects.search import grams_of


def _validated(value: str, validator: Any, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code=exc.code or "invalid", field=field) from exc


# Agencies ---------------------------------------------------------------------------------------------------------


def agency_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    uscc: str,
    region_code: str,
    parent: Agency | None,
    reason: str = "",
) -> Agency:
    if actor is not None and not may_manage_agencies_under(actor, parent):
        raise NotAllowed(_("You may not add agencies here."))
    uscc = normalize_uscc(uscc)
    _validated(uscc, validate_uscc, "uscc")
    if Agency.objects.filter(uscc=uscc).exists():
        raise DomainError(_("An agency with this Unified Social Credit Code already exists."), field="uscc")
    with transaction.atomic():
        agency = Agency(
            name=name.strip(),
            name_grams=grams_of(name),
            kind=kind,
            uscc=uscc,
            region_code=region_code,
            parent=parent,
            path="",
        )
        agency.full_clean(exclude=["path", "uscc"])
        agency.save()
        # The path needs the new id; a second write inside the same transaction.
        agency.path = f"{parent.path if parent else '/'}{agency.pk}/"
        Agency.objects.filter(pk=agency.pk).update(path=agency.path)
        AgencyEvent.objects.create(
            agency=agency, kind=AgencyEventKind.CREATED, to_value=agency.name, actor=actor, reason=reason
        )
        public_changed.announce()  # a new agency can be found by the public search
    return agency


def agency_rename(*, actor: User, agency: Agency, name: str, reason: str) -> Agency:
    if not may_manage_agencies_under(actor, agency):
        raise NotAllowed(_("You may not change this agency."))
    name = name.strip()
    if not name:
        raise DomainError(_("The name cannot be empty."), field="name")
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        old = agency.name
        if old == name:
            return agency
        agency.name = name
        agency.name_grams = grams_of(name)
        agency.save(update_fields=["name", "name_grams", "updated_at"])
        AgencyEvent.objects.create(
            agency=agency,
            kind=AgencyEventKind.RENAMED,
            from_value=old,
            to_value=name,
            actor=actor,
            reason=reason,
        )
        public_changed.announce()
    return agency


def agency_move(*, actor: User, agency: Agency, new_parent: Agency | None, reason: str) -> Agency:
    if not may_manage_agencies_under(actor, agency) or not may_manage_agencies_under(actor, new_parent):
        raise NotAllowed(_("You may not move this agency there."))
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if new_parent is not None:
            new_parent = Agency.objects.get(pk=new_parent.pk)
            if new_parent.path.startswith(agency.path):
                raise DomainError(_("An agency cannot be moved under itself or one of its own units."), field="parent")
        old_path = agency.path
        old_parent_name = agency.parent.name if agency.parent else ""
        new_path = f"{new_parent.path if new_parent else '/'}{agency.pk}/"
        # One UPDATE rewrites the prefix of the whole subtree (thousands of units in a city).
        Agency.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
        agency.refresh_from_db()
        agency.parent = new_parent
        agency.save(update_fields=["parent", "updated_at"])
        AgencyEvent.objects.create(
            agency=agency,
            kind=AgencyEventKind.MOVED,
            from_value=old_parent_name,
            to_value=new_parent.name if new_parent else "",
            actor=actor,
            reason=reason,
        )
        public_changed.announce()
    return agency


def agency_merge(*, actor: User, agency: Agency, successor: Agency, reason: str) -> Agency:
    """机构改革: `agency` is merged into or renamed to `successor`; its records follow (Agency.lineage)."""
    if not may_manage_agencies_under(actor, agency) or not may_manage_agencies_under(actor, successor):
        raise NotAllowed(_("You may not merge these agencies."))
    if not reason.strip():
        raise DomainError(_("Give the reform decision that merged the agency."), field="reason")
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        # The successor must not be this agency or one it absorbed earlier: lineage would loop.
        if successor.pk in {a.pk for a in agency.lineage()}:
            raise DomainError(_("An agency cannot succeed itself."), field="successor")
        if agency.successor_id is not None:
            raise DomainError(_("This agency has already been merged."), field="successor")
        agency.successor = successor
        agency.active = False
        agency.save(update_fields=["successor", "active", "updated_at"])
        AgencyEvent.objects.create(
            agency=agency,
            kind=AgencyEventKind.MERGED,
            from_value=agency.name,
            to_value=successor.name,
            actor=actor,
            reason=reason,
        )
        public_changed.announce()  # the records follow the successor, on its page and in its search counts
    return agency


def agency_set_active(*, actor: User, agency: Agency, active: bool, reason: str) -> Agency:
    if not may_manage_agencies_under(actor, agency):
        raise NotAllowed(_("You may not change this agency."))
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.active == active:
            return agency
        agency.active = active
        agency.save(update_fields=["active", "updated_at"])
        AgencyEvent.objects.create(
            agency=agency,
            kind=AgencyEventKind.REACTIVATED if active else AgencyEventKind.DEACTIVATED,
            from_value=str(not active),
            to_value=str(active),
            actor=actor,
            reason=reason,
        )
        public_changed.announce()
    return agency


# Civil servants ---------------------------------------------------------------------------------------------------


def civil_servant_create(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    agency: Agency,
    position: str = "",
    rank: str = "",
    is_principal: bool = False,
) -> CivilServant:
    if actor is not None and not may_edit_people_of(actor, agency):
        raise NotAllowed(_("You may not add people to this agency."))
    if not name.strip():
        raise DomainError(_("The name cannot be empty."), field="name")
    number = normalize_id_number(id_number)
    _validated(number, validate_id_number, "id_number")
    if CivilServant.objects.filter(id_number_digest=id_number_digest(number)).exists():
        raise DomainError(_("A civil servant with this ID number is already registered."), field="id_number")
    person = CivilServant(
        name=name.strip(),
        agency=agency,
        position=position.strip(),
        rank=rank.strip(),
        is_principal=is_principal,
    )
    person.set_id_number(number)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # two clerks registering the same person at once
        raise DomainError(_("A civil servant with this ID number is already registered."), field="id_number") from exc
    return person


def civil_servant_update(
    *, actor: User, person: CivilServant, name: str, position: str, rank: str, is_principal: bool
) -> CivilServant:
    if not may_edit_people_of(actor, person.agency):
        raise NotAllowed(_("You may not change this person."))
    if not name.strip():
        raise DomainError(_("The name cannot be empty."), field="name")
    with transaction.atomic():
        person = CivilServant.objects.select_for_update().get(pk=person.pk)
        person.name, person.position, person.rank = name.strip(), position.strip(), rank.strip()
        person.is_principal = is_principal
        person.save(update_fields=["name", "position", "rank", "is_principal", "updated_at"])
    return person


def civil_servant_move(
    *, actor: User, person: CivilServant, to_agency: Agency, moved_on: datetime.date, reason: str = ""
) -> CivilServantMove:
    # Both ends must be in the actor's reach: a clerk cannot pull people in from elsewhere.
    if not may_edit_people_of(actor, person.agency) or not may_edit_people_of(actor, to_agency):
        raise NotAllowed(_("You may not move this person to that agency."))
    with transaction.atomic():
        person = CivilServant.objects.select_for_update().get(pk=person.pk)
        to_agency = Agency.objects.get(pk=to_agency.pk)
        if person.agency_id == to_agency.pk:
            raise DomainError(_("The person already works in that agency."), field="to_agency")
        if not to_agency.active:
            raise DomainError(_("That agency is no longer active."), field="to_agency")
        move = CivilServantMove.objects.create(
            person=person,
            from_agency_id=person.agency_id,
            to_agency=to_agency,
            moved_on=moved_on,
            reason=reason,
            actor=actor,
        )
        person.agency = to_agency
        person.save(update_fields=["agency", "updated_at"])
    return move


def civil_servant_set_active(*, actor: User, person: CivilServant, active: bool, reason: str) -> CivilServant:
    """Retirement, resignation, dismissal: the person leaves the active list; the file stays."""
    if not may_edit_people_of(actor, person.agency):
        raise NotAllowed(_("You may not change this person."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        person = CivilServant.objects.select_for_update().get(pk=person.pk)
        if person.active != active:
            person.active = active
            person._change_reason = reason.strip()  # type: ignore[attr-defined]  # kept by simple-history
            person.save(update_fields=["active", "updated_at"])
    return person


def civil_servant_file_read(*, actor: User, person: CivilServant, channel: str, purpose: str = "") -> None:
    """Logs a read of the integrity file: every read by a reviewer is on record (docs/domain.md §2)."""
    PersonalDataAccess.objects.create(
        actor=actor, person=person, action=AccessAction.VIEW_FILE, channel=channel, purpose=purpose[:200]
    )


def civil_servant_reveal_id_number(*, actor: User, person: CivilServant, channel: str, purpose: str) -> str:
    """The full number, for an inspector who says why (the purpose is what the access log is read for)."""
    if not getattr(actor, "may_see_full_id_numbers", False):
        raise NotAllowed(_("Only inspectors may see a full ID number."))
    if not CivilServant.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotAllowed(_("This person is outside your region."))
    if not purpose.strip():
        raise DomainError(_("Say why you need the full number: the access log records it."), field="purpose")
    PersonalDataAccess.objects.create(
        actor=actor, person=person, action=AccessAction.REVEAL_ID, channel=channel, purpose=purpose.strip()[:200]
    )
    return person.decrypted_id_number()


def civil_servant_lookup_by_id_number(*, actor: User, id_number: str, channel: str) -> CivilServant | None:
    """Finds a person in the actor's scope by full ID number; the search itself is logged, the number is not."""
    number = normalize_id_number(id_number)
    _validated(number, validate_id_number, "id_number")
    person = CivilServant.objects.visible_to(actor).with_id_number(number).select_related("agency").first()
    PersonalDataAccess.objects.create(actor=actor, person=person, action=AccessAction.LOOKUP_BY_ID, channel=channel)
    return person


@dataclass(frozen=True)
class InvalidIdNumber:
    """A stored number the validator refuses today, as an administrator may see it: masked, with the reason."""

    person_id: int
    name: str
    agency_name: str
    agency_uscc: str
    masked: str
    problem: str


def civil_servants_with_invalid_id_numbers(*, within: Agency | None = None) -> Iterator[InvalidIdNumber]:
    """Every civil servant (in `within`'s subtree) whose stored number fails validate_id_number, by person id.

    Numbers entered before the fix were checked against a wrong check character: about ten in eleven real numbers
    were refused and the rest let through with a wrong one. The numbers are decrypted here, one at a time, and only
    their masked form leaves this function.
    """
    people = CivilServant.objects.order_by("pk")
    if within is not None:
        people = people.filter(agency__path__startswith=within.path)
    rows = people.values_list("pk", "name", "agency__name", "agency__uscc", "id_number_masked", "id_number_cipher")
    for pk, name, agency_name, agency_uscc, masked, cipher in rows.iterator(chunk_size=2000):
        try:
            validate_id_number(decrypt_id_number(cipher))
        except ValidationError as exc:
            yield InvalidIdNumber(pk, name, agency_name, agency_uscc, masked, exc.messages[0])
        except InvalidToken:
            problem = _("The stored number cannot be decrypted with the current PERSONAL_DATA_KEY.")
            yield InvalidIdNumber(pk, name, agency_name, agency_uscc, masked, problem)


# Integrity file ---------------------------------------------------------------------------------------------------


def assessment_record(*, actor: User, person: CivilServant, year: int, result: str, note: str = "") -> AnnualAssessment:
    if not may_edit_people_of(actor, person.agency):
        raise NotAllowed(_("You may not record assessments for this person."))
    if result not in AssessmentResult.values:
        raise DomainError(_("Choose one of the four assessment results."), field="result")
    if not 1990 <= year <= datetime.date.today().year:
        raise DomainError(_("The year must be between 1990 and this year."), field="year")
    if result == AssessmentResult.EXCELLENT:
        blockers = excellent_rating_blockers(person, year)
        if blockers:
            raise DomainError(blockers[0], code="excellent_blocked", field="result")
    if AnnualAssessment.objects.filter(person=person, year=year).exists():
        raise DomainError(_("An assessment for %(year)d is already on file.") % {"year": year}, field="year")
    try:
        with transaction.atomic():
            return AnnualAssessment.objects.create(
                person=person, year=year, result=result, note=note, recorded_by=actor
            )
    except IntegrityError as exc:
        raise DomainError(_("An assessment for %(year)d is already on file.") % {"year": year}, field="year") from exc


def training_record(
    *,
    actor: User,
    person: CivilServant,
    title: str,
    attended_on: datetime.date,
    hours: Decimal,
    organizer: str = "",
) -> IntegrityTraining:
    if not may_edit_people_of(actor, person.agency):
        raise NotAllowed(_("You may not record training for this person."))
    if not title.strip():
        raise DomainError(_("The title cannot be empty."), field="title")
    if hours <= 0:
        raise DomainError(_("Hours must be more than zero."), field="hours")
    if attended_on > datetime.date.today():
        raise DomainError(_("The training date cannot be in the future."), field="attended_on")
    return IntegrityTraining.objects.create(
        person=person,
        title=title.strip(),
        organizer=organizer.strip(),
        attended_on=attended_on,
        hours=hours,
        recorded_by=actor,
    )


def matters_report_record(
    *, actor: User, person: CivilServant, year: int, reported_on: datetime.date, summary: str
) -> PersonalMattersReport:
    if not may_edit_people_of(actor, person.agency):
        raise NotAllowed(_("You may not record reports for this person."))
    if not summary.strip():
        raise DomainError(_("The summary cannot be empty."), field="summary")
    if not 1990 <= year <= datetime.date.today().year:
        raise DomainError(_("The year must be between 1990 and this year."), field="year")
    if reported_on > datetime.date.today():
        raise DomainError(_("The report date cannot be in the future."), field="reported_on")
    return PersonalMattersReport.objects.create(
        person=person, year=year, reported_on=reported_on, summary=summary.strip(), recorded_by=actor
    )
