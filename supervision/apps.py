from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Each kind of supervision registers its outbox kinds, queue sections, agency sections and evaluation sources
        # from its own module's `register()`.
        from supervision import evaluation_sources, evaluation_sources_complaints
        from supervision.views import complaints as complaint_views
        from supervision.views import suggestion_panels

        evaluation_sources.register()
        suggestion_panels.register()
        evaluation_sources_complaints.register()
        complaint_views.register()
