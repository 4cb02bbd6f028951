from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "sectors"
    verbose_name = _("Sector duties")

    def ready(self) -> None:
        from outbox.kinds import kind_register
        from sectors.models import OverdueDisclosure
        from sectors.services.procurement import DISCLOSURE_KIND

        # An agency's published statement of overdue SME payments: seen by whoever sees the agency.
        kind_register(DISCLOSURE_KIND, model=OverdueDisclosure)
