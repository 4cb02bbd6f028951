"""Indexes for the public site's queries (disclosure/queries.py), on PostgreSQL, measured at 1,000,000 records
(bench/bench_public_search.py).

Both are partial on what disclosed() asks first — status IN (published, corrected) AND publicly_disclosed — so they
hold the public candidates only. A new state that stays public (the repair issue's objection states) must be added
to both predicates here as well as to disclosed().

- record_public_recent_idx, the "recently published" list (recent_page): an index on (status, published_at) cannot
  return two statuses in one published_at order, so the list sorted every record in force; a keyset page now reads
  ~21 entries of this one.
- record_public_agency_idx, the agency page (agency_records, newest decision first, 20 heap rows a page) and the
  number of records in force of each search hit (records_in_force_by_agency): the window dates are INCLUDEd, so the
  counts are index-only scans instead of thousands of heap visits (38 ms → a few for a page of busy agencies).

CONCURRENTLY, outside a transaction: building them must not block writes to a live table.
"""

from django.db import migrations

PUBLIC = "WHERE status IN ('published', 'corrected') AND publicly_disclosed"
INDEXES = {
    "record_public_recent_idx": f"(published_at DESC, id DESC) {PUBLIC}",
    "record_public_agency_idx": (
        f"(subject_agency_id, decision_date DESC, id DESC) INCLUDE (disclosure_starts_on, disclosure_ends_on) {PUBLIC}"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON records_dishonestyrecord {definition}"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("records", "0005_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
