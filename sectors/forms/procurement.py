"""Forms of the procurement pages: they read what a person typed into the services' inputs; the rules and the
permission checks are the services' (sectors.rules.procurement)."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, Sector
from accounts.scope import people_q, sector_data_q
from sectors.models.procurement import EnterpriseSize, ObligationStatus, SupplierGrade
from subjects.agency_picker import AgencyPickerField
from subjects.models import Agency, CivilServant

DATE = forms.DateInput(attrs={"type": "date"})


def procurement_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies whose procurement data `user` sees."""
    return Agency.objects.filter(sector_data_q(user, Sector.PROCUREMENT, ""))


def entering_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies `user` may enter procurement data for (inspectors read only)."""
    if getattr(user, "role", None) == Role.INSPECTOR:
        return Agency.objects.none()
    return procurement_agencies(user)


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not subscriptable at run time
    def label_from_instance(self, obj: CivilServant) -> str:
        return f"{obj.name}（{obj.agency.name}）"


class ContractForm(forms.Form):
    agency = AgencyPickerField(Agency.objects.none(), label=_("Purchasing agency"))
    number = forms.CharField(label=_("Contract number"), max_length=60)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_uscc = forms.CharField(label=_("Supplier's Unified Social Credit Code"), max_length=18)
    supplier_size = forms.ChoiceField(
        label=_("Supplier's size at signing"),
        choices=[("", "—"), *EnterpriseSize.choices],
        help_text=_("As the supplier declared it when the contract was signed."),
    )
    subject = forms.CharField(label=_("Subject of the contract"), max_length=300)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=16, decimal_places=2)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    budget_funded = forms.BooleanField(label=_("Funded by the budget"), required=False, initial=True)
    acceptance_conditions_payment = forms.BooleanField(label=_("Payment depends on passed acceptance"), required=False)
    agreed_term_days = forms.IntegerField(
        label=_("Agreed payment term (days)"),
        required=False,
        help_text=_("Leave empty if the contract is silent: 30 days apply. An SME's term is at most 60 days."),
    )
    agreed_daily_rate = forms.DecimalField(
        label=_("Agreed overdue interest (per day)"),
        required=False,
        max_digits=8,
        decimal_places=6,
        help_text=_("A fraction a day, e.g. 0.0005; empty: the statutory 0.05% a day for an SME."),
    )
    responsible_person = PersonChoiceField(
        label=_("Responsible person"), queryset=CivilServant.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = entering_agencies(user)
        field = self.fields["agency"]
        assert isinstance(field, AgencyPickerField)
        field.queryset = agencies
        people = self.fields["responsible_person"]
        assert isinstance(people, forms.ModelChoiceField)
        people.queryset = (
            CivilServant.objects.filter(people_q(user), active=True, agency__in=agencies)
            .select_related("agency")
            .order_by("agency_id", "name")
        )


class ObligationForm(forms.Form):
    label = forms.CharField(label=_("Instalment"), max_length=100)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=16, decimal_places=2)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    accepted_on = forms.DateField(
        label=_("Acceptance passed on"),
        widget=DATE,
        required=False,
        help_text=_("Or record the acceptance on the contract page."),
    )
    agreed_term_days = forms.IntegerField(
        label=_("Agreed payment term (days)"), required=False, help_text=_("Empty: the contract's term.")
    )
    disputed_amount = forms.DecimalField(
        label=_("Disputed amount (yuan)"), max_digits=16, decimal_places=2, required=False
    )
    dispute_note = forms.CharField(
        label=_("What is disputed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=16, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AcceptanceForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Passed")), ("0", _("Failed"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DisputeForm(forms.Form):
    disputed_amount = forms.DecimalField(label=_("Disputed amount (yuan)"), max_digits=16, decimal_places=2)
    note = forms.CharField(label=_("What is disputed"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ComplaintForm(forms.Form):
    complaint = forms.CharField(
        label=_("Complaint"), max_length=100, help_text=_("Its number, or a short description.")
    )
    note = forms.CharField(label=_("What the check found"), widget=forms.Textarea(attrs={"rows": 3}))


class EvaluationForm(forms.Form):
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=DATE)
    score = forms.IntegerField(label=_("Score (0–100)"))
    grade = forms.ChoiceField(label=_("Grade"), choices=SupplierGrade.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BanForm(forms.Form):
    decided_by = AgencyPickerField(Agency.objects.none(), label=_("Deciding finance bureau"))
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_uscc = forms.CharField(label=_("Supplier's Unified Social Credit Code"), max_length=18)
    document_number = forms.CharField(label=_("Decision number"), max_length=100)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    years = forms.TypedChoiceField(label=_("Ban (years)"), choices=[(1, "1"), (2, "2"), (3, "3")], coerce=int)
    starts_on = forms.DateField(label=_("Ban starts on"), widget=DATE)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decided_by"]
        assert isinstance(field, AgencyPickerField)
        field.queryset = entering_agencies(user)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DisclosureForm(forms.Form):
    agency = AgencyPickerField(Agency.objects.none(), label=_("Agency"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, AgencyPickerField)
        field.queryset = entering_agencies(user)
        self.fields["year"].initial = datetime.date.today().year - 1


class ContractFilter(forms.Form):
    """The contracts list's filters; a value it cannot read shows its error and no rows."""

    q = forms.CharField(label=_("Number or supplier"), max_length=100, required=False)
    agency = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    supplier_size = forms.ChoiceField(
        label=_("Supplier's size"), choices=[("", _("Any")), *EnterpriseSize.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Payments"),
        choices=[("", _("Any")), *[(s.value, s.label) for s in ObligationStatus]],
        required=False,
    )
    year = forms.IntegerField(label=_("Signed in"), min_value=2000, max_value=2100, required=False)


class LedgerFilter(forms.Form):
    agency = forms.IntegerField(required=False, min_value=1)
    own = forms.BooleanField(required=False)
