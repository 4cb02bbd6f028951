"""Tendering: the versioned bad-behaviour scoring scheme, the parties and their records, thresholds crossed and the
sanctions they apply, publication and archiving, and the tenderer agency's own breaches as candidate records.
docs/sectors.md#tendering.

A party's score is never stored: it is the sum of the points of its records decided inside the current cycle of the
scheme in effect (`party_score`, `parties_with_scores`). Whether a record crosses a threshold is judged on the record's
deciding day with the scheme in effect that day; the sanction runs from that day (`party_sanctions_apply`, idempotent:
it replays the party's records and adds what is missing).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from kernel.errors import DomainError, NotAllowed
from kernel.transitions import Move, StateMachine, Step, transition
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from sectors.models.tendering import (
    BadBehaviour,
    BreachKind,
    CycleKind,
    PartyKind,
    SanctionKind,
    SanctionStatus,
    ScoringItem,
    ScoringScheme,
    ScoringThreshold,
    TenderBreach,
    TenderEvent,
    TenderEventKind,
    TenderParty,
    TenderProject,
    TenderSanction,
    ThresholdBasis,
    add_months,
)
from subjects.codes import normalize_uscc, validate_uscc
from subjects.models import Agency
from subjects.personal_data import (
    encrypt_id_number,
    id_number_digest,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)
from workcalendar.workdays import add_working_days

SECTOR = Sector.TENDERING
SANCTION_KIND = "tendering_sanction"
# 《招标投标法》第四十六条: the written contract within thirty days of the award notice.
SIGN_WITHIN_DAYS = 30
# 《招标投标法实施条例》第五十七条第二款: deposits and interest refunded at the latest five days after signing.
REFUND_WITHIN_DAYS = 5
Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, text: str) -> None:
    errors.setdefault(name, []).append(text)


def _refuse(errors: Errors) -> None:
    if errors:
        raise DomainError.of_fields(errors, code="invalid")


def _uscc_problem(errors: Errors, name: str, value: str, *, required: bool) -> str:
    code = normalize_uscc(value or "")
    if not code:
        if required:
            _add(errors, name, _("Enter the Unified Social Credit Code."))
        return ""
    try:
        validate_uscc(code)
    except ValidationError as exc:
        _add(errors, name, " ".join(str(m) for m in exc.messages))
    return code


def may_keep_schemes(actor: User) -> bool:
    """The scoring scheme is kept by the tendering authority and the credit office (of their own region: the scheme
    has no agency, so their own agency stands for it) and the administrator."""
    if not actor.is_active:
        return False
    if actor.role == Role.ADMINISTRATOR:
        return True
    return (
        actor.role in (Role.CREDIT_OFFICE, Role.SECTOR_AUTHORITY)
        and actor.agency is not None
        and may_verify_sector_data(actor, SECTOR, actor.agency)
    )


# The scheme ---------------------------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    party_kind: str
    code: str
    description: str
    points: int | None
    basis: str


@dataclass
class ThresholdInput:
    party_kind: str
    basis: str
    points: int | None
    sanction: str
    months: int = 0


@dataclass
class SchemeInput:
    code: str
    name: str
    cycle: str
    effective_from: datetime.date | None
    basis: str = ""
    items: list[ItemInput] = field(default_factory=list)
    thresholds: list[ThresholdInput] = field(default_factory=list)


def scheme_problems(data: SchemeInput) -> Errors:
    """Every problem of a new version at once, its effective date against the latest version included."""
    errors: Errors = {}
    if not data.code.strip():
        _add(errors, "code", _("Enter the scheme's code."))
    if not data.name.strip():
        _add(errors, "name", _("Enter the scheme's name."))
    if data.cycle not in CycleKind.values:
        _add(errors, "cycle", _("Choose a calendar year or rolling 12 months as the cycle."))
    if data.effective_from is None:
        _add(errors, "effective_from", _("Enter the date the version takes effect."))
    elif ScoringScheme.objects.filter(code=data.code.strip(), effective_from__gte=data.effective_from).exists():
        _add(errors, "effective_from", _("A new version must take effect after the latest version of the scheme."))
    if not data.items:
        _add(errors, "items", _("A scheme needs at least one item."))
    codes: set[str] = set()
    for n, item in enumerate(data.items, start=1):
        if item.party_kind not in PartyKind.values:
            _add(errors, "items", _("Item %(n)d: choose the kind of party.") % {"n": n})
        if not item.code.strip() or item.code.strip() in codes:
            _add(errors, "items", _("Item %(n)d: enter a code not used by another item.") % {"n": n})
        codes.add(item.code.strip())
        if item.points is None or item.points <= 0:
            _add(errors, "items", _("Item %(n)d: the points must be a whole number above zero.") % {"n": n})
        if not item.description.strip() or not item.basis.strip():
            _add(errors, "items", _("Item %(n)d: enter the behaviour and its legal basis.") % {"n": n})
    for n, threshold in enumerate(data.thresholds, start=1):
        if threshold.party_kind not in PartyKind.values or threshold.basis not in ThresholdBasis.values:
            _add(errors, "thresholds", _("Threshold %(n)d: choose the kind of party and how points count.") % {"n": n})
        if threshold.points is None or threshold.points <= 0:
            _add(errors, "thresholds", _("Threshold %(n)d: the points must be a whole number above zero.") % {"n": n})
        if threshold.sanction not in SanctionKind.values:
            _add(errors, "thresholds", _("Threshold %(n)d: choose the sanction.") % {"n": n})
        elif threshold.sanction != SanctionKind.WARNING and threshold.months <= 0:
            _add(errors, "thresholds", _("Threshold %(n)d: a suspension or blacklisting lasts some months.") % {"n": n})
    return errors


def scheme_version_create(*, actor: User, data: SchemeInput) -> ScoringScheme:
    """A new version of the scheme `data.code` (version 1 if new), effective from its date. Earlier versions are not
    touched: records decided before the date keep the version then in effect."""
    if not may_keep_schemes(actor):
        raise NotAllowed(_("Only the credit office or the tendering authority keeps the scoring scheme."))
    errors = scheme_problems(data)
    code = data.code.strip()
    _refuse(errors)
    assert data.effective_from is not None
    with transaction.atomic():
        latest = ScoringScheme.objects.select_for_update().filter(code=code).order_by("-version").first()
        scheme = ScoringScheme.objects.create(
            code=code,
            version=(latest.version + 1) if latest else 1,
            name=data.name.strip(),
            cycle=data.cycle,
            effective_from=data.effective_from,
            basis=data.basis.strip(),
            created_by=actor,
        )
        ScoringItem.objects.bulk_create(
            ScoringItem(
                scheme=scheme,
                party_kind=i.party_kind,
                code=i.code.strip(),
                description=i.description.strip(),
                points=i.points or 0,
                basis=i.basis.strip(),
            )
            for i in data.items
        )
        ScoringThreshold.objects.bulk_create(
            ScoringThreshold(
                scheme=scheme,
                party_kind=t.party_kind,
                basis=t.basis,
                points=t.points or 0,
                sanction=t.sanction,
                months=t.months if t.sanction != SanctionKind.WARNING else max(t.months, 0),
            )
            for t in data.thresholds
        )
    return scheme


def scheme_in_use(scheme: ScoringScheme) -> bool:
    return BadBehaviour.objects.filter(item__scheme=scheme).exists()


def scheme_item_update(*, actor: User, item: ScoringItem, points: int, description: str, basis: str) -> ScoringItem:
    """Corrects an item of a version nobody has scored with yet; a version in use is never edited."""
    if not may_keep_schemes(actor):
        raise NotAllowed(_("Only the credit office or the tendering authority keeps the scoring scheme."))
    with transaction.atomic():
        item = ScoringItem.objects.select_for_update().get(pk=item.pk)
        if scheme_in_use(item.scheme):
            raise DomainError(
                _("This version of the scheme is in use: create a new version with its effective date."),
                code="illegal_transition",
            )
        if points <= 0:
            raise DomainError(_("The points must be a whole number above zero."), field="points")
        item.points, item.description, item.basis = points, description.strip(), basis.strip()
        item.save(update_fields=["points", "description", "basis"])
    return item


def current_scheme(on: datetime.date | None = None, code: str | None = None) -> ScoringScheme | None:
    day = on or timezone.localdate()
    schemes = ScoringScheme.objects.filter(effective_from__lte=day)
    if code:
        schemes = schemes.filter(code=code)
    return schemes.order_by("-effective_from", "-version").first()


# Scores -------------------------------------------------------------------------------------------------------------


def party_score(party: TenderParty, on: datetime.date | None = None) -> int:
    """The party's one current score: its points decided inside the current cycle up to `on`."""
    day = on or timezone.localdate()
    scheme = current_scheme(day)
    if scheme is None:
        return 0
    total = party.behaviours.counting(start=scheme.cycle_start(day), end=day).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def parties_with_scores(parties: QuerySet[TenderParty], on: datetime.date | None = None) -> QuerySet[TenderParty]:
    """`parties` annotated with `score` (one subquery, whatever the number of rows)."""
    day = on or timezone.localdate()
    scheme = current_scheme(day)
    if scheme is None:
        return parties.annotate(score=Value(0, output_field=IntegerField()))
    points = (
        BadBehaviour.objects.filter(party=OuterRef("pk"), decided_on__gte=scheme.cycle_start(day), decided_on__lte=day)
        .order_by()
        .values("party")
        .annotate(s=Sum("points"))
        .values("s")
    )
    return parties.annotate(score=Coalesce(Subquery(points, output_field=IntegerField()), 0))


def _event(kind: str, *, actor: User | None = None, note: str = "", **about: Any) -> TenderEvent:
    return TenderEvent.objects.create(kind=kind, actor=actor, note=note, **about)


def _sanction_ends_on(starts_on: datetime.date, threshold: ScoringThreshold) -> datetime.date:
    if threshold.months <= 0:
        return starts_on
    return add_months(starts_on, threshold.months) - datetime.timedelta(days=1)


def party_sanctions_apply(party: TenderParty) -> list[TenderSanction]:
    """Replays the party's records in date order with the scheme in effect on each day and adds each sanction a
    threshold applies: a cumulative threshold when that day's records carry the cycle's score over it, a single one
    when one record alone reaches it. Runs twice without adding twice."""
    created: list[TenderSanction] = []
    behaviours = list(party.behaviours.select_related("item__scheme").order_by("decided_on", "pk"))
    thresholds: dict[int, list[ScoringThreshold]] = {}
    for behaviour in behaviours:
        scheme = behaviour.item.scheme
        if scheme.pk not in thresholds:
            thresholds[scheme.pk] = list(scheme.thresholds.filter(party_kind=party.kind))
        day = behaviour.decided_on
        start = scheme.cycle_start(day)
        score = sum(b.points for b in behaviours if start <= b.decided_on <= day)
        today_points = sum(b.points for b in behaviours if b.decided_on == day)
        for threshold in thresholds[scheme.pk]:
            if threshold.basis == ThresholdBasis.SINGLE:
                crossed, cycle_start = behaviour.points >= threshold.points, day
            else:
                crossed, cycle_start = score >= threshold.points > score - today_points, start
            if not crossed:
                continue
            sanction, made = TenderSanction.objects.get_or_create(
                party=party,
                threshold=threshold,
                cycle_start=cycle_start,
                defaults={
                    "trigger": behaviour,
                    "kind": threshold.sanction,
                    "score": score,
                    "starts_on": day,
                    "ends_on": _sanction_ends_on(day, threshold),
                },
            )
            if made:
                created.append(sanction)
                _event(
                    TenderEventKind.SANCTION_APPLIED,
                    party=party,
                    sanction=sanction,
                    behaviour=behaviour,
                    note=f"{sanction.get_kind_display()} {sanction.starts_on:%Y-%m-%d}—{sanction.ends_on:%Y-%m-%d}",
                )
                if behaviour.published_on is not None:
                    _sanction_publish(sanction)
    return created


def sanction_payload(sanction: TenderSanction) -> dict[str, Any]:
    party = sanction.party
    return {
        "party_kind": party.kind,
        "party_name": party.public_name,
        "party_code": party.public_code,
        "sanction": sanction.kind,
        "score": sanction.score,
        "starts_on": sanction.starts_on.isoformat(),
        "ends_on": sanction.ends_on.isoformat(),
        "decided_by": sanction.trigger.decided_by.name,
        "document_number": sanction.trigger.document_number,
        "status": sanction.status,
        "revoked_on": sanction.revoked_on.isoformat() if sanction.revoked_on else None,
        "revocation_reason": sanction.revocation_reason,
    }


def _sanction_publish(sanction: TenderSanction) -> None:
    if sanction.published_at is not None:
        return
    sanction.published_at = timezone.now()
    sanction.save(update_fields=["published_at"])
    _event(TenderEventKind.SANCTION_PUBLISHED, party=sanction.party, sanction=sanction)
    outbox_emit(
        kind=SANCTION_KIND,
        obj=sanction,
        version=sanction.version,
        change_type=ChangeType.PUBLISHED,
        payload=sanction_payload(sanction),
        agency=sanction.trigger.decided_by,
    )
    transaction.on_commit(public_changed.announce, robust=True)


# Parties and their bad behaviour ------------------------------------------------------------------------------------


@dataclass
class BehaviourInput:
    decided_by: Agency | None
    party_kind: str
    party_name: str
    party_uscc: str
    party_id_number: str
    item_code: str
    document_number: str
    decided_on: datetime.date | None
    facts: str
    project_name: str = ""
    party_agency: Agency | None = None


@dataclass
class CheckedBehaviour:
    data: BehaviourInput
    item: ScoringItem
    uscc: str
    id_number: str


def behaviour_check(data: BehaviourInput, *, today: datetime.date | None = None) -> CheckedBehaviour:
    """Every problem of the input at once (DomainError by field); the item is the one of the scheme in effect on the
    deciding day."""
    day = today or timezone.localdate()
    errors: Errors = {}
    if data.decided_by is None:
        _add(errors, "decided_by", _("Choose the deciding authority."))
    if data.party_kind not in PartyKind.values:
        _add(errors, "party_kind", _("Choose the kind of party: bidder, agent, expert or tenderer."))
    if not (data.party_name or "").strip():
        _add(errors, "party_name", _("Enter the party's name."))
    uscc = ""
    id_number = ""
    if data.party_kind == PartyKind.EXPERT:
        id_number = normalize_id_number(data.party_id_number or "")
        if not id_number:
            _add(errors, "party_id_number", _("Enter the expert's ID number."))
        else:
            try:
                validate_id_number(id_number)
            except ValidationError as exc:
                _add(errors, "party_id_number", " ".join(str(m) for m in exc.messages))
    elif data.party_kind in PartyKind.values:
        uscc = _uscc_problem(errors, "party_uscc", data.party_uscc, required=True)
    if not (data.document_number or "").strip():
        _add(errors, "document_number", _("Enter the number of the decision document."))
    if not (data.facts or "").strip():
        _add(errors, "facts", _("Describe the facts of the bad behaviour."))
    item = None
    if data.decided_on is None:
        _add(errors, "decided_on", _("Enter the date of the decision."))
    elif data.decided_on > day:
        _add(errors, "decided_on", _("The date of the decision cannot be in the future."))
    else:
        scheme = current_scheme(data.decided_on)
        if scheme is None:
            _add(errors, "decided_on", _("No scoring scheme was in effect on the date of the decision."))
        else:
            item = scheme.items.filter(code=(data.item_code or "").strip()).first()
            if item is None:
                _add(
                    errors,
                    "item_code",
                    _("The scheme in effect on that day (%(scheme)s) has no item with this code.") % {"scheme": scheme},
                )
            elif data.party_kind in PartyKind.values and item.party_kind != data.party_kind:
                _add(
                    errors,
                    "item_code",
                    _("Item %(code)s is for a %(kind)s.") % {"code": item.code, "kind": item.get_party_kind_display()},
                )
    _refuse(errors)
    assert item is not None
    return CheckedBehaviour(data=data, item=item, uscc=uscc, id_number=id_number)


def _party_for(checked: CheckedBehaviour) -> TenderParty:
    data = checked.data
    assert data.decided_by is not None
    if data.party_kind == PartyKind.EXPERT:
        digest = id_number_digest(checked.id_number)
        party = TenderParty.objects.filter(kind=data.party_kind, id_number_digest=digest).first()
        if party is None:
            party = TenderParty.objects.create(
                kind=data.party_kind,
                name=data.party_name.strip(),
                id_number_digest=digest,
                id_number_encrypted=encrypt_id_number(checked.id_number),
                id_number_masked=mask_id_number(checked.id_number),
                registered_by=data.decided_by,
            )
        return party
    party = TenderParty.objects.filter(kind=data.party_kind, uscc=checked.uscc).first()
    if party is None:
        party = TenderParty.objects.create(
            kind=data.party_kind,
            name=data.party_name.strip(),
            uscc=checked.uscc,
            agency=data.party_agency,
            registered_by=data.decided_by,
        )
    return party


def behaviour_record(*, actor: User, data: BehaviourInput) -> BadBehaviour:
    """Records a decided bad behaviour: the party (registered on first sight), the item's points, the day it must be
    published by; then the thresholds it crosses apply their sanctions from its deciding day."""
    if data.decided_by is not None and not may_enter_sector_data(actor, SECTOR, data.decided_by):
        raise NotAllowed(_("You may not enter tendering records for this authority."))
    checked = behaviour_check(data)
    assert data.decided_by is not None and data.decided_on is not None
    document = data.document_number.strip()
    with transaction.atomic():
        party = _party_for(checked)
        if BadBehaviour.objects.filter(
            decided_by=data.decided_by, document_number=document, party=party, item=checked.item
        ).exists():
            raise DomainError(_("This decision already records this item against this party."), field="document_number")
        behaviour = BadBehaviour.objects.create(
            party=party,
            item=checked.item,
            points=checked.item.points,
            decided_by=data.decided_by,
            document_number=document,
            decided_on=data.decided_on,
            facts=data.facts.strip(),
            project_name=(data.project_name or "").strip(),
            publish_by=add_working_days(data.decided_on, int(settings.TENDERING_PUBLISH_WITHIN_WORKING_DAYS)),
            created_by=actor,
        )
        _event(TenderEventKind.RECORDED, actor=actor, party=party, behaviour=behaviour, note=checked.item.code)
        party_sanctions_apply(party)
    return behaviour


def behaviour_publish(
    *, actor: User | None, behaviour: BadBehaviour, today: datetime.date | None = None
) -> BadBehaviour:
    """Puts the record on the public site for TENDERING_PUBLIC_MONTHS months, with the sanctions it triggered."""
    if actor is not None and not may_enter_sector_data(actor, SECTOR, behaviour.decided_by):
        raise NotAllowed(_("You may not publish tendering records of this authority."))
    day = today or timezone.localdate()
    with transaction.atomic():
        behaviour = BadBehaviour.objects.select_for_update().get(pk=behaviour.pk)
        if behaviour.published_on is not None:
            raise DomainError(_("The record is already published."), code="illegal_transition")
        behaviour.published_on = day
        behaviour.public_until = add_months(day, int(settings.TENDERING_PUBLIC_MONTHS)) - datetime.timedelta(days=1)
        behaviour.save(update_fields=["published_on", "public_until"])
        _event(TenderEventKind.PUBLISHED, actor=actor, party=behaviour.party, behaviour=behaviour)
        for sanction in behaviour.sanctions.select_related("party", "trigger__decided_by").order_by("pk"):
            _sanction_publish(sanction)
        transaction.on_commit(public_changed.announce, robust=True)
    return behaviour


@dataclass
class DailyRun:
    published: int
    archived: int
    breaches: int


def tendering_daily_run(*, today: datetime.date | None = None) -> DailyRun:
    """Daily and idempotent: records whose publication day has come are published (none misses its working-day
    limit), records past their public period archived, and the tenderer agencies' late signings and refunds found."""
    day = today or timezone.localdate()
    published = 0
    for behaviour in BadBehaviour.objects.filter(published_on__isnull=True, publish_by__lte=day).order_by("pk"):
        try:
            behaviour_publish(actor=None, behaviour=behaviour, today=day)
        except DomainError:
            continue
        published += 1
    with transaction.atomic():
        ending = list(
            BadBehaviour.objects.select_for_update()
            .filter(archived_on__isnull=True, public_until__lt=day)
            .values_list("pk", "party_id")
        )
        archived = BadBehaviour.objects.filter(pk__in=[pk for pk, _party in ending]).update(archived_on=day)
        TenderEvent.objects.bulk_create(
            TenderEvent(kind=TenderEventKind.ARCHIVED, behaviour_id=pk, party_id=party_id) for pk, party_id in ending
        )
    breaches = 0
    open_projects = TenderProject.objects.filter(awarded_on__isnull=False).exclude(
        pk__in=TenderBreach.objects.filter(kind=BreachKind.LATE_REFUND).values("project_id")
    )
    for project in open_projects.select_related("agency").order_by("pk"):
        breaches += len(project_breaches_find(project=project, today=day))
    if archived:
        transaction.on_commit(public_changed.announce, robust=True)
    return DailyRun(published=published, archived=archived, breaches=breaches)


# Tender projects and the tenderer's own breaches --------------------------------------------------------------------


@dataclass
class ProjectInput:
    agency: Agency
    code: str
    name: str
    announced_on: datetime.date | None
    agent_name: str = ""
    agent_uscc: str = ""
    opened_on: datetime.date | None = None
    awarded_on: datetime.date | None = None
    winner_name: str = ""
    winner_uscc: str = ""
    contract_signed_on: datetime.date | None = None
    deposits_refunded_on: datetime.date | None = None


_PROJECT_FIELDS = (
    "code",
    "name",
    "announced_on",
    "agent_name",
    "agent_uscc",
    "opened_on",
    "awarded_on",
    "winner_name",
    "winner_uscc",
    "contract_signed_on",
    "deposits_refunded_on",
)


def project_check(data: ProjectInput, *, project_id: int | None = None, today: datetime.date | None = None) -> None:
    day = today or timezone.localdate()
    errors: Errors = {}
    data.code, data.name = (data.code or "").strip(), (data.name or "").strip()
    data.agent_name, data.winner_name = (data.agent_name or "").strip(), (data.winner_name or "").strip()
    if not data.code:
        _add(errors, "code", _("Enter the project code."))
    elif TenderProject.objects.filter(agency=data.agency, code=data.code).exclude(pk=project_id or 0).exists():
        _add(errors, "code", _("The agency already has a tender project with this code."))
    if not data.name:
        _add(errors, "name", _("Enter the project name."))
    data.agent_uscc = _uscc_problem(errors, "agent_uscc", data.agent_uscc, required=bool(data.agent_name))
    data.winner_uscc = _uscc_problem(errors, "winner_uscc", data.winner_uscc, required=bool(data.winner_name))
    if data.announced_on is None:
        _add(errors, "announced_on", _("Enter the date the tender was announced."))
    order = [
        ("announced_on", data.announced_on),
        ("opened_on", data.opened_on),
        ("awarded_on", data.awarded_on),
        ("contract_signed_on", data.contract_signed_on),
        ("deposits_refunded_on", data.deposits_refunded_on),
    ]
    previous: datetime.date | None = None
    for name, value in order:
        if value is None:
            previous = None if name != "announced_on" else previous
            continue
        if value > day:
            _add(errors, name, _("This date cannot be in the future."))
        if name != "announced_on" and previous is None:
            _add(errors, name, _("Enter the earlier dates of the tender first."))
        elif previous is not None and value < previous:
            _add(errors, name, _("This date cannot be before the previous step of the tender."))
        previous = value
    if data.awarded_on is not None and not data.winner_name:
        _add(errors, "winner_name", _("Enter the winning bidder."))
    _refuse(errors)


def project_create(*, actor: User, data: ProjectInput) -> TenderProject:
    if not may_enter_sector_data(actor, SECTOR, data.agency):
        raise NotAllowed(_("You may not enter tender projects for this agency."))
    project_check(data)
    with transaction.atomic():
        project = TenderProject.objects.create(
            agency=data.agency, created_by=actor, **{name: getattr(data, name) for name in _PROJECT_FIELDS}
        )
        _event(TenderEventKind.PROJECT_CREATED, actor=actor, project=project)
        project_breaches_find(project=project)
    return project


def project_update(*, actor: User, project: TenderProject, data: ProjectInput) -> TenderProject:
    if not may_enter_sector_data(actor, SECTOR, project.agency):
        raise NotAllowed(_("You may not enter tender projects for this agency."))
    if data.agency.pk != project.agency_id:
        raise DomainError(_("A tender project stays with its tenderer."), field="agency")
    project_check(data, project_id=project.pk)
    with transaction.atomic():
        project = TenderProject.objects.select_for_update().get(pk=project.pk)
        changed = [name for name in _PROJECT_FIELDS if getattr(project, name) != getattr(data, name)]
        for name in _PROJECT_FIELDS:
            setattr(project, name, getattr(data, name))
        project.save()
        if changed:
            names = {field.name: str(field.verbose_name) for field in TenderProject._meta.concrete_fields}
            labels = "、".join(names[name] for name in changed)
            _event(TenderEventKind.PROJECT_EDITED, actor=actor, project=project, note=labels)
        project_breaches_find(project=project)
    return project


def project_breaches_find(*, project: TenderProject, today: datetime.date | None = None) -> list[TenderBreach]:
    """The tenderer's late signing (not signed 30 days after the award notice) and late refund of deposits (5 days
    after signing) as of `today`; each found once, with its candidate record."""
    day = today or timezone.localdate()
    found: list[TenderBreach] = []
    if project.awarded_on is not None:
        sign_by = project.awarded_on + datetime.timedelta(days=SIGN_WITHIN_DAYS)
        signed = project.contract_signed_on
        if (signed is None and day > sign_by) or (signed is not None and signed > sign_by):
            facts = _(
                "%(agency)s issued the award notice of %(code)s (%(name)s) to %(winner)s on %(awarded)s but %(what)s; "
                "the contract was due by %(due)s."
            ) % {
                "agency": project.agency.name,
                "code": project.code,
                "name": project.name,
                "winner": project.winner_name,
                "awarded": project.awarded_on.isoformat(),
                "what": _("had not signed the contract")
                if signed is None
                else _("signed it only on %(d)s") % {"d": signed.isoformat()},
                "due": sign_by.isoformat(),
            }
            found += _breach(project, BreachKind.NOT_SIGNED, facts, day, actor=None)
    if project.contract_signed_on is not None:
        refund_by = project.contract_signed_on + datetime.timedelta(days=REFUND_WITHIN_DAYS)
        refunded = project.deposits_refunded_on
        if (refunded is None and day > refund_by) or (refunded is not None and refunded > refund_by):
            facts = _(
                "%(agency)s signed the contract of %(code)s (%(name)s) on %(signed)s; the bid deposits were due back "
                "by %(due)s but %(what)s."
            ) % {
                "agency": project.agency.name,
                "code": project.code,
                "name": project.name,
                "signed": project.contract_signed_on.isoformat(),
                "due": refund_by.isoformat(),
                "what": _("were not refunded")
                if refunded is None
                else _("were refunded on %(d)s") % {"d": refunded.isoformat()},
            }
            found += _breach(project, BreachKind.LATE_REFUND, facts, day, actor=None)
    return found


def tender_evasion_declare(*, actor: User, project: TenderProject, facts: str) -> TenderBreach:
    """The tendering authority or the credit office declares that the agency evaded tendering."""
    if not may_verify_sector_data(actor, SECTOR, project.agency):
        raise NotAllowed(_("Only the tendering authority or the credit office declares an evasion of tendering."))
    if not facts.strip():
        raise DomainError(_("Describe how tendering was evaded."), field="facts")
    with transaction.atomic():
        made = _breach(project, BreachKind.EVADED, facts.strip(), timezone.localdate(), actor=actor)
    if not made:
        raise DomainError(_("An evasion of tendering is already declared for this project."), code="duplicate")
    return made[0]


_BASIS = {
    BreachKind.NOT_SIGNED: "《中华人民共和国招标投标法》第四十六条",
    BreachKind.LATE_REFUND: "《中华人民共和国招标投标法实施条例》第五十七条第二款",
    BreachKind.EVADED: "《中华人民共和国招标投标法》第四条、第四十九条",
}


def _breach(
    project: TenderProject, kind: str, facts: str, day: datetime.date, *, actor: User | None
) -> list[TenderBreach]:
    breach, made = TenderBreach.objects.get_or_create(
        project=project, kind=kind, defaults={"detected_on": day, "facts": facts, "declared_by": actor}
    )
    if not made:
        return []
    agency = project.agency
    office = credit_office_over(agency)
    responsible = []
    principal = principals([agency.pk]).first()
    if principal is not None:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    data = RecordInput(
        subject_agency=agency,
        source=RecordSource.SECTOR_FINDING,
        sector=SECTOR,
        severity=Severity.GENERAL,
        document_number=_("Tender %(code)s: %(breach)s") % {"code": project.code, "breach": breach.get_kind_display()},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=day,
        facts=facts,
        legal_basis=_BASIS[BreachKind(kind)],
        data_source_agency=agency,
        responsible=responsible,
    )
    record = record_candidate_propose(
        origin=breach,
        origin_label=_("Tender %(code)s: %(breach)s") % {"code": project.code, "breach": breach.get_kind_display()},
        data=data,
        actor=actor,
        reason=facts,
    )
    TenderBreach.objects.filter(pk=breach.pk).update(record=record)
    breach.record = record
    _event(TenderEventKind.BREACH_FOUND, actor=actor, project=project, note=breach.get_kind_display())
    return [breach]


# Revoking a sanction --------------------------------------------------------------------------------------------------


def _sanction_refusal(sanction: TenderSanction, move: Move) -> str:
    return _("The sanction is already revoked.")


SANCTION_MOVES: StateMachine[TenderSanction] = StateMachine(
    field="status",
    moves={"revoke": ([SanctionStatus.APPLIED], SanctionStatus.REVOKED)},
    refusal=_sanction_refusal,
)


def _revoked_event(sanction: TenderSanction, step: Step) -> None:
    TenderEvent.objects.create(
        kind=TenderEventKind.SANCTION_REVOKED,
        party_id=sanction.party_id,
        sanction=sanction,
        actor=step.actor,
        note=step.reason,
        at=step.at,
    )


def may_revoke_sanction(actor: User, sanction: TenderSanction) -> bool:
    return sanction.status == SanctionStatus.APPLIED and may_verify_sector_data(
        actor, SECTOR, sanction.trigger.decided_by
    )


def sanction_revoke(*, actor: User, sanction: TenderSanction, reason: str) -> TenderSanction:
    """The tendering authority or the credit office revokes a sanction, with its reason: no longer in force, it leaves
    the public blacklist, and the platform is told (a new version, change `revoked`) if it had been published."""
    if not may_verify_sector_data(actor, SECTOR, sanction.trigger.decided_by):
        raise NotAllowed(_("Only the tendering authority or the credit office revokes a sanction."))
    if not reason.strip():
        raise DomainError(_("Give the reason for revoking the sanction."), field="reason")
    with transaction.atomic():
        sanction = transition(
            sanction,
            SANCTION_MOVES,
            "revoke",
            actor=actor,
            reason=reason.strip(),
            prepare=lambda row: {
                "revoked_on": timezone.localdate(),
                "revocation_reason": reason.strip(),
                "revoked_by": actor,
                "version": row.version + 1,
            },
            queryset=TenderSanction.objects.select_related("party", "trigger__decided_by"),
            event=_revoked_event,
        )
        if sanction.published_at is not None:
            outbox_emit(
                kind=SANCTION_KIND,
                obj=sanction,
                version=sanction.version,
                change_type=ChangeType.REVOKED,
                payload=sanction_payload(sanction),
                agency=sanction.trigger.decided_by,
            )
            transaction.on_commit(public_changed.announce, robust=True)
    return sanction


def sanctions_in_force(on: datetime.date | None = None) -> QuerySet[TenderSanction]:
    day = on or timezone.localdate()
    return TenderSanction.objects.published().in_force(day).filter(Q(kind__in=("suspension", "blacklist")))
