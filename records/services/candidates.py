"""Candidate records: a breach another app found becomes a record the credit office decides, never a published one.

An app that finds a breach (a commitment decided broken or long overdue, an SME payment in arrears…) proposes a
candidate with `record_candidate_propose`: a record in the `candidate` state, its subject and responsible persons
prefilled, linked to what it was found in (`origin`, which keeps the record on its side too). The agency explains it in
writing (`record_candidate_explain`, 书面说明原因) and sends it on through the normal workflow (review, submission);
the credit office publishes it as any record, or dismisses it with a reason (`record_candidate_dismiss`).
docs/domain.md §3.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import may_decide_records_about, may_enter_records_for
from accounts.services import system_account
from kernel.errors import DomainError, NotAllowed
from kernel.transitions import transition
from notices.services import notify
from records.models import DishonestyRecord, RecordEventKind, RecordStatus
from records.services.dishonesty import (
    TRANSITIONS,
    RecordInput,
    _event,
    _moved,
    _record_values,
    _save_responsibilities,
    _subject_name,
    _window,
    record_input_check,
)
from subjects.models import Agency
from subjects.search import grams_of

EXPLAINABLE_STATUSES = (RecordStatus.CANDIDATE, RecordStatus.RETURNED)


def credit_office_over(agency: Agency) -> Agency:
    """The agency of the credit office over `agency` (the nearest ancestor, or itself, with an active credit-office
    user); the top of its tree when none has one. It decides a candidate found in `agency` and hears of its warnings."""
    chain = [*agency.ancestor_ids, agency.pk]
    offices = set(
        User.objects.filter(role=Role.CREDIT_OFFICE, is_active=True, agency_id__in=chain).values_list(
            "agency_id", flat=True
        )
    )
    for agency_id in reversed(chain):
        if agency_id in offices:
            return Agency.objects.get(pk=agency_id)
    return Agency.objects.get(pk=chain[0])


def record_of_origin(origin: models.Model) -> DishonestyRecord | None:
    """The live record (not dismissed or revoked) proposed from `origin`, if any."""
    return (
        DishonestyRecord.objects.filter(origin_type=ContentType.objects.get_for_model(origin), origin_id=origin.pk)
        .exclude(status__in=[RecordStatus.DISMISSED, RecordStatus.REVOKED])
        .first()
    )


def record_candidate_propose(
    *, origin: models.Model, origin_label: str, data: RecordInput, actor: User | None = None, reason: str = ""
) -> DishonestyRecord:
    """Proposes the candidate record of a breach found in `origin`, or returns the live one already proposed (a job
    that runs twice proposes once). `actor` is who decided the breach; None for a scheduled job (the system account).
    The agency that supplied the data (`data.data_source_agency`) is asked for its written explanation."""
    existing = record_of_origin(origin)
    if existing is not None:
        return existing
    record_input_check(data)
    window = _window(data)
    creator = actor if actor is not None else system_account()
    try:
        with transaction.atomic():
            record = DishonestyRecord.objects.create(
                **_record_values(data),
                subject_name=_subject_name(data),
                search_grams=grams_of(_subject_name(data)),
                status=RecordStatus.CANDIDATE,
                origin_type=ContentType.objects.get_for_model(origin),
                origin_id=origin.pk,
                origin_label=origin_label[:200],
                disclosure_rule=window.rule,
                publicly_disclosed=window.publicly_disclosed,
                disclosure_starts_on=window.starts_on,
                earliest_repair_on=window.earliest_repair_on,
                disclosure_ends_on=window.ends_on,
                created_by=creator,
            )
            _save_responsibilities(record, list(data.responsible))
            _event(record, RecordEventKind.PROPOSED, actor, reason=reason or origin_label)
            notify(
                subject=_("A breach was found: explain it in writing (%(origin)s)") % {"origin": origin_label},
                body=_(
                    "A candidate dishonesty record was proposed. Explain the breach in writing and send it on; the "
                    "credit office decides it."
                ),
                link=reverse("records:record_detail", args=[record.pk]),
                agencies=[data.data_source_agency],
            )
    except IntegrityError:
        # Proposed at the same moment by another transaction (the unique live record per origin): that one stands.
        existing = record_of_origin(origin)
        if existing is None:
            raise
        return existing
    return record


def record_candidate_explain(*, actor: User, record: DishonestyRecord, explanation: str) -> DishonestyRecord:
    """The agency's written explanation of a candidate (书面说明原因); may be rewritten until it is sent on."""
    if not may_enter_records_for(actor, record.data_source_agency):
        raise NotAllowed(_("Only the agency the breach was found in may explain it."))
    text = explanation.strip()
    if not text:
        raise DomainError(_("Write the explanation."), field="explanation")
    with transaction.atomic():
        record = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
        if record.origin_type_id is None or record.status not in EXPLAINABLE_STATUSES:
            raise DomainError(
                _("Only a candidate that is with the agency can be explained."), code="illegal_transition"
            )
        changes = {"explanation": [record.explanation, text]}
        record.explanation = text
        record.explained_at = timezone.now()
        record.save(update_fields=["explanation", "explained_at", "updated_at"])
        _event(record, RecordEventKind.EXPLAINED, actor, from_status=record.status, changes=changes)
    return record


def record_candidate_dismiss(*, actor: User, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    """The credit office finds no breach: the candidate is closed with the reason and never published. The agency
    hears of it."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may dismiss a candidate."))
    if not reason.strip():
        raise DomainError(_("Say why the candidate is dismissed."), field="reason")

    def only_candidates(row: DishonestyRecord) -> dict[str, object]:
        if row.origin_type_id is None:
            raise DomainError(
                _("Only a candidate found by the system can be dismissed; return or revoke an entered record."),
                code="illegal_transition",
            )
        return {}

    with transaction.atomic():
        record = transition(
            record,
            TRANSITIONS,
            "dismiss",
            actor=actor,
            reason=reason.strip(),
            prepare=only_candidates,
            event=_moved,
        )
        notify(
            subject=_("The credit office dismissed the candidate record %(number)s")
            % {"number": record.document_number},
            body=reason.strip(),
            link=reverse("records:record_detail", args=[record.pk]),
            agencies=[record.data_source_agency],
        )
    return record
