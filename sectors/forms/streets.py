"""Forms of the honest street and town pages: they parse input; sectors.services.streets judges it."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Sector, User
from accounts.scope import entering_agency_q, sector_data_q
from sectors.models.streets import CreationChecklist, CreationStatus, CriterionKind
from sectors.services.streets import STREET_KINDS, AnswerInput
from subjects.models import Agency


def applying_agencies(user: User) -> QuerySet[Agency]:
    """The sub-districts and towns `user` may apply for."""
    return (
        Agency.objects.filter(kind__in=STREET_KINDS, active=True)
        .filter(entering_agency_q(user))
        .filter(sector_data_q(user, Sector.STREETS_TOWNS, field=""))
        .order_by("name")
    )


class CreationFilterForm(forms.Form):
    q = forms.CharField(label=_("Sub-district or town"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *CreationStatus.choices], required=False)


class ApplicationForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Sub-district or town"), queryset=Agency.objects.none(), required=False)
    self_evaluation = forms.CharField(
        label=_("Self-evaluation"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def __init__(self, *args: Any, user: User, checklist: CreationChecklist, resubmit: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = list(checklist.criteria.filter(kind=CriterionKind.MANUAL))
        if resubmit:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = applying_agencies(user)  # type: ignore[attr-defined]
        for criterion in self.criteria:
            code = criterion.code
            self.fields[f"met_{code}"] = forms.BooleanField(label=f"{code} {criterion.text}", required=False)
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("How it is met"), widget=forms.Textarea(attrs={"rows": 2}), required=False
            )
            self.fields[f"file_{code}"] = forms.FileField(label=_("Evidence file"), required=False)

    def answers(self) -> dict[str, AnswerInput]:
        data = self.cleaned_data
        return {
            c.code: AnswerInput(
                met=bool(data.get(f"met_{c.code}")),
                note=data.get(f"note_{c.code}") or "",
                files=[data[f"file_{c.code}"]] if data.get(f"file_{c.code}") else [],
            )
            for c in self.criteria
        }

    def criterion_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"met_{c.code}"], self[f"note_{c.code}"], self[f"file_{c.code}"]) for c in self.criteria]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        for message in messages:
            target = name if name in form.fields else None
            if name.startswith("answer_") and f"note_{name[7:]}" in form.fields:
                target = f"note_{name[7:]}"
            form.add_error(target, message)
