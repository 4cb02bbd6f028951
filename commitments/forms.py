"""Input forms of the commitment pages. They read shape only (a date, a number, one of the choices); every rule is
commitments.rules (the entry form holds what it could read to `commitment_problems`, so every error shows at once in
the same words as the API's and the Excel import's) or the services (progress, outcome, lawful change)."""

import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from commitments import rules
from commitments.models import (
    OPEN_STATUSES,
    ChangeGround,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    ServiceArea,
)
from commitments.services import CommitmentInput, LawfulChange
from records.forms import PICKER_HELP, PersonChoiceField
from subjects.agency_picker import AgencyPickerField
from subjects.forms import DateInput, entering_agencies, pick_from
from subjects.models import Agency, CivilServant
from subjects.search import query_grams

DUE_SOON_DAYS = 30


def _text(label: Any, name: str, *, rows: int | None = None, **kwargs: Any) -> forms.CharField:
    """A text the rules limit: the browser stops at the limit, the rules say so in their words if it does not."""
    attrs = {"maxlength": str(rules.LIMITS[name])} if name in rules.LIMITS else {}
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, widget=widget, **kwargs)


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, localize=False, error_messages={"invalid": rules.OTHER["amount"]}
    )


# Entry -------------------------------------------------------------------------------------------------------------


class CommitmentForm(forms.Form):
    """What a clerk types for a commitment; `to_input()` builds the services' CommitmentInput. Nothing is required
    here: the rules say what is missing, beside every other problem."""

    agency = AgencyPickerField(
        Agency.objects.none(), within="enter", label=_("Promising agency"), required=False, help_text=PICKER_HELP
    )
    responsible_person = PersonChoiceField(people=[], label=_("Responsible person"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *CommitmentKind.choices],
        required=False,
        error_messages={"invalid_choice": rules.NOT_A_CHOICE["kind"]},
    )
    service_area = forms.ChoiceField(
        label=_("Service area"),
        choices=[("", "—"), *ServiceArea.choices],
        required=False,
        help_text=_("Only for a sub-district or town public-service commitment."),
        error_messages={"invalid_choice": rules.NOT_A_CHOICE["service_area"]},
    )
    title = _text(_("Title"), "title")
    content = _text(_("What is promised"), "content", rows=4)
    baseline = _amount(_("Baseline"))
    target_value = _amount(_("Target value"))
    unit = _text(_("Unit"), "unit")
    recurring_standard = _text(
        _("Recurring standard"),
        "recurring_standard",
        help_text=_("Instead of a target value, for example: at most 5 working days a case."),
    )
    source_document_number = _text(_("Source document number"), "source_document_number")
    source_date = _date(_("Source document date"))
    source_url = _text(_("Source link"), "source_url")
    counterparty_name = _text(_("Counterparty"), "counterparty_name")
    counterparty_uscc = forms.CharField(
        label=_("Counterparty's code"), required=False, widget=forms.TextInput(attrs={"maxlength": "18"})
    )
    promised_on = _date(_("Promised on"))
    due_on = _date(_("Due on"))
    year = forms.IntegerField(label=_("Year"), required=False, error_messages={"invalid": rules.OTHER["year_range"]})
    liability = _text(_("Liability for breaking it"), "liability", rows=3)
    code = forms.CharField(
        label=_("Commitment code"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": "40"}),
        help_text=_("Leave empty to have one given."),
    )

    def __init__(self, *args: Any, user: AnyUser, people: list[CivilServant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self, "agency", entering_agencies(user))
        self.fields["responsible_person"] = PersonChoiceField(
            people=people, label=self.fields["responsible_person"].label, required=False
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        # Every rule the readable values break, beside the fields' own errors (a field that could not be read is
        # left to its own message).
        values = {
            name: self.cleaned_data[name] for name in CommitmentInput.__dataclass_fields__ if name in self.cleaned_data
        }
        for problem in rules.commitment_problems(values):
            name = problem.field if problem.field in self.fields else None
            if name is None or name not in self.errors or problem.message not in self.errors[name]:
                self.add_error(name, problem.message)
        return self.cleaned_data

    def to_input(self) -> CommitmentInput:
        data = self.cleaned_data
        return CommitmentInput(
            agency=data["agency"],
            responsible_person=data["responsible_person"],
            kind=data["kind"],
            service_area=data["service_area"],
            title=data["title"],
            content=data["content"],
            baseline=data["baseline"],
            target_value=data["target_value"],
            unit=data["unit"],
            recurring_standard=data["recurring_standard"],
            source_document_number=data["source_document_number"],
            source_date=data["source_date"],
            source_url=data["source_url"],
            counterparty_name=data["counterparty_name"],
            counterparty_uscc=data["counterparty_uscc"],
            promised_on=data["promised_on"],
            due_on=data["due_on"],
            liability=data["liability"],
            year=data["year"],
            code=data["code"],
        )

    @staticmethod
    def initial_for(commitment: Commitment) -> dict[str, Any]:
        names = [name for name in CommitmentInput.__dataclass_fields__ if name not in ("agency", "responsible_person")]
        initial = {name: getattr(commitment, name) for name in names}
        initial.update(agency=commitment.agency_id, responsible_person=commitment.responsible_person_id)
        return initial

    @staticmethod
    def initial_from(data: Any) -> dict[str, Any]:
        """What a posted form held, shown again unsaved and unchecked (after "show this agency's people")."""
        return {name: data.get(name) for name in CommitmentForm.base_fields if name in data}


# Progress, outcome, lawful change ----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (commitments.services.commitment_report_progress)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.ofd,.png,.jpg,.jpeg"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class ProgressForm(forms.Form):
    reported_on = _date(_("Report date"))
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "max": "100"}),
        error_messages={"invalid": _("Give a percentage from 0 to 100.")},
    )
    narrative = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # Not "files": a form's `files` are the uploads it was given.
    evidence = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        allow_empty_file=True,  # the service says why an empty file is refused
        max_length=255,
        help_text=_("PDF, OFD, PNG or JPEG, at most 20 MB each; choose several at once if needed."),
    )


OUTCOME_CHOICES = [
    (CommitmentStatus.KEPT, CommitmentStatus.KEPT.label),
    (CommitmentStatus.PARTLY_KEPT, CommitmentStatus.PARTLY_KEPT.label),
    (CommitmentStatus.BROKEN, CommitmentStatus.BROKEN.label),
]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=OUTCOME_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose kept, partly kept or broken.")},
    )
    reason = forms.CharField(
        label=_("Grounds and evidence"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A broken commitment proposes a candidate dishonesty record that its agency must explain."),
    )


class RuleChoiceField(forms.ChoiceField):
    """A choice whose unknown values the rules refuse in their own words (commitments.rules.change_problems)."""

    def valid_value(self, value: Any) -> bool:
        return True


class ChangeForm(forms.Form):
    ground = RuleChoiceField(
        label=_("Legal ground"),
        choices=[("", "—"), *ChangeGround.choices],
        required=False,
        help_text=_("A change of government, of the responsible person or of the institution is not a ground."),
    )
    authority = forms.CharField(
        label=_("Deciding authority"), required=False, widget=forms.TextInput(attrs={"maxlength": "200"})
    )
    description = forms.CharField(label=_("What was changed"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    legality_review_on = _date(_("Legality review on"))
    collective_decision_on = _date(_("Collective decision on"))
    published_on = _date(_("Change published on"))
    counterparty_notified_on = _date(_("Counterparty notified on"))
    compensation_amount = forms.DecimalField(
        label=_("Compensation paid (yuan)"), required=False, localize=False, decimal_places=2, max_digits=16
    )

    def to_change(self) -> LawfulChange:
        data = self.cleaned_data
        return LawfulChange(
            ground=data["ground"],
            authority=data["authority"],
            description=data["description"],
            legality_review_on=data["legality_review_on"],
            collective_decision_on=data["collective_decision_on"],
            published_on=data["published_on"],
            counterparty_notified_on=data["counterparty_notified_on"],
            compensation_amount=data["compensation_amount"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# The list ----------------------------------------------------------------------------------------------------------

DUE_CHOICES = [("", _("Any due date")), ("overdue", _("Overdue")), ("soon", _("Due within 30 days"))]


class CommitmentFilterForm(forms.Form):
    """The list's filters; `apply` narrows a queryset already in the user's scope."""

    q = forms.CharField(label=_("Title or code"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.MultipleChoiceField(
        label=_("Kind"), choices=CommitmentKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=CommitmentStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    due = forms.ChoiceField(label=_("Due"), choices=DUE_CHOICES, required=False)
    subtree_of = AgencyPickerField(
        Agency.objects.none(),
        as_id=True,
        required=False,
        label=_("Agency and the units below it"),
        help_text=_("Type part of the name or the code; empty for all agencies."),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self, "subtree_of", Agency.objects.visible_to(user))
        self.fields["q"].widget.input_type = "search"

    def apply(
        self, queryset: QuerySet[Commitment], *, today: datetime.date, statuses: bool = True
    ) -> QuerySet[Commitment]:
        """The filtered rows (`statuses=False`: every filter but the status, for the counts by status)."""
        data = self.cleaned_data
        text = (data.get("q") or "").strip()
        if text:
            queryset = queryset.filter(Q(search_grams__has_all=query_grams(text)) | Q(code__startswith=text))
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("kind"):
            queryset = queryset.filter(kind__in=data["kind"])
        if statuses and data.get("status"):
            queryset = queryset.filter(status__in=data["status"])
        if data.get("due") == "overdue":
            queryset = queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        elif data.get("due") == "soon":
            soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
            queryset = queryset.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=soon)
        root_id = data.get("subtree_of")
        if root_id is not None:
            root = Agency.objects.filter(pk=root_id).only("path").first()
            queryset = queryset.none() if root is None else queryset.filter(agency__path__startswith=root.path)
        return queryset


class CommitmentIdsField(forms.Field):
    """The ids of the commitments ticked in the list: whole numbers, each once, in the order given, at most `limit`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = list(dict.fromkeys(int(item) for item in values))
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("The selection could not be read."), code="invalid") from exc
        if not ids:
            raise forms.ValidationError(_("Tick at least one commitment."), code="required")
        if len(ids) > self.limit:
            raise forms.ValidationError(
                _("Tick at most %(limit)d commitments at a time.") % {"limit": self.limit}, code="too_many"
            )
        return ids


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the ticked commitments"),
        error_messages={"invalid_choice": _("Choose one of the steps offered to you.")},
    )
    ids = CommitmentIdsField(limit=100, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked these commitments and want the ones that can be published published."),
        required=False,
    )

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.data.get("step") == "confirm" and not self.cleaned_data.get("confirm"):
            self.add_error("confirm", forms.ValidationError(_("Tick the box to confirm."), code="required"))
        return self.cleaned_data
