"""More of the feed: JSON Feed 1.0/1.1 input, and the Podcasting 2.0 tags a learner sees (person,
soundbite, funding, alternateEnclosure, the show's podcast:guid) stored and served by the API."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from curation.enums import FetchOutcome
from curation.models import Resource
from tests.workers.helpers import harvest, serve_and_register
from workers.harvest.parse import is_json_feed, parse_feed, parse_json_feed

pytestmark = pytest.mark.django_db

JSON_FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Resus Room Podcast",
    "home_page_url": "https://resus.example.org/",
    "language": "en-GB",
    "items": [
        {
            "id": "ep-42",
            "url": "https://resus.example.org/ep-42",
            "title": "Episode 42: Hyperkalaemia",
            "content_html": "<p>Calcium first, then <strong>insulin</strong>.</p><script>alert(1)</script>",
            "summary": "Treating hyperkalaemia <fast>.",
            "date_published": "2026-11-01T08:30:00+01:00",
            "date_modified": "2026-11-02T09:00:00Z",
            "authors": [{"name": "Dr A. Example"}, {"name": "Dr B. Example"}],
            "tags": ["nephrology", "resuscitation"],
            "attachments": [
                {
                    "url": "https://cdn.example.org/ep42.mp3",
                    "mime_type": "audio/mpeg",
                    "size_in_bytes": 31_000_000,
                    "duration_in_seconds": 1834,
                }
            ],
        },
        {
            "id": 7,
            "external_url": "https://elsewhere.example.org/post",
            "content_text": "Plain text body.",
            "date_published": "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: ignored, not a crash
        },
        "not an item",
    ],
}


def test_a_json_feed_is_harvested_like_any_feed(feed_server):
    body = json.dumps(JSON_FEED_11).encode()
    source = serve_and_register(
        feed_server, "/feed.json", body, kind="podcast", **{"Content-Type": "application/feed+json"}
    )
    counts = harvest(source)
    assert counts.outcome == FetchOutcome.OK, source.last_error
    assert source.title == "Resus Room Podcast" and source.site_url == "https://resus.example.org/"
    episode = Resource.objects.get(source=source, guid="ep-42")
    assert episode.title == "Episode 42: Hyperkalaemia"
    assert episode.canonical_url == "https://resus.example.org/ep-42"
    assert episode.published_at.isoformat() == "2026-11-01T07:30:00+00:00"
    assert episode.authors == ["Dr A. Example", "Dr B. Example"]
    assert (
        episode.enclosure_url == "https://cdn.example.org/ep42.mp3" and episode.enclosure_size == 31_000_000
    )
    assert episode.duration_seconds == 1834
    assert "insulin" in episode.text and "<script" not in episode.summary
    assert set(episode.topics.values_list("slug", flat=True)) >= set()  # categories never crash matching
    other = Resource.objects.get(source=source, guid="7")
    assert other.canonical_url == "https://elsewhere.example.org/post" and "Plain text body." in other.text
    assert Resource.objects.filter(source=source).count() == 2  # the non-object item is skipped
    assert harvest(source).new_resources == 0  # nothing twice


def test_json_feed_detection_by_media_type_or_version():
    body = json.dumps(JSON_FEED_11).encode()
    assert is_json_feed(body) and is_json_feed(body, "application/feed+json; charset=utf-8")
    assert not is_json_feed(b'{"version": "1.2.0", "chapters": []}')  # a chapters file
    assert not is_json_feed(b"<rss/>", "application/json")
    assert parse_feed(body).version == "json11"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "version",
                            "items",
                            "title",
                            "id",
                            "url",
                            "date_published",
                            "authors",
                            "attachments",
                            "content_html",
                            "tags",
                            "summary",
                            "image",
                        ]
                    ),
                    children,
                    max_size=6,
                )
            ),
            max_leaves=20,
        ).map(
            lambda value: json.dumps(
                {"version": "https://jsonfeed.org/version/1.1", "items": [value]}
            ).encode()
        ),
    )
)
def test_hostile_json_feeds_parse_without_raising(document):
    parsed = parse_json_feed(document)
    assert isinstance(parsed.entries, list)


def test_invalid_json_feed_is_a_clear_parse_error(feed_server):
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "cut'
    source = serve_and_register(feed_server, "/cut.json", body, **{"Content-Type": "application/feed+json"})
    counts = harvest(source)
    assert counts.outcome != FetchOutcome.OK and "JSON" in source.last_error
    assert not Resource.objects.filter(source=source).exists()


def test_podcasting_2_tags_are_stored_and_served(corpus, feed_server):
    body = (corpus / "podcast/podcastindex__example.xml").read_bytes()
    source = serve_and_register(feed_server, "/p20.xml", body, kind="podcast")
    assert harvest(source).outcome == FetchOutcome.OK, source.last_error
    assert source.podcast_guid == "y0ur-gu1d-g035-h3r3"  # as the publisher wrote it
    tagged = [r for r in Resource.objects.filter(source=source) if r.podcast]
    assert tagged
    everything = {name for r in tagged for name in r.podcast}
    assert everything == {"persons", "soundbites", "funding", "alternate_enclosures"}
    episode = next(r for r in tagged if "alternate_enclosures" in r.podcast)
    alternate = episode.podcast["alternate_enclosures"][0]
    assert (
        alternate["type"] and alternate["sources"] and all(u.startswith("http") for u in alternate["sources"])
    )
    person = next(p for r in tagged for p in r.podcast.get("persons", []))
    assert person["name"] and person["role"]
    bite = next(b for r in tagged for b in r.podcast.get("soundbites", []))
    assert bite["duration"] > 0 and bite["start"] >= 0

    client = APIClient()
    detail = client.get(f"/api/v1/resources/{episode.public_id}/").json()
    assert detail["podcast"]["alternate_enclosures"][0]["sources"] == alternate["sources"]
    listed = client.get(f"/api/v1/sources/{source.public_id}/").json()
    assert listed["podcast_guid"] == source.podcast_guid


def test_a_document_with_an_undeclared_podcast_prefix_still_harvests(corpus, feed_server):
    """podcastparser's fixture uses `podcast:` without declaring the namespace: not XML, so no tags are
    read from it, but the loose parse still stores the episode."""
    source = serve_and_register(
        feed_server,
        "/people.rss",
        (corpus / "podcast/podcastparser__episode_podcast_person.rss").read_bytes(),
        kind="podcast",
    )
    assert harvest(source).new_resources == 1
    assert Resource.objects.get(source=source).podcast == {}


def test_every_podcasting_2_tag_is_read_from_a_declared_document():
    from workers.harvest.parse import podcast_extras

    body = b"""<?xml version="1.0"?><rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
    <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid><item><guid>e1</guid>
    <podcast:person role="Guest" group="cast" href="https://example.org/p">Dr  Jane
      Roe</podcast:person><podcast:person></podcast:person>
    <podcast:soundbite startTime="73.0" duration="60.5">The key pearl</podcast:soundbite>
    <podcast:soundbite startTime="x" duration="1"/><podcast:soundbite startTime="5" duration="0"/>
    <podcast:funding url="https://example.org/give">Support the show</podcast:funding>
    <podcast:alternateEnclosure type="video/mp4" bitrate="900000" height="720" default="false">
      <podcast:source uri="https://cdn.example.org/e1.mp4"/><podcast:source uri=""/>
    </podcast:alternateEnclosure><podcast:alternateEnclosure type="audio/mpeg"/>
    </item></channel></rss>"""
    parsed = parse_feed(body)
    assert parsed.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    tags = podcast_extras(body)["guid:e1"].learner_tags()
    assert tags == {
        "persons": [
            {"name": "Dr Jane Roe", "role": "guest", "group": "cast", "href": "https://example.org/p"}
        ],
        "soundbites": [{"start": 73.0, "duration": 60.5, "title": "The key pearl"}],
        "funding": [{"url": "https://example.org/give", "text": "Support the show"}],
        "alternate_enclosures": [
            {
                "type": "video/mp4",
                "sources": ["https://cdn.example.org/e1.mp4"],
                "bitrate": "900000",
                "height": "720",
                "default": False,
            }
        ],
    }


def test_the_resource_page_shows_the_episode_tags(client, corpus, feed_server):
    body = (corpus / "podcast/podcastindex__example.xml").read_bytes()
    source = serve_and_register(feed_server, "/p20page.xml", body, kind="podcast")
    harvest(source)
    episode = next(r for r in Resource.objects.filter(source=source) if r.podcast.get("persons"))
    page = client.get(f"/resources/{episode.public_id}/").content.decode()
    assert episode.podcast["persons"][0]["name"] in page
    assert episode.podcast["funding"][0]["url"] in page  # the show's funding, on every episode
