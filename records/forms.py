"""Input forms of the staff pages. They check shape only (required, type, length); the services own every rule.

A field that a service can fault carries the name the service gives in `DomainError.field`, so the page shows the
service's message beside the right input. The record's fields take their limits and messages from records.rules,
as the API and the Excel import do.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.scope import entering_agency_q
from records import rules
from records.agency_picker import AgencyPickerField
from records.amounts import amount_text
from records.models import (
    Agency,
    AssessmentResult,
    CivilServant,
    DishonestyRecord,
    MeasureState,
    RecordSource,
    ResponsibilityKind,
    Sector,
    Severity,
    SpecialField,
)
from records.services import RecordInput

# A four-digit year: a shape, not a rule (which years may be recorded is for the services to say).
YEAR_BOUNDS: dict[str, int] = {"min_value": 1000, "max_value": 9999}


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page: an ID number leaves the server only once,
    in the inspector's reveal response (DOMAIN §2), so a form shown again after an error asks for it again."""

    def format_value(self, value: Any) -> str | None:
        return None


class AmountInput(forms.NumberInput):
    """An amount shown as the record page shows it (5.00, not 5.000000); what was typed is shown back as typed."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return amount_text(value)
        return super().format_value(value)


def amount_field(label: Any, name: str) -> forms.DecimalField:
    """An amount in 10,000 yuan, read as a number here and held to records.rules (sign, size, six places) with the
    record's other rules."""
    return forms.DecimalField(
        label=label,
        required=False,
        localize=False,
        error_messages=rules.error_messages(name),
        widget=AmountInput(attrs={"step": str(rules.AMOUNT_QUANTUM)}),
    )


def text_field(label: Any, name: str, *, textarea_rows: int | None = None, **kwargs: Any) -> forms.CharField:
    """A record's text: the length records.rules allows (the browser stops there too), the rules' messages."""
    if textarea_rows is not None:
        kwargs["widget"] = forms.Textarea(attrs={"rows": textarea_rows})
    return forms.CharField(
        label=label, max_length=rules.MAX_LENGTHS.get(name), error_messages=rules.error_messages(name), **kwargs
    )


def choice_field(label: Any, name: str, choices: Any, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, error_messages=rules.error_messages(name), **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


PICKER_HELP = _("Type part of the name or the code, then choose.")


def _pick_from(form: forms.Form, name: str, agencies: QuerySet[Agency]) -> None:
    """Gives the form's agency picker the agencies it may resolve to (the user's scope)."""
    field = form.fields[name]
    assert isinstance(field, AgencyPickerField)
    field.queryset = agencies


class PeopleFilterForm(forms.Form):
    ACTIVE_CHOICES = [("", _("Active only")), ("inactive", _("Inactive only")), ("all", _("All"))]

    q = forms.CharField(label=_("Name contains"), required=False, max_length=50)
    agency = AgencyPickerField(
        Agency.objects.none(),
        label=_("Agency"),
        required=False,
        help_text=_("Type part of the name or the code; empty for all agencies."),
    )
    subtree = forms.BooleanField(label=_("Include the units below it"), required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pick_from(self, "agency", Agency.objects.visible_to(user))


class IdNumberLookupForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_("18 characters. The number is not kept in the address bar or in any log."),
    )


class RevealIdNumberForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("For the access log, e.g. the recruitment or promotion review this is for."),
        error_messages={"required": _("Say why you need the full number: the access log records it.")},
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    rank = forms.CharField(label=_("Rank"), max_length=50, required=False)
    is_principal = forms.BooleanField(label=_("Principal responsible person"), required=False)


class PersonCreateForm(PersonForm):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    field_order = ["name", "id_number", "position", "rank", "is_principal"]


class MoveForm(forms.Form):
    to_agency = AgencyPickerField(
        Agency.objects.none(), label=_("New agency"), help_text=_("Type part of the name or the code.")
    )
    moved_on = forms.DateField(label=_("Date of move"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pick_from(self, "to_agency", Agency.objects.visible_to(user))


class AssessmentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), **YEAR_BOUNDS)
    result = forms.ChoiceField(label=_("Result"), choices=AssessmentResult.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    organizer = forms.CharField(label=_("Organizer"), max_length=200, required=False)
    attended_on = forms.DateField(label=_("Date attended"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)


class MattersReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), **YEAR_BOUNDS)
    reported_on = forms.DateField(label=_("Date reported"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))


# Dishonesty records -----------------------------------------------------------------------------------------------


def entering_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies `user` may enter records for (accounts.scope.entering_agency_q)."""
    return Agency.objects.only("pk", "name", "path", "active").filter(entering_agency_q(user))


def _person_label(person: CivilServant) -> str:
    # The masked number tells two people of the same name apart; the full number never reaches a page.
    return f"{person.name} · {person.agency.name} · {person.id_number_masked}"


def people_for_records(user: Any, agency_id: Any) -> list[CivilServant]:
    """The civil servants a record about agency `agency_id` may name: its active people, if `user` enters records
    for it. Only one agency's people: a city office's whole staff would not fit in a select. Evaluated once per page
    and shared by every select that offers them."""
    try:
        agency_pk = int(agency_id)
    except (TypeError, ValueError):
        return []
    return list(
        CivilServant.objects.filter(agency__in=entering_agencies(user).filter(pk=agency_pk), active=True)
        .select_related("agency")
        .only("pk", "name", "id_number_masked", "agency__name")
        .order_by("name", "pk")
    )


class PersonChoiceField(forms.TypedChoiceField):
    """A choice among an already evaluated list of people, cleaned to the CivilServant (no query per select)."""

    def __init__(self, *, people: list[CivilServant], **kwargs: Any) -> None:
        self.people = {str(person.pk): person for person in people}
        choices = [("", "—")] + [(str(person.pk), _person_label(person)) for person in people]
        super().__init__(choices=choices, coerce=self.people.__getitem__, empty_value=None, **kwargs)


class RecordForm(forms.Form):
    """What a clerk types for a record; `to_input()` builds the services' RecordInput."""

    subject_agency = AgencyPickerField(
        Agency.objects.none(),
        within="enter",
        label=_("Subject agency"),
        help_text=PICKER_HELP,
        error_messages=rules.error_messages("subject_agency"),
    )
    subject_person = PersonChoiceField(
        people=[],
        label=_("Subject civil servant"),
        required=False,
        help_text=_("Only when the record is about one civil servant of the subject agency."),
    )
    source = choice_field(_("Source"), "source", [("", "—"), *RecordSource.choices])
    sector = choice_field(_("Sector"), "sector", [("", "—"), *Sector.choices])
    severity = choice_field(_("Severity"), "severity", [("", "—"), *Severity.choices])
    special_field = choice_field(_("Special field"), "special_field", SpecialField.choices, required=False)
    document_number = text_field(_("Document number"), "document_number")
    deciding_agency = AgencyPickerField(
        Agency.objects.none(),
        label=_("Deciding agency"),
        required=False,
        help_text=_(
            "When the deciding body is an agency in this system: type part of its name or its code. Otherwise leave "
            "this empty and give the body's name and code below."
        ),
        error_messages=rules.error_messages("deciding_agency"),
    )
    # Not required here: a deciding agency chosen above names the body (the rules ask for them otherwise).
    deciding_body_name = text_field(_("Deciding body"), "deciding_body_name", required=False)
    deciding_body_uscc = text_field(_("Deciding body's code"), "deciding_body_uscc", required=False)
    decision_date = forms.DateField(
        label=_("Decision date"), widget=DateInput(), error_messages=rules.error_messages("decision_date")
    )
    facts = text_field(_("Facts"), "facts", textarea_rows=4)
    legal_basis = text_field(_("Legal basis"), "legal_basis", textarea_rows=3)
    categories = text_field(_("Categories"), "categories", required=False)
    fine_amount = amount_field(_("Fine (10,000 yuan)"), "fine_amount")
    other_amount = amount_field(_("Other amounts (10,000 yuan)"), "other_amount")
    loss_description = text_field(_("Loss"), "loss_description", textarea_rows=3, required=False)
    social_impact = text_field(_("Social impact"), "social_impact", textarea_rows=3, required=False)
    data_source_agency = AgencyPickerField(
        Agency.objects.none(),
        within="enter",
        label=_("Data source agency"),
        help_text=PICKER_HELP,
        error_messages=rules.error_messages("data_source_agency"),
    )

    DECISION_FIELDS = (
        "source",
        "sector",
        "severity",
        "special_field",
        "document_number",
        "deciding_agency",
        "deciding_body_name",
        "deciding_body_uscc",
        "decision_date",
    )
    CONTENT_FIELDS = (
        "facts",
        "legal_basis",
        "categories",
        "fine_amount",
        "other_amount",
        "loss_description",
        "social_impact",
    )

    def __init__(self, *args: Any, user: Any, people: list[CivilServant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entering = entering_agencies(user)
        _pick_from(self, "subject_agency", entering)
        _pick_from(self, "data_source_agency", entering)
        _pick_from(self, "deciding_agency", Agency.objects.visible_to(user))
        self.fields["subject_person"] = PersonChoiceField(
            people=people,
            label=self.fields["subject_person"].label,
            required=False,
            help_text=self.fields["subject_person"].help_text,
        )

    def readable_values(self) -> dict[str, Any]:
        """What a form with errors could still read, under RecordInput's names (for the services' rule check)."""
        data = getattr(self, "cleaned_data", {})
        values = {name: data[name] for name in RecordInput.__dataclass_fields__ if name in data}
        if "special_field" in values:
            values["special_field"] = values["special_field"] or ""
        return values

    def to_input(self, responsible: list[tuple[CivilServant, str]]) -> RecordInput:
        data = self.cleaned_data
        return RecordInput(
            subject_agency=data["subject_agency"],
            subject_person=data["subject_person"],
            source=data["source"],
            sector=data["sector"],
            severity=data["severity"],
            special_field=data["special_field"] or "",
            document_number=data["document_number"],
            deciding_agency=data["deciding_agency"],
            deciding_body_name=data["deciding_body_name"],
            deciding_body_uscc=data["deciding_body_uscc"],
            decision_date=data["decision_date"],
            facts=data["facts"],
            legal_basis=data["legal_basis"],
            categories=data["categories"],
            fine_amount=data["fine_amount"],
            other_amount=data["other_amount"],
            loss_description=data["loss_description"],
            social_impact=data["social_impact"],
            data_source_agency=data["data_source_agency"],
            responsible=responsible,
        )

    @staticmethod
    def initial_for(record: DishonestyRecord) -> dict[str, Any]:
        names = (*RecordForm.DECISION_FIELDS, *RecordForm.CONTENT_FIELDS)
        initial = {name: getattr(record, name) for name in names}
        initial.update(
            subject_agency=record.subject_agency_id,
            subject_person=record.subject_person_id,
            data_source_agency=record.data_source_agency_id,
            deciding_agency=record.deciding_agency_id,
        )
        return initial


class ResponsibleForm(forms.Form):
    person = PersonChoiceField(people=[], label=_("Responsible person"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of responsibility"),
        choices=[("", "—"), *ResponsibilityKind.choices],
        required=False,
        error_messages={"invalid_choice": rules.KIND_MISSING},
    )

    def __init__(self, *args: Any, people: list[CivilServant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = PersonChoiceField(people=people, label=self.fields["person"].label, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("person") is not None and not data.get("kind"):
            self.add_error("kind", forms.ValidationError(rules.KIND_MISSING, code="required"))
        return data


class BaseResponsibleFormSet(forms.BaseFormSet):
    """The responsible persons (惩戒到人); blank rows are ignored."""

    def add_non_form_error(self, message: str) -> None:
        """A service's error about the whole list (a person listed twice…) shown above the rows."""
        self.non_form_errors().append(message)

    def responsible(self) -> list[tuple[CivilServant, str]]:
        return [
            (form.cleaned_data["person"], form.cleaned_data["kind"])
            for form in self.forms
            if form.cleaned_data.get("person") is not None
        ]


ResponsibleFormSet = forms.formset_factory(
    ResponsibleForm, formset=BaseResponsibleFormSet, extra=2, max_num=20, validate_max=True
)


def responsible_initial(record: DishonestyRecord) -> list[dict[str, Any]]:
    return [{"person": str(row.person_id), "kind": row.kind} for row in record.responsibilities.order_by("pk")]


def record_form_initial_from(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a posted record form held, as initial values: the form shown again after "show this agency's people",
    without validating (and so without errors) and without saving."""
    initial = {name: data.get(name) for name in RecordForm.base_fields if name in data}
    try:
        total = min(int(data.get("responsible-TOTAL_FORMS", 0)), 20)
    except ValueError:
        total = 0
    rows = [
        {"person": data.get(f"responsible-{i}-person", ""), "kind": data.get(f"responsible-{i}-kind", "")}
        for i in range(total)
    ]
    return initial, [row for row in rows if row["person"] or row["kind"]]


class RecordIdsField(forms.Field):
    """The ids of the records ticked in a list: whole numbers, each once, in the order given, at most `limit`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = list(dict.fromkeys(int(item) for item in values))
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("The selection could not be read."), code="invalid") from exc
        if not ids:
            raise forms.ValidationError(_("Tick at least one record."), code="required")
        if len(ids) > self.limit:
            raise forms.ValidationError(
                _("Tick at most %(limit)d records at a time.") % {"limit": self.limit}, code="too_many"
            )
        return ids


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the ticked records"),
        error_messages={"invalid_choice": _("Choose one of the steps offered to you.")},
    )
    ids = RecordIdsField(limit=100, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked these records and want the ones that can be published published as described above."),
        required=False,
    )

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions  # type: ignore[attr-defined]
        ids = self.fields["ids"]
        assert isinstance(ids, RecordIdsField)
        ids.limit = limit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Sent from the confirmation page (step=confirm): the box must be ticked there.
        if self.data.get("step") == "confirm" and not data.get("confirm"):
            self.add_error("confirm", forms.ValidationError(_("Tick the box to confirm."), code="required"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PublishConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the record and want it published as described above."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RevokeConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the record revoked?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("I want this record revoked as described above."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class CorrectionForm(forms.Form):
    """A correction of a published record: only CORRECTABLE_FIELDS, and a reason."""

    severity = choice_field(_("Severity"), "severity", Severity.choices)
    special_field = choice_field(_("Special field"), "special_field", SpecialField.choices, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"), widget=DateInput(), error_messages=rules.error_messages("decision_date")
    )
    document_number = text_field(_("Document number"), "document_number")
    facts = text_field(_("Facts"), "facts", textarea_rows=4)
    legal_basis = text_field(_("Legal basis"), "legal_basis", textarea_rows=3)
    categories = text_field(_("Categories"), "categories", required=False)
    fine_amount = amount_field(_("Fine (10,000 yuan)"), "fine_amount")
    other_amount = amount_field(_("Other amounts (10,000 yuan)"), "other_amount")
    loss_description = text_field(_("Loss"), "loss_description", textarea_rows=3, required=False)
    social_impact = text_field(_("Social impact"), "social_impact", textarea_rows=3, required=False)
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def correctable_names(cls) -> list[str]:
        return [name for name in cls.base_fields if name != "reason"]

    @classmethod
    def initial_for(cls, record: DishonestyRecord) -> dict[str, Any]:
        return {name: getattr(record, name) for name in cls.correctable_names()}

    def changes_to(self, record: DishonestyRecord) -> dict[str, Any]:
        """The fields whose value differs from the record's (the service refuses a correction that changes nothing)."""
        changes = {}
        for name in self.correctable_names():
            value = self.cleaned_data[name]
            if name == "special_field":
                value = value or ""
            if value != getattr(record, name):
                changes[name] = value
        return changes


class MeasureStateForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"), choices=MeasureState.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RectificationAnswerForm(forms.Form):
    explanation = forms.CharField(
        label=_("What was rectified"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        max_length=255,
        allow_empty_file=True,  # the service says why an empty file is refused
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.png,.jpg,.jpeg"}),
        help_text=_("PDF, OFD, PNG or JPEG, at most 20 MB."),
    )


def dress_record_filter_form(form: forms.Form, user: Any) -> None:
    """Widgets for the record list's filter form (records.filters.RecordFilter builds the fields)."""
    for name in ("status", "severity", "source", "sector"):
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    for name in ("decided_from", "decided_to", "published_from", "published_to"):
        form.fields[name].widget = DateInput()
    form.fields["q"].widget.input_type = "search"


def pick_record_filter_agency(form: forms.Form, user: Any) -> None:
    """The record list's agency filter by typing, within the user's scope; it still filters by id (an id in a link
    from the work queue works as before). Used by the list page and its export alike."""
    original = form.fields["subtree_of"]
    form.fields["subtree_of"] = AgencyPickerField(
        Agency.objects.visible_to(user),
        as_id=True,
        required=False,
        label=original.label,
        help_text=_("Type part of the name or the code; empty for all agencies."),
    )
    form.fields["q"].widget.input_type = "search"


class ImportUploadForm(forms.Form):
    agency = AgencyPickerField(
        Agency.objects.none(),
        within="enter",
        label=_("Data source agency"),
        help_text=_("The agency supplying the records in the workbook: type part of its name or its code."),
    )
    file = forms.FileField(
        label=_("Workbook"),
        max_length=255,
        allow_empty_file=True,  # the service says why
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("An .xlsx workbook made from the template."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pick_from(self, "agency", entering_agencies(user))
