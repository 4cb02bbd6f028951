"""Staff pages of PPP projects: the list with its filters and counts by stage, the project card (stages,
responsibility timeline, consultants, payments, breaches, events) with its forms and workflow buttons, and Excel in
and out. A project is fetched through `PppProject.objects.visible_to(user)`: outside it, 404. The services judge every
write: NotAllowed is the 403 page, any other DomainError the page again with its messages and nothing written."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel import ppp as excel
from sectors.forms.ppp import (
    BreachForm,
    ConsultantForm,
    HandoverForm,
    PayForm,
    PaymentForm,
    ProjectFilterForm,
    ProjectForm,
    StageForm,
    apply_errors,
    ppp_entering_agencies,
)
from sectors.models.ppp import (
    STAGE_ORDER,
    PppBreach,
    PppPaymentObligation,
    PppProject,
    PppProjectEvent,
    PppStage,
    PppStageAssignment,
)
from sectors.services import ppp as services

PAGE_SIZE = 50
EVENTS_SHOWN = 50
ERRORS_SHOWN = 500


def _refused(exc: NotAllowed) -> PermissionDenied:
    return PermissionDenied(str(exc.message))


def _errors_into(form: forms.Form, exc: DomainError) -> None:
    errors = exc.field_errors() or {"__all__": [str(exc.message)]}
    apply_errors(form, errors)


class CountedPaginator(Paginator):  # type: ignore[type-arg]  # of any rows
    """A paginator told its count (by the counts by stage): it never counts the rows itself."""

    capped = False

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its cached value


# The list ------------------------------------------------------------------------------------------------------------


def ppp_project_rows(queryset: QuerySet[PppProject]) -> QuerySet[PppProject]:
    """What a list row shows, in one query whatever the number of rows."""
    return (
        queryset.select_related("agency")
        .defer("contract_summary")
        .annotate(has_late=Exists(PppPaymentObligation.objects.filter(project=OuterRef("pk"), late=True)))
    )


def filtered_projects(user: User, params: Any) -> tuple[ProjectFilterForm, QuerySet[PppProject], QuerySet[PppProject]]:
    """The form, the projects before the stage filter (for the counts by stage) and after it."""
    form = ProjectFilterForm(params)
    visible = PppProject.objects.visible_to(user)
    if not form.is_valid():
        return form, visible.none(), visible.none()
    data = form.cleaned_data
    if data["q"]:
        visible = visible.filter(Q(name__contains=data["q"].strip()) | Q(code__startswith=data["q"].strip()))
    if data["mode"]:
        visible = visible.filter(mode=data["mode"])
    if data["regime"]:
        visible = visible.filter(regime=data["regime"])
    if data["late"]:
        visible = visible.filter(Exists(PppPaymentObligation.objects.filter(project=OuterRef("pk"), late=True)))
    staged = visible.filter(stage__in=data["stage"]) if data["stage"] else visible
    return form, visible, staged


@login_required
@require_GET
def ppp_list(request: AuthenticatedRequest) -> HttpResponse:
    form, before_stage, projects = filtered_projects(request.user, request.GET)
    counts = dict(before_stage.order_by().values_list("stage").annotate(n=Count("pk")))
    stage_counts = [(stage, PppStage(stage).label, counts.get(stage, 0)) for stage in STAGE_ORDER]
    chosen = form.cleaned_data.get("stage") if form.is_valid() else None
    # The counts by stage already hold the list's length: no second pass over the projects to count them.
    paginator = CountedPaginator(
        ppp_project_rows(projects), PAGE_SIZE, count=sum(counts.get(stage, 0) for stage in chosen or STAGE_ORDER)
    )
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "ppp",
        "form": form,
        "page": page,
        "stage_counts": stage_counts,
        "total": sum(counts.values()),
        "export_query": params.urlencode(),
        "may_create": ppp_entering_agencies(request.user).exists(),
    }
    return render(request, "sectors/ppp/list.html", context)


# The project card ----------------------------------------------------------------------------------------------------


def _visible_project(user: User, pk: int) -> PppProject:
    return get_object_or_404(PppProject.objects.visible_to(user).select_related("agency", "created_by"), pk=pk)


def _timeline(project: PppProject) -> list[tuple[str, str, list[PppStageAssignment]]]:
    rows = list(
        PppStageAssignment.objects.filter(project=project)
        .select_related("agency", "person", "person__agency")
        .order_by("starts_on", "pk")
    )
    return [(stage, str(PppStage(stage).label), [a for a in rows if a.stage == stage]) for stage in STAGE_ORDER]


def _detail_context(request: AuthenticatedRequest, project: PppProject, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    may_enter = may_enter_sector_data(user, Sector.PPP, project.agency)
    may_verify = may_verify_sector_data(user, Sector.PPP, project.agency)
    following = services.next_stage(project.stage)
    payments = list(
        PppPaymentObligation.objects.filter(project=project)
        .select_related("breach", "breach__record")
        .order_by("year", "due_on", "pk")
    )
    return {
        "section": "ppp",
        "project": project,
        "today": timezone.localdate(),
        "stages": project.stage_rows(),
        "timeline": _timeline(project),
        "consultants": list(project.consultants.order_by("pk")),
        "payments": payments,
        "breaches": list(
            PppBreach.objects.filter(project=project).select_related("agency", "person", "record").order_by("pk")
        ),
        "events": list(
            PppProjectEvent.objects.filter(project=project)
            .select_related("actor")
            .order_by("-at", "-pk")[:EVENTS_SHOWN]
        ),
        "may_enter": may_enter,
        "may_verify": may_verify,
        "next_stage": following,
        "stage_form": forms_given.get("stage_form")
        or StageForm(initial={"to_stage": following, "on": timezone.localdate()}),
        "handover_form": forms_given.get("handover_form") or HandoverForm(user=user),
        "consultant_form": forms_given.get("consultant_form") or ConsultantForm(),
        "payment_form": forms_given.get("payment_form") or PaymentForm(),
        "pay_form": forms_given.get("pay_form") or PayForm(),
        "pay_target": forms_given.get("pay_target"),
        "breach_form": forms_given.get("breach_form") or BreachForm(),
    }


def _detail(request: AuthenticatedRequest, project: PppProject, status: int = 200, **forms_given: Any) -> HttpResponse:
    return render(request, "sectors/ppp/detail.html", _detail_context(request, project, **forms_given), status=status)


@login_required
@require_GET
def ppp_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_project(request.user, pk))


# Entry ---------------------------------------------------------------------------------------------------------------


def _form_page(
    request: AuthenticatedRequest, form: ProjectForm, project: PppProject | None, status: int = 200
) -> HttpResponse:
    return render(request, "sectors/ppp/form.html", {"section": "ppp", "form": form, "project": project}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ppp_create(request: AuthenticatedRequest) -> HttpResponse:
    if not ppp_entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter PPP projects."))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.ppp_project_create(actor=request.user, data=form.to_input())
            except NotAllowed as exc:
                raise _refused(exc) from exc
            except DomainError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The project %(code)s was entered.") % {"code": project.code})
                return redirect("sectors:ppp_detail", pk=project.pk)
        return _form_page(request, form, None, status=400)
    return _form_page(request, form, None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ppp_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = _visible_project(request.user, pk)
    if not may_enter_sector_data(request.user, Sector.PPP, project.agency):
        raise PermissionDenied(_("You may not edit this project."))
    initial = {name: getattr(project, name) for name in ProjectForm.base_fields}
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ppp_project_update(actor=request.user, project=project, data=form.to_input())
            except NotAllowed as exc:
                raise _refused(exc) from exc
            except DomainError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The project was saved."))
                return redirect("sectors:ppp_detail", pk=project.pk)
        return _form_page(request, form, project, status=400)
    return _form_page(request, form, project)


def _post_action(
    request: AuthenticatedRequest, pk: int, form_class: Any, form_key: str, act: Any, done: str, **form_kwargs: Any
) -> HttpResponse:
    """A form posted from the project card: read it, call the service, back to the card (or the card with the
    form's errors and nothing written)."""
    project = _visible_project(request.user, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            act(project, form.cleaned_data)
        except NotAllowed as exc:
            raise _refused(exc) from exc
        except DomainError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, done)
            return redirect("sectors:ppp_detail", pk=project.pk)
    project.refresh_from_db()
    return _detail(request, project, status=400, **{form_key: form})


@login_required
@require_POST
def ppp_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(project: PppProject, data: dict[str, Any]) -> None:
        services.ppp_stage_advance(
            actor=request.user, project=project, to_stage=data["to_stage"], on=data["on"], reason=data["reason"]
        )

    return _post_action(request, pk, StageForm, "stage_form", act, _("The project moved to its next stage."))


@login_required
@require_POST
def ppp_handover(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Assigns a stage nobody holds yet, or hands it over from its holder (with the note)."""

    def act(project: PppProject, data: dict[str, Any]) -> None:
        held = PppStageAssignment.objects.filter(project=project, stage=data["stage"], ends_on__isnull=True).exists()
        if held:
            services.ppp_stage_hand_over(
                actor=request.user,
                project=project,
                stage=data["stage"],
                agency=data["agency"],
                person=data["person"],
                on=data["on"],
                note=data["note"],
                duties=data["duties"],
            )
        else:
            services.ppp_stage_assign(
                actor=request.user,
                project=project,
                stage=data["stage"],
                agency=data["agency"],
                person=data["person"],
                starts_on=data["on"],
                duties=data["duties"],
            )

    return _post_action(
        request,
        pk,
        HandoverForm,
        "handover_form",
        act,
        _("The stage's responsibility was recorded."),
        user=request.user,
    )


@login_required
@require_POST
def ppp_consultant(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(project: PppProject, data: dict[str, Any]) -> None:
        services.ppp_consultant_add(
            actor=request.user, project=project, name=data["name"], role=data["role"], uscc=data["uscc"]
        )

    return _post_action(request, pk, ConsultantForm, "consultant_form", act, _("The consultant was added."))


@login_required
@require_POST
def ppp_payment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(project: PppProject, data: dict[str, Any]) -> None:
        services.ppp_payment_add(actor=request.user, data=services.PppPaymentInput(project=project, **data))

    return _post_action(request, pk, PaymentForm, "payment_form", act, _("The payment obligation was added."))


@login_required
@require_POST
def ppp_payment_pay(request: AuthenticatedRequest, pk: int, payment_pk: int) -> HttpResponse:
    project = _visible_project(request.user, pk)
    payment = get_object_or_404(PppPaymentObligation.objects.filter(project=project), pk=payment_pk)

    def act(_project: PppProject, data: dict[str, Any]) -> None:
        services.ppp_payment_record(actor=request.user, payment=payment, amount=data["amount"], paid_on=data["paid_on"])

    form = PayForm(request.POST)
    if form.is_valid():
        try:
            act(project, form.cleaned_data)
        except NotAllowed as exc:
            raise _refused(exc) from exc
        except DomainError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("sectors:ppp_detail", pk=project.pk)
    return _detail(request, project, status=400, pay_form=form, pay_target=payment.pk)


@login_required
@require_POST
def ppp_breach(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(project: PppProject, data: dict[str, Any]) -> None:
        services.ppp_breach_propose(
            actor=request.user, project=project, occurred_on=data["occurred_on"], facts=data["facts"]
        )

    return _post_action(
        request, pk, BreachForm, "breach_form", act, _("A candidate record was proposed; the credit office decides it.")
    )


@login_required
@require_POST
def ppp_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = _visible_project(request.user, pk)
    try:
        services.ppp_project_publish(actor=request.user, project=project)
    except NotAllowed as exc:
        raise _refused(exc) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The project card is public now."))
    return redirect("sectors:ppp_detail", pk=project.pk)


# Excel ---------------------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook"),
        max_length=255,
        allow_empty_file=True,  # the import says why
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _which(kind: str) -> excel.Sheet:
    sheet = excel.SHEETS.get(kind)
    if sheet is None:
        raise PermissionDenied
    return sheet


@login_required
@require_GET
def ppp_excel_template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    sheet = _which(kind)
    if not ppp_entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter PPP projects."))
    response = HttpResponse(excel.build_template(sheet), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, sheet.template_name)  # type: ignore[assignment]  # never None for an attachment
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ppp_excel_import(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    sheet = _which(kind)
    if not ppp_entering_agencies(request.user).exists():
        raise PermissionDenied(_("Your role does not enter PPP projects."))
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors: list[dict[str, object]] = []
    error_count = 0
    status = 200
    if form.is_bound and form.is_valid():
        try:
            outcome = excel.ppp_import(actor=request.user, upload=form.cleaned_data["file"], sheet=sheet)
        except NotAllowed as exc:
            raise _refused(exc) from exc
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
                return redirect("sectors:ppp_list")
            error_count = len(outcome.errors)
            errors = [error.as_dict() for error in outcome.errors[:ERRORS_SHOWN]]
            status = 400
    context = {
        "section": "ppp",
        "form": form,
        "sheet": sheet,
        "errors": errors,
        "error_count": error_count,
        "errors_shown": len(errors),
    }
    return render(request, "sectors/ppp/excel_import.html", context, status=status)


@login_required
@never_cache
@require_GET
def ppp_export(request: AuthenticatedRequest, kind: str) -> HttpResponseBase:
    sheet = _which(kind)
    form, _before, projects = filtered_projects(request.user, request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filter cannot be read."))
    handle, name = excel.ppp_export(projects=projects, sheet=sheet)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("ppp/", ppp_list, name="ppp_list"),
    path("ppp/new/", ppp_create, name="ppp_create"),
    path("ppp/<int:pk>/", ppp_detail, name="ppp_detail"),
    path("ppp/<int:pk>/edit/", ppp_edit, name="ppp_edit"),
    path("ppp/<int:pk>/stage/", ppp_stage, name="ppp_stage"),
    path("ppp/<int:pk>/handover/", ppp_handover, name="ppp_handover"),
    path("ppp/<int:pk>/consultants/", ppp_consultant, name="ppp_consultant"),
    path("ppp/<int:pk>/payments/", ppp_payment_add, name="ppp_payment_add"),
    path("ppp/<int:pk>/payments/<int:payment_pk>/pay/", ppp_payment_pay, name="ppp_payment_pay"),
    path("ppp/<int:pk>/breach/", ppp_breach, name="ppp_breach"),
    path("ppp/<int:pk>/publish/", ppp_publish, name="ppp_publish"),
    path("ppp/excel/<str:kind>/template/", ppp_excel_template, name="ppp_excel_template"),
    path("ppp/excel/<str:kind>/import/", ppp_excel_import, name="ppp_excel_import"),
    path("ppp/excel/<str:kind>/export/", ppp_export, name="ppp_export"),
]
