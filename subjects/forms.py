"""Input forms of the pages about credit subjects: agencies, civil servants and their integrity files. They check
shape only (required, type, length); the services own every rule."""

from typing import Any, TypedDict

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import entering_agency_q
from subjects.agency_picker import AgencyPickerField
from subjects.models import Agency, AssessmentResult


# A four-digit year: a shape, not a rule (which years may be recorded is for the services to say).
class _Bounds(TypedDict):
    min_value: int
    max_value: int


YEAR_BOUNDS: _Bounds = {"min_value": 1000, "max_value": 9999}


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page: an ID number leaves the server only once,
    in the inspector's reveal response (docs/domain.md §2), so a form shown again after an error asks for it again."""

    def format_value(self, value: Any) -> str | None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def pick_from(form: forms.Form, name: str, agencies: QuerySet[Agency]) -> None:
    """Gives the form's agency picker the agencies it may resolve to (the user's scope)."""
    field = form.fields[name]
    assert isinstance(field, AgencyPickerField)
    field.queryset = agencies


class PeopleFilterForm(forms.Form):
    ACTIVE_CHOICES = [("", _("Active only")), ("inactive", _("Inactive only")), ("all", _("All"))]

    q = forms.CharField(label=_("Name contains"), required=False, max_length=50)
    agency = AgencyPickerField(
        Agency.objects.none(),
        label=_("Agency"),
        required=False,
        help_text=_("Type part of the name or the code; empty for all agencies."),
    )
    subtree = forms.BooleanField(label=_("Include the units below it"), required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self, "agency", Agency.objects.visible_to(user))


class IdNumberLookupForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_("18 characters. The number is not kept in the address bar or in any log."),
    )


class RevealIdNumberForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("For the access log, e.g. the recruitment or promotion review this is for."),
        error_messages={"required": _("Say why you need the full number: the access log records it.")},
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    rank = forms.CharField(label=_("Rank"), max_length=50, required=False)
    is_principal = forms.BooleanField(label=_("Principal responsible person"), required=False)


class PersonCreateForm(PersonForm):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    field_order = ["name", "id_number", "position", "rank", "is_principal"]


class MoveForm(forms.Form):
    to_agency = AgencyPickerField(
        Agency.objects.none(), label=_("New agency"), help_text=_("Type part of the name or the code.")
    )
    moved_on = forms.DateField(label=_("Date of move"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self, "to_agency", Agency.objects.visible_to(user))


class AssessmentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), **YEAR_BOUNDS)
    result = forms.ChoiceField(label=_("Result"), choices=AssessmentResult.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    organizer = forms.CharField(label=_("Organizer"), max_length=200, required=False)
    attended_on = forms.DateField(label=_("Date attended"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)


class MattersReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), **YEAR_BOUNDS)
    reported_on = forms.DateField(label=_("Date reported"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))


def entering_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies `user` may enter records for (accounts.scope.entering_agency_q)."""
    return Agency.objects.only("pk", "name", "path", "active").filter(entering_agency_q(user))
