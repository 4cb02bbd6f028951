"""Every change names its object and agency; one change per version of an object (no longer of a record); the
`record` column is the object for a record's change and empty otherwise; delivery's per-object order has its
index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_platform_change_objects_filled")]

    operations = [
        migrations.AlterField(
            model_name="platformchange",
            name="object_type",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="object type",
            ),
        ),
        migrations.AlterField(
            model_name="platformchange",
            name="object_id",
            field=models.PositiveBigIntegerField(verbose_name="object id"),
        ),
        migrations.AlterField(
            model_name="platformchange",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="records.agency",
                verbose_name="agency",
            ),
        ),
        migrations.RemoveConstraint(model_name="platformchange", name="platform_change_one_per_version"),
        migrations.AddConstraint(
            model_name="platformchange",
            constraint=models.UniqueConstraint(
                fields=("object_type", "object_id", "version"), name="platform_change_one_per_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="platformchange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "record"), ("record", models.F("object_id")), ("record__isnull", False)),
                    models.Q(models.Q(("kind", "record"), _negated=True), ("record__isnull", True)),
                    _connector="OR",
                ),
                name="platform_change_record_is_the_object",
            ),
        ),
        migrations.RemoveIndex(model_name="platformchange", name="platform_change_rec_pend_idx"),
        migrations.AddIndex(
            model_name="platformchange",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["object_type", "object_id", "id"],
                name="platform_change_obj_pend_idx",
            ),
        ),
    ]
