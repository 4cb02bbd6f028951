"""What goes wrong at the platform, set at start and changed at run time (docs/faults.md)."""

import dataclasses
import random
import threading
from typing import Any

RATES = ("error_rate", "timeout_rate", "lost_response_rate", "rate_limit_rate")


class FaultConfigError(ValueError):
    pass


@dataclasses.dataclass
class Faults:
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 10.0
    lost_response_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    latency_ms: int = 0
    # A body larger than this (bytes) is answered 413, as a proxy with a body limit would; 0: the stub's own limit.
    max_body_bytes: int = 0
    down: bool = False
    reject_record_ids: list[int] = dataclasses.field(default_factory=list)
    seed: int | None = None


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultConfigError(f"{name} must be a non-negative number")
    return float(value)


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultConfigError(f"{name} must be a non-negative integer")
    return value


def _checked(name: str, value: Any) -> Any:
    if name in RATES:
        rate = _number(name, value)
        if rate > 1:
            raise FaultConfigError(f"{name} must be between 0 and 1")
        return rate
    if name == "timeout_seconds":
        return _number(name, value)
    if name in ("retry_after", "latency_ms", "max_body_bytes"):
        return _whole(name, value)
    if name == "down":
        if not isinstance(value, bool):
            raise FaultConfigError("down must be true or false")
        return value
    if name == "reject_record_ids":
        if not isinstance(value, list):
            raise FaultConfigError("reject_record_ids must be a list of integers")
        return [_whole(name, v) for v in value]
    if name == "seed":
        return None if value is None else _whole(name, value)
    raise FaultConfigError(f"unknown fault {name!r}")


class FaultInjector:
    """The current configuration and the random draws that apply it, shared by the server's threads."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._rng = self._new_rng(faults.seed)

    @staticmethod
    def _new_rng(seed: int | None) -> random.Random:
        # Fault injection only needs reproducible draws, not unpredictable ones.
        return random.Random(seed)  # noqa: S311

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Applies any subset of the knobs, all or none; returns the whole configuration."""
        checked = {name: _checked(name, value) for name, value in changes.items()}
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **checked)
            if "seed" in checked:
                self._rng = self._new_rng(checked["seed"])
            return dataclasses.asdict(self._faults)

    def snapshot(self) -> Faults:
        with self._lock:
            return dataclasses.replace(self._faults, reject_record_ids=list(self._faults.reject_record_ids))

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        if rate >= 1:
            return True
        with self._lock:
            return self._rng.random() < rate
