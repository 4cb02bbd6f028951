from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "sectors"
    verbose_name = _("Sector duties")

    def ready(self) -> None:
        from outbox.kinds import kind_register
        from sectors.models import InvestmentObligation, PppProject
        from sectors.services.investment import INVESTMENT_OBLIGATION_KIND
        from sectors.services.ppp import PPP_PROJECT_KIND

        # An investment obligation's lawful changes and breaches: seen by whoever sees the promising agency.
        kind_register(INVESTMENT_OBLIGATION_KIND, model=InvestmentObligation)

        # A PPP project card's changes are seen by whoever sees the implementing agency (the outbox's default scope).
        kind_register(PPP_PROJECT_KIND, model=PppProject)
