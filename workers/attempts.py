"""Worker-side flushing of the batched FetchAttempt inserts (see curation.services.harvest).

A 304 queues its FetchAttempt row in the worker process. Besides the size and age limits checked on
every harvest, a worker flushes the queue HARVEST_ATTEMPT_FLUSH_SECONDS after a task that left rows
queued (a timer thread with its own database connection, so an idle worker does not sit on them), and
when its process stops."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connections

from curation.services.harvest import fetch_attempts_flush, fetch_attempts_pending

logger = logging.getLogger(__name__)

_timer: threading.Timer | None = None
_timer_lock = threading.Lock()


def flush_later(**_: Any) -> None:
    """After a task: if rows are queued, make sure one timer will flush them."""
    global _timer
    if not fetch_attempts_pending():
        return
    with _timer_lock:
        if _timer is not None and _timer.is_alive():
            return
        _timer = threading.Timer(settings.HARVEST_ATTEMPT_FLUSH_SECONDS, _flush_in_thread)
        _timer.daemon = True
        _timer.start()


def flush_now(**_: Any) -> None:
    """When the worker process stops: write what is queued."""
    try:
        written = fetch_attempts_flush()
    except Exception:
        logger.exception("could not write the queued fetch attempts at shutdown")
        return
    if written:
        logger.info("wrote %d queued fetch attempts at shutdown", written)


def _flush_in_thread() -> None:
    try:
        fetch_attempts_flush()
    except Exception:
        logger.exception("could not write the queued fetch attempts; they stay queued")
    finally:
        connections.close_all()  # this thread's own connections
