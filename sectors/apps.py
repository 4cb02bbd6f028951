from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "sectors"
    verbose_name = _("Sector duties")

    def ready(self) -> None:
        from outbox.kinds import kind_register
        from sectors.models import PppProject
        from sectors.services.ppp import PPP_PROJECT_KIND

        # A PPP project card's changes are seen by whoever sees the implementing agency (the outbox's default scope).
        kind_register(PPP_PROJECT_KIND, model=PppProject)
