"""Staff pages for credit subjects: the agency directory, civil servants and their integrity files.

Every object is fetched through its `visible_to(user)` queryset, so an id typed into a URL obeys the same scope as the
lists (404 outside it); a role that may not read people at all gets 403. Writes go through subjects.services; a
DomainError comes back as a form error, NotAllowed as 403.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.scope import may_edit_people_of, may_read_people
from kernel.errors import DomainError, NotAllowed
from subjects import services
from subjects.agency_picker import agency_suggestions
from subjects.agency_sections import agency_sections
from subjects.forms import (
    AssessmentForm,
    IdNumberLookupForm,
    MattersReportForm,
    MoveForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonForm,
    RevealIdNumberForm,
    TrainingForm,
    entering_agencies,
)
from subjects.integrity import integrity_file_sections
from subjects.models import Agency, CivilServant

PAGE_SIZE = 50


def _require_people_reader(user: User) -> None:
    if not may_read_people(user):
        raise PermissionDenied


def _page(request: HttpRequest, queryset: QuerySet[Any], param: str = "page") -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def with_child_counts(agencies: QuerySet[Agency], user: User) -> QuerySet[Agency]:
    """Annotates `child_count`: children inside the user's scope only, in the same query (a correlated subquery)."""
    children = (
        Agency.objects.visible_to(user)
        .filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return agencies.annotate(child_count=Coalesce(Subquery(children, output_field=IntegerField()), 0))


def _apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


# Agencies ---------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def agency_list(request: AuthenticatedRequest) -> HttpResponse:
    """Search by name fragment or code prefix; without a query, the top of the user's scope, one level at a time."""
    user = request.user
    q = request.GET.get("q", "").strip()[:100]
    visible = Agency.objects.visible_to(user)
    if q:
        agencies = visible.search(q).select_related("parent")
    else:
        # The top of the scope: agencies whose parent is outside it (a clerk's own agency, an office's district…).
        agencies = visible.exclude(parent__in=Agency.objects.visible_to(user).values("pk"))
    page = _page(request, with_child_counts(agencies, user))
    return render(
        request, "subjects/agency_list.html", {"section": "agencies", "q": q, "page": page, "searching": bool(q)}
    )


@login_required
@require_GET
def agency_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    visible = Agency.objects.visible_to(user)
    agency = get_object_or_404(visible.select_related("successor"), pk=pk)
    ancestors = list(visible.filter(pk__in=agency.ancestor_ids).only("pk", "name", "path"))
    children = _page(request, with_child_counts(visible.filter(parent=agency), user))
    earlier_ids = [a.pk for a in agency.lineage() if a.pk != agency.pk]
    predecessors = list(visible.filter(pk__in=earlier_ids).only("pk", "name", "uscc", "path")) if earlier_ids else []
    successor_visible = agency.successor_id is not None and visible.filter(pk=agency.successor_id).exists()
    reads_people = may_read_people(user)
    context = {
        "section": "agencies",
        "agency": agency,
        "ancestors": ancestors,
        "children": children,
        "predecessors": predecessors,
        "successor_visible": successor_visible,
        "events": agency.events.select_related("actor"),
        "may_read_people": reads_people,
        "people_count": (
            CivilServant.objects.visible_to(user).filter(agency=agency, active=True).count() if reads_people else None
        ),
        "may_add_person": may_edit_people_of(user, agency),
        # What other apps show about the agency (subjects/agency_sections.py), e.g. its commitments and warnings.
        "agency_sections": agency_sections(user, agency),
    }
    return render(request, "subjects/agency_detail.html", context)


@login_required
@never_cache
@require_GET
def agency_suggest(request: AuthenticatedRequest) -> JsonResponse:
    """The type-ahead's matches (subjects.agency_picker): agencies in the user's scope whose name holds the words
    typed or whose code starts with them. `within=enter`: only those the user enters records for."""
    within = request.GET.get("within", "visible")
    if within == "enter":
        agencies = entering_agencies(request.user)
    elif within == "visible":
        agencies = Agency.objects.visible_to(request.user)
    else:
        return JsonResponse({"error": {"code": "invalid", "message": _("Unknown list of agencies.")}}, status=400)
    return JsonResponse({"results": agency_suggestions(agencies, request.GET.get("q", ""))})


# Civil servants ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _require_people_reader(user)
    form = PeopleFilterForm(request.GET, user=user)
    people = CivilServant.objects.visible_to(user).select_related("agency")
    if form.is_valid():
        data = form.cleaned_data
        people = people.search(data["q"])
        if data["agency"] is not None:
            people = (
                people.filter(agency__path__startswith=data["agency"].path)
                if data["subtree"]
                else people.filter(agency=data["agency"])
            )
        if data["active"] != "all":
            people = people.filter(active=data["active"] != "inactive")
    else:
        people = people.none()
    context = {"section": "people", "form": form, "page": _page(request, people), "lookup_form": IdNumberLookupForm()}
    return render(request, "subjects/person_list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def person_lookup(request: AuthenticatedRequest) -> HttpResponse:
    """Find a person by full ID number. POST only carries the number: it never appears in a URL."""
    user = request.user
    _require_people_reader(user)
    form = IdNumberLookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            person = services.civil_servant_lookup_by_id_number(
                actor=user, id_number=form.cleaned_data["id_number"], channel="web"
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            if person is not None:
                return redirect("subjects:person_detail", pk=person.pk)
            form.add_error("id_number", _("No civil servant in your scope has this ID number."))
    # The language switcher returns to the bare address: a number someone put in the query string is not echoed.
    context = {"section": "people", "form": form, "language_next": request.path}
    return render(request, "subjects/person_lookup.html", context)


def _visible_person(request: AuthenticatedRequest, pk: int) -> CivilServant:
    _require_people_reader(request.user)
    return get_object_or_404(CivilServant.objects.visible_to(request.user).select_related("agency"), pk=pk)


def _render_person(
    request: AuthenticatedRequest,
    person: CivilServant,
    *,
    full_id_number: str | None = None,
    reveal_form: RevealIdNumberForm | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "section": "people",
        "person": person,
        **integrity_file_sections(user, person),
        "full_id_number": full_id_number,
        "may_reveal": user.may_see_full_id_numbers,
        "reveal_form": reveal_form or RevealIdNumberForm(),
        "may_edit": may_edit_people_of(user, person.agency),
        "moves": person.moves.select_related("from_agency", "to_agency", "actor"),
        "assessments": person.assessments.all(),
        "trainings": person.trainings.all(),
        "reports": person.matters_reports.all(),
        # The language switcher returns here, not to the POST-only reveal address.
        "language_next": reverse("subjects:person_detail", args=[person.pk]),
    }
    return render(request, "subjects/person_detail.html", context)


@login_required
@never_cache
@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    services.civil_servant_file_read(actor=request.user, person=person, channel="web")
    return _render_person(request, person)


@login_required
@never_cache
@require_POST
def person_reveal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The full ID number, shown once in this response only: never in a URL, a redirect, the session or a message."""
    person = _visible_person(request, pk)
    if not request.user.may_see_full_id_numbers:
        raise PermissionDenied(_("Only inspectors may see a full ID number."))
    form = RevealIdNumberForm(request.POST)
    if not form.is_valid():
        services.civil_servant_file_read(actor=request.user, person=person, channel="web")
        return _render_person(request, person, reveal_form=form)
    try:
        number = services.civil_servant_reveal_id_number(
            actor=request.user, person=person, channel="web", purpose=form.cleaned_data["purpose"]
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        _apply_domain_error(form, exc)
        services.civil_servant_file_read(actor=request.user, person=person, channel="web")
        return _render_person(request, person, reveal_form=form)
    # The response shows the whole file as well: that read is logged like any other.
    services.civil_servant_file_read(actor=request.user, person=person, channel="web")
    return _render_person(request, person, full_id_number=number)


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], CivilServant],
    *,
    title: str,
    person: CivilServant | None = None,
    agency: Agency | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and goes to the person; a refused one shows why."""
    if form.is_bound and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("subjects:person_detail", pk=saved.pk)
    if person is not None:
        cancel_url = reverse("subjects:person_detail", args=[person.pk])
    else:
        assert agency is not None
        cancel_url = reverse("subjects:agency_detail", args=[agency.pk])
    context = {
        "section": "people",
        "form": form,
        "title": title,
        "person": person,
        "agency": agency,
        "cancel_url": cancel_url,
    }
    return render(request, "subjects/person_form.html", context)


def _editable_person(request: AuthenticatedRequest, pk: int) -> CivilServant:
    person = _visible_person(request, pk)
    if not may_edit_people_of(request.user, person.agency):
        raise PermissionDenied
    return person


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedRequest, agency_pk: int) -> HttpResponse:
    user = request.user
    _require_people_reader(user)
    agency = get_object_or_404(Agency.objects.visible_to(user), pk=agency_pk)
    if not may_edit_people_of(user, agency):
        raise PermissionDenied
    form = PersonCreateForm(_posted(request))

    def save(data: dict[str, Any]) -> CivilServant:
        return services.civil_servant_create(
            actor=user,
            agency=agency,
            name=data["name"],
            id_number=data["id_number"],
            position=data["position"],
            rank=data["rank"],
            is_principal=data["is_principal"],
        )

    return _form_page(request, form, save, title=_("Add a civil servant"), agency=agency)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    initial = {
        "name": person.name,
        "position": person.position,
        "rank": person.rank,
        "is_principal": person.is_principal,
    }
    form = PersonForm(_posted(request), initial=initial)

    def save(data: dict[str, Any]) -> CivilServant:
        return services.civil_servant_update(actor=request.user, person=person, **data)

    return _form_page(request, form, save, title=_("Edit civil servant"), person=person)


@login_required
@require_http_methods(["GET", "POST"])
def person_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    form = MoveForm(_posted(request), user=request.user)

    def save(data: dict[str, Any]) -> CivilServant:
        move = services.civil_servant_move(
            actor=request.user,
            person=person,
            to_agency=data["to_agency"],
            moved_on=data["moved_on"],
            reason=data["reason"],
        )
        return move.person

    return _form_page(request, form, save, title=_("Move to another agency"), person=person)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    form = AssessmentForm(_posted(request))

    def save(data: dict[str, Any]) -> CivilServant:
        services.assessment_record(actor=request.user, person=person, **data)
        return person

    return _form_page(request, form, save, title=_("Record an annual assessment"), person=person)


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    form = TrainingForm(_posted(request))

    def save(data: dict[str, Any]) -> CivilServant:
        services.training_record(actor=request.user, person=person, **data)
        return person

    return _form_page(request, form, save, title=_("Record integrity training"), person=person)


@login_required
@require_http_methods(["GET", "POST"])
def matters_report_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    form = MattersReportForm(_posted(request))

    def save(data: dict[str, Any]) -> CivilServant:
        services.matters_report_record(actor=request.user, person=person, **data)
        return person

    return _form_page(request, form, save, title=_("Record a personal matters report"), person=person)
