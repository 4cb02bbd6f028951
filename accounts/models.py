from typing import Any, ClassVar, TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Sector(models.TextChoices):
    PROCUREMENT = "procurement", _("Government procurement")
    PPP = "ppp", _("PPP")
    TENDERING = "tendering", _("Tendering and bidding")
    INVESTMENT = "investment", _("Investment promotion")
    DEBT = "debt", _("Government debt")
    STREETS_TOWNS = "streets_towns", _("Streets and towns")
    ENVIRONMENT = "environment", _("Environmental protection")
    SUBSIDIES = "subsidies", _("Financial subsidies")
    LAW_ENFORCEMENT = "law_enforcement", _("Administrative law enforcement")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """docs/domain.md §1. Scope per role is decided in accounts/scope.py and nowhere else."""

    CLERK = "clerk", _("Agency clerk")
    REVIEWER = "reviewer", _("Agency reviewer")
    CREDIT_OFFICE = "credit_office", _("Credit office")
    SECTOR_AUTHORITY = "sector_authority", _("Sector authority")
    INSPECTOR = "inspector", _("Inspector")
    ADMINISTRATOR = "administrator", _("Administrator")
    # The service account behind an ApiClient: never signs in; what it reaches follows the client's scopes.
    API_CLIENT = "api_client", _("API client")


class StaffUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CLERK)
    agency = models.ForeignKey(
        "subjects.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)

    objects: ClassVar[StaffUserManager] = StaffUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_staff_belongs_to_agency",
                condition=Q(role=Role.ADMINISTRATOR) | Q(role=Role.API_CLIENT) | Q(agency__isnull=False),
            ),
            models.CheckConstraint(
                name="user_api_client_not_staff",
                condition=~Q(role=Role.API_CLIENT) | Q(is_staff=False, is_superuser=False),
            ),
            models.CheckConstraint(
                name="user_sector_iff_sector_authority",
                condition=(Q(role=Role.SECTOR_AUTHORITY) & ~Q(sector=""))
                | (~Q(role=Role.SECTOR_AUTHORITY) & Q(sector="")),
            ),
        ]

    @property
    def roles(self) -> list[str]:
        return [self.role]

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def may_see_full_id_numbers(self) -> bool:
        # Only the inspector role ever sees a resident ID number whole (docs/domain.md §2).
        return self.role == Role.INSPECTOR


# Whoever makes a request (`request.user`): a signed-in user or an anonymous visitor, who is in nobody's scope.
AnyUser: TypeAlias = User | AnonymousUser


class ApiToken(models.Model):
    """A bearer token for REST clients. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens")
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    prefix = models.CharField(
        _("key prefix"), max_length=8, help_text=_("First characters of the key, to recognise it.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class ApiScope(models.TextChoices):
    """What an API client may do (accounts/scope.py decides what each one reaches)."""

    PUBLIC_READ = "public:read", _("Read public data")
    RECORDS_READ = "records:read", _("Read the records of some agencies")
    RECORDS_WRITE = "records:write", _("Enter records for one agency")


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def active(self) -> "ApiClientQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """Another system's credentials for the REST API, issued and revoked by an administrator (accounts.services).

    The key (`gck_…`) is shown once; only its SHA-256 digest is stored. Requests made with it act as `user`, a service
    account of role "API client" that cannot sign in; accounts/scope.py gives it what the scopes below allow.
    """

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who runs the client system: a person, phone, e-mail.")
    )
    scope_public_read = models.BooleanField(
        _("public:read"), default=False, help_text=_("Reads what the public may see, and the public change feed.")
    )
    scope_records_read = models.BooleanField(
        _("records:read"),
        default=False,
        help_text=_("Reads the records of the agencies below and of every unit under them."),
    )
    scope_records_write = models.BooleanField(
        _("records:write"),
        default=False,
        help_text=_("Enters and submits records supplied by the agency it writes for."),
    )
    read_agencies = models.ManyToManyField(
        "subjects.Agency",
        verbose_name=_("agencies it reads"),
        blank=True,
        related_name="+",
        help_text=_("records:read: each of these agencies with its whole subtree."),
    )
    write_agency = models.ForeignKey(
        "subjects.Agency",
        verbose_name=_("agency it writes for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("records:write: the one agency whose records the client enters."),
    )
    user = models.OneToOneField(
        User, verbose_name=_("service account"), on_delete=models.PROTECT, related_name="api_client", editable=False
    )
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    key_issued_at = models.DateTimeField(_("key issued"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ApiClientQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["digest", "last_used_at"])

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(revoked_at__isnull=True), name="api_client_active_name_unique"
            ),
            models.CheckConstraint(
                name="api_client_has_a_scope",
                condition=Q(scope_public_read=True) | Q(scope_records_read=True) | Q(scope_records_write=True),
            ),
            models.CheckConstraint(
                name="api_client_write_agency_iff_write_scope",
                condition=Q(scope_records_write=True, write_agency__isnull=False)
                | Q(scope_records_write=False, write_agency__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> frozenset[str]:
        granted = (
            (ApiScope.PUBLIC_READ, self.scope_public_read),
            (ApiScope.RECORDS_READ, self.scope_records_read),
            (ApiScope.RECORDS_WRITE, self.scope_records_write),
        )
        return frozenset(str(scope) for scope, on in granted if on)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiClientUse(models.Model):
    """One row per request an API client made (accounts.middleware): written with one INSERT, read in the admin."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="uses", db_index=False
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client use")
        verbose_name_plural = _("API client uses")
        ordering = ["-pk"]
        indexes = [
            # The admin's log filtered by client, newest first.
            models.Index(fields=["client", "-at"], name="api_client_use_client_at_idx"),
            # The admin's log filtered by date.
            models.Index(fields=["at"], name="api_client_use_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.method} {self.path} {self.status_code}"
