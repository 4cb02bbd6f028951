"""Filters and the import form of the 12345 tickets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models.hotline import Satisfaction, TicketType

ON_TIME_CHOICES = [("", _("All")), ("on_time", _("Closed on time")), ("late", _("Closed late")), ("open", _("Open"))]


class HotlineFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or unit"), max_length=100, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("All types")), *TicketType.choices], required=False)
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", _("All")), *Satisfaction.choices], required=False
    )
    closing = forms.ChoiceField(label=_("Closing"), choices=ON_TIME_CHOICES, required=False)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class HotlineImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
