from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Credit subjects and records")

    def ready(self) -> None:
        from accounts.scope import record_q
        from outbox.kinds import kind_register
        from outbox.models import RECORD_KIND
        from records.models import DishonestyRecord, Rectification
        from workcalendar.deadlines import open_deadlines_register

        # An unanswered rectification's deadline is counted again when its provisional year is configured.
        open_deadlines_register(Rectification, Rectification.DEADLINE, open=Q(submitted_at__isnull=True))
        # A record's changes are seen by whoever sees the record as it stands now (its `record` column).
        kind_register(RECORD_KIND, model=DishonestyRecord, scope=lambda user: record_q(user, "record__"))
