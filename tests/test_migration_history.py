"""No data lost in the move: a database built at the schema before the layout changes, migrated to this tree's head.

The old tree (OLD_SCHEMA_COMMIT, exported from git) migrates a fresh PostgreSQL database, loads the demo city and
does a few things the demo does not (an agency renamed, an ID number revealed, permissions granted to a group and to a
user, an admin log entry). This tree's `migrate` then upgrades that database in place, as a deployment would. Every
table that existed keeps its rows, column for column; every id sequence runs past its rows; every content type still
names the model of the same table, so permissions, groups and admin log entries follow the moved models; the histories,
the encrypted ID numbers and the cross-app relations read the same through the new models; no migration is missing;
the pages render on the migrated data.

A slow, process-level test: both trees run `manage.py` in child processes (about three minutes, most of it the demo
city). `-m "not slow"` leaves it out.
"""

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
# The last commit before the layout changes (14dbc42, "Merge h-faults"): the schema deployed databases upgrade from.
OLD_SCHEMA_COMMIT = "14dbc42ea1ec8627715afe229b35e940ebe59fa6"

# The app each moved table belongs to now (its table name as the old schema had it).
MOVED_TABLES: dict[str, tuple[str, ...]] = {
    "subjects": (
        "records_agency",
        "records_agencyevent",
        "records_civilservant",
        "records_civilservantmove",
        "records_annualassessment",
        "records_integritytraining",
        "records_personalmattersreport",
        "records_personaldataaccess",
        "records_historicalagency",
        "records_historicalcivilservant",
        "records_historicalannualassessment",
        "records_historicalintegritytraining",
        "records_historicalpersonalmattersreport",
    ),
    "outbox": ("records_platformchange",),
    "notices": ("repair_notification",),
}
# A move that renames a table or a column says so here (old table -> new table; (new table, old column) -> new
# column): the rows are then looked for under the new names.
RENAMED_TABLES: dict[str, str] = {"records_platformchange": "outbox_platformchange"}
RENAMED_COLUMNS: dict[tuple[str, str], str] = {}
# Django's registries: migrating may add rows to them (migrations applied, new models and their permissions).
GROWING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# A moved model's content type changes its app label: checked by the content-type test, which follows the tables.
COLUMNS_LEFT_TO_OTHER_CHECKS = {"django_content_type": frozenset({"app_label"})}
# Tables the probes read besides the moved ones.
PROBED_TABLES = ("records_dishonestyrecord", "records_platformchange")

# Shared by both trees' runs, so the ID numbers the old tree encrypted decrypt in the new one.
SECRET_KEY = "migration-history-test-secret-key-" + "0" * 32
PERSONAL_DATA_KEY = "migration-history-test-personal-data-key-0000000"

# Run by the old tree after the demo city: what the demo does not do, so the moved tables and the registries that
# point at the moved models all hold rows written before the move.
BEFORE_THE_MOVE = """
import json

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from records.models import Agency, CivilServant
from records.services import agency_rename, civil_servant_reveal_id_number

admin = User.objects.get(username="demo-admin")
office = User.objects.get(username="demo-office")
inspector = User.objects.get(username="demo-inspector")
agency = Agency.objects.filter(parent__isnull=False).order_by("-pk").first()
old_name = agency.name
agency = agency_rename(actor=admin, agency=agency, name=old_name + "（更名）", reason="机构改革")
person = CivilServant.objects.filter(moves__isnull=False).order_by("pk").first()
civil_servant_reveal_id_number(actor=inspector, person=person, channel="web", purpose="核对身份")
readers = Group.objects.create(name="机构查阅")
readers.permissions.add(Permission.objects.get(content_type__app_label="records", codename="view_agency"))
office.groups.add(readers)
office.user_permissions.add(Permission.objects.get(content_type__app_label="records", codename="view_civilservant"))
LogEntry.objects.create(
    user=admin,
    content_type=ContentType.objects.get_for_model(Agency),
    object_id=str(agency.pk),
    object_repr=str(agency),
    action_flag=CHANGE,
    change_message="[]",
)
print("DONE " + json.dumps({"agency": agency.pk, "old_name": old_name, "person": person.pk, "office": office.username}))
"""

# Run by both trees: what the models read. It finds each model by its table, whichever app owns it.
PROBE = """
import hashlib
import json

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType


def model(table):
    owners = [m for m in apps.get_models() if m._meta.db_table == TABLES[table]]
    assert len(owners) == 1, (table, owners)
    return owners[0]


def history(obj, *fields):
    return [
        [h.history_type, h.history_user_id, h.instance.pk, *(getattr(h, field) for field in fields)]
        for h in obj.history.order_by("history_id")
    ]


def changes(obj):
    newest = obj.history.order_by("-history_id").first()
    return sorted(change.field for change in newest.diff_against(newest.prev_record).changes)


def table_of(content_type):
    model_class = content_type.model_class()
    return None if model_class is None else model_class._meta.db_table


Agency = model("records_agency")
CivilServant = model("records_civilservant")
DishonestyRecord = model("records_dishonestyrecord")
users = get_user_model().objects
agency = Agency.objects.get(pk=DONE["agency"])
person = CivilServant.objects.get(pk=DONE["person"])
office = users.get(username=DONE["office"])


def id_numbers():
    numbers = sorted(f"{p.pk}:{p.decrypted_id_number()}" for p in CivilServant.objects.all())
    return [len(numbers), hashlib.sha256("\\n".join(numbers).encode()).hexdigest()]


# A fact that cannot be read is reported as such; the others are still read.
def guarded(compute):
    try:
        return compute()
    except Exception as exc:
        return f"FAILED {type(exc).__name__}: {exc}"


records = DishonestyRecord._default_manager.select_related("data_source_agency", "subject_person").order_by("pk")
readers = {
    "owners": lambda: {table: model(table)._meta.label for table in TABLES},
    "content_types": lambda: {str(ct.pk): table_of(ct) for ct in ContentType.objects.order_by("pk")},
    "history_counts": lambda: {
        table: model(table).history.count() for table in TABLES if hasattr(model(table), "history")
    },
    "agency_history": lambda: history(agency, "name"),
    "agency_changes": lambda: changes(agency),
    "person_history": lambda: history(person, "agency_id", "name", "id_number_masked"),
    "person_changes": lambda: changes(person),
    "id_numbers": id_numbers,
    "person_id_number": lambda: person.decrypted_id_number(),
    "permissions": lambda: sorted(office.get_all_permissions()),
    "log_entries": lambda: [
        [table_of(e.content_type), e.object_id, str(e.get_edited_object()), e.get_admin_url()]
        for e in LogEntry.objects.order_by("pk")
    ],
    "agency_relations": lambda: [agency.people.count(), [e.kind for e in agency.events.all()], agency.staff.count()],
    "person_moves": lambda: [[m.from_agency_id, m.to_agency_id] for m in person.moves.all()],
    "personal_data_access": lambda: [[a.actor_id, a.action, a.purpose] for a in person.accesses.order_by("pk")],
    "records": lambda: [
        [r.pk, r.data_source_agency.name, r.subject_person.name if r.subject_person_id else None] for r in records
    ],
    "staff": lambda: sorted([u.username, u.agency.name if u.agency_id else None] for u in users.all()),
}
facts = {name: guarded(read) for name, read in readers.items()}
print("FACTS " + json.dumps(facts, ensure_ascii=False))
"""

# Run by the new tree on the migrated database: the pages that read the moved models, as their users open them.
PAGES = """
import json

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from records.models import DishonestyRecord
from subjects.models import Agency, CivilServant

users = get_user_model().objects
agency = Agency.objects.get(pk=DONE["agency"])
person = CivilServant.objects.get(pk=DONE["person"])
moved_from = person.moves.first().from_agency
oldest = agency.history.order_by("history_id").first()
record = DishonestyRecord.objects.filter(subject_person__isnull=False).order_by("pk").first()


def page(username, url, *must_show, data=None):
    try:
        client = Client()
        client.force_login(users.get(username=username))
        response = client.post(url, data) if data is not None else client.get(url)
    except Exception as exc:
        return [f"FAILED {type(exc).__name__}: {exc}", list(must_show)]
    text = response.content.decode()
    return [response.status_code, [s for s in must_show if s not in text]]


pages = {
    "agency history (admin)": page(
        "demo-admin", reverse("admin:subjects_agency_history", args=[agency.pk]), agency.name
    ),
    "agency before its rename (admin)": page(
        "demo-admin",
        reverse("admin:subjects_agency_simple_history", args=[agency.pk, oldest.history_id]),
        DONE["old_name"],
    ),
    "agency": page("demo-admin", reverse("subjects:agency_detail", args=[agency.pk]), agency.name, DONE["old_name"]),
    "civil servants (admin)": page("demo-admin", reverse("admin:subjects_civilservant_changelist")),
    "integrity file": page(
        "demo-inspector", reverse("subjects:person_detail", args=[person.pk]), person.name, moved_from.name
    ),
    "ID number revealed": page(
        "demo-inspector",
        reverse("subjects:person_reveal", args=[person.pk]),
        person.decrypted_id_number(),
        data={"purpose": "迁移后核对"},
    ),
    "record": page(
        "demo-city-office", reverse("records:record_detail", args=[record.pk]), record.subject_person.name
    ),
    "platform operations": page("demo-admin", reverse("delivery:operations")),
}
print("PAGES " + json.dumps(pages, ensure_ascii=False))
"""


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[str | None, ...]]


@dataclass
class Upgrade:
    """The database before and after this tree's `migrate`, and how to run this tree's manage.py against it."""

    env: dict[str, str]
    done: dict[str, Any]
    before: dict[str, Table]
    after: dict[str, Table]
    facts_before: dict[str, Any]
    facts_after: dict[str, Any]
    sequences_behind: list[str]
    migrate_output: str

    def fact_before(self, name: str) -> Any:
        return _read(self.facts_before, name)

    def fact_after(self, name: str) -> Any:
        return _read(self.facts_after, name)


def _read(facts: dict[str, Any], name: str) -> Any:
    value = facts[name]
    if isinstance(value, str) and value.startswith("FAILED"):
        pytest.fail(f"{name}: {value}", pytrace=False)
    return value


def new_name(table: str) -> str:
    return RENAMED_TABLES.get(table, table)


def new_column(table: str, column: str) -> str:
    return RENAMED_COLUMNS.get((new_name(table), column), column)


def require_old_schema_commit() -> None:
    found = subprocess.run(  # noqa: S603 - git with fixed arguments
        ["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{OLD_SCHEMA_COMMIT}^{{commit}}"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.fail(
            f"The migration test builds the old schema from commit {OLD_SCHEMA_COMMIT[:7]} (the last one before the "
            f"layout changes), which this checkout does not have: it needs the git repository with its history. "
            f"In a shallow clone run `git fetch --unshallow` (or `git fetch origin {OLD_SCHEMA_COMMIT}`); in CI check "
            f"out the full history (e.g. actions/checkout with fetch-depth: 0).\n{found.stderr}",
            pytrace=False,
        )


def export_old_tree(destination: Path) -> Path:
    archive = subprocess.run(  # noqa: S603 - git with fixed arguments
        ["git", "-C", str(REPO), "archive", "--format=tar", OLD_SCHEMA_COMMIT],  # noqa: S607
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def server_params() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards; yields its URL."""
    params = server_params()
    name = f"{settings.DATABASES['default']['NAME']}_migration_{secrets.token_hex(4)}"[-63:]
    server = psycopg2.connect(dbname="postgres", **params)
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        password = f":{quote(params['password'], safe='')}" if params["password"] else ""
        yield f"postgres://{quote(params['user'], safe='')}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.close()


def manage(tree: Path, *args: str, env: dict[str, str], timeout: float = 900) -> str:
    """manage.py of `tree` in a child process; its output, or a failure that shows it."""
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)[:200]} in {tree} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result.stdout


def shell_json(tree: Path, code: str, marker: str, *, env: dict[str, str], **values: Any) -> Any:
    """Runs `code` in `manage.py shell` of `tree` with `values` bound as globals; reads the line it prints after
    `marker`."""
    preamble = "import json as _json\n" + "".join(
        f"{name} = _json.loads({json.dumps(value)!r})\n" for name, value in values.items()
    )
    output = manage(tree, "shell", "-c", preamble + code, env=env)
    lines = [line for line in output.splitlines() if line.startswith(marker + " ")]
    assert lines, f"no {marker} line in the output of the shell snippet:\n{output[-4000:]}"
    return json.loads(lines[-1][len(marker) + 1 :])


def snapshot(url: str) -> dict[str, Table]:
    """Every table of the database with every row, each value as PostgreSQL writes it as text."""
    tables: dict[str, Table] = {}
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name IN (SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE') GROUP BY table_name"
        )
        for table, columns in cursor.fetchall():
            cursor.execute(
                sql.SQL("SELECT {} FROM {}").format(
                    sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns),
                    sql.Identifier(table),
                )
            )
            tables[table] = Table(columns=tuple(columns), rows=cursor.fetchall())
    connection.close()
    return tables


def sequences_behind(url: str) -> list[str]:
    """Id sequences that would hand out a number a row already has (a table copied without moving its sequence)."""
    behind = []
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
            " AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL"
        )
        for table, column, sequence in cursor.fetchall():
            cursor.execute(
                sql.SQL("SELECT (SELECT max({}) FROM {}), last_value, is_called FROM {}").format(
                    sql.Identifier(column), sql.Identifier(table), sql.SQL(sequence)
                )
            )
            highest, last_value, is_called = cursor.fetchone()
            next_value = last_value + 1 if is_called else last_value
            if highest is not None and next_value <= highest:
                behind.append(f"{table}.{column}: next {next_value}, highest {highest}")
    connection.close()
    return behind


def projected(before: dict[str, Table], after: dict[str, Table], table: str) -> tuple[Counter[Any], Counter[Any]]:
    """The rows of `table` before and after, over the columns it had before (renamed ones followed), as multisets."""
    old, new = before[table], after[new_name(table)]
    skipped = COLUMNS_LEFT_TO_OTHER_CHECKS.get(table, frozenset())
    columns = [c for c in old.columns if c not in skipped]
    missing = [c for c in columns if new_column(table, c) not in new.columns]
    assert not missing, f"{table}: columns gone after the migration: {missing}"
    old_at = [old.columns.index(c) for c in columns]
    new_at = [new.columns.index(new_column(table, c)) for c in columns]
    return (
        Counter(tuple(row[i] for i in old_at) for row in old.rows),
        Counter(tuple(row[i] for i in new_at) for row in new.rows),
    )


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upgrade]:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the migration test runs on PostgreSQL (make test)")
    require_old_schema_commit()
    work = tmp_path_factory.mktemp("migration-history")
    old_tree = export_old_tree(work / "old-tree")
    with fresh_database() as url:
        # No broker (jobs run in-process), no platform (changes wait in the outbox), nothing read from this shell.
        inherited = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
        env = {
            **inherited,
            "DATABASE_URL": url,
            "VAR_DIR": str(work / "var"),
            "SECRET_KEY": SECRET_KEY,
            "PERSONAL_DATA_KEY": PERSONAL_DATA_KEY,
            "PLATFORM_URL": "",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        manage(old_tree, "migrate", "--noinput", env=env)
        manage(old_tree, "demo_city", env=env)
        done = shell_json(old_tree, BEFORE_THE_MOVE, "DONE", env=env)
        probed = [*(table for tables in MOVED_TABLES.values() for table in tables), *PROBED_TABLES]
        before = snapshot(url)
        facts_before = shell_json(
            old_tree, PROBE, "FACTS", env=env, DONE=done, TABLES={table: table for table in probed}
        )

        migrate_output = manage(REPO, "migrate", "--noinput", env=env)

        after = snapshot(url)
        try:
            facts_after = shell_json(
                REPO, PROBE, "FACTS", env=env, DONE=done, TABLES={table: new_name(table) for table in probed}
            )
        except pytest.fail.Exception as failure:
            # The tests that read the database directly still run; the others show why the models could not read.
            facts_after = {name: f"FAILED: the probe did not run: {failure}" for name in facts_before}
        yield Upgrade(
            env=env,
            done=done,
            before=before,
            after=after,
            facts_before=facts_before,
            facts_after=facts_after,
            sequences_behind=sequences_behind(url),
            migrate_output=migrate_output,
        )


def test_it_applies_this_trees_migrations_to_the_old_database(upgrade: Upgrade) -> None:
    assert "Applying subjects.0001_take_over_subject_tables... OK" in upgrade.migrate_output
    manage(REPO, "migrate", "--check", env=upgrade.env)


def test_it_keeps_every_table(upgrade: Upgrade) -> None:
    gone = [table for table in upgrade.before if new_name(table) not in upgrade.after]

    assert gone == [], "tables gone after the migration (a move that renames one lists it in RENAMED_TABLES)"


def test_it_keeps_the_row_count_of_every_table(upgrade: Upgrade) -> None:
    counts = {
        table: (len(old.rows), len(upgrade.after[new_name(table)].rows))
        for table, old in upgrade.before.items()
        if table not in GROWING_TABLES
    }

    assert {table: counted for table, counted in counts.items() if counted[0] != counted[1]} == {}
    assert counts["records_agency"][0] > 100 and counts["records_dishonestyrecord"][0] > 50, "the demo city loaded"
    for table in GROWING_TABLES:
        assert len(upgrade.after[table].rows) >= len(upgrade.before[table].rows), table


def test_it_keeps_every_row_column_for_column(upgrade: Upgrade) -> None:
    problems = []
    for table in upgrade.before:
        old_rows, new_rows = projected(upgrade.before, upgrade.after, table)
        lost, appeared = old_rows - new_rows, new_rows - old_rows
        if lost:
            problems.append(
                f"{table}: {lost.total()} of {old_rows.total()} rows lost or changed, e.g. {min(lost, key=repr)}"
            )
        if appeared and table not in GROWING_TABLES:
            problems.append(f"{table}: {appeared.total()} rows appeared, e.g. {min(appeared, key=repr)}")

    assert problems == []


def test_it_keeps_the_subject_tables_and_their_histories_row_for_row(upgrade: Upgrade) -> None:
    for table in MOVED_TABLES["subjects"]:
        old_rows, new_rows = projected(upgrade.before, upgrade.after, table)
        assert old_rows == new_rows, table
        assert old_rows, f"{table} is empty: the test would not notice it lost rows"


def test_it_keeps_the_record_and_measure_events(upgrade: Upgrade) -> None:
    for table in ("records_recordevent", "records_measureevent", "repair_caseevent"):
        old_rows, new_rows = projected(upgrade.before, upgrade.after, table)
        assert old_rows == new_rows, table
        assert old_rows.total() > 30, table


def test_it_keeps_the_outbox_and_its_numbering(upgrade: Upgrade) -> None:
    table = "records_platformchange"

    def outbox(t: Table, column: Callable[[str], str]) -> tuple[int, int, list[tuple[Any, ...]]]:
        at = [t.columns.index(column(name)) for name in ("id", "record_id", "version", "status", "payload")]
        rows = sorted(tuple(row[i] for i in at) for row in t.rows)
        return len(rows), max(int(row[0] or 0) for row in rows), rows

    count, highest, changes = outbox(upgrade.before[table], lambda column: column)

    assert outbox(upgrade.after[new_name(table)], lambda column: new_column(table, column)) == (count, highest, changes)
    assert count > 50 and {change[3] for change in changes} == {"pending"}, "the demo's changes wait, undelivered"
    # The next change is numbered after the last one, in every table.
    assert upgrade.sequences_behind == []


def test_it_moves_the_content_types_of_the_moved_models_with_their_rows(upgrade: Upgrade) -> None:
    old_content_types = upgrade.fact_before("content_types")
    new_content_types = upgrade.fact_after("content_types")

    # None is left stale (naming no model): `remove_stale_contenttypes` would delete it with the permissions and admin
    # log entries that point at it. Each one that named a model names the model of the same table.
    assert [pk for pk, table in new_content_types.items() if table is None] == []
    assert {pk: new_content_types[pk] for pk in old_content_types} == {
        pk: new_name(table) for pk, table in old_content_types.items()
    }
    for app_label, tables in MOVED_TABLES.items():
        assert {upgrade.fact_after("owners")[table].split(".")[0] for table in tables} == {app_label}
        # The rows themselves now say so, ids unchanged.
        rows = upgrade.after["django_content_type"]
        label_of = {row[rows.columns.index("id")]: row[rows.columns.index("app_label")] for row in rows.rows}
        moved = [pk for pk, table in old_content_types.items() if table in tables]
        assert len(moved) == len(tables)
        assert {label_of[pk] for pk in moved} == {app_label}


def test_it_keeps_the_permissions_of_the_moved_models_and_what_they_grant(upgrade: Upgrade) -> None:
    old_permissions, new_permissions = projected(upgrade.before, upgrade.after, "auth_permission")

    assert old_permissions - new_permissions == Counter()
    assert upgrade.fact_before("permissions") == ["records.view_agency", "records.view_civilservant"]
    # The group and the user permission granted before the move grant the same thing under the new label.
    assert upgrade.fact_after("permissions") == ["subjects.view_agency", "subjects.view_civilservant"]


def test_it_keeps_the_admin_log_pointing_at_the_moved_agency(upgrade: Upgrade) -> None:
    [[table, object_id, edited, _old_url]] = upgrade.fact_before("log_entries")

    assert upgrade.fact_after("log_entries") == [
        [table, object_id, edited, f"/admin/subjects/agency/{object_id}/change/"]
    ]
    assert table == "records_agency" and edited.endswith("（更名）")


def test_it_reads_the_histories_through_the_new_models(upgrade: Upgrade) -> None:
    for fact in ("history_counts", "agency_history", "agency_changes", "person_history", "person_changes"):
        assert upgrade.fact_after(fact) == upgrade.fact_before(fact), fact
    assert upgrade.fact_after("history_counts")["records_agency"] > 100
    old_name = upgrade.done["old_name"]
    assert [row[3] for row in upgrade.fact_after("agency_history")] == [old_name, old_name + "（更名）"]
    assert upgrade.fact_after("agency_changes") == ["name"]
    assert upgrade.fact_after("person_changes") == ["agency"]


def test_it_decrypts_the_id_numbers_encrypted_before_the_move(upgrade: Upgrade) -> None:
    count, digest = upgrade.fact_after("id_numbers")
    number = upgrade.fact_after("person_id_number")

    # Every number, decrypted with the shared key, is the number the old tree decrypted.
    assert [count, digest] == upgrade.fact_before("id_numbers") and count > 300
    assert number == upgrade.fact_before("person_id_number") and len(number) == 18
    masked = upgrade.fact_after("person_history")[-1][-1]
    assert (masked[:4], masked[-4:]) == (number[:4], number[-4:]) and "*" in masked


def test_it_keeps_the_relations_between_the_apps(upgrade: Upgrade) -> None:
    for fact in ("agency_relations", "person_moves", "personal_data_access", "records", "staff"):
        assert upgrade.fact_after(fact) == upgrade.fact_before(fact), fact
    [[_inspector, action, purpose]] = upgrade.fact_after("personal_data_access")
    assert (action, purpose) == ("reveal_id", "核对身份")
    assert sum(1 for _pk, _agency, person in upgrade.fact_after("records") if person) > 5


def test_it_leaves_no_model_change_without_its_migration(upgrade: Upgrade) -> None:
    manage(REPO, "makemigrations", "--check", "--dry-run", env=upgrade.env)
    manage(REPO, "check", "--database", "default", env=upgrade.env)


def test_it_renders_the_pages_on_the_migrated_data(upgrade: Upgrade) -> None:
    pages = shell_json(REPO, PAGES, "PAGES", env=upgrade.env, DONE=upgrade.done)

    assert pages == {name: [200, []] for name in pages}
    assert len(pages) == 8
