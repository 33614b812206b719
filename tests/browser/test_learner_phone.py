"""Issue 17's learner scenario in a real browser on a phone: search, a video whose player loads only
after the click (no third-party request before it), a podcast chapter that seeks the player, both
saved into a named public list whose shared URL works for anyone, a followed topic, and the weekly
digest (frozen clock) with a working one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from curation.enums import EpisodeFileStatus
from curation.models import Designation, EpisodeChapters, InstrumentVersion
from curation.services.collections import digests_send
from tests.browser.test_learner import shot, sign_in
from tests.factories import ResourceFactory, SourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_learner_on_a_phone_watches_listens_collects_shares_follows_and_gets_the_digest(browser, live_server):
    UserFactory(username="maya", email="maya@example.org")
    topic = TopicFactory(slug="cardiology-phone", name="Cardiology phone", kind="specialty")
    video = ResourceFactory(
        title="Cardiac tamponade ultrasound video",
        source=SourceFactory(kind="video", title="Echo Channel"),
        video_id="dQw4w9WgXcQ",
        duration_seconds=600,
    )
    episode = ResourceFactory(
        title="Cardiac arrest pressors episode",
        source=SourceFactory(kind="podcast", title="Resus Rounds"),
        enclosure_url="https://cdn.example.org/e1.mp3",
        enclosure_type="audio/mpeg",
        duration_seconds=1500,
    )
    EpisodeChapters.objects.create(
        resource=episode,
        status=EpisodeFileStatus.INDEXED,
        chapters=[{"start_seconds": 0, "title": "Introduction"}, {"start_seconds": 754, "title": "Pressors"}],
    )
    video.topics.add(topic)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    outside: list[str] = []
    context.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None,
    )
    context.route("https://**/*", lambda route: route.abort())  # no internet here; the attempt is what counts
    phone = context.new_page()
    try:
        sign_in(phone, "maya")
        phone.goto("/")
        phone.fill("#home-q", "cardiac")
        phone.press("#home-q", "Enter")
        phone.wait_for_selector("text=Cardiac tamponade ultrasound video")
        assert phone.locator("text=Cardiac arrest pressors episode").count() >= 1
        shot(phone, "phone-search-390")

        phone.goto("/collections/")
        phone.fill("#list-title", "Cardiology nights")
        phone.select_option("#list-visibility", "public")
        phone.click("button:has-text('Create')")
        phone.wait_for_selector("h1:has-text('Cardiology nights')")
        list_url = phone.url

        phone.goto(f"/resources/{video.public_id}/")
        assert outside == []  # the facade: nothing requested from a third party before the click
        phone.click("button.video-facade")
        phone.wait_for_selector("iframe.video-frame")
        assert any("youtube-nocookie.com/embed/dQw4w9WgXcQ" in url for url in outside)
        phone.click("summary:has-text('Add to a reading list')")
        phone.click("form[action$='/collect/'] button:has-text('Add')")
        phone.wait_for_selector("text=Added to “Cardiology nights”")

        phone.goto(f"/resources/{episode.public_id}/")
        phone.click("nav.chapters a:has-text('Pressors')")
        assert phone.evaluate("() => document.querySelector('figure.episode audio').currentTime") == 754
        assert phone.url.endswith(f"/resources/{episode.public_id}/")  # seeked the player, did not navigate
        phone.click("summary:has-text('Add to a reading list')")
        phone.click("form[action$='/collect/'] button:has-text('Add')")
        phone.wait_for_selector("text=Added to “Cardiology nights”")

        phone.goto(f"/topics/{topic.slug}/")
        phone.click("button:has-text('Follow Cardiology phone')")
        phone.wait_for_selector("text=✓ Following")
    finally:
        context.close()

    anonymous = browser.new_context(viewport={"width": 1280, "height": 900})  # the shared link, signed out
    try:
        page = anonymous.new_page()
        page.goto(list_url)
        assert page.locator("text=Cardiac tamponade ultrasound video").count() == 1
        assert page.locator("text=Cardiac arrest pressors episode").count() == 1
        shot(page, "shared-list-1280")

        now = timezone.now()
        Designation.objects.create(
            resource=video,
            instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
            label="Approved",
            mean_total=31,
            review_count=3,
            published_at=now + timedelta(days=1),  # vetted after she followed the topic
        )
        mail.outbox.clear()
        assert digests_send(now=now + timedelta(days=7)) == 1  # a week on: the frozen clock of the digest
        (message,) = mail.outbox
        assert "Cardiac tamponade ultrasound video" in message.body
        link = next(line for line in message.body.splitlines() if "unsubscribe" in line).split()[-1]
        page.goto(live_server.url + "/digest/" + link.split("/digest/", 1)[1])  # SITE_URL's path, here
        assert page.locator("h1:has-text('You are unsubscribed')").count() == 1
        assert digests_send(now=now + timedelta(days=14)) == 0
    finally:
        anonymous.close()
