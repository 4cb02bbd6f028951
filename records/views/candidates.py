"""A candidate record on its page: the agency explains the breach in writing, the credit office dismisses it with a
reason (records/services/candidates.py). Both are forms on the record page; a refused one is shown there again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from kernel.errors import DomainError, NotAllowed
from records.forms import ExplanationForm, ReasonForm
from records.services.candidates import record_candidate_dismiss, record_candidate_explain
from records.views.dishonesty import _form_error, _refused, _render_detail, _visible_record


@login_required
@require_POST
def record_explain(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    form = ExplanationForm(request.POST, auto_id="explain-%s")
    if not form.is_valid():
        return _render_detail(request, record, bound={"explain": form})
    try:
        record_candidate_explain(actor=request.user, record=record, explanation=form.cleaned_data["explanation"])
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if _form_error(form, exc):
            return _render_detail(request, record, bound={"explain": form})
        return _refused(request, record, exc)
    messages.success(request, _("Your explanation was recorded."))
    return redirect(f"{reverse('records:record_detail', args=[record.pk])}#candidate")


@login_required
@require_POST
def record_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    form = ReasonForm(request.POST, auto_id="dismiss-%s")
    if not form.is_valid():
        return _render_detail(request, record, bound={"dismiss": form})
    try:
        record_candidate_dismiss(actor=request.user, record=record, reason=form.cleaned_data["reason"])
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        if _form_error(form, exc):
            return _render_detail(request, record, bound={"dismiss": form})
        return _refused(request, record, exc)
    messages.success(request, _("The candidate record was dismissed."))
    return redirect("records:record_detail", pk=record.pk)
