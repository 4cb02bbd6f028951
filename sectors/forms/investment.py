"""Forms of the investment-promotion pages: they read what was typed; the services hold it to the rules."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, Sector
from commitments.models import ChangeGround, Commitment, CommitmentKind
from sectors.models import InvestorResponse, ObligationStatus, RefusedGround
from sectors.services.investment import AgreementInput, ObligationChangeInput, ObligationInput
from subjects.agency_picker import AgencyPickerField
from subjects.forms import DateInput, entering_agencies
from subjects.models import Agency, CivilServant


def investment_entering_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies `user` may enter agreements for (accounts.scope.may_enter_sector_data as a queryset)."""
    if getattr(user, "role", None) == Role.SECTOR_AUTHORITY:
        if user.sector != Sector.INVESTMENT or user.agency is None:  # type: ignore[union-attr]
            return Agency.objects.none()
        return Agency.objects.filter(path__startswith=user.agency.path)  # type: ignore[union-attr]
    return entering_agencies(user)


AMOUNT = {"max_digits": 18, "decimal_places": 2, "min_value": 0}


class AgreementForm(forms.Form):
    agency = AgencyPickerField(Agency.objects.none(), label=_("Promising agency"))
    number = forms.CharField(label=_("Agreement number"), max_length=100)
    investor_name = forms.CharField(label=_("Investor"), max_length=200)
    investor_uscc = forms.CharField(label=_("Investor's Unified Social Credit Code"), max_length=18)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    project = forms.CharField(label=_("Project"), max_length=200)
    total_investment = forms.DecimalField(label=_("Total investment (yuan)"), **AMOUNT)  # type: ignore[arg-type]
    investment_is_secret = forms.BooleanField(label=_("The total investment is a trade secret"), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    secret_terms = forms.CharField(
        label=_("Terms that are trade secrets"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("Shown to staff only; the public register says that terms are withheld."),
    )
    responsible_person = forms.ModelChoiceField(
        CivilServant.objects.none(), label=_("Responsible civil servant"), required=False
    )
    commitments = forms.ModelMultipleChoiceField(
        Commitment.objects.none(),
        label=_("Investment-promotion policy commitments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: AnyUser, agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = investment_entering_agencies(user)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        chosen = agency
        if self.is_bound:
            try:
                chosen = self.fields["agency"].clean(self.data.get(self.add_prefix("agency")))
            except forms.ValidationError:
                chosen = agency
        within = Q(pk=chosen.pk) if isinstance(chosen, Agency) else Q(pk__in=[])
        people = CivilServant.objects.filter(agency__in=agencies.filter(within), active=True).order_by("name", "pk")
        self.fields["responsible_person"].queryset = people  # type: ignore[attr-defined]
        self.fields["commitments"].queryset = Commitment.objects.filter(  # type: ignore[attr-defined]
            agency__in=agencies.filter(within), kind=CommitmentKind.INVESTMENT_POLICY
        ).order_by("-promised_on", "pk")

    def agreement_input(self) -> AgreementInput:
        data = self.cleaned_data
        return AgreementInput(
            agency=data["agency"],
            number=data["number"],
            investor_name=data["investor_name"],
            investor_uscc=data["investor_uscc"],
            signed_on=data["signed_on"],
            project=data["project"],
            total_investment=data["total_investment"],
            summary=data["summary"],
            secret_terms=data.get("secret_terms") or "",
            investment_is_secret=bool(data.get("investment_is_secret")),
            responsible_person=data.get("responsible_person"),
            commitments=list(data.get("commitments") or []),
        )


class ObligationForm(forms.Form):
    description = forms.CharField(label=_("Obligation"), max_length=500)
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, **AMOUNT)  # type: ignore[arg-type]
    amount_is_secret = forms.BooleanField(label=_("The amount is a trade secret"), required=False)
    due_on = forms.DateField(label=_("Due by"), widget=DateInput())

    def obligation_input(self) -> ObligationInput:
        data = self.cleaned_data
        return ObligationInput(
            description=data["description"],
            due_on=data["due_on"],
            amount=data.get("amount"),
            amount_is_secret=bool(data.get("amount_is_secret")),
        )


ObligationFormSet = forms.formset_factory(ObligationForm, extra=3, max_num=50, validate_max=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FulfilForm(forms.Form):
    fulfilled_on = forms.DateField(label=_("Fulfilled on"), widget=DateInput())
    note = forms.CharField(label=_("How it was fulfilled"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    files = forms.FileField(  # type: ignore[assignment]  # a field named as the uploads it reads
        label=_("Evidence files"),
        widget=MultipleFileInput(attrs={"multiple": True}),
        help_text=_("PDF, OFD, PNG or JPEG; at least one."),
        required=False,
    )


GROUND_CHOICES = [
    ("", "---------"),
    (_("Lawful grounds"), list(ChangeGround.choices)),
    (_("Not grounds (refused)"), list(RefusedGround.choices)),
]


class ChangeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground of the change"), choices=GROUND_CHOICES)
    authority = forms.CharField(label=_("Deciding authority"), max_length=200)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    description = forms.CharField(label=_("What was changed"), widget=forms.Textarea(attrs={"rows": 3}))
    new_due_on = forms.DateField(label=_("New due date"), widget=DateInput(), required=False)
    new_amount = forms.DecimalField(label=_("New amount (yuan)"), required=False, **AMOUNT)  # type: ignore[arg-type]
    legality_review_on = forms.DateField(label=_("Legality review on"), widget=DateInput(), required=False)
    collective_decision_on = forms.DateField(label=_("Collective decision on"), widget=DateInput(), required=False)
    investor_notified_on = forms.DateField(label=_("Investor notified on"), widget=DateInput(), required=False)
    published_on = forms.DateField(label=_("Published on"), widget=DateInput(), required=False)
    compensation_amount = forms.DecimalField(
        label=_("Compensation paid (yuan)"),
        required=False,
        **AMOUNT,  # type: ignore[arg-type]
    )
    investor_response = forms.ChoiceField(label=_("Investor's answer"), choices=InvestorResponse.choices)
    investor_response_note = forms.CharField(
        label=_("Investor's answer in words"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def change_input(self) -> ObligationChangeInput:
        data = self.cleaned_data
        return ObligationChangeInput(
            ground=data["ground"],
            authority=data["authority"],
            description=data["description"],
            decision_number=data.get("decision_number") or "",
            legality_review_on=data.get("legality_review_on"),
            collective_decision_on=data.get("collective_decision_on"),
            investor_notified_on=data.get("investor_notified_on"),
            published_on=data.get("published_on"),
            compensation_amount=data.get("compensation_amount"),
            investor_response=data["investor_response"],
            investor_response_note=data.get("investor_response_note") or "",
            new_due_on=data.get("new_due_on"),
            new_amount=data.get("new_amount"),
        )


class BreakForm(forms.Form):
    reason = forms.CharField(label=_("Grounds of the breach"), widget=forms.Textarea(attrs={"rows": 4}))


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Investor, project or agreement number"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("With an obligation that is"),
        required=False,
        choices=[("", _("Any")), *ObligationStatus.choices],
    )
    year = forms.IntegerField(label=_("Year signed"), required=False, min_value=2000, max_value=2100)
