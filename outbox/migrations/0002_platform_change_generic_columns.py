"""The outbox becomes generic: its table takes the outbox app's name, and each change names its object by kind, type
and id and the agency it belongs to — nullable here, filled for the existing rows by 0003, required by 0004. The
`record` column becomes optional (only a record's change has one). The PostgreSQL storage settings of
records/migrations/0012 go with the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("outbox", "0001_platform_change_from_records"),
        ("records", "0023_platform_change_moves_to_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="platformchange", table=None),
        migrations.AddField(
            model_name="platformchange",
            name="kind",
            # Every existing row is a record's change.
            field=models.CharField(default="record", max_length=32, verbose_name="kind"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="platformchange",
            name="object_type",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="object type",
            ),
        ),
        migrations.AddField(
            model_name="platformchange",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="object id"),
        ),
        migrations.AddField(
            model_name="platformchange",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="records.agency",
                verbose_name="agency",
            ),
        ),
        migrations.AlterField(
            model_name="platformchange",
            name="record",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="platform_changes",
                to="records.dishonestyrecord",
                verbose_name="record",
            ),
        ),
    ]
