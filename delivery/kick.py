"""Starting delivery when a change is queued: once per transaction, after it commits.

With a broker, a Celery task is queued; the periodic sweeper catches anything whose task was lost. Without one (the
embedded default), a single background thread of this process delivers, retries and reconciles, so the platform still
hears of every change without a worker — and no request waits for the platform.
"""

import logging
import threading

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, transaction

from config.queueing import queue_now

log = logging.getLogger(__name__)


def delivery_kick() -> None:
    """Called where a change enters the outbox; the delivery starts after the surrounding transaction commits."""
    if not settings.PLATFORM_URL:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _start for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_start, robust=True)


def _start() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        InProcessDelivery.wake()
        return
    from delivery.tasks import deliver

    # Broker down: the change is safe in the outbox and the sweeper queues it once the broker is back.
    queue_now(deliver)


class InProcessDelivery:
    """The embedded default's worker: one daemon thread, woken by new changes, otherwise every sweep interval."""

    _thread: threading.Thread | None = None
    _wake = threading.Event()
    _lock = threading.Lock()

    @classmethod
    def wake(cls) -> None:
        with cls._lock:
            if cls._thread is None or not cls._thread.is_alive():
                cls._thread = threading.Thread(target=cls._run, name="platform-delivery", daemon=True)
                cls._thread.start()
        cls._wake.set()

    @classmethod
    def _run(cls) -> None:

        since_reconcile = 0.0
        while True:
            cls._wake.wait(timeout=settings.PLATFORM_SWEEP_SECONDS)
            cls._wake.clear()
            if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.PLATFORM_URL):
                return  # a broker took over (or delivery was switched off): workers deliver, not this process
            since_reconcile += settings.PLATFORM_SWEEP_SECONDS
            reconcile = since_reconcile >= settings.PLATFORM_RECONCILE_SECONDS
            if reconcile:
                since_reconcile = 0.0
            cls.sweep_once(reconcile=reconcile)

    @staticmethod
    def sweep_once(*, reconcile: bool) -> None:
        """One pass of the thread; whatever goes wrong is logged and the next pass retries."""
        from delivery import client, services

        close_old_connections()
        try:
            services.deliver_due()
            if reconcile:
                services.answers_prune()
                services.reconcile()
        except client.PlatformUnreachable:
            log.warning("platform unreachable; delivery will retry", exc_info=True)
        except Exception as error:
            if isinstance(error, OperationalError) and "locked" in str(error):
                # SQLite (the embedded default) has one writer at a time: a request held the lock past the busy
                # timeout. Nothing was written by this pass and the next one retries — routine, not an error.
                log.info("database busy (%s); delivery retries on the next pass", error)
            else:
                log.exception("in-process delivery failed; it will retry")
        finally:
            connections.close_all()
