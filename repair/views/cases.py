"""What the public and the staff pages share about a case: its kind, how its record is summarised, how a query code
finds it, how its events read, and how a filing form reaches its service."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model, QuerySet, TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from kernel.errors import DomainError
from records.models import DishonestyRecord
from repair import services
from repair.forms import ComplaintForm, FilerForm, ObjectionForm, RepairForm
from repair.models import (
    CaseEvent,
    Complaint,
    ComplaintStatus,
    Objection,
    ObjectionStatus,
    RepairApplication,
    RepairStatus,
)
from repair.notices import query_code_channel
from repair.query_codes import query_code_candidates
from repair.services.common import FieldErrors
from subjects.masking import mask_person_name

Case = Objection | Complaint | RepairApplication


@dataclass(frozen=True)
class Kind:
    key: str  # "objection", "complaint", "repair": also the CaseEvent / CaseAttachment field name
    model: type[Model]
    statuses: type[TextChoices]
    # The keyword the services take the case by.
    service_arg: str

    @property
    def url_segment(self) -> str:
        return {"objection": "objections", "complaint": "complaints", "repair": "repairs"}[self.key]


OBJECTION = Kind("objection", Objection, ObjectionStatus, "objection")
COMPLAINT = Kind("complaint", Complaint, ComplaintStatus, "complaint")
REPAIR = Kind("repair", RepairApplication, RepairStatus, "application")
KINDS = {kind.key: kind for kind in (OBJECTION, COMPLAINT, REPAIR)}


def kind_of(case: Case) -> Kind:
    if isinstance(case, Objection):
        return OBJECTION
    if isinstance(case, Complaint):
        return COMPLAINT
    return REPAIR


def status_label(kind: Kind, value: str) -> str:
    try:
        return str(kind.statuses(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class RecordSummary:
    """The few facts of a record a case page shows. For the public a civil servant is named by surname only
    (subjects.masking), as on the disclosure site."""

    pk: int
    subject: str
    is_person: bool
    agency_name: str
    document_number: str
    deciding_body_name: str
    decision_date: datetime.date
    earliest_repair_on: datetime.date

    @classmethod
    def of(cls, record: DishonestyRecord, *, public: bool) -> "RecordSummary":
        is_person = record.subject_person_id is not None
        subject = record.subject_name
        if is_person and public:
            subject = mask_person_name(subject)
        return cls(
            pk=record.pk,
            subject=subject,
            is_person=is_person,
            agency_name=record.subject_agency.name,
            document_number=record.document_number,
            deciding_body_name=record.deciding_body_name,
            decision_date=record.decision_date,
            earliest_repair_on=record.earliest_repair_on,
        )


def find_by_code(code: str) -> Case | None:
    """The case a query code belongs to, whichever kind it is; None for any code that is not one. The code is read
    as people type it (repair/query_codes.py)."""
    digests = query_code_candidates(code)
    for kind in (OBJECTION, COMPLAINT, REPAIR):
        model: Any = kind.model
        case = model.objects.select_related("record__subject_agency").filter(query_code_digest__in=digests).first()
        if case is not None:
            return case
    return None


@dataclass(frozen=True)
class EventRow:
    at: datetime.datetime
    from_status: str
    to_status: str
    from_label: str
    to_label: str
    reason: str
    actor: User | None  # shown on staff pages only


def event_rows(case: Case, *, with_actors: bool) -> list[EventRow]:
    kind = kind_of(case)
    events: QuerySet[CaseEvent] = CaseEvent.objects.filter(**{kind.key: case})
    if with_actors:
        events = events.select_related("actor")
    return [
        EventRow(
            at=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            from_label=status_label(kind, event.from_status) if event.from_status else "",
            to_label=status_label(kind, event.to_status),
            reason=event.reason,
            actor=event.actor if with_actors else None,
        )
        for event in events
    ]


# Filing ----------------------------------------------------------------------------------------------------------

FILING_FORMS: dict[str, type[FilerForm]] = {
    "objection": ObjectionForm,
    "repair": RepairForm,
    "complaint": ComplaintForm,
}


def put_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal, every message on the input it names, or above the form for what names none of this
    form's inputs."""
    by_field: Sequence[tuple[str | None, list[str]]] = list(exc.field_errors().items()) or [(None, [str(exc.message)])]
    for name, messages in by_field:
        for message in messages:
            field = name if name in form.fields else None
            form.add_error(field, forms.ValidationError(message, code=exc.code))


def _named_objection(record: DishonestyRecord, code: str) -> Objection | None:
    return Objection.objects.filter(record=record, query_code_digest__in=query_code_candidates(code)).first()


NO_SUCH_OBJECTION = gettext_lazy("No objection about this record has that query code.")


def rule_errors(kind: str, values: dict[str, Any], *, record: DishonestyRecord, public: bool) -> FieldErrors:
    """Every rule of the filing service of `kind` that the inputs in `values` break."""
    if kind == "objection":
        return services.objection_errors(values)
    if kind == "repair":
        return services.repair_errors(values, public=public)
    errors = services.complaint_errors(values)
    if values.get("objection_code") and _named_objection(record, values["objection_code"]) is None:
        errors.add("objection_code", str(NO_SUCH_OBJECTION))
    return errors


def add_rule_errors(kind: str, form: FilerForm, *, record: DishonestyRecord, public: bool) -> None:
    """A form refused for its shape: the service's rules still judge what could be read, so the filer sees every
    error at once rather than one more on each try."""
    values = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    for name, messages in rule_errors(kind, values, record=record, public=public).errors.items():
        if name in form.fields and name not in form.errors:
            for message in messages:
                form.add_error(name, message)


def file_case(
    kind: str, form: FilerForm, record: DishonestyRecord, *, filed_by: User | None = None
) -> tuple[Case, str]:
    """Calls the filing service of `kind` with a valid form's data; returns the case and its query code. Raises the
    service's DomainError naming every input at fault (NotAllowed for staff out of scope)."""
    data = form.cleaned_data
    filer = {
        "record": record,
        "statement": data["statement"],
        "filer_name": data["filer_name"],
        "filer_contact": data["filer_contact"],
        "filer_email": data["filer_email"],
        "commitment_signed": bool(data["commitment_signed"]),
        "filed_by": filed_by,
    }
    if kind == "objection":
        return services.objection_file(**filer, grounds=data["grounds"], attachments=data["attachments"])
    if kind == "repair":
        return services.repair_apply(**filer, attachments=data["attachments"])
    objection = None
    if data.get("objection_code"):
        objection = _named_objection(record, data["objection_code"])
        if objection is None:
            rule_errors(kind, dict(data), record=record, public=filed_by is None).raise_any()
    return services.complaint_file(**filer, objection=objection, attachments=data["attachments"])


def typed_text(form: forms.Form) -> str:
    """What was typed into `form`, as "label: value" lines to copy from a page that cannot take the form (files
    cannot be kept, and a ticked box says nothing worth copying)."""
    lines = []
    for field in form:
        if field.is_hidden or isinstance(field.field, forms.FileField | forms.BooleanField):
            continue
        value = field.value()
        if value in (None, "", []):
            continue
        if isinstance(field.field, forms.ChoiceField):
            choices: Any = field.field.choices
            value = dict(choices).get(value, value)
        lines.append(_("%(label)s: %(value)s") % {"label": field.label, "value": value})
    return "\n".join(lines)


FORM_TEMPLATES = {
    "objection": "repair/objection_form.html",
    "repair": "repair/repair_form.html",
    "complaint": "repair/complaint_form.html",
}


def filing_page(
    request: HttpRequest,
    *,
    kind: str,
    record: DishonestyRecord,
    form: FilerForm,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        FORM_TEMPLATES[kind],
        {
            "kind": kind,
            "form": form,
            "record_pk": record.pk,
            "repair_open": record.repair_possible_on(today),
            "today": today,
            **context,
        },
        status=status,
    )


def filed_page(request: HttpRequest, *, case: Case, code: str, context: dict[str, Any]) -> HttpResponse:
    """The one response that carries the query code: rendered in answer to the POST, never redirected to."""
    response = render(
        request,
        "repair/filed.html",
        {
            "case": case,
            "kind": kind_of(case).key,
            "query_code": code,
            "sent_to": query_code_channel(filer_email=case.filer_email, filer_contact=case.filer_contact),
            **context,
        },
    )
    add_never_cache_headers(response)  # no-store: no cache, proxy or back button keeps the code
    return response
