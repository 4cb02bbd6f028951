"""Input forms of the objection, complaint and credit-repair pages. They check shape only (required, type, length);
the services in repair.services own every rule.

A field that a service can fault carries the name the service gives in `DomainError.field` (filer_name,
filer_contact, statement, commitment_signed, grounds, attachments, reason, outcome, request, kind), so the page
shows the service's message beside the right input.
"""

import copy
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from records.forms import CorrectionForm
from records.models import AppliedMeasure, DishonestyRecord, MeasureState
from records.services.dishonesty import CORRECTABLE_FIELDS
from repair.models import ComplaintStatus, MitigationKind, ObjectionGrounds, ObjectionStatus, RepairStatus
from repair.services.common import MAX_ATTACHMENTS

ACCEPTED_FILES = ".pdf,.ofd,.png,.jpg,.jpeg"
# A query code is read, not guessed at by the browser: no autofill, no spelling fixes, capitals on phone keyboards.
CODE_INPUT = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "class": "code-input"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input (Django's documented pattern); the service checks each one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # the service says why an empty file is refused
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, code="too_many_files"
            )
        return files


def _statement(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=10000,
        required=False,  # the service asks for it, with its own message
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FilerForm(forms.Form):
    """Who files, and how to reach them: what every case asks."""

    filer_name = forms.CharField(label=_("Your name (or your unit's name)"), max_length=100, required=False)
    filer_contact = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=100,
        required=False,
        help_text=_("How the office handling the case can reach you."),
    )
    filer_email = forms.EmailField(
        label=_("E-mail for notices (optional)"),
        max_length=254,
        required=False,
        help_text=_("We write to this address when your case moves on."),
    )


class ObjectionForm(FilerForm):
    grounds = forms.ChoiceField(
        label=_("Grounds of the objection"), choices=ObjectionGrounds.choices, widget=forms.RadioSelect, required=False
    )
    statement = _statement(_("Your statement"), _("What is wrong with the record, and what it should say."))
    attachments = MultipleFileField(
        label=_("Evidence files"), help_text=_("PDF, OFD, PNG or JPEG, at most 20 MB each.")
    )
    commitment_signed = forms.BooleanField(
        label=_("I promise that what I state and attach is true, and I bear the legal responsibility for it."),
        required=False,
    )

    field_order = ["filer_name", "filer_contact", "filer_email", "grounds", "statement", "attachments"]


class RepairForm(FilerForm):
    statement = _statement(
        _("Proof of fulfilment"),
        _("How the obligation was fulfilled and the behaviour corrected: payments made, duties performed, dates."),
    )
    attachments = MultipleFileField(
        label=_("Supporting documents"),
        help_text=_("Required: receipts, court documents, rectification reports. PDF, OFD, PNG or JPEG."),
    )
    commitment_signed = forms.BooleanField(
        label=_("I have read the credit commitment above and sign it."), required=False
    )


class ComplaintForm(FilerForm):
    statement = _statement(_("Your complaint"), _("What was handled wrongly, by whom, and when."))
    attachments = MultipleFileField(
        label=_("Evidence files"), help_text=_("PDF, OFD, PNG or JPEG, at most 20 MB each.")
    )
    objection_code = forms.CharField(
        label=_("Query code of your objection (optional)"),
        max_length=64,
        required=False,
        help_text=_("When the complaint is about how your objection was handled."),
        widget=forms.TextInput(attrs=CODE_INPUT),
    )
    commitment_signed = forms.BooleanField(
        label=_("I promise that what I state is true, and I bear the legal responsibility for it."), required=False
    )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Query code"),
        max_length=64,
        help_text=_(
            "12 letters and digits, e.g. 7KQ2-M9XD-4TRB. Upper or lower case, spaces and dashes do not matter."
        ),
        # A plain text box: the filer sees what they type. The page that answers never puts the code back in.
        widget=forms.TextInput(attrs=CODE_INPUT),
    )


class SupplyMaterialForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    statement = _statement(_("The material requested"))
    attachments = MultipleFileField(label=_("Files"), help_text=_("PDF, OFD, PNG or JPEG, at most 20 MB each."))


# Staff ------------------------------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MaterialRequestForm(forms.Form):
    request = forms.CharField(
        label=_("Material missing"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# The correction form's fields, in its order (records.forms.CorrectionForm), limited to what a correction may change.
CORRECTION_FIELD_NAMES = tuple(name for name in CorrectionForm.base_fields if name in CORRECTABLE_FIELDS)


class UpholdForm(forms.Form):
    """An objection upheld: the record corrected (with the correction form's fields) or revoked, and which measures
    were wrongful."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("corrected", _("Correct the record")), ("revoked", _("Revoke the record"))],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reasons"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    wrongful_measures = forms.ModelMultipleChoiceField(
        AppliedMeasure.objects.none(),
        label=_("Measures that should never have applied"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They are lifted and marked wrongful, so the subject's reputation is restored. "
            "A revocation lifts every measure as wrongful."
        ),
    )

    def __init__(self, *args: Any, record: DishonestyRecord, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(record, name) for name in CORRECTION_FIELD_NAMES})
        super().__init__(*args, **kwargs)
        self.record = record
        for name in CORRECTION_FIELD_NAMES:
            field = copy.deepcopy(CorrectionForm.base_fields[name])
            field.was_required = field.required  # type: ignore[attr-defined]
            field.required = False  # needed only for a correction: checked in clean()
            self.fields[name] = field
        measures = self.fields["wrongful_measures"]
        assert isinstance(measures, forms.ModelMultipleChoiceField)
        measures.queryset = live_measures(record)
        measures.label_from_instance = _measure_label  # type: ignore[method-assign, assignment]  # called with the object only

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == "revoked":
            # A revocation changes no field: what the correction inputs hold does not matter.
            for name in CORRECTION_FIELD_NAMES:
                self.errors.pop(name, None)
        if data.get("outcome") == "corrected":
            for name in CORRECTION_FIELD_NAMES:
                field = self.fields[name]
                if getattr(field, "was_required", False) and data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.ValidationError(field.error_messages["required"], code="required"))
        return data

    def changes(self) -> dict[str, Any]:
        """The correctable fields whose value differs from the record's."""
        changes = {}
        for name in CORRECTION_FIELD_NAMES:
            value = self.cleaned_data.get(name)
            if name == "special_field":
                value = value or ""
            if value != getattr(self.record, name):
                changes[name] = value
        return changes


def live_measures(record: DishonestyRecord) -> QuerySet[AppliedMeasure]:
    return (
        AppliedMeasure.objects.filter(record=record, state__in=[MeasureState.ACTIVE, MeasureState.SUSPENDED])
        .select_related("measure_type", "target_agency", "target_person")
        .order_by("pk")
    )


def _measure_label(measure: AppliedMeasure) -> str:
    target = measure.target_person.name if measure.target_person is not None else measure.target_agency.name
    return f"{measure.measure_type.name} · {target}"


class MitigationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=MitigationKind.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label=_("Reason: how the loss was recovered or the harm stopped"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


KIND_CHOICES = [
    ("", _("All kinds")),
    ("objection", _("Objections")),
    ("complaint", _("Complaints")),
    ("repair", _("Credit repair")),
]


def _status_choices() -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    for choices in (ObjectionStatus, ComplaintStatus, RepairStatus):
        for value, label in choices.choices:
            seen.setdefault(value, label)
    return [("", _("Open: due and late")), *seen.items()]


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_status_choices, required=False)
