from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Each kind of supervision registers its outbox kinds, queue sections, agency sections and evaluation sources
        # from its own module's `register()`.
        import supervision.tasks_ledger  # noqa: F401 - the worker learns the daily deadline job
        from supervision import evaluation_sources_ledger
        from supervision.views import queue_ledger

        evaluation_sources_ledger.register()
        queue_ledger.register()
