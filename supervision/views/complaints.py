"""Staff pages of breach complaints: the queue sorted by due date, a complaint's page (facts, stages and timeline,
the buttons of each role), entering a complaint that came by another channel, the evidence files. A complaint is
fetched through `BreachComplaint.objects.visible_to(user)`: outside it, 404. The services judge every write."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.scope import NOTHING, agency_q, entering_agency_q
from kernel.errors import DomainError, NotAllowed
from records.views.queue import QueueSection, register_queue_sections
from repair.views.cases import put_error
from subjects.models import Agency
from supervision.forms.complaints import ComplaintFilterForm, StaffComplaintForm, StepForm
from supervision.models.complaints import (
    CLOSED_STATUSES,
    BreachComplaint,
    BreachComplaintAttachment,
)
from supervision.services import complaints as services
from supervision.views.public_complaints import filed_page
from workcalendar.deadlines import open_deadlines_register

PAGE_SIZE = 50


def listed(rows: QuerySet[BreachComplaint]) -> QuerySet[BreachComplaint]:
    return rows.select_related("respondent", "handling_agency").order_by(
        F("stage_due_on").asc(nulls_last=True), F("rectification_due_on").asc(nulls_last=True), "pk"
    )


def filtered_complaints(user: User, params: Any) -> tuple[ComplaintFilterForm, QuerySet[BreachComplaint]]:
    form = ComplaintFilterForm(params)
    rows = BreachComplaint.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if not data["status"]:
        rows = rows.exclude(status__in=CLOSED_STATUSES)
    elif data["status"] != "all":
        rows = rows.filter(status=data["status"])
    if data["channel"]:
        rows = rows.filter(channel=data["channel"])
    if data["respondent"]:
        rows = rows.filter(respondent_id=data["respondent"])
    if data["q"]:
        text = data["q"].strip()
        rows = rows.filter(
            Q(tracking_number__iexact=text) | Q(complainant_name__contains=text) | Q(respondent__name__contains=text)
        )
    return form, rows


def may_enter(user: User) -> bool:
    return user.is_administrator or user.role == Role.CREDIT_OFFICE


@login_required
@require_GET
def complaint_list(request: AuthenticatedRequest) -> HttpResponse:
    form, rows = filtered_complaints(request.user, request.GET)
    page = Paginator(listed(rows), PAGE_SIZE)
    today = timezone.localdate()
    context = {
        "section": "supervision",
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "today": today,
        "may_enter": may_enter(request.user),
        "counts": {
            "open": BreachComplaint.objects.visible_to(request.user).open().count(),
            "overdue": BreachComplaint.objects.visible_to(request.user).overdue_on(today).count(),
        },
    }
    return render(request, "supervision/complaints/list.html", context)


def _visible(user: User, pk: int) -> BreachComplaint:
    return get_object_or_404(
        BreachComplaint.objects.visible_to(user).select_related("respondent", "handling_agency", "filed_by", "record"),
        pk=pk,
    )


ACTION_BUTTONS = {
    "accept": gettext_lazy("Accept"),
    "refuse": gettext_lazy("Do not accept, with the reasons"),
    "transfer": gettext_lazy("Transfer to the credit office over the respondent"),
    "verify_untrue": gettext_lazy("Not true: close with the reasons"),
    "order_rectification": gettext_lazy("True: order rectification by a deadline"),
    "rectified": gettext_lazy("Rectified: close with the evidence"),
    "confirm_breach": gettext_lazy("Not rectified: confirm the breach of trust"),
}


def _detail(
    request: AuthenticatedRequest,
    complaint: BreachComplaint,
    *,
    form: StepForm | None = None,
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    actions = services.actions_for(request.user, complaint)
    context = {
        "section": "supervision",
        "complaint": complaint,
        "events": complaint.events.select_related("actor"),
        "attachments": complaint.attachments.all(),
        "actions": [(action, ACTION_BUTTONS[action]) for action in actions],
        "step_form": form or StepForm(),
        "failed": failed,
        "overdue": complaint.is_overdue_on(timezone.localdate()),
        "action_labels": services.ACTION_LABELS,
    }
    return render(request, "supervision/complaints/detail.html", context, status=status)


@login_required
@require_GET
def complaint_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request.user, pk))


@login_required
@require_POST
def complaint_step(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    complaint = _visible(request.user, pk)
    if action not in services.MACHINE.moves:
        raise Http404
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, complaint, form=form, failed=action, status=400)
    data = form.cleaned_data
    actor, reason = request.user, data["reason"]
    try:
        if action == "accept":
            services.complaint_accept(actor=actor, complaint=complaint, reason=reason)
        elif action == "refuse":
            services.complaint_refuse(actor=actor, complaint=complaint, reason=reason)
        elif action == "transfer":
            services.complaint_transfer(actor=actor, complaint=complaint, reason=reason)
        elif action == "verify_untrue":
            services.complaint_verify_untrue(actor=actor, complaint=complaint, reason=reason)
        elif action == "order_rectification":
            services.complaint_order_rectification(
                actor=actor, complaint=complaint, due_on=data["due_on"], reason=reason
            )
        elif action == "rectified":
            services.complaint_rectified(
                actor=actor, complaint=complaint, reason=reason, attachments=data["attachments"]
            )
        else:
            services.complaint_confirm_breach(actor=actor, complaint=complaint, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        put_error(form, exc)
        complaint.refresh_from_db()
        return _detail(request, complaint, form=form, failed=action, status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": services.ACTION_LABELS[action]})
    return redirect("supervision:complaint_detail", complaint.pk)


def respondents_for(user: User) -> QuerySet[Agency]:
    return Agency.objects.filter(entering_agency_q(user), active=True).order_by("path")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def complaint_enter(request: AuthenticatedRequest) -> HttpResponse:
    """A complaint from another channel, entered by the credit office; the page shows the query code once, to pass
    on to the complainant."""
    if not may_enter(request.user):
        raise PermissionDenied(_("Only a credit office enters breach complaints."))
    form = StaffComplaintForm(request.POST or None, request.FILES or None, respondents=respondents_for(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                complaint, code = services.complaint_file(data=form.complaint_input(), filed_by=request.user)
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except DomainError as exc:
                put_error(form, exc)
            else:
                return filed_page(request, complaint=complaint, code=code, public=False)
        else:
            form.add_rule_errors()
        status = 400
    return render(request, "supervision/complaints/enter.html", {"section": "supervision", "form": form}, status=status)


@login_required
@require_GET
def complaint_attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> FileResponse:
    complaint = _visible(request.user, pk)
    attachment = get_object_or_404(BreachComplaintAttachment, pk=attachment_pk, complaint=complaint)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


urlpatterns: list[URLPattern] = [
    path("complaints/", complaint_list, name="complaint_list"),
    path("complaints/new/", complaint_enter, name="complaint_enter"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/files/<int:attachment_pk>/", complaint_attachment, name="complaint_attachment"),
    path("complaints/<int:pk>/<slug:action>/", complaint_step, name="complaint_step"),
]


# Registries --------------------------------------------------------------------------------------------------------


def complaint_queue_sections(user: User) -> list[QueueSection]:
    """The open breach complaints in the user's reach, by due date; absent when there is none (one query to know,
    then the section's two whatever their number)."""
    if agency_q(user) == NOTHING:
        return []
    open_complaints = BreachComplaint.objects.visible_to(user).open()
    if not open_complaints.exists():
        return []
    return [
        QueueSection(
            key="breach_complaints",
            title=gettext_lazy("Breach complaints to handle"),
            kind="breach_complaints",
            queryset=listed(open_complaints),
            more_url=reverse("supervision:complaint_list"),
            row_template="supervision/complaints/_queue_rows.html",
        )
    ]


def register() -> None:
    register_queue_sections(complaint_queue_sections)
    # Provisional stage deadlines are counted again once the year's calendar is configured.
    open_deadlines_register(BreachComplaint, BreachComplaint.STAGE_DEADLINE, open=services.stage_q_open_deadlines())
