"""Admin console for credit subjects and integrity files: scoped, role-based, writes through records.services."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CONSOLE_ROLES, ReadOnlyScopedAdmin, ScopedAdmin, adopt, has_console_role
from accounts.http import acting_user
from accounts.models import User
from accounts.scope import agency_q, people_q
from subjects.models import (
    Agency,
    AgencyEvent,
    AnnualAssessment,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalDataAccess,
    PersonalMattersReport,
)
from subjects.services import (
    agency_create,
    agency_merge,
    agency_move,
    agency_rename,
    agency_set_active,
    assessment_record,
    civil_servant_create,
    civil_servant_file_read,
    civil_servant_move,
    civil_servant_update,
    matters_report_record,
    training_record,
)

# Agencies -----------------------------------------------------------------------------------------------------------


class AgencyForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The decision or document behind the change; kept with the agency's events."),
    )

    class Meta:
        model = Agency
        fields = ("name", "kind", "uscc", "region_code", "parent", "successor", "active")


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin, SimpleHistoryAdmin):
    form = AgencyForm
    list_display = ("name", "kind", "uscc", "region_code", "parent", "active")
    list_filter = ("kind", "active")
    list_select_related = ("parent",)
    search_fields = ("name", "uscc")
    autocomplete_fields = ("parent", "successor")
    ordering = ("path",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The directory's own search (name contains, code starts with), not icontains over both columns.
        return queryset.search(search_term), False  # type: ignore[attr-defined]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "kind", "uscc", "region_code", "parent", "reason")
        return (
            "name",
            "kind",
            "uscc",
            "region_code",
            "parent",
            "successor",
            "active",
            "reason",
            "path",
            "created_at",
            "updated_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # The code, kind and region identify the unit; no service changes them.
        readonly = ["kind", "uscc", "region_code", "path", "created_at", "updated_at"]
        if obj.successor_id is not None:
            readonly.append("successor")  # merged once, for good
        if obj.parent_id is not None and not Agency.objects.visible_to(request.user).filter(pk=obj.parent_id).exists():
            readonly.append("parent")  # the top of a credit office's region hangs from a parent it cannot see
        return tuple(readonly)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, acting_user(request)
        reason = data.get("reason", "")
        if not change:
            created = agency_create(
                actor=actor,
                name=data["name"],
                kind=data["kind"],
                uscc=data["uscc"],
                region_code=data["region_code"],
                parent=data.get("parent"),
                reason=reason,
            )
            adopt(obj, created)
            return
        changed = set(form.changed_data)
        agency = Agency.objects.get(pk=obj.pk)  # the stored row: `obj` already carries the form's values
        if "name" in changed:
            agency = agency_rename(actor=actor, agency=agency, name=data["name"], reason=reason)
        if "parent" in changed:
            agency = agency_move(actor=actor, agency=agency, new_parent=data["parent"], reason=reason)
        if "successor" in changed and data.get("successor") is not None:
            agency = agency_merge(actor=actor, agency=agency, successor=data["successor"], reason=reason)
        elif "active" in changed:
            agency = agency_set_active(actor=actor, agency=agency, active=data["active"], reason=reason)
        adopt(obj, agency)


@admin.register(AgencyEvent)
class AgencyEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "agency", "kind", "from_value", "to_value", "actor")
    list_filter = ("kind",)
    list_select_related = ("agency", "actor")
    search_fields = ("agency__name",)
    fields = ("agency", "kind", "from_value", "to_value", "reason", "actor", "at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(agency_q(user, "agency"))


# Civil servants and their integrity files -------------------------------------------------------------------------


class CivilServantAddForm(forms.ModelForm):
    # Taken once, validated and stored encrypted by the service; only the masked form is ever shown again.
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("18 characters; the last may be X."),
    )

    class Meta:
        model = CivilServant
        fields = ("name", "agency", "position", "rank", "is_principal")


class CivilServantChangeForm(forms.ModelForm):
    moved_on = forms.DateField(
        label=_("date of move"),
        required=False,
        help_text=_("When the agency changes: the date of the move (today if left empty)."),
    )
    move_reason = forms.CharField(label=_("reason for the move"), required=False)

    class Meta:
        model = CivilServant
        fields = ("name", "agency", "position", "rank", "is_principal")


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page (a part of the integrity file, a record's timeline…), written elsewhere."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.fields or ())  # type: ignore[arg-type]  # flat names here; the stubs allow nested groups

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_console_role(request, CONSOLE_ROLES)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssessmentInline(ReadOnlyInline):
    model = AnnualAssessment
    fields = ("year", "result", "note", "recorded_by")


class TrainingInline(ReadOnlyInline):
    model = IntegrityTraining
    fields = ("attended_on", "title", "organizer", "hours")


class MattersReportInline(ReadOnlyInline):
    model = PersonalMattersReport
    fields = ("year", "reported_on", "summary")


class MoveInline(ReadOnlyInline):
    model = CivilServantMove
    fk_name = "person"
    fields = ("moved_on", "from_agency", "to_agency", "reason")


class FileReadLogMixin:
    """Opening a person's file in the console is a read of personal data, logged like every other read."""

    def person_of(self, obj: Any) -> CivilServant:
        return obj.person

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if change and obj is not None and request.method == "GET":
            civil_servant_file_read(actor=acting_user(request), person=self.person_of(obj), channel="admin")
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


@admin.register(CivilServant)
class CivilServantAdmin(FileReadLogMixin, ScopedAdmin, SimpleHistoryAdmin):
    # Only the masked ID number is ever shown; the digest and the cipher never appear in the console.
    form = CivilServantChangeForm
    add_form = CivilServantAddForm
    list_display = ("name", "id_number_masked", "agency", "position", "rank", "is_principal", "active")
    list_filter = ("is_principal", "active")
    list_select_related = ("agency",)
    search_fields = ("name",)
    autocomplete_fields = ("agency",)
    inlines = (AssessmentInline, TrainingInline, MattersReportInline, MoveInline)

    def person_of(self, obj: Any) -> CivilServant:
        return obj

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # By name only: an ID number typed here would travel in the URL (docs/domain.md §2); the staff pages look it
        # up by POST.
        return queryset.search(search_term), False  # type: ignore[attr-defined]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[admin.options.InlineModelAdmin]]:
        return list(self.inlines) if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = self.add_form if obj is None else self.form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "id_number", "agency", "position", "rank", "is_principal")
        return (
            "name",
            "id_number_masked",
            "agency",
            "moved_on",
            "move_reason",
            "position",
            "rank",
            "is_principal",
            "active",
            "created_at",
            "updated_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else ("id_number_masked", "active", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, acting_user(request)
        if not change:
            created = civil_servant_create(
                actor=actor,
                name=data["name"],
                id_number=data["id_number"],
                agency=data["agency"],
                position=data.get("position", ""),
                rank=data.get("rank", ""),
                is_principal=data.get("is_principal", False),
            )
            adopt(obj, created)
            return
        changed = set(form.changed_data)
        person = CivilServant.objects.select_related("agency").get(pk=obj.pk)
        if changed & {"name", "position", "rank", "is_principal"}:
            person = civil_servant_update(
                actor=actor,
                person=person,
                name=data["name"],
                position=data.get("position", ""),
                rank=data.get("rank", ""),
                is_principal=data.get("is_principal", False),
            )
        if "agency" in changed:
            civil_servant_move(
                actor=actor,
                person=person,
                to_agency=data["agency"],
                moved_on=data.get("moved_on") or timezone.localdate(),
                reason=data.get("move_reason", ""),
            )
            person.refresh_from_db()
        adopt(obj, person)


class IntegrityFileAdmin(FileReadLogMixin, ScopedAdmin, SimpleHistoryAdmin):
    """Entries of the integrity file are added through their service and not edited afterwards (no service does)."""

    autocomplete_fields = ("person",)
    list_select_related: ClassVar[tuple[str, ...]] = ("person", "person__agency")
    search_fields = ("person__name",)
    add_fields: tuple[str, ...] = ()
    view_fields: tuple[str, ...] = ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.add_fields if obj is None else self.view_fields

    @admin.display(description=_("agency"))
    def agency(self, obj: Any) -> Agency:
        return obj.person.agency


@admin.register(AnnualAssessment)
class AnnualAssessmentAdmin(IntegrityFileAdmin):
    list_display = ("person", "agency", "year", "result", "recorded_by")
    list_select_related = ("person", "person__agency", "recorded_by")
    list_filter = ("year", "result")
    add_fields = ("person", "year", "result", "note")
    view_fields = ("person", "year", "result", "note", "recorded_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        adopt(
            obj,
            assessment_record(
                actor=acting_user(request),
                person=data["person"],
                year=data["year"],
                result=data["result"],
                note=data.get("note", ""),
            ),
        )


@admin.register(IntegrityTraining)
class IntegrityTrainingAdmin(IntegrityFileAdmin):
    list_display = ("person", "agency", "title", "attended_on", "hours")
    add_fields = ("person", "title", "organizer", "attended_on", "hours")
    view_fields = ("person", "title", "organizer", "attended_on", "hours", "recorded_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        adopt(
            obj,
            training_record(
                actor=acting_user(request),
                person=data["person"],
                title=data["title"],
                attended_on=data["attended_on"],
                hours=data["hours"],
                organizer=data.get("organizer", ""),
            ),
        )


@admin.register(PersonalMattersReport)
class PersonalMattersReportAdmin(IntegrityFileAdmin):
    list_display = ("person", "agency", "year", "reported_on")
    list_filter = ("year",)
    add_fields = ("person", "year", "reported_on", "summary")
    view_fields = ("person", "year", "reported_on", "summary", "recorded_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        adopt(
            obj,
            matters_report_record(
                actor=acting_user(request),
                person=data["person"],
                year=data["year"],
                reported_on=data["reported_on"],
                summary=data["summary"],
            ),
        )


@admin.register(CivilServantMove)
class CivilServantMoveAdmin(ReadOnlyScopedAdmin):
    list_display = ("moved_on", "person", "from_agency", "to_agency", "actor")
    list_select_related = ("person", "from_agency", "to_agency", "actor")
    search_fields = ("person__name",)
    fields = ("person", "from_agency", "to_agency", "moved_on", "reason", "actor", "at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        # A move is in reach from either end: the region it left keeps the record too.
        return queryset.filter(people_q(user, "from_agency") | people_q(user, "to_agency"))


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "actor", "action", "channel", "person", "purpose")
    list_filter = ("action", "channel")
    list_select_related = ("actor", "person")
    search_fields = ("actor__username", "person__name")
    fields = ("at", "actor", "action", "channel", "person", "purpose")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        # Reads of people in the region, and reads by the region's own staff (a look-up may have found nobody).
        return queryset.filter(people_q(user, "person__agency") | agency_q(user, "actor__agency"))
