"""Input forms of breach complaints. They check shape only (required, type, length); the service
(supervision.services.complaints) owns every rule, and a form refused for its shape still hears the service's rules
about what it could read, so the filer sees every error at once."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from repair.forms import CODE_INPUT, MultipleFileField
from subjects.models import Agency
from supervision.models.complaints import (
    BreachCategory,
    BreachComplaintStatus,
    ComplainantKind,
    ComplaintChannel,
)
from supervision.services.complaints import ComplaintInput, complaint_errors


class RespondentField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class BreachComplaintForm(forms.Form):
    """The public form: a company or a person complains about a government body."""

    complainant_kind = forms.ChoiceField(
        label=_("Who complains"), choices=ComplainantKind.choices, widget=forms.RadioSelect, required=False
    )
    complainant_name = forms.CharField(label=_("Company or person's name"), max_length=200, required=False)
    complainant_uscc = forms.CharField(
        label=_("Unified social credit code (companies)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    complainant_contact = forms.CharField(
        label=_("Phone"), max_length=100, required=False, help_text=_("How the office handling it can reach you.")
    )
    complainant_email = forms.EmailField(
        label=_("E-mail for notices (optional)"),
        max_length=254,
        required=False,
        help_text=_("We send the query code to this address, or by text message to a mobile phone given above."),
    )
    respondent = RespondentField(
        label=_("Government body complained about"),
        queryset=Agency.objects.filter(active=True).order_by("path"),
        required=False,
        empty_label=_("Choose…"),
    )
    category = forms.ChoiceField(
        label=_("Kind of breach"), choices=[("", _("Choose…")), *BreachCategory.choices], required=False
    )
    amount = forms.DecimalField(
        label=_("Amount involved (yuan)"), max_digits=16, decimal_places=2, required=False, min_value=0
    )
    facts = forms.CharField(
        label=_("Facts"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was agreed or promised, when, and how it was broken."),
    )
    attachments = MultipleFileField(
        label=_("Evidence files"),
        help_text=_("Contracts, letters, receipts: PDF, OFD, PNG or JPEG, at most 20 MB each."),
    )

    channel_value = ComplaintChannel.SITE

    def add_rule_errors(self) -> None:
        """The service's rules on what the form could read, beside the shape errors."""
        values = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        for name, messages in complaint_errors(values).errors.items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)

    def complaint_input(self) -> ComplaintInput:
        data = self.cleaned_data
        return ComplaintInput(
            channel=data.get("channel") or self.channel_value,
            channel_reference=data.get("channel_reference") or "",
            received_on=data.get("received_on"),
            complainant_kind=data["complainant_kind"],
            complainant_name=data["complainant_name"],
            complainant_uscc=data["complainant_uscc"],
            complainant_contact=data["complainant_contact"],
            complainant_email=data["complainant_email"],
            respondent=data["respondent"],
            category=data["category"],
            amount=data["amount"],
            facts=data["facts"],
            attachments=tuple(data["attachments"]),
        )


class StaffComplaintForm(BreachComplaintForm):
    """A complaint that came by another channel (12345, 12350, a letter…), entered by the credit office."""

    channel = forms.ChoiceField(label=_("Channel"), choices=ComplaintChannel.choices, required=False)
    channel_reference = forms.CharField(label=_("Reference in the channel"), max_length=64, required=False)
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    field_order = ["channel", "channel_reference", "received_on"]

    def __init__(self, *args: Any, respondents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if respondents is not None:
            field = self.fields["respondent"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = respondents


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=20,
        help_text=_("Such as WY2026000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("Query code"),
        max_length=64,
        help_text=_(
            "12 letters and digits, e.g. 7KQ2-M9XD-4TRB. Upper or lower case, spaces and dashes do not matter."
        ),
        widget=forms.TextInput(attrs=CODE_INPUT),
    )


class StepForm(forms.Form):
    """One handling step: reasons (what the complainant reads), a rectification deadline, evidence."""

    reason = forms.CharField(
        label=_("Reasons"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label=_("Rectify by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attachments = MultipleFileField(label=_("Evidence of rectification"))


STATUS_FILTER_CHOICES = [("", _("Open")), ("all", _("All")), *BreachComplaintStatus.choices]


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *ComplaintChannel.choices], required=False
    )
    respondent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
