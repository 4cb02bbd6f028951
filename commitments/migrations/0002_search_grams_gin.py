"""On PostgreSQL, the indexes of the public search of commitments (disclosure/commitments.py): their search grams
under GIN, as records' and agencies' are (records/migrations/0005_search_indexes.py), and the public ones in the
search's order, so that a word most commitments hold (one character of a district's name) reads the first page along
the index instead of sorting every match."""

from django.db import migrations

PUBLIC = "('published', 'in_progress', 'stalled', 'kept', 'partly_kept', 'broken', 'changed')"
INDEXES = [
    ("commitment_search_grams_gin", "USING gin (string_to_array(search_grams, ' '))"),
    ("commitment_public_order_idx", f'(year DESC, due_on, id) WHERE status IN {PUBLIC}'),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON commitments_commitment {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _definition in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
