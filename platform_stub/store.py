"""The platform's own SQLite database: every item received, and what it currently holds per record and per object of
other kinds (a commitment, …), each kind keyed by its own ids."""

import datetime
import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_stub.protocol import RECORD_KIND, item_target

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY,
    delivery_key TEXT NOT NULL UNIQUE,
    record_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    change_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'stale'))
);
CREATE TABLE IF NOT EXISTS current (
    record_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    change_type TEXT NOT NULL,
    delivery_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS received_objects (
    id INTEGER PRIMARY KEY,
    delivery_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    change_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'stale'))
);
CREATE TABLE IF NOT EXISTS current_objects (
    kind TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    change_type TEXT NOT NULL,
    delivery_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (kind, object_id)
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
COUNTERS = ("duplicates", "stale", "rejected", "batches", "items_posted", "too_large", "largest_body")


@dataclass(frozen=True)
class Outcome:
    delivery_key: Any
    status: str  # accepted | duplicate | stale | rejected
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"delivery_key": self.delivery_key, "status": self.status}
        if self.error is not None:
            result["error"] = self.error
        return result


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


class Store:
    """One connection shared by the server's threads behind a lock.

    SQLite admits one writer at a time anyway, and the lock spares us SQLITE_BUSY retries; readers (reconciliation)
    are rare and short.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A batch is durable against a crash of this process at COMMIT; not fsyncing each commit keeps the stub's
        # capacity a baseline for the client rather than a disk benchmark.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._db.executemany("INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)", [(n,) for n in COUNTERS])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _bump(self, counts: dict[str, int]) -> None:
        self._db.executemany(
            "UPDATE counters SET value = value + ? WHERE name = ?", [(v, k) for k, v in counts.items() if v]
        )

    def count_arrival(self, *, items: int, size: int = 0) -> None:
        """Every signed, well-formed batch POST, whatever then happens to it: resends show up here."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._bump({"batches": 1, "items_posted": items})
                self._db.execute("UPDATE counters SET value = max(value, ?) WHERE name = 'largest_body'", (size,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def apply_batch(
        self, *, batch_id: str, items: list[Any], errors: list[str | None], poison: frozenset[int]
    ) -> list[Outcome]:
        """Applies the whole batch in one transaction; `errors[i]` is item i's form error, if any."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                outcomes = self._apply(batch_id, items, errors, poison)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return outcomes

    def _apply(
        self, batch_id: str, items: list[Any], errors: list[str | None], poison: frozenset[int]
    ) -> list[Outcome]:
        valid = [item for item, error in zip(items, errors, strict=True) if error is None]
        keys = list({item["delivery_key"] for item in valid})
        targets = {item_target(item) for item in valid}
        # A delivery key is unique across every kind: a resend is a duplicate whatever it is about.
        seen_keys = set(self._column("SELECT delivery_key FROM received WHERE delivery_key IN ({})", keys))
        seen_keys |= set(self._column("SELECT delivery_key FROM received_objects WHERE delivery_key IN ({})", keys))
        versions = self._versions(targets)

        received_at = _now()
        outcomes: list[Outcome] = []
        inserts: dict[str, list[tuple[Any, ...]]] = {RECORD_KIND: [], "": []}
        latest: dict[tuple[str, int], tuple[Any, ...]] = {}
        for item, error in zip(items, errors, strict=True):
            key = item.get("delivery_key") if isinstance(item, dict) else None
            if error is not None:
                outcomes.append(Outcome(key, "rejected", error))
                continue
            # A key already stored is a resend, even if its record has since been poisoned: the platform has it.
            if key in seen_keys:
                outcomes.append(Outcome(key, "duplicate"))
                continue
            target = item_target(item)
            kind, object_id = target
            version = item["version"]
            if kind == RECORD_KIND and object_id in poison:
                outcomes.append(Outcome(key, "rejected", "poison"))
                continue
            seen_keys.add(key)
            payload = json.dumps(item["payload"], ensure_ascii=False, separators=(",", ":"))
            about = (object_id,) if kind == RECORD_KIND else (kind, object_id)
            row = (key, *about, version, item["change_type"], payload, received_at)
            # Versions only move forward: an older or equal version is kept as received, not as current.
            status = "accepted" if version > versions.get(target, 0) else "stale"
            if status == "accepted":
                versions[target] = version
                latest[target] = row
            inserts[RECORD_KIND if kind == RECORD_KIND else ""].append((*row, batch_id, status))
            outcomes.append(Outcome(key, status))

        self._db.executemany(
            "INSERT INTO received (delivery_key, record_id, version, change_type, payload, received_at, batch_id,"
            " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            inserts[RECORD_KIND],
        )
        self._db.executemany(
            "INSERT INTO received_objects (delivery_key, kind, object_id, version, change_type, payload, received_at,"
            " batch_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts[""],
        )
        self._db.executemany(
            "INSERT INTO current (delivery_key, record_id, version, change_type, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (record_id) DO UPDATE SET version = excluded.version, change_type = excluded.change_type,"
            " delivery_key = excluded.delivery_key, payload = excluded.payload, received_at = excluded.received_at"
            " WHERE excluded.version > current.version",
            [row for (kind, _id), row in latest.items() if kind == RECORD_KIND],
        )
        self._db.executemany(
            "INSERT INTO current_objects (delivery_key, kind, object_id, version, change_type, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (kind, object_id) DO UPDATE SET version = excluded.version,"
            " change_type = excluded.change_type, delivery_key = excluded.delivery_key, payload = excluded.payload,"
            " received_at = excluded.received_at WHERE excluded.version > current_objects.version",
            [row for (kind, _id), row in latest.items() if kind != RECORD_KIND],
        )
        self._bump(
            {
                "duplicates": sum(o.status == "duplicate" for o in outcomes),
                "stale": sum(o.status == "stale" for o in outcomes),
                "rejected": sum(o.status == "rejected" for o in outcomes),
            }
        )
        return outcomes

    def _versions(self, targets: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
        """The version held of each (kind, id): records from `current`, the other kinds from `current_objects`."""
        by_kind: dict[str, list[int]] = {}
        for kind, object_id in targets:
            by_kind.setdefault(kind, []).append(object_id)
        versions: dict[tuple[str, int], int] = {}
        for kind, ids in by_kind.items():
            if kind == RECORD_KIND:
                rows = self._rows("SELECT record_id, version FROM current WHERE record_id IN ({})", ids)
            else:
                rows = self._rows(
                    "SELECT object_id, version FROM current_objects WHERE kind = ? AND object_id IN ({})", ids, kind
                )
            versions.update({(kind, object_id): version for object_id, version in rows})
        return versions

    def _rows(self, sql: str, values: list[Any], *before: Any) -> Iterable[tuple[Any, ...]]:
        """`sql` with its `{}` filled by one placeholder per value; `before`: the parameters ahead of those."""
        # Batches hold at most 1000 items, well under SQLite's limit on bound parameters.
        if not values:
            return []
        return self._db.execute(sql.format(", ".join("?" * len(values))), [*before, *values]).fetchall()

    def _column(self, sql: str, values: list[Any]) -> Iterable[Any]:
        return (row[0] for row in self._rows(sql, values))

    def records(self, *, after: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
        """A page of what the platform holds, by record id; the cursor is None when nothing follows."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record_id, version, change_type, delivery_key, received_at FROM current"
                " WHERE record_id > ? ORDER BY record_id LIMIT ?",
                (after, limit + 1),
            ).fetchall()
        page = [
            {"record_id": r[0], "version": r[1], "change_type": r[2], "delivery_key": r[3], "received_at": r[4]}
            for r in rows[:limit]
        ]
        return page, (page[-1]["record_id"] if len(rows) > limit else None)

    def record(self, record_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT record_id, version, change_type, delivery_key, received_at, payload FROM current"
                " WHERE record_id = ?",
                (record_id,),
            ).fetchone()
        if row is None:
            return None
        return {
            "record_id": row[0],
            "version": row[1],
            "change_type": row[2],
            "delivery_key": row[3],
            "received_at": row[4],
            "payload": json.loads(row[5]),
        }

    def object(self, kind: str, object_id: int) -> dict[str, Any] | None:
        """What the platform holds of an object of another kind than record, with its payload."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind, object_id, version, change_type, delivery_key, received_at, payload FROM current_objects"
                " WHERE kind = ? AND object_id = ?",
                (kind, object_id),
            ).fetchone()
        if row is None:
            return None
        names = ("kind", "object_id", "version", "change_type", "delivery_key", "received_at")
        return {**dict(zip(names, row[:6], strict=True)), "payload": json.loads(row[6])}

    def stats(self) -> dict[str, int]:
        with self._lock:
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            (received,) = self._db.execute(
                "SELECT (SELECT COUNT(*) FROM received) + (SELECT COUNT(*) FROM received_objects)"
            ).fetchone()
            (records,) = self._db.execute("SELECT COUNT(*) FROM current").fetchone()
            (objects,) = self._db.execute("SELECT COUNT(*) FROM current_objects").fetchone()
        return {
            "received": received,
            "duplicates": counters["duplicates"],
            "stale": counters["stale"],
            "rejected": counters["rejected"],
            "records": records,
            "objects": objects,
            "batches": counters["batches"],
            "items_posted": counters["items_posted"],
            "too_large": counters["too_large"],
            "largest_body": counters["largest_body"],
        }

    def count_too_large(self) -> None:
        with self._lock:
            self._bump({"too_large": 1})

    def reset(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM received")
                self._db.execute("DELETE FROM current")
                self._db.execute("DELETE FROM received_objects")
                self._db.execute("DELETE FROM current_objects")
                self._db.execute("UPDATE counters SET value = 0")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
