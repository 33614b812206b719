"""The whole pipeline (fetch -> parse -> normalise -> record) on feeds served locally."""

from datetime import timedelta

import pytest
from django.utils import timezone

from curation.enums import FetchOutcome, IdentityMode, SourceStatus
from curation.models import FetchAttempt, Resource, Tombstone
from tests.feedserver import Reply
from tests.workers.helpers import harvest, serve_and_register

pytestmark = pytest.mark.django_db


def rss(*items: str, channel_extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Feed</title>'
        f"<link>https://example.org/</link>{channel_extra}{''.join(items)}</channel></rss>"
    ).encode()


def item(guid: str, title: str = "Post", link: str = "", body: str = "<p>Body</p>", extra: str = "") -> str:
    guid_tag = f"<guid isPermaLink='false'>{guid}</guid>" if guid else ""
    link_tag = f"<link>{link}</link>" if link else ""
    return f"<item>{guid_tag}<title>{title}</title>{link_tag}<description><![CDATA[{body}]]></description>{extra}</item>"


def test_first_harvest_stores_entries_and_a_fetch_attempt(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1", "One"), item("2", "Two")), ETag='"a"')
    counts = harvest(source)
    assert counts.outcome == FetchOutcome.OK and counts.new_resources == 2
    assert set(Resource.objects.values_list("title", flat=True)) == {"One", "Two"}
    attempt = FetchAttempt.objects.get(source=source)
    assert attempt.outcome == FetchOutcome.OK and attempt.http_status == 200 and attempt.new_resources == 2
    assert source.etag == '"a"' and source.title == "Feed" and source.last_outcome == FetchOutcome.OK
    assert source.next_poll_at > timezone.now() + timedelta(minutes=50)


def test_second_harvest_of_the_same_document_adds_nothing(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1"), item("2")))
    harvest(source)
    counts = harvest(source)
    assert counts.outcome == FetchOutcome.UNCHANGED and counts.new_resources == 0
    assert Resource.objects.count() == 2


def test_304_records_not_modified_and_keeps_validators(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1")), ETag='"a"')
    harvest(source)
    feed_server.add("/f", Reply(304, b""))
    assert harvest(source).outcome == FetchOutcome.NOT_MODIFIED
    assert source.etag == '"a"' and source.consecutive_errors == 0


def test_edited_entry_is_updated_in_place_keeping_the_previous_hash(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1", "Old title")))
    harvest(source)
    old_hash = Resource.objects.get().content_hash
    feed_server.add("/f", Reply(200, rss(item("1", "New title"))))
    counts = harvest(source)
    resource = Resource.objects.get()
    assert counts.updated_resources == 1 and counts.new_resources == 0
    assert resource.title == "New title" and resource.previous_content_hash == old_hash


def test_tombstoned_entry_never_comes_back(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1"), item("2")))
    harvest(source)
    rejected = Resource.objects.get(guid="2")
    Tombstone.objects.create(source=source, identity_key=rejected.identity_key, reason="spam")
    rejected.delete()
    feed_server.add("/f", Reply(200, rss(item("1"), item("2"), item("3"))))
    harvest(source)
    assert sorted(Resource.objects.values_list("guid", flat=True)) == ["1", "3"]


def test_duplicate_guids_in_one_document_are_disambiguated(feed_server):
    body = rss(
        item("same", "A", "https://example.org/a"), item("same", "B", "https://example.org/b"), item("x", "C")
    )
    source = serve_and_register(feed_server, "/f", body)
    harvest(source)
    assert Resource.objects.count() == 3


def test_source_with_mostly_unusable_guids_switches_to_link_identity(feed_server):
    body = rss(
        *(item("", f"T{n}", f"https://example.org/{n}") for n in range(4)),
        item("only-one", "T9", "https://example.org/9"),
    )
    source = serve_and_register(feed_server, "/f", body)
    harvest(source)
    assert source.identity_mode == IdentityMode.LINK and Resource.objects.count() == 5


def test_entries_without_guid_or_link_fall_back_to_a_content_hash(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("", "First"), item("", "Second")))
    harvest(source)
    harvest(source)
    assert Resource.objects.count() == 2


def test_entry_cap_keeps_the_newest(feed_server, settings):
    settings.HARVEST_MAX_ENTRIES = 3
    items = [
        item(str(n), f"T{n}", extra=f"<pubDate>Mon, {n + 1:02d} Nov 2026 00:00:00 GMT</pubDate>")
        for n in range(6)
    ]
    source = serve_and_register(feed_server, "/f", rss(*items))
    harvest(source)
    assert sorted(Resource.objects.values_list("title", flat=True)) == ["T3", "T4", "T5"]


def test_entity_declaring_document_is_rejected_before_parsing(feed_server):
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>'
    source = serve_and_register(feed_server, "/f", bomb)
    assert harvest(source).outcome == FetchOutcome.REJECTED_DOCUMENT
    assert Resource.objects.count() == 0 and "ENTITY" in source.last_error


def test_html_page_is_not_a_feed(feed_server):
    source = serve_and_register(
        feed_server, "/f", b"<html><head><title>Blog</title></head><body>hi</body></html>"
    )
    assert harvest(source).outcome == FetchOutcome.NOT_A_FEED
    assert source.consecutive_errors == 1


def test_hostile_html_is_sanitised(feed_server):
    hostile = (
        '<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
        '<img src="x.png" onerror="alert(3)"><a href="/relative?utm_source=feed&amp;id=4">rel</a>'
        "<iframe src='https://evil.example'></iframe><style>body{}</style></p>"
    )
    source = serve_and_register(
        feed_server, "/f", rss(item("1", body=hostile, link="https://example.org/post/"))
    )
    harvest(source)
    summary = Resource.objects.get().summary
    for forbidden in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style"):
        assert forbidden not in summary.lower()
    assert 'href="https://example.org/relative?id=4"' in summary
    assert 'src="https://example.org/post/x.png"' in summary


def test_plain_text_content_is_escaped(feed_server):
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>1</id><title>t</title><summary type="text">a &lt;b&gt; tag &amp; more</summary></entry></feed>'
    )
    source = serve_and_register(feed_server, "/f", body)
    harvest(source)
    assert Resource.objects.get().summary == "<p>a &lt;b&gt; tag &amp; more</p>"


def test_canonical_url_drops_tracking_parameters(feed_server):
    source = serve_and_register(
        feed_server, "/f", rss(item("1", link="https://Example.org/p?utm_source=rss&id=7&fbclid=x#top"))
    )
    harvest(source)
    assert Resource.objects.get().canonical_url == "https://example.org/p?id=7"


def test_podcast_fields_are_read_including_every_transcript(feed_server):
    extra = (
        '<enclosure url="https://cdn.example.org/e1.mp3" length="1234" type="audio/mpeg"/>'
        "<itunes:duration>1:02:03</itunes:duration><itunes:season>2</itunes:season><itunes:episode>7</itunes:episode>"
        "<itunes:explicit>yes</itunes:explicit>"
        '<podcast:transcript url="https://cdn.example.org/e1.vtt" type="text/vtt"/>'
        '<podcast:transcript url="https://cdn.example.org/e1.srt" type="application/x-subrip" language="en"/>'
        '<podcast:chapters url="https://cdn.example.org/e1.json" type="application/json+chapters"/>'
    )
    source = serve_and_register(feed_server, "/p", rss(item("ep1", extra=extra)), kind="podcast")
    harvest(source)
    episode = Resource.objects.get()
    assert episode.enclosure_url == "https://cdn.example.org/e1.mp3" and episode.enclosure_size == 1234
    assert episode.duration_seconds == 3723 and (episode.season, episode.episode, episode.explicit) == (
        2,
        7,
        True,
    )
    assert [t["url"] for t in episode.transcript_urls] == [
        "https://cdn.example.org/e1.vtt",
        "https://cdn.example.org/e1.srt",
    ]
    assert episode.chapters_url == "https://cdn.example.org/e1.json"


def test_410_discontinues_the_source(feed_server):
    source = serve_and_register(feed_server, "/f", b"")
    feed_server.add("/f", Reply(410, b""))
    harvest(source)
    assert source.status == SourceStatus.DISCONTINUED and source.next_poll_at is None


def test_429_waits_at_least_retry_after(feed_server):
    source = serve_and_register(feed_server, "/f", b"")
    feed_server.add("/f", Reply(429, b"", {"Retry-After": str(5 * 3600)}))
    harvest(source)
    assert source.next_poll_at >= timezone.now() + timedelta(hours=5) - timedelta(seconds=5)
    assert source.consecutive_errors == 1 and source.status == SourceStatus.ACTIVE


def test_errors_back_off_and_pause_only_after_days_of_failure(feed_server, time_machine):
    source = serve_and_register(feed_server, "/f", b"")
    feed_server.add("/f", Reply(500, b""))
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    harvest(source)
    first_delay = source.next_poll_at - start
    for _ in range(9):
        harvest(source)
    assert source.status == SourceStatus.ACTIVE and source.consecutive_errors == 10  # many, but within a day
    assert source.next_poll_at - start > first_delay * 5
    time_machine.move_to(start + timedelta(days=4), tick=False)
    harvest(source)
    assert source.status == SourceStatus.PAUSED and "11 consecutive failures" in source.status_reason


def test_permanent_redirect_moves_the_feed_only_after_it_repeats(feed_server):
    source = serve_and_register(feed_server, "/old", b"")
    feed_server.add("/old", Reply(301, b"", {"Location": "/new"}))
    feed_server.add("/new", Reply(200, rss(item("1"))))
    harvest(source)
    harvest(source)
    assert source.feed_url.endswith("/old")
    harvest(source)
    assert source.feed_url == feed_server.url("/new")


def test_deleted_source_is_ignored(feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1")))
    source_id = source.pk
    source.delete()
    from workers.harvest.pipeline import harvest_source

    assert harvest_source(source_id).outcome == "deleted"
    assert Resource.objects.count() == 0


def test_episode_cross_posted_by_two_sources_is_linked_as_one_work(feed_server):
    from curation.selectors import resource_same_work

    direct = '<enclosure url="https://cdn.example.org/shows/ep42.mp3?x=1" length="1" type="audio/mpeg"/>'
    tracked = '<enclosure url="https://dts.podtrac.com/redirect.mp3/chrt.fm/track/ABC/cdn.example.org/shows/ep42.mp3" length="1" type="audio/mpeg"/>'
    first = serve_and_register(feed_server, "/a", rss(item("a-42", "Ep 42", extra=direct)), kind="podcast")
    second = serve_and_register(
        feed_server,
        "/b",
        rss(item("b-42", "Episode 42 (rebroadcast)", extra=tracked), item("b-1", "Other")),
        kind="podcast",
    )
    harvest(first)
    harvest(second)
    original = Resource.objects.get(source=first)
    assert [r.title for r in resource_same_work(resource=original)] == ["Episode 42 (rebroadcast)"]
    assert resource_same_work(resource=Resource.objects.get(guid="b-1")).count() == 0


def test_youtube_channel_feed_gives_video_id_thumbnail_views_and_marks_shorts(feed_server):
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "workers" / "demo_feeds" / "skills-videos.xml"
    source = serve_and_register(feed_server, "/yt", demo.read_bytes(), kind="video")
    harvest(source)
    video = Resource.objects.get(video_id="demoVideo01")
    assert (
        video.thumbnail_url.endswith("/thumbs/demoVideo01.jpg")
        and video.view_count == 1234
        and not video.is_short
    )
    assert "tip-tracking" in video.summary
    assert Resource.objects.get(video_id="demoShort02").is_short is True


def test_real_youtube_feed_from_the_corpus_yields_video_ids(feed_server, corpus):
    body = (corpus / "youtube" / "feedjira__youtube_atom.xml").read_bytes()
    source = serve_and_register(feed_server, "/yt", body, kind="video")
    harvest(source)
    videos = Resource.objects.filter(source=source)
    assert videos.exists() and all(v.video_id and v.thumbnail_url for v in videos)
