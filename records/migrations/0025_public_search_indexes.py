"""Indexes for the public search of records (disclosure/search.py), on PostgreSQL, measured at 1,000,000 records
(bench/bench_public_search.py).

Partial on what disclosed() asks first, like those of 0006_public_indexes.py (a new state that stays public must be
added to their predicates as well). Each INCLUDEs the window's dates and what the filters ask (severity, source, the
subject agency), so that counting the matches reads no table row.

- record_public_decision_idx, the results' order (newest decision first): a search naming many agencies (区), or
  none (a filter alone), walks it and stops after a page; a decision year is a range of it.
- record_public_filter_idx, a source (with a severity, a year): a range of it, however rare the source (walking the
  decision order for a source no record has read all 600,000 entries).
- record_public_document_trgm, document numbers (文书号) by fragment: a trigram GIN index serves
  `LIKE '%12号%'` for fragments of three characters or more. pg_trgm reads Chinese only under a UTF-8 LC_CTYPE
  (the database is created with one, docker-compose.yml); the extension is trusted, so the database's owner may
  create it.
- record_public_agency_idx (0006) now INCLUDEs severity and source too: a search naming a few agencies with a filter
  counted 9,000 table rows for 1,000 matches (35 ms; 1.5 ms index-only). Built under a new name, then swapped in,
  so the agency page always has one.

CONCURRENTLY, outside a transaction: building them must not block writes to a live table.
"""

from django.db import migrations

PUBLIC = "WHERE status IN ('published', 'corrected') AND publicly_disclosed"
WINDOW = "disclosure_starts_on, disclosure_ends_on"
INDEXES = {
    "record_public_decision_idx": (
        f"(decision_date DESC, id DESC) INCLUDE (subject_agency_id, severity, source, {WINDOW}) {PUBLIC}"
    ),
    "record_public_filter_idx": (
        f"(source, severity, decision_date DESC, id DESC) INCLUDE (subject_agency_id, {WINDOW}) {PUBLIC}"
    ),
    "record_public_document_trgm": f"USING gin (document_number gin_trgm_ops) {PUBLIC}",
}
AGENCY_INDEX = "record_public_agency_idx"
AGENCY_COLUMNS = "(subject_agency_id, decision_date DESC, id DESC)"
AGENCY_BEFORE = f"{AGENCY_COLUMNS} INCLUDE ({WINDOW}) {PUBLIC}"
AGENCY_AFTER = f"{AGENCY_COLUMNS} INCLUDE ({WINDOW}, severity, source) {PUBLIC}"


def _swap_agency_index(schema_editor, definition):
    building = f"{AGENCY_INDEX}_building"
    for sql in (
        f"DROP INDEX CONCURRENTLY IF EXISTS {building}",
        f"CREATE INDEX CONCURRENTLY {building} ON records_dishonestyrecord {definition}",
        f"DROP INDEX CONCURRENTLY IF EXISTS {AGENCY_INDEX}",
        f"ALTER INDEX {building} RENAME TO {AGENCY_INDEX}",
    ):
        schema_editor.execute(sql)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, definition in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON records_dishonestyrecord {definition}"
            )
        _swap_agency_index(schema_editor, AGENCY_AFTER)


def drop_indexes(apps, schema_editor):
    # The extension stays: other objects may have come to use it.
    if schema_editor.connection.vendor == "postgresql":
        _swap_agency_index(schema_editor, AGENCY_BEFORE)
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("records", "0024_subject_models_move_to_subjects")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
