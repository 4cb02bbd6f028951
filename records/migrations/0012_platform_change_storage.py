"""PostgreSQL storage settings for the outbox (bench/bench_platform_push.py measured why).

- fillfactor 70: a claim rewrites only columns no index covers (lease, tries, last try), so with room left on the
  page PostgreSQL updates the row in place (HOT) instead of writing a new entry into each of the table's indexes.
- autovacuum thresholds of 2 %: every delivered change leaves dead index entries in the pending-change indexes; a
  long drain is cleaned up as it goes instead of after the default 20 % of the table.
"""

from django.db import migrations

STORAGE = "fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02"


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE records_platformchange SET ({STORAGE})")


def reset_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE records_platformchange RESET "
            "(fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("records", "0011_platform_change_labels")]

    operations = [migrations.RunPython(set_storage, reset_storage)]
