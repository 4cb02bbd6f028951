"""Forms of the PPP staff pages: they read the input; the rules are the services' (sectors.services.ppp)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Sector
from accounts.scope import agency_q, people_q, sector_data_q
from sectors.models.ppp import PppIndustry, PppMode, PppPaymentKind, PppRegime, PppReturn, PppStage
from sectors.services.ppp import PppProjectInput
from subjects.models import Agency, CivilServant

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
INPUT_FIELDS = [
    "agency",
    "name",
    "code",
    "industry",
    "mode",
    "return_mechanism",
    "regime",
    "term_years",
    "total_investment",
    "identification_on",
    "partner_name",
    "partner_uscc",
    "company_name",
    "company_uscc",
    "contract_signed_on",
    "contract_summary",
]


def ppp_entering_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies the user may enter PPP projects for (accounts.scope.may_enter_sector_data as a queryset)."""
    from accounts.models import Role
    from accounts.scope import entering_agency_q

    if getattr(user, "role", None) == Role.SECTOR_AUTHORITY:
        if user.sector != Sector.PPP:  # type: ignore[union-attr]
            return Agency.objects.none()
        return Agency.objects.filter(agency_q(user)).active()
    return Agency.objects.filter(entering_agency_q(user)).active()


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class ProjectForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Implementing agency"), queryset=Agency.objects.none())
    name = forms.CharField(label=_("Project name"), max_length=200, required=False)
    code = forms.CharField(
        label=_("Code"), max_length=40, required=False, help_text=_("Left empty, the system gives one.")
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—"), *PppIndustry.choices], required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", "—"), *PppMode.choices], required=False)
    return_mechanism = forms.ChoiceField(
        label=_("Return mechanism"), choices=[("", "—"), *PppReturn.choices], required=False
    )
    regime = forms.ChoiceField(label=_("Regime"), choices=[("", "—"), *PppRegime.choices], required=False)
    term_years = forms.IntegerField(label=_("Term (years)"), required=False)
    total_investment = forms.DecimalField(label=_("Total investment (10,000 yuan)"), required=False)
    identification_on = forms.DateField(label=_("Identified on"), required=False, widget=DATE)
    partner_name = forms.CharField(label=_("Private partner"), max_length=200, required=False)
    partner_uscc = forms.CharField(label=_("Private partner's code"), max_length=18, required=False)
    company_name = forms.CharField(label=_("Project company"), max_length=200, required=False)
    company_uscc = forms.CharField(label=_("Project company's code"), max_length=18, required=False)
    contract_signed_on = forms.DateField(label=_("Contract signed on"), required=False, widget=DATE)
    contract_summary = forms.CharField(label=_("Contract summary"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = ppp_entering_agencies(user)  # type: ignore[attr-defined]

    def to_input(self) -> PppProjectInput:
        values = {name: self.cleaned_data.get(name) for name in INPUT_FIELDS}
        for name in (
            "name",
            "code",
            "partner_name",
            "partner_uscc",
            "company_name",
            "company_uscc",
            "contract_summary",
        ):
            values[name] = values[name] or ""
        return PppProjectInput(**values)  # type: ignore[arg-type]  # the services' rules refuse what is missing


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Next stage"), choices=PppStage.choices)
    on = forms.DateField(label=_("Began on"), widget=DATE)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)


class HandoverForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=PppStage.choices)
    agency = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Agency.objects.none())
    person = forms.ModelChoiceField(label=_("Responsible civil servant"), queryset=CivilServant.objects.none())
    on = forms.DateField(label=_("Held from"), widget=DATE)
    duties = forms.CharField(label=_("Duties"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Handover note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the stage passes from one person to another."),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.visible_to(user).active()  # type: ignore[attr-defined]
        # Whoever may enter PPP data for an agency names its civil servants as stage holders (names only, never their
        # files): the PPP authority does not otherwise read people.
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            CivilServant.objects.filter(people_q(user) | sector_data_q(user, Sector.PPP))
            .filter(active=True)
            .select_related("agency")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.agency.name}）"  # type: ignore[attr-defined]


class ConsultantForm(forms.Form):
    name = forms.CharField(label=_("Consultant"), max_length=200, required=False)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)
    uscc = forms.CharField(label=_("Unified Social Credit Code"), max_length=18, required=False)


class PaymentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PppPaymentKind.choices)
    amount_due = forms.DecimalField(label=_("Amount due (10,000 yuan)"))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class PayForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid (10,000 yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)


class BreachForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date of the breach"), widget=DATE)
    facts = forms.CharField(label=_("What the government side failed to do"), widget=forms.Textarea(attrs={"rows": 3}))


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    stage = forms.MultipleChoiceField(
        label=_("Stage"), choices=PppStage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", _("All")), *PppMode.choices], required=False)
    regime = forms.ChoiceField(label=_("Regime"), choices=[("", _("All")), *PppRegime.choices], required=False)
    late = forms.BooleanField(label=_("With late payments only"), required=False)
