"""Forms of the work ledger pages: they parse input; supervision.services.ledger judges it."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from subjects.models import Agency
from supervision.forms.inspections import DATE, regions_run_by
from supervision.models.ledger import LedgerAssignment, LedgerStatus
from supervision.services.ledger import SETTABLE


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Unit"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    group = forms.CharField(label=_("Measure group"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *LedgerStatus.choices], required=False)


class ImportForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Agency.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    file = forms.FileField(label=_("Excel workbook (.xlsx)"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_run_by(user)  # type: ignore[attr-defined]


SETTABLE_CHOICES = [(s, LedgerStatus(s).label) for s in SETTABLE]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *SETTABLE_CHOICES], required=False)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = forms.FileField(label=_("Evidence file"), required=False)


class ResultForm(forms.Form):
    mid_year_result = forms.CharField(label=_("Mid-year result"), required=False, max_length=200)
    year_end_result = forms.CharField(label=_("Year-end result"), required=False, max_length=200)


class BulkStatusForm(forms.Form):
    assignments = forms.ModelMultipleChoiceField(
        label=_("Tasks"), queryset=LedgerAssignment.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *SETTABLE_CHOICES], required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, rows: QuerySet[LedgerAssignment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignments"].queryset = rows  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    """One ledger task typed in, in the annex's columns: the service reads the units out of the responsibility text
    as the import does."""

    region = forms.ModelChoiceField(label=_("Region"), queryset=Agency.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    number = forms.IntegerField(label=_("Number"), required=False, min_value=1)
    group = forms.CharField(label=_("Measure group"), required=False, max_length=200)
    content = forms.CharField(label=_("Task"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsibility = forms.CharField(
        label=_("Responsible units"),
        required=False,
        max_length=500,
        help_text=_("Lead unit first, then the participating units, separated by 、 as in the ledger."),
    )
    schedule_text = forms.CharField(
        label=_("Schedule"), required=False, max_length=200, help_text=_("持续实施, or a date such as 2026年12月底前.")
    )
    check_plan = forms.CharField(label=_("Check plan"), required=False, max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_run_by(user)  # type: ignore[attr-defined]
