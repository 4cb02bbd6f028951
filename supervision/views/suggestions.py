"""Staff pages of NPC suggestions and CPPCC proposals: the list sorted by the due date of the handling in course with
its filters, a suggestion's page (the handling, the reply, the deputy's opinion, the linked commitment, the timeline)
with the buttons of each role, the entry form, the Excel template, import and export. A suggestion is fetched through
`Suggestion.objects.visible_to(user)`: outside it, 404. The services judge every write; a refused form shows every
error at once with the typed values kept."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from supervision.excel import suggestions as excel
from supervision.forms.suggestions import (
    ConsultForm,
    ExtendForm,
    FeedbackForm,
    ImportForm,
    ReplyForm,
    SuggestionFilterForm,
    SuggestionForm,
    apply_errors,
    lead_units,
)
from supervision.models.suggestions import (
    OPEN_SUGGESTION_STATUSES,
    UNSATISFIED_Q,
    Suggestion,
    SuggestionQuerySet,
    SuggestionStatus,
    overdue_q,
)
from supervision.services import suggestions as services

PAGE_SIZE = 50
SECTION = "supervision"


def filtered_suggestions(user: User, params: Any) -> tuple[SuggestionFilterForm, SuggestionQuerySet]:
    form = SuggestionFilterForm(params, user=user)
    rows = Suggestion.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        q = data["q"].strip()
        rows = rows.filter(Q(number__icontains=q) | Q(title__contains=q) | Q(deputy__contains=q))
    if data["kind"]:
        rows = rows.filter(kind=data["kind"])
    if data["status"]:
        rows = rows.filter(status=data["status"])
    if data["reply_class"]:
        rows = rows.filter(Q(rereply_class=data["reply_class"]) | Q(rereply_class="", reply_class=data["reply_class"]))
    if data["unit"]:
        rows = rows.filter(lead_unit=data["unit"])
    if data["session"]:
        rows = rows.filter(session__contains=data["session"].strip())
    today = timezone.localdate()
    state = data["state"]
    if state == "open":
        rows = rows.filter(status__in=OPEN_SUGGESTION_STATUSES)
    elif state == "overdue":
        rows = rows.filter(overdue_q(today))
    elif state == "unsatisfied":
        rows = rows.filter(UNSATISFIED_Q)
    elif state == "attention":
        rows = rows.filter(overdue_q(today) | UNSATISFIED_Q)
    return form, rows


@login_required
@require_GET
def suggestion_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_suggestions(request.user, request.GET)
    ordered = rows.with_current_due().select_related("lead_unit").order_by("current_due", "pk")
    page = Paginator(ordered, PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": SECTION,
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "export_query": params.urlencode(),
        "may_enter": lead_units(request.user).exists(),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/suggestions/list.html", context)


def _visible(user: User, pk: int) -> Suggestion:
    return get_object_or_404(
        Suggestion.objects.visible_to(user).select_related("lead_unit", "commitment", "created_by"),
        pk=pk,
    )


def _detail(request: AuthenticatedRequest, suggestion: Suggestion, status: int = 200, **forms_: Any) -> HttpResponse:
    user = request.user
    handling = services.may_handle(user, suggestion)
    today = timezone.localdate()
    context = {
        "section": SECTION,
        "suggestion": suggestion,
        "co_units": suggestion.co_units.order_by("path"),
        "events": suggestion.events.select_related("actor"),
        "today": today,
        "overdue": suggestion.is_overdue(today),
        "may_extend": suggestion.status == SuggestionStatus.ASSIGNED
        and not suggestion.extended
        and services.may_extend(user, suggestion),
        "may_consult": handling and suggestion.status in OPEN_SUGGESTION_STATUSES,
        "may_reply": handling and suggestion.status in OPEN_SUGGESTION_STATUSES,
        "may_feedback": handling and suggestion.status in (SuggestionStatus.REPLIED, SuggestionStatus.REREPLIED),
        "extend_form": forms_.get("extend_form") or ExtendForm(),
        "consult_form": forms_.get("consult_form") or ConsultForm(),
        "reply_form": forms_.get("reply_form") or ReplyForm(),
        "feedback_form": forms_.get("feedback_form") or FeedbackForm(),
    }
    return render(request, "supervision/suggestions/detail.html", context, status=status)


@login_required
@require_GET
def suggestion_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request.user, pk))


def run_form(
    form: forms.Form, run: Callable[[], object], check: Callable[[], dict[str, list[str]]] | None = None
) -> bool:
    """Validates `form` and runs the service; False with every error on the form (the form's own and the
    service's) when either refuses. `check` gives the service's problems of what the form could read when the form
    itself refused, so that they show at once too."""
    valid = form.is_valid()
    if not valid:
        if check is not None:
            apply_errors(form, check())
        return False
    try:
        run()
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request: AuthenticatedRequest) -> HttpResponse:
    if not lead_units(request.user).exists():
        raise PermissionDenied(_("You may not enter suggestions and proposals."))
    form = SuggestionForm(request.POST or None, user=request.user)
    if request.method == "POST":
        created: list[Suggestion] = []
        if run_form(
            form,
            lambda: created.append(services.suggestion_create(actor=request.user, data=form.to_input())),
            lambda: services.suggestion_problems(form.to_input()),
        ):
            messages.success(request, _("The suggestion is entered."))
            return redirect("supervision:suggestion_detail", created[0].pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/suggestions/form.html", {"section": SECTION, "form": form}, status=status)


STEPS = ("extend", "consult", "reply", "feedback")


@login_required
@require_POST
def suggestion_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponseBase:
    suggestion = _visible(request.user, pk)
    user = request.user
    form: forms.Form
    if step == "extend":
        form = ExtendForm(request.POST)
        done = run_form(
            form,
            lambda: services.suggestion_extend(
                actor=user, suggestion=suggestion, approval=form.cleaned_data.get("approval") or ""
            ),
        )
        message = _("The due date is extended.")
    elif step == "consult":
        form = ConsultForm(request.POST)
        done = run_form(
            form,
            lambda: services.suggestion_consult(
                actor=user,
                suggestion=suggestion,
                held_on=form.cleaned_data.get("held_on"),
                note=form.cleaned_data.get("note") or "",
            ),
        )
        message = _("The consultation is recorded.")
    elif step == "reply":
        reply_form = form = ReplyForm(request.POST, request.FILES)
        done = run_form(
            form,
            lambda: services.suggestion_reply(actor=user, suggestion=suggestion, data=reply_form.to_input()),
            lambda: services.reply_problems(suggestion, reply_form.to_input()),
        )
        message = _("The reply is recorded and its result published.")
    elif step == "feedback":
        form = FeedbackForm(request.POST)

        def feedback() -> object:
            data = form.cleaned_data
            return services.suggestion_feedback(
                actor=user,
                suggestion=suggestion,
                satisfaction=data.get("satisfaction") or "",
                feedback_on=data.get("feedback_on"),
                rehandle_due_on=data.get("rehandle_due_on"),
                note=data.get("note") or "",
            )

        done = run_form(form, feedback)
        message = _("The deputy's opinion is recorded.")
    else:
        raise Http404
    if done:
        messages.success(request, message)
        return redirect("supervision:suggestion_detail", suggestion.pk)
    return _detail(request, suggestion, status=400, **{f"{step}_form": form})


@login_required
@require_GET
def suggestion_file(request: AuthenticatedRequest, pk: int, which: str) -> FileResponse:
    suggestion = _visible(request.user, pk)
    file = {"reply": suggestion.reply_file, "rereply": suggestion.rereply_file}.get(which)
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{suggestion.number}-{which}{_ext(file.name)}")


def _ext(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""


@login_required
@require_GET
def suggestion_export(request: AuthenticatedRequest) -> HttpResponseBase:
    form, rows = filtered_suggestions(request.user, request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filter cannot be read."))
    handle, name = excel.suggestions_export(queryset=rows)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
def suggestion_template(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(excel.build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, excel.TEMPLATE_NAME)  # type: ignore[assignment]
    return response


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_import(request: AuthenticatedRequest) -> HttpResponse:
    if not lead_units(request.user).exists():
        raise PermissionDenied(_("You may not enter suggestions and proposals."))
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors: list[dict[str, object]] = []
    error_count = 0
    status = 200
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is None:
            form.add_error("file", _("Choose the Excel file."))
            status = 400
        else:
            try:
                outcome = excel.suggestions_import(actor=request.user, upload=upload)
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except DomainError as exc:
                form.add_error("file", str(exc.message))
                status = 400
            else:
                if not outcome.errors:
                    messages.success(
                        request,
                        ngettext("%(count)d row was imported.", "%(count)d rows were imported.", outcome.created)
                        % {"count": outcome.created},
                    )
                    return redirect("supervision:suggestion_list")
                error_count = len(outcome.errors)
                errors = [error.as_dict() for error in outcome.errors[:500]]
                status = 400
    context = {"section": SECTION, "form": form, "errors": errors, "error_count": error_count}
    return render(request, "supervision/suggestions/import.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("suggestions/", suggestion_list, name="suggestion_list"),
    path("suggestions/new/", suggestion_new, name="suggestion_new"),
    path("suggestions/export/", suggestion_export, name="suggestion_export"),
    path("suggestions/template/", suggestion_template, name="suggestion_template"),
    path("suggestions/import/", suggestion_import, name="suggestion_import"),
    path("suggestions/<int:pk>/", suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/file/<str:which>/", suggestion_file, name="suggestion_file"),
    path("suggestions/<int:pk>/<str:step>/", suggestion_step, name="suggestion_step"),
]
