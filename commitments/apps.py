from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Public commitments")

    def ready(self) -> None:
        from commitments.models import Commitment
        from commitments.services import COMMITMENT_KIND, commitment_public_payload
        from outbox.kinds import kind_register

        # A commitment's changes are seen by whoever sees the promising agency (the outbox's default scope); the
        # public reads those of published commitments in the change feed.
        kind_register(COMMITMENT_KIND, model=Commitment, public=commitment_public_payload)
