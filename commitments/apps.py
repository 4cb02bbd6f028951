from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Public commitments")

    def ready(self) -> None:
        from commitments.evaluation_sources import register as register_evaluation_sources
        from commitments.models import Commitment
        from commitments.panels import agency_commitments_section, commitment_queue_sections
        from commitments.services import COMMITMENT_KIND, commitment_public_payload
        from outbox.kinds import kind_register
        from records.views.queue import register_queue_sections
        from subjects.agency_sections import AgencySection, register_agency_section

        # A commitment's changes are seen by whoever sees the promising agency (the outbox's default scope); the
        # public reads those of published commitments in the change feed.
        kind_register(COMMITMENT_KIND, model=Commitment, public=commitment_public_payload)
        # Warnings and hand-offs in the work queue (and so on the staff home page), and on the agency page.
        register_queue_sections(commitment_queue_sections)
        register_agency_section(AgencySection("commitments/_agency_section.html", agency_commitments_section))
        # What the evaluation reads from commitments (kernel/sources.py).
        register_evaluation_sources()
