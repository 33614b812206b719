"""Every document of the shared corpus goes through the pipeline without an unhandled exception; for
each well-formed feed the stored count equals feedparser's entry count (after the cap), and a second
harvest adds nothing."""

import csv
import json
import re
from pathlib import Path

import feedparser
import pytest
from django.conf import settings

from curation.enums import FetchOutcome
from curation.models import Resource
from tests.conftest import CORPUS
from tests.workers.helpers import harvest, serve_and_register

pytestmark = pytest.mark.django_db
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=")


def corpus_documents() -> list[tuple[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as handle:
        return [
            (row["file"], row["kind"])
            for row in csv.DictReader(handle, delimiter="\t")
            if row["kind"] != "opml"
        ]


def _is_well_formed_feed(kind: str) -> bool:
    return (
        not kind.startswith("malformed")
        and ("json" not in kind or kind.startswith("jsonfeed"))
        and kind not in ("podcast/podcastindex-fragment",)
    )


@pytest.mark.parametrize(("name", "kind"), corpus_documents() or [("(corpus absent)", "")])
def test_corpus_document_is_harvested_safely(name, kind, corpus, feed_server):
    body = (corpus / name).read_bytes()
    source = serve_and_register(
        feed_server, "/" + Path(name).name, body, kind="podcast" if "podcast" in kind else "blog"
    )
    first = harvest(source)
    assert first.outcome in FetchOutcome.values
    stored = Resource.objects.filter(source=source).count()
    if _is_well_formed_feed(kind):
        entries = (
            json.loads(body)["items"] if kind.startswith("jsonfeed") else feedparser.parse(body).entries
        )  # feedparser reads no JSON Feed: the items as the format defines them
        expected = min(len(entries), settings.HARVEST_MAX_ENTRIES)
        assert first.outcome == FetchOutcome.OK, source.last_error
        assert stored == expected
    source.body_hash = ""  # force a full re-parse, not the unchanged-body shortcut
    source.save(update_fields=["body_hash"])
    second = harvest(source)
    assert second.new_resources == 0
    assert Resource.objects.filter(source=source).count() == stored
    for summary in Resource.objects.filter(source=source).values_list("summary", flat=True):
        lowered = summary.lower()
        assert "<script" not in lowered and "javascript:" not in lowered and "<iframe" not in lowered
        assert not EVENT_HANDLER.search(lowered), summary
