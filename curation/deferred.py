"""Side work that must not slow a request: e-mail and metric refreshes.

A service calls `defer(kind, **payload)` inside its transaction. After the transaction commits (never
before: a rolled-back change mails nobody and refreshes nothing), the work is offered to the receivers
of `work_deferred`; the workers app answers by queuing a Celery task (workers.tasks.run_deferred),
so a web request only publishes a message. With no receiver that takes it (a shell without the
workers app) or when the broker refuses the message, the work runs in this process instead: it is
never lost. The nightly metrics recompute corrects anything a lost refresh could leave behind.

`settings.CURATION_DEFER_INLINE = True` (the test settings) runs the work at once, in the caller's
transaction, so a test can assert the result right after the service call; tests/curation/
test_deferred.py covers the on-commit hand-over to a queue."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

METRICS = "metrics"  # payload: resource_ids (list of ints)
MAIL = "mail"  # payload: messages (list of [subject, body, from, [to]])

# Receivers are called as receiver(sender=kind, payload=...) and return True when they took the work.
work_deferred = Signal()


def _refresh_metrics(*, resource_ids: list[int]) -> object:
    from curation.services.metrics import metrics_refresh_resources

    return metrics_refresh_resources(resource_ids=sorted(set(resource_ids)))


def _send_mail(*, messages: list[list[Any]]) -> object:
    from django.core.mail import send_mass_mail

    return send_mass_mail([(s, b, f, list(to)) for s, b, f, to in messages], fail_silently=True)


RUNNERS: dict[str, Callable[..., object]] = {METRICS: _refresh_metrics, MAIL: _send_mail}


def run_now(kind: str, payload: dict[str, Any]) -> object:
    """Do one piece of deferred work in this process (what the Celery task calls)."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown deferred work {kind!r}")
    return RUNNERS[kind](**payload)


def _hand_over(kind: str, payload: dict[str, Any]) -> None:
    # send_robust: a receiver that raises (a broker that is down) answers with its exception, not True.
    taken = any(answer is True for _, answer in work_deferred.send_robust(sender=kind, payload=payload))
    if not taken:
        logger.info("deferred work %s runs in-process (no queue took it)", kind)
        run_now(kind, payload)


def defer(kind: str, **payload: Any) -> None:
    """Run `kind` with `payload` after the current transaction commits, on a worker when one listens."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown deferred work {kind!r}")
    if getattr(settings, "CURATION_DEFER_INLINE", False):
        run_now(kind, payload)
        return
    transaction.on_commit(lambda: _hand_over(kind, payload))
