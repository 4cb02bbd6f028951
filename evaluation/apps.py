from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from evaluation.services.recompute import mark_dirty
        from kernel.sources import on_unit_changed

        # Every service that changes what a source counts calls kernel.sources.unit_changed in its transaction: the
        # (unit, open period) is marked dirty in that same transaction, and evaluation.tasks.recompute_dirty follows.
        on_unit_changed(mark_dirty)
        from evaluation import warning_sources

        warning_sources.register()
