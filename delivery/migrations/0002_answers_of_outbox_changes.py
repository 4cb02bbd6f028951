"""The platform's answers now belong to the outbox app's changes: the same table, so only Django's state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_platform_state_and_answers"),
        ("outbox", "0001_platform_change_from_records"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="platformanswer",
                    name="change",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="outbox.platformchange",
                        verbose_name="change",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
