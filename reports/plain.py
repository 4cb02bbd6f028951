"""Values a snapshot may hold: JSON's own types. Dates become ISO text, amounts decimal text, labels plain text."""

import dataclasses
import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise


def plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


def plain_dict(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = plain(value)
    return result
