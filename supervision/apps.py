from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Each kind of supervision registers its outbox kinds, queue sections, agency sections and evaluation sources
        # from its own module's `register()`.
        import supervision.tasks_ledger  # noqa: F401 - the worker learns the daily deadline job
        from supervision import evaluation_sources, evaluation_sources_complaints, evaluation_sources_ledger
        from supervision.views import cards, queue_ledger, suggestion_panels
        from supervision.views import complaints as complaint_views

        evaluation_sources.register()
        suggestion_panels.register()
        evaluation_sources_complaints.register()
        complaint_views.register()
        evaluation_sources_ledger.register()
        queue_ledger.register()
        cards.register()
        from supervision import warning_sources

        warning_sources.register()
