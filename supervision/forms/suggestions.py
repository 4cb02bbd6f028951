"""Forms of the NPC suggestion pages: they parse input; supervision.services.suggestions judges it."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import agency_q, entering_agency_q
from subjects.models import Agency
from supervision.models.suggestions import ReplyClass, Satisfaction, SuggestionKind, SuggestionStatus
from supervision.services.suggestions import ReplyInput, SuggestionInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DATE, **kwargs)


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Adds the service's messages to the form, except on a field the form already refused (one message each)."""
    for name, messages in errors.items():
        target = name if name in form.fields else None
        if target is not None and target in form.errors:
            continue
        for message in messages:
            form.add_error(target, message)


def lead_units(user: User) -> QuerySet[Agency]:
    """The units `user` may enter suggestions for."""
    return Agency.objects.filter(active=True).filter(entering_agency_q(user)).order_by("path")


class SuggestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, title or deputy"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *SuggestionKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *SuggestionStatus.choices], required=False)
    state = forms.ChoiceField(
        label=_("Needs attention"),
        choices=[
            ("", "—"),
            ("open", _("Being handled")),
            ("overdue", _("Overdue")),
            ("unsatisfied", _("Unsatisfied")),
            ("attention", _("Overdue or unsatisfied")),
        ],
        required=False,
    )
    reply_class = forms.ChoiceField(label=_("Reply class"), choices=[("", "—"), *ReplyClass.choices], required=False)
    unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Agency.objects.none(), required=False)
    session = forms.CharField(label=_("Session"), required=False, max_length=100)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Agency.objects.filter(agency_q(user)).order_by("path")  # type: ignore[attr-defined]


class SuggestionForm(forms.Form):
    number = forms.CharField(label=_("Number"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *SuggestionKind.choices], required=False)
    session = forms.CharField(label=_("Session"), required=False, max_length=100)
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    deputy = forms.CharField(label=_("Deputy or member"), required=False, max_length=100)
    deputy_contact = forms.CharField(
        label=_("Deputy's contact"),
        required=False,
        max_length=100,
        help_text=_("For the consultation only; never published."),
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Agency.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=Agency.objects.none(), required=False
    )
    assigned_on = _date(_("Assigned on"))
    due_on = _date(_("Reply due"), help_text=_("Empty: three calendar months after the assignment."))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = lead_units(user)  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = Agency.objects.filter(active=True).order_by("path")  # type: ignore[attr-defined]

    def to_input(self) -> SuggestionInput:
        data = getattr(self, "cleaned_data", {})
        return SuggestionInput(
            number=data.get("number") or "",
            kind=data.get("kind") or "",
            session=data.get("session") or "",
            title=data.get("title") or "",
            content=data.get("content") or "",
            deputy=data.get("deputy") or "",
            deputy_contact=data.get("deputy_contact") or "",
            lead_unit=data.get("lead_unit"),
            co_units=list(data.get("co_units") or []),
            assigned_on=data.get("assigned_on"),
            due_on=data.get("due_on"),
        )


class ExtendForm(forms.Form):
    approval = forms.CharField(
        label=_("Approval of the extension"),
        required=False,
        max_length=200,
        help_text=_("The approving office and its document, such as 市政府办公室 2026-05-10 批复."),
    )


class ConsultForm(forms.Form):
    held_on = _date(_("Consultation held on"))
    note = forms.CharField(label=_("Consultation"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReplyForm(forms.Form):
    reply_class = forms.ChoiceField(label=_("Reply class"), choices=[("", "—"), *ReplyClass.choices], required=False)
    replied_on = _date(_("Replied on"))
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    summary = forms.CharField(
        label=_("Reply summary"),
        required=False,
        max_length=500,
        help_text=_("Published with the handling result; empty: the beginning of the reply."),
    )
    file = forms.FileField(label=_("Reply file"), required=False)
    promised_due_on = _date(
        _("Promised solution date"), help_text=_("Class B: the date by which it is solved; it becomes a commitment.")
    )

    def to_input(self) -> ReplyInput:
        data = getattr(self, "cleaned_data", {})
        return ReplyInput(
            reply_class=data.get("reply_class") or "",
            replied_on=data.get("replied_on"),
            text=data.get("text") or "",
            summary=data.get("summary") or "",
            file=data.get("file") or None,
            promised_due_on=data.get("promised_due_on"),
        )


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—"), *Satisfaction.choices], required=False
    )
    feedback_on = _date(_("Opinion received on"))
    rehandle_due_on = _date(
        _("Re-handling due"), help_text=_("Unsatisfied: the new due date, one to three months after the opinion.")
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file"), required=False)
