import json

import pytest
from django.core.management import CommandError, call_command

from curation.enums import SourceKind
from curation.models import Source
from tests.feedserver import Reply
from tests.workers.test_pipeline import item, rss
from workers.harvest.discovery import _CHANNEL_ID, DiscoveryError, _youtube_feed_url, discover

PODCAST = rss(
    item("e1", extra='<enclosure url="https://cdn.example.org/1.mp3" length="1" type="audio/mpeg"/>')
)
HTML_WITH_LINK = b"""<!doctype html><html><head><title>Blog</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.xml">
</head><body>hello</body></html>"""


def test_feed_url_is_taken_as_it_is(feed_server):
    url = feed_server.add("/feed.xml", Reply(200, rss(item("1")), {"Content-Type": "application/rss+xml"}))
    found = discover(url)
    assert found.feed_url == url and found.kind == SourceKind.BLOG and found.title == "Feed"


def test_site_page_is_followed_to_its_alternate_link(feed_server):
    site = feed_server.add("/", Reply(200, HTML_WITH_LINK, {"Content-Type": "text/html"}))
    feed_server.add("/posts.xml", Reply(200, rss(item("1"))))
    assert discover(site).feed_url == feed_server.url("/posts.xml")


def test_site_without_alternate_link_falls_back_to_well_known_paths(feed_server):
    site = feed_server.add(
        "/", Reply(200, b"<html><head><title>x</title></head></html>", {"Content-Type": "text/html"})
    )
    feed_server.add("/feed/", Reply(200, PODCAST))
    found = discover(site)
    assert found.feed_url == feed_server.url("/feed/") and found.kind == SourceKind.PODCAST


def test_site_without_any_feed_gives_a_clear_error(feed_server):
    site = feed_server.add(
        "/", Reply(200, b"<html><body>no feed here</body></html>", {"Content-Type": "text/html"})
    )
    with pytest.raises(DiscoveryError, match="No feed found"):
        discover(site)


def test_non_http_address_is_refused():
    with pytest.raises(DiscoveryError, match="http"):
        discover("ftp://example.org/feed")


def test_youtube_channel_and_playlist_pages_map_to_their_feeds():
    assert _youtube_feed_url("https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv") == (
        "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"
    )
    assert _youtube_feed_url("https://youtube.com/playlist?list=PL123") == (
        "https://www.youtube.com/feeds/videos.xml?playlist_id=PL123"
    )
    assert _youtube_feed_url("https://www.youtube.com/@EMCrit") == ""  # a handle needs its page


def test_youtube_handle_page_yields_its_channel_id():
    page = '<meta itemprop="identifier" content="UCabcdefghijklmnopqrstuv"> ... "channelId":"UCabcdefghijklmnopqrstuv"'
    assert _CHANNEL_ID.search(page).group(1) == "UCabcdefghijklmnopqrstuv"


@pytest.mark.django_db
def test_add_source_command_registers_once_and_prints_the_public_id(feed_server, capsys):
    site = feed_server.add("/", Reply(200, HTML_WITH_LINK, {"Content-Type": "text/html"}))
    feed_server.add("/posts.xml", Reply(200, rss(item("1"))))
    call_command("add_source", site, "--topic", "emergency-medicine")
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    source = Source.objects.get()
    assert lines[0] == str(source.public_id) == summary["id"] and summary["created"] is True
    assert list(source.topics.values_list("slug", flat=True)) == ["emergency-medicine"]
    call_command("add_source", feed_server.url("/posts.xml"))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["created"] is False
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_add_source_with_unknown_topic_fails_and_stores_nothing(feed_server):
    url = feed_server.add("/feed.xml", Reply(200, rss(item("1"))))
    with pytest.raises(CommandError, match="Unknown topic"):
        call_command("add_source", url, "--topic", "astrology")
    assert Source.objects.count() == 0
