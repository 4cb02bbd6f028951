"""The outbox's model now lives in the outbox app (outbox/migrations/0001): records lets go of it in Django's state
only; the table and its rows are untouched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0022_import_job_heartbeat"),
        # Every reference to the model points at the outbox app's before records lets go of it.
        ("delivery", "0002_answers_of_outbox_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PlatformChange")],
            database_operations=[],
        ),
    ]
