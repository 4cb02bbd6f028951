from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "repair"
    verbose_name = _("Objections and credit repair")

    def ready(self) -> None:
        # Models and other apps' registries are imported once the app registry is ready, not at module load.
        from repair.evaluation_sources import register as register_evaluation_sources
        from repair.models import Complaint, Objection, RepairApplication, RepairStatus
        from workcalendar.deadlines import open_deadlines_register

        # An open case's stage deadline is counted again when its provisional year is configured.
        for model in (Objection, Complaint, RepairApplication):
            open_deadlines_register(model, model.STAGE_DEADLINE, open=Q(closed_at__isnull=True))
        open_deadlines_register(
            RepairApplication,
            RepairApplication.MATERIAL_DEADLINE,
            open=Q(status=RepairStatus.MATERIAL_REQUESTED),
        )
        # What the evaluation reads from the cases (kernel/sources.py).
        register_evaluation_sources()
