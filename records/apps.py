from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Credit subjects and records")

    def ready(self) -> None:
        from records.models import Rectification
        from workcalendar.deadlines import open_deadlines_register

        # An unanswered rectification's deadline is counted again when its provisional year is configured.
        open_deadlines_register(Rectification, Rectification.DEADLINE, open=Q(submitted_at__isnull=True))
