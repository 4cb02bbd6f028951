"""The admin console (/admin/) for administrators and credit offices, and the one mixin every business admin uses.

`ScopedAdmin` makes the admin obey the same rules as the pages and the API:
- rows come from the model's own `visible_to(user)` (accounts/scope.py), so an id typed into an admin URL outside the
  user's region is "not found";
- who may view, add and change is decided by role, not by Django's per-model permission table, which nobody
  maintains; nothing is ever deleted from a business table, so there is no delete permission and no bulk delete;
- writes go through the services: each admin's `save_model` calls one, and a `DomainError` it raises comes back as a
  form error (on the field it names) instead of a 500;
- with django-simple-history's admin, the history pages are scoped too and a historical version is never reverted
  (a revert would write around the services).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from accounts.http import acting_user
from accounts.models import AnyUser, ApiClient, ApiClientUse, ApiScope, ApiToken, Role, User
from accounts.services import (
    api_client_change,
    api_client_issue,
    api_client_revoke,
    api_client_rotate_key,
    user_create,
    user_set_role,
)
from kernel.errors import DomainError

# The admin console is for these roles (accounts.services.user_create gives them is_staff).
CONSOLE_ROLES = frozenset({Role.CREDIT_OFFICE, Role.ADMINISTRATOR})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

SERVICE_ERROR_ATTR = "_admin_service_error"


def _boolean_icon(field_val: bool | None) -> SafeString:
    """Django's yes/no icon with its text in the reader's language: Django writes alt="True" in English, which a
    screen reader reads out on a Chinese page. Every admin list and read-only field shows booleans through this."""
    name, text = {True: ("yes", gettext("Yes")), False: ("no", gettext("No")), None: ("unknown", gettext("Unknown"))}[
        field_val
    ]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


# Helpers and utils look it up here each time they draw an icon (private in Django, so absent from the stubs).
admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The history page's changes as a reader knows them: a choice by its label, yes/no, "—" for nothing (the
    package shows stored codes and Python's None)."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        field = self.model._meta.get_field(change.field)
        choices = dict(field.flatchoices) if getattr(field, "flatchoices", None) else {}
        return choices.get(value, value)


def has_console_role(request: HttpRequest, roles: frozenset[str]) -> bool:
    user: AnyUser = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(user.is_administrator or user.role in roles)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Copy what a service saved onto the unsaved instance the admin holds, so it answers with the real row."""
    for name, value in saved.__dict__.items():
        if name != "_state":
            obj.__dict__[name] = value
    obj._state.adding = False


def _with_service_error(form_class: type[ModelForm], error: Exception) -> type[ModelForm]:
    """The same form, invalid with the error a service raised on the previous pass of this request."""

    class ServiceErrorForm(form_class):  # type: ignore[valid-type, misc]
        def clean(self) -> dict[str, Any]:
            cleaned: dict[str, Any] = super().clean()
            if isinstance(error, DomainError):
                self.add_error(error.field if error.field in self.fields else None, str(error.message))
            elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
            else:
                self.add_error(None, error)
            return cleaned

    ServiceErrorForm.__name__ = form_class.__name__
    return ServiceErrorForm


class ScopedAdmin(admin.ModelAdmin):
    """Scope, role-based permissions, no deletion, service errors as form errors. See the module docstring."""

    # Roles that may open the model at all, and those that may also add and change (empty: read-only).
    viewer_roles: frozenset[str] = CONSOLE_ROLES
    editor_roles: frozenset[str] = CONSOLE_ROLES

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        """The rows `user` may see; by default the model's own `visible_to`."""
        return queryset.visible_to(user)  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(super().get_queryset(request), acting_user(request))

    # Permissions: by role; the rows themselves are already scoped by get_queryset.

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_console_role(request, self.viewer_roles | self.editor_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_console_role(request, self.viewer_roles | self.editor_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(self.editor_roles) and has_console_role(request, self.editor_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.editor_roles) and has_console_role(request, self.editor_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing is hard-deleted from business tables: rows are deactivated, revoked or superseded.
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        # A choice outside the user's region is "not a valid choice", whatever id is posted.
        related = db_field.remote_field.model._default_manager.all()
        if "queryset" not in kwargs and hasattr(related, "visible_to"):
            kwargs["queryset"] = related.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Service errors: the write ran inside the admin's transaction; the error rolled it back. The same POST is
    # then answered again with a form that carries the error, so the user reads a sentence, not a 500.

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> type[ModelForm]:
        form_class: type[ModelForm] = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, SERVICE_ERROR_ATTR, None)
        return _with_service_error(form_class, error) if error is not None else form_class

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as error:
            if getattr(request, SERVICE_ERROR_ATTR, None) is not None:
                raise
            setattr(request, SERVICE_ERROR_ATTR, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    # History (django-simple-history's admin): the object must be in scope, and versions are read, never reverted.

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        return ReadableHistoryHelper(self.model, historical_record)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        self._ensure_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        self._ensure_in_scope(request, object_id)
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def _ensure_in_scope(self, request: HttpRequest, object_id: str) -> None:
        try:
            found = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Event and access logs: written by the services only, read in the console."""

    editor_roles = frozenset()


# Users: administrators only. Role decides is_staff / is_superuser (accounts.services.user_set_role).


class StaffUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs declare no Meta
        model = User
        fields = ("username",)


class StaffUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]  # the stubs declare no Meta
        model = User
        fields = "__all__"


admin.site.unregister(Group)  # roles decide what a user may do, not groups


@admin.register(User)
class UserAdmin(ScopedAdmin, SimpleHistoryAdmin, DjangoUserAdmin):
    viewer_roles = ADMINISTRATORS
    editor_roles = ADMINISTRATORS
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    list_display = ("username", "first_name", "role", "agency", "sector", "is_active", "last_login")
    list_filter = ("role", "sector", "is_active")
    list_select_related = ("agency",)
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    autocomplete_fields = ("agency",)
    filter_horizontal = ()
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and scope"), {"fields": ("role", "agency", "sector", "is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal info"), {"fields": ("first_name", "email")}),
        (_("Role and scope"), {"fields": ("role", "agency", "sector")}),
    )

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        # API clients' service accounts are managed under API clients.
        return queryset.exclude(role=Role.API_CLIENT) if user.is_administrator else queryset.none()

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = [choice for choice in Role.choices if choice[0] != Role.API_CLIENT]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            usable = data.get("usable_password", "true") != "false"
            saved = user_create(
                username=data["username"],
                password=data.get("password1") if usable else None,
                role=data["role"],
                agency=data.get("agency"),
                sector=data.get("sector", ""),
                full_name=data.get("first_name", ""),
                email=data.get("email", ""),
            )
            adopt(obj, saved)
            return
        changed = set(form.changed_data)
        if changed & {"role", "agency", "sector"}:
            user_set_role(user=obj, role=obj.role, agency=obj.agency, sector=obj.sector, actor=acting_user(request))
        plain = sorted(changed & {"username", "first_name", "last_name", "email", "is_active"})
        if plain:
            obj.save(update_fields=plain)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyScopedAdmin):
    viewer_roles = ADMINISTRATORS
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix")
    fields = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset if user.is_administrator else queryset.none()


# API clients: issued, changed, given a new key and revoked by administrators through accounts.services; the key is
# shown once, in the message after the action.


def _show_key_once(request: HttpRequest, client: ApiClient, key: str) -> None:
    messages.warning(
        request,
        _("The key of %(name)s, shown only this once — give it to the client system now: %(key)s")
        % {"name": client.name, "key": key},
    )


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = (
            "name",
            "description",
            "contact",
            "scope_public_read",
            "scope_records_read",
            "scope_records_write",
            "read_agencies",
            "write_agency",
        )


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin, SimpleHistoryAdmin):
    viewer_roles = ADMINISTRATORS
    editor_roles = ADMINISTRATORS
    form = ApiClientForm
    list_display = ("name", "key_prefix", "scope_list", "write_agency", "created_at", "last_used_at", "revoked_at")
    list_filter = (
        "scope_public_read",
        "scope_records_read",
        "scope_records_write",
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("write_agency",)
    search_fields = ("name", "prefix", "contact")
    autocomplete_fields = ("read_agencies", "write_agency")
    readonly_fields = (
        "key_prefix",
        "user",
        "created_by",
        "created_at",
        "key_issued_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    actions = ("issue_new_key", "revoke")

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset if user.is_administrator else queryset.none()

    @admin.display(description=_("key"))
    def key_prefix(self, obj: ApiClient) -> str:
        return f"gck_{obj.prefix}…" if obj.prefix else ""

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiClient) -> str:
        return " ".join(scope for scope in ApiScope.values if scope in obj.scopes)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and not obj.is_active:
            return (*ApiClientForm.Meta.fields, *self.readonly_fields)  # a revoked client is history
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        arguments = {
            "actor": acting_user(request),
            "name": data["name"],
            "description": data.get("description", ""),
            "contact": data.get("contact", ""),
            "scopes": {
                str(scope)
                for scope, field in (
                    (ApiScope.PUBLIC_READ, "scope_public_read"),
                    (ApiScope.RECORDS_READ, "scope_records_read"),
                    (ApiScope.RECORDS_WRITE, "scope_records_write"),
                )
                if data.get(field)
            },
            "read_agencies": list(data.get("read_agencies") or []),
            "write_agency": data.get("write_agency"),
        }
        if change:
            adopt(obj, api_client_change(client=obj, **arguments))
            return
        client, key = api_client_issue(**arguments)
        adopt(obj, client)
        _show_key_once(request, client, key)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service set the agencies it reads (form.save_m2m would write around it).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            if not client.is_active:
                messages.error(request, _("%(name)s is revoked; issue a new client instead.") % {"name": client.name})
                continue
            client, key = api_client_rotate_key(actor=acting_user(request), client=client)
            _show_key_once(request, client, key)

    @admin.action(description=_("Revoke (for good)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        revoked = [api_client_revoke(actor=acting_user(request), client=client).name for client in queryset]
        messages.success(request, _("Revoked: %(names)s.") % {"names": ", ".join(revoked)})


@admin.register(ApiClientUse)
class ApiClientUseAdmin(ReadOnlyScopedAdmin):
    viewer_roles = ADMINISTRATORS
    list_display = ("at", "client", "method", "path", "status_code", "remote_addr")
    list_filter = ("client", "method", "status_code", ("at", admin.DateFieldListFilter))
    list_select_related = ("client",)
    search_fields = ("path",)
    # The log grows by a row per request: no exact count on every page.
    show_full_result_count = False
    fields = list_display
    readonly_fields = fields

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset if user.is_administrator else queryset.none()
