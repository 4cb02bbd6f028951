"""Queueing a Celery task without ever failing the request that asked for it.

Every job this product queues has its data in the database first — an outbox change, an import job, a notification
— so a broker that is away loses nothing: a sweeper catches the job up once the broker is back (delivery, imports),
or, where waiting would be worse, the job runs in a thread of this process instead (`in_process`: an import the
clerk is watching, an e-mail). The failure is logged once per outage; for RETRY_AFTER_SECONDS after it this process
does not try the broker again, so a burst of requests does not each wait for a refused connection.
"""

import logging
import threading
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class _Broker:
    lock = threading.Lock()
    failing = False
    retry_at = 0.0


def _run(task: Any, args: tuple[Any, ...]) -> None:
    try:
        task(*args)  # the task's own function, here and now
    except Exception:
        logger.exception("%s ran in-process (the broker was unavailable) and failed", task.name)
    finally:
        connections.close_all()


def queue_now(task: Any, *args: Any, in_process: bool = False) -> bool:
    """Queues `task(*args)`; True if the broker took it. Otherwise nothing is raised: with `in_process` the task
    starts in a daemon thread of this process, else it is left to its sweeper."""
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker configured: delay() runs the task here and now
        try:
            task.delay(*args)
        except Exception:
            logger.exception("%s failed", task.name)
            return False
        return True
    if not (_Broker.failing and time.monotonic() < _Broker.retry_at):
        try:
            task.delay(*args)
        except Exception as exc:  # refused, timed out, authentication, a full Redis: the broker is not taking work
            with _Broker.lock:
                if not _Broker.failing:
                    logger.error("The task broker is unavailable (%r); jobs wait for their sweepers or run here.", exc)
                _Broker.failing = True
                _Broker.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
        else:
            if _Broker.failing:
                with _Broker.lock:
                    if _Broker.failing:
                        logger.warning("The task broker is available again.")
                    _Broker.failing = False
            return True
    if in_process:
        threading.Thread(target=_run, args=(task, args), name=f"in-process {task.name}", daemon=True).start()
    else:
        logger.info("%s not queued (the broker is unavailable); its sweeper will catch it up", task.name)
    return False


def queue_after_commit(task: Any, *args: Any, in_process: bool = False) -> None:
    """queue_now once the surrounding transaction commits (at once outside one); a rolled-back change queues nothing,
    and the request never fails for the broker."""
    transaction.on_commit(partial(queue_now, task, *args, in_process=in_process), robust=True)


def broker_available() -> bool:
    """Whether the last attempt of this process reached the broker (for health checks and tests)."""
    return not _Broker.failing
