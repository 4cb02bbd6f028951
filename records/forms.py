"""Input forms of the staff pages. They check shape only (required, type, length); the services own every rule.

A field that a service can fault carries the name the service gives in `DomainError.field`, so the page shows the
service's message beside the right input. The record's fields take their limits and messages from records.rules,
as the API and the Excel import do.
"""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from records import rules
from records.amounts import amount_text
from records.models import (
    DishonestyRecord,
    MeasureState,
    RecordSource,
    ResponsibilityKind,
    Severity,
    SpecialField,
)
from records.services import RecordInput
from subjects.agency_picker import AgencyPickerField
from subjects.forms import DateInput, entering_agencies, pick_from
from subjects.models import Agency, CivilServant


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


PICKER_HELP = _("Type part of the name or the code, then choose.")


# Dishonesty records -----------------------------------------------------------------------------------------------


def _person_label(person: CivilServant) -> str:
    # The masked number tells two people of the same name apart; the full number never reaches a page.
    return f"{person.name} · {person.agency.name} · {person.id_number_masked}"


def people_for_records(user: AnyUser, agency_id: Any) -> list[CivilServant]:
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

    def __init__(self, *args: Any, user: AnyUser, people: list[CivilServant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entering = entering_agencies(user)
        pick_from(self, "subject_agency", entering)
        pick_from(self, "data_source_agency", entering)
        pick_from(self, "deciding_agency", Agency.objects.visible_to(user))
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
        super().clean()
        data = self.cleaned_data
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


# formset_factory subclasses the formset it is given (the stubs answer with BaseFormSet).
ResponsibleFormSet = cast(
    type[BaseResponsibleFormSet],
    forms.formset_factory(ResponsibleForm, formset=BaseResponsibleFormSet, extra=2, max_num=20, validate_max=True),
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
        super().clean()
        data = self.cleaned_data
        # Sent from the confirmation page (step=confirm): the box must be ticked there.
        if self.data.get("step") == "confirm" and not data.get("confirm"):
            self.add_error("confirm", forms.ValidationError(_("Tick the box to confirm."), code="required"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExplanationForm(forms.Form):
    """The agency's written explanation of a candidate record (书面说明原因)."""

    explanation = forms.CharField(
        label=_("Written explanation of the breach"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


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


def dress_record_filter_form(form: forms.Form, user: AnyUser) -> None:
    """Widgets for the record list's filter form (records.filters.RecordFilter builds the fields)."""
    for name in ("status", "severity", "source", "sector"):
        field = cast(forms.ChoiceField, form.fields[name])  # RecordFilter's multiple-choice filters
        # Read back, choices are the normalised pairs (the stubs give the getter the setter's type).
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)  # type: ignore[arg-type]
    for name in ("decided_from", "decided_to", "published_from", "published_to"):
        form.fields[name].widget = DateInput()
    form.fields["q"].widget.input_type = "search"


def pick_record_filter_agency(form: forms.Form, user: AnyUser) -> None:
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

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self, "agency", entering_agencies(user))
