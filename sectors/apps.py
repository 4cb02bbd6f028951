from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "sectors"
    verbose_name = _("Sector duties")

    def ready(self) -> None:
        from outbox.kinds import kind_register
        from sectors.evaluation_sources import register as register_evaluation_sources
        from sectors.models import (
            CreationApplication,
            DebtRegionYear,
            InvestmentObligation,
            OverdueDisclosure,
            PppProject,
            TenderSanction,
        )
        from sectors.services.debt import DEBT_YEAR_KIND
        from sectors.services.investment import INVESTMENT_OBLIGATION_KIND
        from sectors.services.ppp import PPP_PROJECT_KIND
        from sectors.services.procurement import DISCLOSURE_KIND
        from sectors.services.streets import CREATION_KIND
        from sectors.services.tendering import SANCTION_KIND

        # Each kind's changes are seen by whoever sees the agency it belongs to (the outbox's default scope):
        # an agency's published statement of overdue SME payments,
        kind_register(DISCLOSURE_KIND, model=OverdueDisclosure)
        # an investment obligation's lawful changes and breaches,
        kind_register(INVESTMENT_OBLIGATION_KIND, model=InvestmentObligation)
        # a PPP project card (its implementing agency),
        kind_register(PPP_PROJECT_KIND, model=PppProject)
        # an honest street or town named, or its naming revoked,
        kind_register(CREATION_KIND, model=CreationApplication)
        # a region's yearly debt figures, once published (its government),
        kind_register(DEBT_YEAR_KIND, model=DebtRegionYear)
        # a tendering sanction once published (the deciding authority's).
        kind_register(SANCTION_KIND, model=TenderSanction)
        # What the evaluation reads from the sector duties (kernel/sources.py).
        register_evaluation_sources()
