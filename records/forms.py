"""Input forms of the staff pages. They check shape only (required, type, length); the services own every rule.

A field that a service can fault carries the name the service gives in `DomainError.field`, so the page shows the
service's message beside the right input.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from records.models import Agency, AssessmentResult

# A four-digit year: a shape, not a rule (which years may be recorded is for the services to say).
YEAR_BOUNDS: dict[str, int] = {"min_value": 1000, "max_value": 9999}


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page: an ID number leaves the server only once,
    in the inspector's reveal response (DOMAIN §2), so a form shown again after an error asks for it again."""

    def format_value(self, value: Any) -> str | None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AgencyChoiceField(forms.ModelChoiceField):
    """Agencies in tree order, indented by depth below the shallowest one offered."""

    def __init__(self, queryset: QuerySet[Agency], *, base_depth: int = 0, **kwargs: Any) -> None:
        super().__init__(queryset, **kwargs)
        self.base_depth = base_depth

    def label_from_instance(self, obj: Agency) -> str:
        label = "\u3000" * max(obj.depth - self.base_depth, 0) + obj.name
        return label if obj.active else f"{label} ({_('inactive')})"


def agency_choices_for(user: Any) -> tuple[QuerySet[Agency], int]:
    """The agencies a user may pick from (their scope), and the depth to indent from."""
    agencies = Agency.objects.visible_to(user).only("pk", "name", "path", "active")
    if user.is_administrator or user.agency_id is None:
        return agencies, 1
    return agencies, user.agency.depth


class PeopleFilterForm(forms.Form):
    ACTIVE_CHOICES = [("", _("Active only")), ("inactive", _("Inactive only")), ("all", _("All"))]

    q = forms.CharField(label=_("Name contains"), required=False, max_length=50)
    agency = AgencyChoiceField(Agency.objects.none(), label=_("Agency"), required=False, empty_label=_("All agencies"))
    subtree = forms.BooleanField(label=_("Include the units below it"), required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies, base_depth = agency_choices_for(user)
        field = self.fields["agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = agencies
        field.base_depth = base_depth


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
        required=False,
        help_text=_("For the access log, e.g. the recruitment or promotion review this is for."),
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
    to_agency = AgencyChoiceField(Agency.objects.none(), label=_("New agency"))
    moved_on = forms.DateField(label=_("Date of move"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies, base_depth = agency_choices_for(user)
        field = self.fields["to_agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = agencies
        field.base_depth = base_depth


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
