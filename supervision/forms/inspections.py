"""Forms of the inspection pages: they parse input; supervision.services.inspections judges it."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import agency_q
from subjects.models import Agency
from supervision.models.inspections import FindingSeverity, InspectionKind, RectificationStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def regions_run_by(user: User) -> QuerySet[Agency]:
    """The regions `user` may inspect: the credit office's own region and below; everything for administrators."""
    if user.is_administrator:
        return Agency.objects.filter(active=True).order_by("path")
    if user.role != Role.CREDIT_OFFICE:
        return Agency.objects.none()
    return Agency.objects.filter(agency_q(user)).filter(active=True).order_by("path")


class InspectionFilterForm(forms.Form):
    q = forms.CharField(label=_("Unit"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *RectificationStatus.choices], required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class InspectionForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Inspected region"), queryset=Agency.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *InspectionKind.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    inspecting_body = forms.CharField(label=_("Inspecting body"), required=False, max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_run_by(user)  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Unit"), queryset=Agency.objects.none(), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *FindingSeverity.choices], required=False)
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    item_text = forms.CharField(
        label=_("Rectification required"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    item_due_on = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, region: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.subtree_of(region).filter(active=True).order_by("path")
        )


class ItemForm(forms.Form):
    text = forms.CharField(label=_("Rectification required"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    due_on = forms.DateField(label=_("Deadline"), required=False, widget=DATE)


class SubmitForm(forms.Form):
    report = forms.CharField(label=_("Rectification report"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    file = forms.FileField(label=_("Evidence file"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResultForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Unit"), queryset=Agency.objects.none(), required=False)
    score = forms.DecimalField(label=_("Score"), required=False, max_digits=5, decimal_places=1)
    grade = forms.CharField(label=_("Grade"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, region: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.subtree_of(region).filter(active=True).order_by("path")
        )


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
