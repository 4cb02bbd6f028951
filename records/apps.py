from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Dishonesty records")

    def ready(self) -> None:
        # Models and other apps' registries are imported once the app registry is ready, not at module load.
        from accounts.scope import record_q
        from outbox.kinds import kind_register
        from outbox.models import RECORD_KIND
        from records.evaluation_sources import register as register_evaluation_sources
        from records.integrity import integrity_file_records, no_excellent_with_a_dishonesty_record
        from records.models import DishonestyRecord, Rectification
        from records.services.dishonesty import person_record_years
        from subjects.integrity import (
            register_candidate_years,
            register_excellent_rating_check,
            register_file_section,
        )
        from workcalendar.deadlines import open_deadlines_register

        # The integrity file (subjects) learns of dishonesty records from here (docs/domain.md §2).
        register_excellent_rating_check(no_excellent_with_a_dishonesty_record)
        register_candidate_years(person_record_years)
        register_file_section(integrity_file_records)

        # An unanswered rectification's deadline is counted again when its provisional year is configured.
        open_deadlines_register(Rectification, Rectification.DEADLINE, open=Q(submitted_at__isnull=True))
        # A record's changes are seen by whoever sees the record as it stands now (its `record` column).
        kind_register(RECORD_KIND, model=DishonestyRecord, scope=lambda user: record_q(user, "record__"))
        # What the evaluation reads from records (kernel/sources.py).
        register_evaluation_sources()
