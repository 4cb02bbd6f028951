"""Open data: a bulk extract of everything the public may see, as CSV and JSON, regenerated nightly (reports.tasks,
Celery beat) into MEDIA_ROOT/open-data/ with a manifest (when generated, rows per set, each file's SHA-256 and size).

The sets are a registry like the report's sections: this app registers dishonesty records (as the public API shows
them), published commitments and the sector statements (reports/opendata_builtin.py); the evaluation's frozen grades
register theirs after it lands. Each set says its fields — name, meaning, type and the 双公示 data-item code where
the field is one — which is the data dictionary page. Incremental users read the change feed
(/api/v1/sync/changes/) after a full extract.
"""

import csv
import datetime
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FOLDER = "open-data"
TYPE_LABELS = {
    "text": _("Text"),
    "integer": _("Integer"),
    "decimal": _("Decimal number"),
    "date": _("Date (YYYY-MM-DD)"),
    "datetime": _("Date and time (ISO 8601)"),
    "boolean": _("true or false"),
}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Field:
    name: str
    meaning: "StrOrPromise"
    type: str  # text, integer, decimal, date, datetime, boolean
    code: str = ""  # the 双公示 data item (行政处罚 cf_*), where the field is one

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.type, self.type))


@dataclass(frozen=True)
class OpenDataset:
    key: str
    title: "StrOrPromise"
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    order: int = 100


OPEN_DATASETS: dict[str, OpenDataset] = {}


def register_open_dataset(dataset: OpenDataset) -> OpenDataset:
    OPEN_DATASETS[dataset.key] = dataset
    return dataset


def datasets() -> list[OpenDataset]:
    return sorted(OPEN_DATASETS.values(), key=lambda d: (d.order, d.key))


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_dataset(dataset: OpenDataset, target: Path) -> dict[str, Any]:
    names = [f.name for f in dataset.fields]
    csv_path, json_path = target / f"{dataset.key}.csv", target / f"{dataset.key}.json"
    count = 0
    # utf-8-sig: Excel opens the CSV with the Chinese intact.
    with csv_path.open("w", encoding="utf-8-sig", newline="") as c, json_path.open("w", encoding="utf-8") as j:
        writer = csv.writer(c)
        writer.writerow(names)
        j.write("[")
        for row in dataset.rows():
            values = {name: row.get(name) for name in names}
            writer.writerow([_text(values[name]) for name in names])
            j.write(("," if count else "") + "\n" + json.dumps(values, ensure_ascii=False, default=str))
            count += 1
        j.write("\n]\n")
    files = [{"name": p.name, "sha256": _digest(p), "bytes": p.stat().st_size} for p in (csv_path, json_path)]
    return {"key": dataset.key, "title": str(dataset.title), "rows": count, "files": files}


def open_data_extract(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Write every set and the manifest; the files replace the previous night's only once all are written."""
    now = now or timezone.now()
    target = folder()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="open-data-", dir=target.parent))
    manifest = {
        "generated_at": timezone.localtime(now).isoformat(),
        "change_feed": "/api/v1/sync/changes/",
        "datasets": [_write_dataset(d, staging) for d in datasets()],
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    target.mkdir(exist_ok=True)
    for path in staging.iterdir():
        os.replace(path, target / path.name)
    staging.rmdir()
    return manifest


def manifest_read() -> dict[str, Any] | None:
    path = folder() / MANIFEST
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def file_path(name: str) -> Path | None:
    """A file the manifest lists (nothing else under MEDIA_ROOT is reachable here)."""
    manifest = manifest_read()
    if manifest is None:
        return None
    listed = {f["name"] for d in manifest["datasets"] for f in d["files"]} | {MANIFEST}
    if name not in listed:
        return None
    path = folder() / name
    return path if path.exists() else None


def dictionary() -> list[OpenDataset]:
    return datasets()
