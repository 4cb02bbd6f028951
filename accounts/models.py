from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from records.models import Sector


class Role(models.TextChoices):
    """DOMAIN §1. Scope per role is decided in accounts/scope.py and nowhere else."""

    CLERK = "clerk", _("Agency clerk")
    REVIEWER = "reviewer", _("Agency reviewer")
    CREDIT_OFFICE = "credit_office", _("Credit office")
    SECTOR_AUTHORITY = "sector_authority", _("Sector authority")
    INSPECTOR = "inspector", _("Inspector")
    ADMINISTRATOR = "administrator", _("Administrator")


class StaffUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CLERK)
    agency = models.ForeignKey(
        "records.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)

    objects: ClassVar[StaffUserManager] = StaffUserManager()  # type: ignore[assignment]
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_staff_belongs_to_agency",
                condition=Q(role=Role.ADMINISTRATOR) | Q(agency__isnull=False),
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
        # Only the inspector role ever sees a resident ID number whole (DOMAIN §2).
        return self.role == Role.INSPECTOR


class ApiToken(models.Model):
    """A bearer token for REST clients. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters of the key, to recognise it."))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
