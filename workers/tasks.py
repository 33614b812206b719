"""Celery tasks: thin wrappers that take ids, tolerate deleted rows and call one pipeline/service.

Routing: tasks named harvest_* go to the `harvest` queue (settings.CELERY_TASK_ROUTES), so slow feeds
never starve user-facing work on the default queue."""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from curation.models import Source
from curation.services.catalogue import source_claim_due
from workers.harvest.hostslots import host_slot
from workers.harvest.pipeline import harvest_source

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),  # a locked or restarting database can succeed later
    retry_backoff=True,
    max_retries=5,
)
def harvest_source_task(source_id: int) -> dict[str, object]:
    feed_url = Source.objects.filter(pk=source_id).values_list("feed_url", flat=True).first()
    if feed_url is None:
        return {"source": source_id, "outcome": "deleted"}
    with host_slot(feed_url) as acquired:
        if not acquired:  # the host is busy: try again shortly, without counting as an error
            harvest_source_task.apply_async((source_id,), countdown=random.uniform(2, 10))
            return {"source": source_id, "outcome": "deferred"}
        counts = harvest_source(source_id)
    return {"source": source_id, "outcome": counts.outcome, "new": counts.new_resources}


@shared_task(acks_late=True)
def dispatch_due_sources() -> int:
    """Claim every source due for a poll and queue one harvest task each. Run by beat every minute."""
    ids = source_claim_due(limit=settings.HARVEST_DISPATCH_BATCH)
    for source_id in ids:
        harvest_source_task.delay(source_id)
    if ids:
        logger.info("dispatched %d due sources", len(ids))
    return len(ids)
