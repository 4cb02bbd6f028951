"""Forms of the debt staff pages: they read the input; the rules are the services' (sectors.services.debt)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, Sector
from accounts.scope import agency_q, entering_agency_q
from sectors.models.debt import DebtBond, DebtDisclosureDeadline, DebtKind, RepaymentKind
from subjects.models import Agency, AgencyKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def debt_regions_for(user: AnyUser) -> QuerySet[Agency]:
    """The regions' governments the user may enter debt figures for (may_enter_sector_data as a queryset)."""
    if getattr(user, "role", None) == Role.SECTOR_AUTHORITY:
        if user.sector != Sector.DEBT:  # type: ignore[union-attr]
            return Agency.objects.none()
        base = Agency.objects.filter(agency_q(user))
    else:
        base = Agency.objects.filter(entering_agency_q(user))
    return base.active().filter(kind=AgencyKind.GOVERNMENT).order_by("path")


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, required=False)


class YearForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region's government"), queryset=Agency.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    limit_general = _amount(_("General debt limit (10,000 yuan)"))
    limit_special = _amount(_("Special debt limit (10,000 yuan)"))
    balance_general = _amount(_("General debt balance (10,000 yuan)"))
    balance_special = _amount(_("Special debt balance (10,000 yuan)"))
    fiscal_capacity = _amount(_("Comprehensive fiscal capacity (10,000 yuan)"))

    def __init__(self, *args: Any, user: AnyUser, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = debt_regions_for(user)  # type: ignore[attr-defined]
        if fixed:  # editing one region's year: which region and year stays as it is
            self.fields["region"].disabled = True
            self.fields["year"].disabled = True


class BondForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region's government"), queryset=Agency.objects.none())
    code = forms.CharField(label=_("Bond code"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *DebtKind.choices], required=False)
    amount = _amount(_("Amount (10,000 yuan)"))
    issued_on = forms.DateField(label=_("Issue date"), widget=DATE, required=False)
    term_years = forms.IntegerField(label=_("Term (years)"), required=False)
    rate = forms.DecimalField(label=_("Coupon rate (%)"), max_digits=6, decimal_places=4, required=False)
    use_of_funds = forms.CharField(label=_("Use of funds"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    project = forms.CharField(label=_("Project (special bonds)"), max_length=200, required=False)
    revenue_plan = forms.CharField(
        label=_("Revenue and balance plan (special bonds)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = debt_regions_for(user)  # type: ignore[attr-defined]


class RepaymentForm(forms.Form):
    bond = forms.ModelChoiceField(label=_("Bond"), queryset=DebtBond.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *RepaymentKind.choices], required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)
    amount_due = _amount(_("Amount due (10,000 yuan)"))
    paid_amount = _amount(_("Paid (10,000 yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, required=False)
    defaulted = forms.BooleanField(label=_("Default recorded"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bond"].queryset = DebtBond.objects.filter(  # type: ignore[attr-defined]
            region__in=debt_regions_for(user)
        ).order_by("code")


class PayForm(forms.Form):
    paid_amount = forms.DecimalField(
        label=_("Paid in all to date (10,000 yuan)"),
        max_digits=16,
        decimal_places=2,
        help_text=_("The total paid so far, this payment included: it replaces the amount recorded before."),
    )
    paid_on = forms.DateField(label=_("Date of the payment"), widget=DATE)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class DisclosureForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region's government"), queryset=Agency.objects.none())
    deadline = forms.ModelChoiceField(label=_("Disclosure"), queryset=DebtDisclosureDeadline.objects.all())
    disclosed_on = forms.DateField(label=_("Disclosed on"), widget=DATE)
    link = forms.URLField(label=_("Link"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = debt_regions_for(user)  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
