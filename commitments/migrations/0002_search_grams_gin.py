"""On PostgreSQL, indexes the commitments' search grams with GIN, as records' and agencies' are
(records/migrations/0005_search_indexes.py): the public search finds commitments by words of their title and agency."""

from django.db import migrations

INDEX = "commitment_search_grams_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON commitments_commitment USING gin (string_to_array(search_grams, ' '))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
