"""Forms of the court case pages: they parse input; supervision.services.courts judges it."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import agency_q
from subjects.models import Agency
from supervision.forms.suggestions import _date, lead_units
from supervision.models.courts import CaseKind, CaseStatus, JudgmentResult, PartyRole
from supervision.services.courts import CaseInput, HearingInput, JudgmentInput

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case number, court or cause"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *CaseKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *CaseStatus.choices], required=False)
    state = forms.ChoiceField(
        label=_("Needs attention"),
        choices=[("", "—"), ("overdue", _("Judgment not performed by its deadline"))],
        required=False,
    )
    unit = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Agency.objects.filter(agency_q(user)).order_by("path")  # type: ignore[attr-defined]


class CaseForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=60)
    court = forms.CharField(label=_("Court"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *CaseKind.choices], required=False)
    agency = forms.ModelChoiceField(label=_("Agency that is a party"), queryset=Agency.objects.none(), required=False)
    party_role = forms.ChoiceField(label=_("Agency's role"), choices=[("", "—"), *PartyRole.choices], required=False)
    cause = forms.CharField(label=_("Cause of action"), required=False, max_length=200)
    counterparty = forms.CharField(label=_("Other party"), required=False, max_length=200)
    filing_notice_on = _date(_("Filing notice received on"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = lead_units(user)  # type: ignore[attr-defined]

    def to_input(self) -> CaseInput:
        data = getattr(self, "cleaned_data", {})
        return CaseInput(
            case_number=data.get("case_number") or "",
            court=data.get("court") or "",
            kind=data.get("kind") or "",
            agency=data.get("agency"),
            party_role=data.get("party_role") or "",
            cause=data.get("cause") or "",
            counterparty=data.get("counterparty") or "",
            filing_notice_on=data.get("filing_notice_on"),
        )


class HearingForm(forms.Form):
    held_on = _date(_("Hearing date"))
    head_appeared = forms.ChoiceField(label=_("Agency head appeared in court"), choices=YES_NO, required=False)
    head_name = forms.CharField(label=_("Who appeared"), required=False, max_length=100)
    absence_reason = forms.CharField(
        label=_("Reason for not appearing"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence = forms.FileField(label=_("Evidence of the reason"), required=False)

    def to_input(self) -> HearingInput:
        data = getattr(self, "cleaned_data", {})
        appeared = data.get("head_appeared") or ""
        return HearingInput(
            held_on=data.get("held_on"),
            head_appeared={"yes": True, "no": False}.get(appeared),
            head_name=data.get("head_name") or "",
            absence_reason=data.get("absence_reason") or "",
            evidence=data.get("evidence") or None,
        )


class JudicialSuggestionForm(forms.Form):
    received_on = _date(_("Received on"))
    content = forms.CharField(label=_("Judicial suggestion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AnswerForm(forms.Form):
    answered_on = _date(_("Answered on"))
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class JudgmentForm(forms.Form):
    judged_on = _date(_("Judgment date"))
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *JudgmentResult.choices], required=False)
    obligation = forms.CharField(
        label=_("Obligation imposed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    performance_due_on = _date(_("Performance deadline"))

    def to_input(self) -> JudgmentInput:
        data = getattr(self, "cleaned_data", {})
        return JudgmentInput(
            judged_on=data.get("judged_on"),
            result=data.get("result") or "",
            obligation=data.get("obligation") or "",
            performance_due_on=data.get("performance_due_on"),
        )


class PerformForm(forms.Form):
    performed_on = _date(_("Performed on"))
