"""Podcast transcripts: every format of the Podcasting 2.0 specification read with its timings, hostile
files refused with a reason, and the fetch path (beat claim -> rate-limited task -> SSRF guard -> size
cap -> search index) against a local server."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.enums import EpisodeFileStatus
from curation.models import Resource, Transcript
from curation.services.episodes import episode_files_claim_due
from tests.feedserver import Reply
from tests.workers.helpers import harvest, serve_and_register
from tests.workers.test_pipeline import item, rss
from workers.harvest.transcripts import (
    TranscriptUnreadable,
    timestamp_seconds,
    transcript_choose,
    transcript_kind,
    transcript_parse,
)
from workers.tasks import dispatch_due_episode_files, harvest_fetch_transcript

VTT = b"""WEBVTT

00:00:01.000 --> 00:00:04.000
<v Dr Lee>Welcome to the resuscitation podcast.

00:12:34.500 --> 00:12:39.000
<v Dr Ash>Push-dose phenylephrine buys time while the infusion is mixed.
"""
SRT = b"""1
00:00:01,000 --> 00:00:04,000
Welcome back.

2
01:02:03,000 --> 01:02:05,000
Methylene blue for refractory vasoplegia.
"""
JSON_TRANSCRIPT = json.dumps(
    {
        "version": "1.0.0",
        "segments": [
            {"speaker": "Lee", "startTime": 0.5, "endTime": 3.0, "body": "Hello and welcome."},
            {"speaker": "Ash", "startTime": 95.2, "endTime": 99.0, "body": "Ketamine for awake intubation."},
            {"speaker": "Ash", "startTime": "bad", "body": "An untimed aside."},
            "not a segment",
        ],
    }
).encode()
HTML_TRANSCRIPT = b"""<html><head><title>T</title><script>var x = 'hidden';</script></head><body>
<cite>Lee:</cite><time>0:00</time><p>Welcome to the show.</p>
<cite>Ash:</cite><time>05:07</time><p>Hypertonic saline &amp; raised intracranial pressure.</p>
</body></html>"""


def test_webvtt_text_and_cue_timings():
    parsed = transcript_parse(VTT, media_type="text/vtt")
    assert "Push-dose phenylephrine" in parsed.text and "<v" not in parsed.text
    offset = parsed.text.index("Push-dose")
    assert [754, offset] in parsed.cues


def test_srt_json_html_and_plain_are_read():
    srt = transcript_parse(SRT, media_type="application/x-subrip")
    assert srt.cues[-1] == [3723, srt.text.index("Methylene")]
    segments = transcript_parse(JSON_TRANSCRIPT, media_type="application/json")
    assert [95, segments.text.index("Ketamine")] in segments.cues
    assert "An untimed aside." in segments.text
    page = transcript_parse(HTML_TRANSCRIPT, media_type="text/html")
    assert "Hypertonic saline & raised intracranial pressure." in page.text and "hidden" not in page.text
    assert [307, page.text.index("Hypertonic")] in page.cues
    plain = transcript_parse(b"Just words about sepsis.", media_type="text/plain")
    assert plain.text == "Just words about sepsis." and plain.cues == []


def test_type_from_extension_and_the_preferred_file_is_chosen():
    assert transcript_kind("", "https://cdn.example.org/e1.srt?sig=1") == "srt"
    assert transcript_kind("application/octet-stream", "https://x.org/t") == ""
    offered = [
        {"url": "https://x.org/t.html", "type": "text/html"},
        {"url": "https://x.org/c.vtt", "type": "text/vtt", "rel": "captions"},
        {"url": "https://x.org/t.json", "type": "application/json"},
        {"url": "https://x.org/t.pdf", "type": "application/pdf"},
    ]
    assert transcript_choose(offered)["url"] == "https://x.org/t.json"  # timed, and not mere captions
    assert transcript_choose([{"url": "https://x.org/t.pdf", "type": "application/pdf"}]) is None
    assert timestamp_seconds("1:02:03") == 3723 and timestamp_seconds("soon") is None


@pytest.mark.parametrize(
    ("body", "media_type", "reason"),
    [
        (b"", "text/plain", "no text"),
        (b"{not json", "application/json", "not valid JSON"),
        (b'{"segments": 3}', "application/json", "segments"),
        (b"[1, 2]", "application/json", "segments"),
        (b"WEBVTT\n\n00:00:01.000 --> garbage\nhi\n", "text/vtt", "no text"),  # no valid cue
        (b"%PDF-1.4", "application/pdf", "unsupported"),
        (b"[" * 100_000, "application/json", "JSON"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(body, media_type, reason):
    with pytest.raises(TranscriptUnreadable, match=reason):
        transcript_parse(body, media_type=media_type)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(str.encode),
        st.lists(st.tuples(st.integers(0, 99), st.integers(0, 59), st.text(max_size=40)), max_size=20).map(
            lambda cues: (
                "WEBVTT\n\n"
                + "\n\n".join(f"00:{m:02d}:{s:02d}.000 --> 00:{m:02d}:{s:02d}.900\n{t}" for m, s, t in cues)
            ).encode()
        ),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(st.sampled_from(["segments", "body", "startTime"]), children, max_size=3)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps({"segments": value}).encode()),
    ),
    media_type=st.sampled_from(
        ["text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain", "x/y", ""]
    ),
)
def test_any_file_is_read_or_refused_never_an_error(body, media_type):
    try:
        parsed = transcript_parse(body, media_type=media_type)
    except TranscriptUnreadable:
        return
    assert parsed.text and "\x00" not in parsed.text
    offsets = [offset for _, offset in parsed.cues]
    assert offsets == sorted(offsets) and all(0 <= offset <= len(parsed.text) for offset in offsets)


def _episode(feed_server, transcript_path, reply, media_type="text/vtt", title="Vasopressor episode"):
    url = feed_server.add(transcript_path, reply)
    extra = (
        '<enclosure url="https://cdn.example.org/e1.mp3" type="audio/mpeg" length="1"/>'
        f'<podcast:transcript url="{url}" type="{media_type}"/>'
    )
    source = serve_and_register(feed_server, "/pod", rss(item("e1", title, extra=extra)))
    harvest(source)
    return Resource.objects.get(source=source)


@pytest.mark.django_db
def test_beat_claims_the_episode_once_and_the_task_indexes_its_transcript(feed_server):
    episode = _episode(feed_server, "/e1.vtt", Reply(200, VTT, {"Content-Type": "text/vtt"}))
    assert episode_files_claim_due(kind="transcript") == [episode.pk]
    assert (
        episode_files_claim_due(kind="transcript") == []
    )  # claimed: not handed out again while the fetch runs
    assert harvest_fetch_transcript(episode.pk) == "indexed"
    transcript = Transcript.objects.get(resource=episode)
    assert transcript.status == EpisodeFileStatus.INDEXED and "phenylephrine" in transcript.text
    assert transcript.url.endswith("/e1.vtt") and transcript.fetched_at is not None
    assert dispatch_due_episode_files() == 0  # indexed: nothing due


@pytest.mark.django_db
def test_a_transcript_over_the_size_cap_is_unreadable_and_not_retried(feed_server, settings):
    settings.TRANSCRIPT_MAX_BYTES = 100
    episode = _episode(feed_server, "/big.vtt", Reply(200, VTT + b"x" * 500, {"Content-Type": "text/vtt"}))
    episode_files_claim_due(kind="transcript")
    assert harvest_fetch_transcript(episode.pk) == "too_large"
    transcript = Transcript.objects.get(resource=episode)
    assert transcript.status == EpisodeFileStatus.UNREADABLE and "exceeds 100" in transcript.error
    Transcript.objects.update(next_attempt_at=timezone.now() - timedelta(days=30))
    assert episode_files_claim_due(kind="transcript") == []


@pytest.mark.django_db
def test_a_server_error_is_retried_later_and_a_blocked_address_never_fetched(feed_server, settings):
    episode = _episode(feed_server, "/e1.vtt", Reply(503, b"busy"))
    episode_files_claim_due(kind="transcript")
    assert harvest_fetch_transcript(episode.pk) == "http_error"
    transcript = Transcript.objects.get(resource=episode)
    assert transcript.status == EpisodeFileStatus.FAILED and transcript.next_attempt_at > timezone.now()
    Transcript.objects.update(next_attempt_at=timezone.now())
    assert episode_files_claim_due(kind="transcript") == [episode.pk]
    # The guard applies as to feeds: a transcript on a private address is refused without a request.
    settings.HARVEST_ALLOWED_PRIVATE_HOSTS = []
    requests_before = len(feed_server.requests)
    assert harvest_fetch_transcript(episode.pk) == "blocked_address"
    assert len(feed_server.requests) == requests_before
    assert Transcript.objects.get(resource=episode).status == EpisodeFileStatus.UNREADABLE


@pytest.mark.django_db
def test_the_transcript_is_on_the_page_in_the_api_and_found_by_search(client, feed_server):
    episode = _episode(feed_server, "/e1.vtt", Reply(200, VTT, {"Content-Type": "text/vtt"}))
    api = f"/api/v1/resources/{episode.public_id}/transcript/"
    assert client.get(api).status_code == 404  # not read yet
    episode_files_claim_due(kind="transcript")
    harvest_fetch_transcript(episode.pk)
    body = client.get(api).json()
    assert body["url"].endswith("/e1.vtt") and body["media_type"] == "text/vtt"
    assert body["passages"][-1] == {
        "start_seconds": 754,
        "text": "Push-dose phenylephrine buys time while the infusion is mixed.",
    }
    page = client.get(f"/resources/{episode.public_id}/").content.decode()
    assert 'id="transcript"' in page and "#t=754" in page and ">12:34</a> Push-dose" in page
    results = client.get("/search/", {"q": "phenylephrine"}).content.decode()
    assert "Vasopressor episode" in results and "Transcript, 12:34" in results
    api_results = client.get("/api/v1/resources/", {"q": "phenylephrine"}).json()["results"]
    assert [r["id"] for r in api_results] == [str(episode.public_id)]
    assert "Transcript, 12:34" in api_results[0]["snippet"]
    # Hidden with its resource, like every other surface.
    Resource.objects.filter(pk=episode.pk).update(status="held")
    assert client.get(api).status_code == 404
    assert client.get("/api/v1/resources/", {"q": "phenylephrine"}).json()["results"] == []


CHAPTERS = json.dumps(
    {
        "version": "1.2.0",
        "chapters": [
            {
                "startTime": 754.5,
                "title": "Push-dose pressors",
                "url": "https://example.org/pdp?utm_source=x",
            },
            {"startTime": 0, "title": "Introduction", "img": "javascript:alert(1)"},
            {"startTime": 300, "title": "A silent marker", "toc": False},
            {"startTime": "soon", "title": "Bad start"},
            {"startTime": 400},
        ],
    }
).encode()


def test_chapters_are_read_in_order_and_bad_entries_skipped():
    from workers.harvest.chapters import ChaptersUnreadable, chapters_parse

    assert chapters_parse(CHAPTERS) == [
        {"start_seconds": 0, "title": "Introduction"},  # the script URL is not an image
        {"start_seconds": 754, "title": "Push-dose pressors", "url": "https://example.org/pdp"},
    ]
    for bad in [b"", b"{}", b'{"chapters": [{"startTime": 1}]}', b"[" * 50_000]:
        with pytest.raises(ChaptersUnreadable):
            chapters_parse(bad)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["chapters", "startTime", "title", "url", "img", "toc"]), children
            )
        ),
        max_leaves=25,
    )
)
def test_any_chapters_document_is_read_or_refused(document):
    from workers.harvest.chapters import ChaptersUnreadable, chapters_parse

    try:
        chapters = chapters_parse(json.dumps({"chapters": document}).encode())
    except ChaptersUnreadable:
        return
    starts = [chapter["start_seconds"] for chapter in chapters]
    assert starts == sorted(starts) and all(chapter["title"].strip() for chapter in chapters)


@pytest.mark.django_db
def test_chapters_are_fetched_shown_as_seek_links_and_served_by_the_api(client, feed_server):
    chapters_url = feed_server.add(
        "/e1.json", Reply(200, CHAPTERS, {"Content-Type": "application/json+chapters"})
    )
    extra = (
        '<enclosure url="https://cdn.example.org/e1.mp3" type="audio/mpeg" length="1"/>'
        f'<podcast:chapters url="{chapters_url}" type="application/json+chapters"/>'
    )
    source = serve_and_register(feed_server, "/pod", rss(item("e1", "Chaptered episode", extra=extra)))
    harvest(source)
    episode = Resource.objects.get(source=source)
    assert dispatch_due_episode_files() == 1  # claimed and queued; the worker's part runs here
    from curation.models import EpisodeChapters
    from workers.tasks import harvest_fetch_chapters

    assert harvest_fetch_chapters(episode.pk) == "indexed"

    stored = EpisodeChapters.objects.get(resource=episode)
    assert stored.status == EpisodeFileStatus.INDEXED and len(stored.chapters) == 2
    page = client.get(f"/resources/{episode.public_id}/").content.decode()
    assert 'data-seek="754"' in page and "Push-dose pressors" in page and "episode.js" in page
    detail = client.get(f"/api/v1/resources/{episode.public_id}/").json()
    assert detail["chapters"][1] == {
        "start_seconds": 754,
        "title": "Push-dose pressors",
        "url": "https://example.org/pdp",
    }
