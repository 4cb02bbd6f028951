"""Staff pages of tendering: bad-behaviour records (list with scores, entry, publication, Excel), the parties and their
scores, sanctions, the scoring scheme's versions, and tender projects with the tenderer's breaches.

Rows come through `visible_to(user)`, so an id typed into a URL obeys the list's scope (404 outside it). The services
judge every write: NotAllowed becomes the 403 page, any other DomainError the form again with its messages.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from sectors.excel import tendering as excel
from sectors.forms.tendering import (
    BehaviourForm,
    FactsForm,
    ItemFormSet,
    ProjectEditForm,
    ProjectFields,
    ProjectForm,
    ReasonForm,
    SchemeForm,
    ThresholdFormSet,
    tendering_agencies,
)
from sectors.models.tendering import BadBehaviour, ScoringScheme, TenderParty, TenderProject, TenderSanction
from sectors.services import tendering as services

PAGE_SIZE = 50
SECTION = "tendering"


def _render(request: AuthenticatedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"sectors/tendering/{template}", {"section": SECTION, **context})


def _attempt(form: forms.Form, write: Callable[[], Any]) -> Any:
    try:
        return write()
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        errors = exc.field_errors()
        if not errors:
            form.add_error(None, str(exc.message))
        for name, texts in errors.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
        return None


def _add_problems(form: forms.Form, problems: dict[str, list[str]]) -> None:
    """The service's problems with what could be read, beside the form's own (a field already refused keeps its own
    message), so every error shows at once."""
    for name, texts in problems.items():
        target = name if name in form.fields else None
        if target is not None and target in form.errors:
            continue
        for text in texts:
            form.add_error(target, text)


def filtered_behaviours(request: AuthenticatedRequest) -> QuerySet[BadBehaviour]:
    rows = BadBehaviour.objects.visible_to(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(party__name__icontains=q) | Q(party__uscc=q) | Q(document_number__icontains=q))
    state = request.GET.get("state", "")
    today = timezone.localdate()
    if state == "unpublished":
        rows = rows.filter(published_on__isnull=True)
    elif state == "public":
        rows = rows.filter(pk__in=BadBehaviour.objects.public(today).values("pk"))
    elif state == "archived":
        rows = rows.filter(public_until__lt=today)
    return rows


@login_required
@require_GET
def behaviour_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = filtered_behaviours(request).select_related("party", "item", "decided_by").order_by("-decided_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "behaviour_list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "state": request.GET.get("state", ""),
            "may_enter": tendering_agencies(request.user).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def behaviour_create(request: AuthenticatedRequest) -> HttpResponse:
    if not tendering_agencies(request.user).exists():
        raise PermissionDenied(_("You may not enter tendering records."))
    form = BehaviourForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = services.BehaviourInput(**form.cleaned_data)
        made = _attempt(form, lambda: services.behaviour_record(actor=request.user, data=data))
        if made is not None:
            messages.success(request, _("The bad behaviour was recorded."))
            return redirect(made.get_absolute_url())
    return _render(request, "form.html", {"form": form, "title": _("Record bad behaviour")})


@login_required
@require_GET
def behaviour_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    behaviour = get_object_or_404(
        BadBehaviour.objects.visible_to(request.user).select_related("party", "item__scheme", "decided_by"), pk=pk
    )
    return _render(
        request,
        "behaviour_detail.html",
        {
            "behaviour": behaviour,
            "score": services.party_score(behaviour.party),
            "sanctions": behaviour.party.sanctions.order_by("-starts_on"),
            "events": behaviour.party.events.select_related("actor"),
        },
    )


@login_required
@require_POST
def behaviour_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    behaviour = get_object_or_404(BadBehaviour.objects.visible_to(request.user), pk=pk)
    try:
        services.behaviour_publish(actor=request.user, behaviour=behaviour)
        messages.success(request, _("The record was published."))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(behaviour.get_absolute_url())


@login_required
@require_GET
def party_list(request: AuthenticatedRequest) -> HttpResponse:
    parties = services.parties_with_scores(TenderParty.objects.visible_to(request.user)).order_by("-score", "name")
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "party_list.html", {"page": page})


@login_required
@require_GET
def sanction_list(request: AuthenticatedRequest) -> HttpResponse:
    sanctions = (
        TenderSanction.objects.visible_to(request.user)
        .select_related("party", "trigger__decided_by")
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(sanctions, PAGE_SIZE).get_page(request.GET.get("page"))
    revocable = {s.pk for s in page.object_list if services.may_revoke_sanction(request.user, s)}
    return _render(
        request,
        "sanction_list.html",
        {"page": page, "today": timezone.localdate(), "revocable": revocable},
    )


@login_required
@require_POST
def sanction_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sanction = get_object_or_404(
        TenderSanction.objects.visible_to(request.user).select_related("party", "trigger__decided_by"), pk=pk
    )
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.sanction_revoke(actor=request.user, sanction=sanction, reason=reason)
        messages.success(request, _("The sanction was revoked."))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("sectors:tendering_sanctions")


@login_required
@require_GET
def scheme_list(request: AuthenticatedRequest) -> HttpResponse:
    schemes = ScoringScheme.objects.prefetch_related("items", "thresholds").order_by("code", "-version")
    return _render(
        request,
        "scheme_list.html",
        {"schemes": schemes, "current": services.current_scheme(), "may_keep": services.may_keep_schemes(request.user)},
    )


def _scheme_initial(source: ScoringScheme | None) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    if source is None:
        return {}, [], []
    scheme = {"code": source.code, "name": source.name, "cycle": source.cycle, "basis": source.basis}
    items = [
        {"party_kind": i.party_kind, "code": i.code, "description": i.description, "points": i.points, "basis": i.basis}
        for i in source.items.order_by("code")
    ]
    thresholds = [
        {"party_kind": t.party_kind, "basis": t.basis, "points": t.points, "sanction": t.sanction, "months": t.months}
        for t in source.thresholds.order_by("party_kind", "points")
    ]
    return scheme, items, thresholds


def _scheme_input(form: SchemeForm, items: Any, thresholds: Any) -> services.SchemeInput:
    """What could be read of the three forms (a value that did not read is None or blank)."""
    values = getattr(form, "cleaned_data", {})

    def rows(formset: Any) -> list[dict[str, Any]]:
        return [getattr(f, "cleaned_data", {}) for f in formset.forms if not f.is_blank()]

    return services.SchemeInput(
        code=values.get("code") or "",
        name=values.get("name") or "",
        cycle=values.get("cycle") or "",
        effective_from=values.get("effective_from"),
        basis=values.get("basis") or "",
        items=[
            services.ItemInput(
                party_kind=r.get("party_kind") or "",
                code=r.get("code") or "",
                description=r.get("description") or "",
                points=r.get("points"),
                basis=r.get("basis") or "",
            )
            for r in rows(items)
        ],
        thresholds=[
            services.ThresholdInput(
                party_kind=r.get("party_kind") or "",
                basis=r.get("basis") or "",
                points=r.get("points"),
                sanction=r.get("sanction") or "",
                months=r.get("months") or 0,
            )
            for r in rows(thresholds)
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_version_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new version of the scoring scheme, prefilled from the version in effect (or the one named by ?from=): a
    version in use is never edited."""
    if not services.may_keep_schemes(request.user):
        raise Http404
    source = services.current_scheme()
    if request.GET.get("from", "").isdigit():
        source = get_object_or_404(ScoringScheme, pk=int(request.GET["from"]))
    initial, item_rows, threshold_rows = _scheme_initial(source)
    data = request.POST if request.method == "POST" else None
    form = SchemeForm(data, initial=initial)
    items = ItemFormSet(data, prefix="items", initial=item_rows)
    thresholds = ThresholdFormSet(data, prefix="thresholds", initial=threshold_rows)
    if request.method == "POST":
        readable = all([form.is_valid(), items.is_valid(), thresholds.is_valid()])
        scheme_data = _scheme_input(form, items, thresholds)
        if readable:
            made = _attempt(form, lambda: services.scheme_version_create(actor=request.user, data=scheme_data))
            if made is not None:
                messages.success(
                    request, _("Version %(version)d of the scheme was created.") % {"version": made.version}
                )
                return redirect("sectors:tendering_schemes")
        else:
            _add_problems(form, services.scheme_problems(scheme_data))
    return _render(
        request,
        "scheme_form.html",
        {"form": form, "items": items, "thresholds": thresholds, "source": source},
    )


@login_required
@require_GET
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    projects = (
        TenderProject.objects.visible_to(request.user)
        .select_related("agency")
        .prefetch_related("breaches")
        .order_by("-announced_on", "-pk")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "project_list.html", {"page": page, "may_enter": tendering_agencies(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    if not tendering_agencies(request.user).exists():
        raise PermissionDenied(_("You may not enter tender projects."))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = dict(form.cleaned_data)
        data = services.ProjectInput(**values)
        made = _attempt(form, lambda: services.project_create(actor=request.user, data=data))
        if made is not None:
            messages.success(request, _("The tender project was entered."))
            return redirect(made.get_absolute_url())
    return _render(request, "form.html", {"form": form, "title": _("New tender project")})


def _project_initial(project: TenderProject) -> dict[str, Any]:
    return {name: getattr(project, name) for name in ProjectFields.base_fields}


@login_required
@require_http_methods(["GET", "POST"])
def project_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(TenderProject.objects.visible_to(request.user).select_related("agency"), pk=pk)
    if not tendering_agencies(request.user).filter(pk=project.agency_id).exists():
        raise PermissionDenied(_("You may not enter tender projects for this agency."))
    form = ProjectEditForm(request.POST or None, initial=_project_initial(project))
    if request.method == "POST":
        readable = form.is_valid()
        values: dict[str, Any] = {
            name: getattr(form, "cleaned_data", {}).get(name) for name in ProjectFields.base_fields
        }
        data = services.ProjectInput(agency=project.agency, **values)
        if readable:
            made = _attempt(form, lambda: services.project_update(actor=request.user, project=project, data=data))
            if made is not None:
                messages.success(request, _("The tender project was saved."))
                return redirect(made.get_absolute_url())
        else:
            try:
                services.project_check(data, project_id=project.pk)
            except DomainError as exc:
                _add_problems(form, exc.field_errors())
    return _render(
        request,
        "form.html",
        {"form": form, "title": _("Edit tender project %(code)s") % {"code": project.code}, "cancel": project},
    )


@login_required
@require_GET
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(TenderProject.objects.visible_to(request.user).select_related("agency"), pk=pk)
    return _render(
        request,
        "project_detail.html",
        {
            "project": project,
            "breaches": project.breaches.select_related("record"),
            "events": project.events.select_related("actor"),
            "form": FactsForm(),
            "may_edit": tendering_agencies(request.user).filter(pk=project.agency_id).exists(),
        },
    )


@login_required
@require_POST
def project_evasion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(TenderProject.objects.visible_to(request.user).select_related("agency"), pk=pk)
    form = FactsForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.tender_evasion_declare(actor=request.user, project=project, facts=form.cleaned_data["facts"]),
    ):
        messages.success(request, _("The evasion was declared; a candidate record was proposed."))
        return redirect(project.get_absolute_url())
    for text in form.errors.get("__all__", []) + form.errors.get("facts", []):
        messages.error(request, str(text))
    return redirect(project.get_absolute_url())


@login_required
@never_cache
@require_GET
def excel_template(request: AuthenticatedRequest) -> HttpResponseBase:
    return _xlsx(excel.build_template(), "tendering-bad-behaviour-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def excel_import(request: AuthenticatedRequest) -> HttpResponse:
    if not tendering_agencies(request.user).exists():
        raise PermissionDenied(_("You may not enter tendering records."))
    outcome = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        outcome = excel.tendering_import(actor=request.user, upload=upload)
        if outcome.created:
            messages.success(request, _("%(n)d records were imported.") % {"n": outcome.created})
    return _render(request, "excel_import.html", {"outcome": outcome})


@login_required
@never_cache
@require_GET
def excel_export(request: AuthenticatedRequest) -> HttpResponseBase:
    return _xlsx(excel.tendering_export(queryset=filtered_behaviours(request)), "tendering-bad-behaviour.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponseBase:
    import io

    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("tendering/", behaviour_list, name="tendering_behaviours"),
    path("tendering/new/", behaviour_create, name="tendering_behaviour_create"),
    path("tendering/<int:pk>/", behaviour_detail, name="tendering_behaviour"),
    path("tendering/<int:pk>/publish/", behaviour_publish, name="tendering_behaviour_publish"),
    path("tendering/parties/", party_list, name="tendering_parties"),
    path("tendering/sanctions/", sanction_list, name="tendering_sanctions"),
    path("tendering/sanctions/<int:pk>/revoke/", sanction_revoke, name="tendering_sanction_revoke"),
    path("tendering/schemes/", scheme_list, name="tendering_schemes"),
    path("tendering/schemes/new/", scheme_version_create, name="tendering_scheme_create"),
    path("tendering/projects/", project_list, name="tendering_projects"),
    path("tendering/projects/new/", project_create, name="tendering_project_create"),
    path("tendering/projects/<int:pk>/", project_detail, name="tendering_project"),
    path("tendering/projects/<int:pk>/edit/", project_update, name="tendering_project_update"),
    path("tendering/projects/<int:pk>/evasion/", project_evasion, name="tendering_project_evasion"),
    path("tendering/excel/template/", excel_template, name="tendering_excel_template"),
    path("tendering/excel/import/", excel_import, name="tendering_excel_import"),
    path("tendering/excel/export.xlsx", excel_export, name="tendering_excel_export"),
]
