"""The working-day calendar in the console: administrators maintain it, credit offices may read it.

A year is filled from the holiday library (the "seed" button on the list, or the box on the add form, both calling
workcalendar.services.calendar_year_seed) or typed in from the State Council's notice for a year the library does not
cover yet: its holidays and make-up workdays pasted in one go (workcalendar.services.calendar_year_configure). Until
then the year is counted provisionally, and configuring it recounts the provisional deadlines. Exception days may be
removed again (a mistyped holiday); the history keeps every change.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ADMINISTRATORS, CONSOLE_ROLES, ScopedAdmin, adopt, has_console_role
from accounts.http import acting_user
from accounts.models import User
from kernel.errors import DomainError
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.services import (
    calendar_arrangement_problems,
    calendar_days_read,
    calendar_next_year_pending,
    calendar_year_configure,
    calendar_year_seed,
    provisional_year_message,
)

FIRST_LIBRARY_YEAR = 2019


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ("date", "kind", "name")
    extra = 0
    ordering = ("date",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_console_role(request, CONSOLE_ROLES)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_console_role(request, ADMINISTRATORS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_console_role(request, ADMINISTRATORS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Configuration, not a business record: a wrongly typed exception must be removable. History keeps it.
        return has_console_role(request, ADMINISTRATORS)


class CalendarYearForm(forms.ModelForm):
    seed_from_library = forms.BooleanField(
        label=_("Fill from the holiday library"),
        required=False,
        help_text=_("Takes the year's holidays and make-up workdays from the library; the source is set for you."),
    )
    holidays = forms.CharField(
        label=_("Holidays (days off)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-01-01 元旦\n2027-02-06 至 2027-02-13 春节"}),
        help_text=_(
            "One date or range of dates per line, as in the State Council's notice, optionally followed by the "
            "holiday's name. Weekend days inside a range are skipped."
        ),
    )
    workdays = forms.CharField(
        label=_("Make-up workdays (weekends worked)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2027-02-20 春节调休上班"}),
        help_text=_("One date per line, optionally followed by a note."),
    )

    class Meta:
        model = CalendarYear
        fields = ("year", "source", "notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("seed_from_library"):
            return cleaned
        if "source" in self.fields and not cleaned.get("source"):
            self.add_error("source", gettext("Name the notice the holidays come from, or fill from the library."))
        if "holidays" not in self.fields:
            return cleaned
        parsed: dict[str, list[tuple[Any, str]]] = {}
        for name in ("holidays", "workdays"):
            parsed[name], unreadable = calendar_days_read(cleaned.get(name) or "")
            if unreadable:
                self.add_error(name, " ".join(unreadable))
        if cleaned.get("year"):
            # What could be read is checked too, so that every mistake is shown on the first try.
            problems = calendar_arrangement_problems(year=cleaned["year"], **parsed)
            if problems:
                self.add_error("holidays", " ".join(problems))
        cleaned["parsed"] = parsed
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdmin, SimpleHistoryAdmin):
    viewer_roles = CONSOLE_ROLES
    editor_roles = ADMINISTRATORS
    form = CalendarYearForm
    list_display = ("year", "source", "exception_days", "configured_by", "configured_at")
    list_select_related = ("configured_by",)
    readonly_fields = ("configured_by", "configured_at")
    inlines = (CalendarDayInline,)

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.annotate(day_count=Count("days"))  # the calendar is the same for every region

    @admin.display(description=_("exception days"), ordering="day_count")
    def exception_days(self, obj: Any) -> int:
        return int(obj.day_count)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("year", "seed_from_library", "source", "holidays", "workdays", "notes")
        return ("year", "source", "notes", "configured_by", "configured_at")

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[admin.options.InlineModelAdmin]]:
        # A new year is saved first (or seeded), then its days are edited on its own page.
        return list(self.inlines) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and form.cleaned_data.get("seed_from_library"):
            adopt(obj, calendar_year_seed(year=form.cleaned_data["year"], actor=acting_user(request)))
            return
        if not change:
            parsed = form.cleaned_data["parsed"]
            configured = calendar_year_configure(
                year=form.cleaned_data["year"],
                source=form.cleaned_data["source"],
                notes=form.cleaned_data.get("notes") or "",
                holidays=parsed["holidays"],
                workdays=parsed["workdays"],
                actor=acting_user(request),
            )
            adopt(obj, configured)
            return
        obj.save()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        pending = calendar_next_year_pending(timezone.localdate())
        if pending is not None:
            self.message_user(request, provisional_year_message(pending), messages.WARNING)
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        seed = path(
            "seed/",
            self.admin_site.admin_view(require_POST(self.seed_view)),
            name="workcalendar_calendaryear_seed",
        )
        return [seed, *super().get_urls()]

    def seed_view(self, request: HttpRequest) -> HttpResponse:
        """Seeds every year the holiday library covers that is not configured yet (an admin action on no rows)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        configured = set(CalendarYear.objects.values_list("year", flat=True))
        seeded = []
        year = FIRST_LIBRARY_YEAR
        while True:
            try:
                calendar_year_seed(year=year, actor=acting_user(request))
            except DomainError:
                break  # the first year the library does not cover
            if year not in configured:
                seeded.append(year)
            year += 1
        if seeded:
            self.message_user(
                request,
                gettext("Configured from the holiday library: %(years)s.") % {"years": ", ".join(map(str, seeded))},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, gettext("Every year the holiday library covers is already configured."))
        return HttpResponseRedirect(reverse("admin:workcalendar_calendaryear_changelist"))
