"""The cache backend the settings name when REDIS_URL is set: Django's Redis cache that fails open.

Throttle counters (DRF's, the public forms'), the public page cache and the headline counts all live in Redis. When
Redis cannot be reached a request must still be answered: every operation then behaves as on an empty cache that
keeps nothing — reads miss, writes are dropped, `incr` finds no key — so throttles let requests through (the login
lockout of django-axes is kept in the database and still holds) and pages are rendered afresh. The outage is logged
once, at its start, and its end once; for RETRY_AFTER_SECONDS after a failure this process does not try Redis at all,
so requests do not each pay a connection timeout.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5.0
# Failures that mean "Redis is not there" (refused, reset, timed out, loading, read-only replica…), not a bug of ours.
UNAVAILABLE = (RedisError, OSError)


class _Health:
    """Per process, shared by its threads."""

    lock = threading.Lock()
    failing = False
    retry_at = 0.0


def _attempt(operation: Callable[[], T], fallback: T) -> T:
    if _Health.failing and time.monotonic() < _Health.retry_at:
        return fallback
    try:
        result = operation()
    except UNAVAILABLE as exc:
        with _Health.lock:
            if not _Health.failing:
                logger.error(
                    "The cache (Redis) is unavailable (%r): throttles let requests through and pages are rendered "
                    "without it until it is back.",
                    exc,
                )
            _Health.failing = True
            _Health.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
        return fallback
    if _Health.failing:
        with _Health.lock:
            if _Health.failing:
                logger.warning("The cache (Redis) is available again.")
            _Health.failing = False
    return result


def cache_available() -> bool:
    """Whether the last operation of this process reached the cache (for health checks and tests)."""
    return not _Health.failing


class FailOpenRedisCache(RedisCache):
    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        return _attempt(lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return _attempt(lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> None:
        _attempt(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        return _attempt(lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return _attempt(lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return _attempt(lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return _attempt(lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        missing = object()
        result = _attempt(lambda: super(FailOpenRedisCache, self).incr(key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result  # type: ignore[return-value]

    def set_many(self, data: Any, timeout: Any = None, version: Any = None) -> list[Any]:
        return _attempt(lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        _attempt(lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    # RedisCache.clear() answers whether Redis flushed; the stubs give BaseCache.clear() no answer.
    def clear(self) -> bool:  # type: ignore[override]
        flush = cast("Callable[[], bool]", super().clear)
        return _attempt(flush, False)
