"""Richer cards and resource pages, a home page that says what the site is, truthful empty states, and
no raw fetch errors shown to learners."""

import pytest

from curation.enums import FetchOutcome
from curation.models import Source
from research.report import research_results_refresh
from tests.factories import ResourceFactory, SourceFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def test_cards_show_excerpt_media_duration_and_topic_chips(client):
    cardiology = TopicFactory(slug="cardiology-x", name="Cardiology X", kind="specialty")
    junior = TopicFactory(slug="junior-x", name="Junior doctors X", kind="learner_level")
    resource = ResourceFactory(
        title="Wellens in ten minutes",
        summary="<p>The <b>T waves</b> that predict a <i>LAD</i> occlusion.</p>",
        duration_seconds=754,
        thumbnail_url="https://i.ytimg.com/vi/abc/hq.jpg",
        video_id="abcdefghijk",
    )
    resource.topics.add(cardiology, junior)
    card = client.get("/").content.decode().split("Wellens in ten minutes")[1].split("</li>")[0]
    assert "The T waves that predict a LAD occlusion." in card and "<b>" not in card
    assert "13 min" in card and "Cardiology X" in card and "Junior doctors X" in card
    assert "Not yet reviewed" in card
    assert 'src="https://i.ytimg.com/vi/abc/hq.jpg"' in client.get("/").content.decode()


def test_a_video_page_loads_no_third_party_player_before_the_click(client):
    resource = ResourceFactory(title="Ultrasound basics", video_id="abcdefghijk", duration_seconds=3725)
    response = client.get(f"/resources/{resource.public_id}/")
    page = response.content.decode()
    assert (
        'data-video-id="abcdefghijk"' in page
        and "<iframe" not in page
        and "youtube" not in page.split("<main")[1].split("youtube-nocookie.com only")[0]
    )
    assert "1:02:05" in page and "frontend/video.js" in page
    assert "frame-src https://www.youtube-nocookie.com" in response["Content-Security-Policy"]


def test_a_podcast_page_shows_the_episode_length(client):
    resource = ResourceFactory(
        enclosure_url="https://cdn.example.org/ep.mp3", enclosure_type="audio/mpeg", duration_seconds=1865
    )
    assert "Episode length 31:05" in client.get(f"/resources/{resource.public_id}/").content.decode()


def test_the_home_page_says_what_the_site_is_and_searches_first(client):
    page = client.get("/").content.decode()
    assert "reviewed by verified clinicians" in page
    assert page.index('role="search"') < page.index("Browse by topic")


def test_empty_home_tells_learners_the_truth_and_editors_why(client, editor):
    SourceFactory(
        last_outcome=FetchOutcome.CONNECTION_ERROR,
        last_error="cannot resolve blog.example.org: Name or service not known",
    )
    SourceFactory(last_outcome=FetchOutcome.CONNECTION_ERROR)
    SourceFactory(last_outcome=FetchOutcome.NEVER)
    learner_view = client.get("/").content.decode()
    assert "The catalogue is being built" in learner_view and "cannot resolve" not in learner_view
    client.force_login(editor)
    editor_view = client.get("/").content.decode()
    assert (
        "2 of 3 sources failed their last fetch (2 connection failed)" in editor_view
        and "/editor/harvest/" in editor_view
    )


def test_the_public_sources_page_shows_no_raw_fetch_errors(client, editor):
    SourceFactory(
        title="Broken blog",
        last_outcome=FetchOutcome.CONNECTION_ERROR,
        last_error="cannot resolve x.example: Name or service not known",
    )
    SourceFactory(title="Fine blog", last_outcome=FetchOutcome.OK)
    page = client.get("/sources/").content.decode()
    assert "Temporarily unavailable" in page and "Up to date" in page and "cannot resolve" not in page
    client.force_login(editor)
    assert "cannot resolve" in client.get("/sources/").content.decode()
    assert Source.objects.count() == 2


@pytest.mark.parametrize("name", ["score-distributions", "reliability-vs-raters", "signal-correlations"])
def test_research_plots_say_when_there_is_not_enough_data(client, name):
    research_results_refresh()
    svg = client.get(f"/research/{name}.svg").content.decode()
    assert "Not enough data yet" in svg
