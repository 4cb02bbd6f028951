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
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken, Role, User
from accounts.services import user_create, user_set_role
from records.errors import DomainError

# The admin console is for these roles (accounts.services.user_create gives them is_staff).
CONSOLE_ROLES = frozenset({Role.CREDIT_OFFICE, Role.ADMINISTRATOR})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

SERVICE_ERROR_ATTR = "_admin_service_error"


def has_console_role(request: HttpRequest, roles: frozenset[str]) -> bool:
    user: Any = request.user
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
                self.add_error(None, error)  # type: ignore[arg-type]
            return cleaned

    ServiceErrorForm.__name__ = form_class.__name__
    return ServiceErrorForm


class ScopedAdmin(admin.ModelAdmin):
    """Scope, role-based permissions, no deletion, service errors as form errors. See the module docstring."""

    # Roles that may open the model at all, and those that may also add and change (empty: read-only).
    viewer_roles: frozenset[str] = CONSOLE_ROLES
    editor_roles: frozenset[str] = CONSOLE_ROLES

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
        """The rows `user` may see; by default the model's own `visible_to`."""
        return queryset.visible_to(user)  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(super().get_queryset(request), request.user)

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
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class StaffUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
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

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return queryset if user.is_administrator else queryset.none()

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
            user_set_role(user=obj, role=obj.role, agency=obj.agency, sector=obj.sector, actor=request.user)
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

    def scope(self, queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return queryset if user.is_administrator else queryset.none()
