"""Helpers for harvesting tests: register a source served by the local feed server and harvest it."""

from curation.models import Source
from curation.services.catalogue import source_register
from tests.feedserver import FeedServer, Reply
from workers.harvest.pipeline import harvest_source


def serve_and_register(
    feed_server: FeedServer, path: str, body: bytes, kind: str = "blog", **headers: str
) -> Source:
    url = feed_server.add(path, Reply(200, body, headers))
    source, _ = source_register(feed_url=url, kind=kind)
    return source


def harvest(source: Source):  # type: ignore[no-untyped-def]
    counts = harvest_source(source.pk)
    source.refresh_from_db()
    return counts
