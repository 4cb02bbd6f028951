"""Forms of the tendering pages: they read what a person typed into the services' inputs; the rules and the
permission checks are the services' (sectors.services.tendering)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, Sector
from accounts.scope import sector_data_q
from sectors.models.tendering import CycleKind, PartyKind, SanctionKind, ThresholdBasis
from subjects.agency_picker import AgencyPickerField
from subjects.models import Agency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def tendering_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies whose tendering data `user` may enter (inspectors read only)."""
    if getattr(user, "role", None) == Role.INSPECTOR:
        return Agency.objects.none()
    return Agency.objects.filter(sector_data_q(user, Sector.TENDERING, ""))


class _AgencyForm(forms.Form):
    agency_field = "agency"

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.agency_field]
        assert isinstance(field, AgencyPickerField)
        field.queryset = tendering_agencies(user)


class BehaviourForm(_AgencyForm):
    agency_field = "decided_by"
    decided_by = AgencyPickerField(Agency.objects.none(), label=_("Deciding authority"))
    party_kind = forms.ChoiceField(label=_("Party kind"), choices=[("", "—"), *PartyKind.choices])
    party_name = forms.CharField(label=_("Party name"), max_length=200)
    party_uscc = forms.CharField(
        label=_("Unified Social Credit Code"), max_length=18, required=False, help_text=_("Not for experts.")
    )
    party_id_number = forms.CharField(
        label=_("ID number"), max_length=18, required=False, help_text=_("Experts only; shown masked.")
    )
    item_code = forms.CharField(label=_("Item code"), max_length=30)
    document_number = forms.CharField(label=_("Decision document"), max_length=100)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 3}))
    project_name = forms.CharField(label=_("Tender project"), max_length=200, required=False)


class ProjectFields(forms.Form):
    """A tender project's own fields: editing keeps its tenderer (ProjectEditForm), entering picks it (ProjectForm)."""

    code = forms.CharField(label=_("Project code"), max_length=60)
    name = forms.CharField(label=_("Project name"), max_length=200)
    agent_name = forms.CharField(label=_("Tendering agent"), max_length=200, required=False)
    agent_uscc = forms.CharField(label=_("Agent's Unified Social Credit Code"), max_length=18, required=False)
    announced_on = forms.DateField(label=_("Announced on"), widget=DATE)
    opened_on = forms.DateField(label=_("Bids opened on"), widget=DATE, required=False)
    awarded_on = forms.DateField(label=_("Award notice issued on"), widget=DATE, required=False)
    winner_name = forms.CharField(label=_("Winning bidder"), max_length=200, required=False)
    winner_uscc = forms.CharField(label=_("Winner's Unified Social Credit Code"), max_length=18, required=False)
    contract_signed_on = forms.DateField(label=_("Contract signed on"), widget=DATE, required=False)
    deposits_refunded_on = forms.DateField(label=_("Deposits refunded on (last)"), widget=DATE, required=False)


class ProjectForm(_AgencyForm, ProjectFields):
    agency = AgencyPickerField(Agency.objects.none(), label=_("Tenderer agency"))
    field_order = ["agency"]


class ProjectEditForm(ProjectFields):
    pass


# A new version of the scoring scheme: the scheme's own fields, then rows of items and of thresholds (formsets). The
# rows read loosely (a blank row is skipped); the service judges them all at once.


class SchemeForm(forms.Form):
    code = forms.CharField(label=_("Scheme code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    cycle = forms.ChoiceField(label=_("Scoring cycle"), choices=[("", "—"), *CycleKind.choices])
    effective_from = forms.DateField(
        label=_("Effective from"), widget=DATE, help_text=_("After the effective date of the latest version.")
    )
    basis = forms.CharField(label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ItemRowForm(forms.Form):
    party_kind = forms.ChoiceField(label=_("Party kind"), choices=[("", "—"), *PartyKind.choices], required=False)
    code = forms.CharField(label=_("Item code"), max_length=30, required=False)
    description = forms.CharField(label=_("Bad behaviour"), max_length=300, required=False)
    points = forms.IntegerField(label=_("Points"), required=False, widget=forms.NumberInput(attrs={"size": 4}))
    basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)

    def is_blank(self) -> bool:
        return not any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)


class ThresholdRowForm(forms.Form):
    party_kind = forms.ChoiceField(label=_("Party kind"), choices=[("", "—"), *PartyKind.choices], required=False)
    basis = forms.ChoiceField(label=_("Counted as"), choices=[("", "—"), *ThresholdBasis.choices], required=False)
    points = forms.IntegerField(label=_("Points reached"), required=False, widget=forms.NumberInput(attrs={"size": 4}))
    sanction = forms.ChoiceField(label=_("Sanction"), choices=[("", "—"), *SanctionKind.choices], required=False)
    months = forms.IntegerField(
        label=_("For months"), required=False, min_value=0, widget=forms.NumberInput(attrs={"size": 4})
    )

    def is_blank(self) -> bool:
        return not any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)


ItemFormSet = forms.formset_factory(ItemRowForm, extra=3)
ThresholdFormSet = forms.formset_factory(ThresholdRowForm, extra=2)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), widget=forms.Textarea(attrs={"rows": 2}))


class FactsForm(forms.Form):
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 3}))
