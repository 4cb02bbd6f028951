"""Fills the search grams of existing rows and, on PostgreSQL, indexes them with GIN (records/search.py)."""

from django.db import migrations

INDEXES = [
    ("records_agency", "agency_name_grams_gin", "name_grams"),
    ("records_dishonestyrecord", "record_search_grams_gin", "search_grams"),
]


def fill_and_index(apps, schema_editor):
    from subjects.search import grams_of

    Agency = apps.get_model("records", "Agency")
    DishonestyRecord = apps.get_model("records", "DishonestyRecord")
    for model, source, target in ((Agency, "name", "name_grams"), (DishonestyRecord, "subject_name", "search_grams")):
        batch = []
        for row in model.objects.only("pk", source).iterator(chunk_size=2000):
            setattr(row, target, grams_of(getattr(row, source)))
            batch.append(row)
            if len(batch) == 2000:
                model.objects.bulk_update(batch, [target])
                batch = []
        model.objects.bulk_update(batch, [target])
    if schema_editor.connection.vendor == "postgresql":
        for table, name, column in INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (string_to_array({column}, ' '))"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _table, name, _column in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("records", "0004_search_grams_and_import_jobs")]

    operations = [migrations.RunPython(fill_and_index, drop_indexes)]
