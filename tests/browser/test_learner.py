"""A learner in a real browser: signs in, searches, opens an episode, sees the player, endorses it and
finds it in "My library". Harvested hostile HTML fires no script. Screenshots go to artifacts/."""

import pytest

from curation.models import Resource
from tests.conftest import ARTIFACTS, CORPUS
from tests.factories import ResourceFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple"  # the factory's password


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_function(
        # the library link is in the menu (folded away on a phone): present, not necessarily visible
        "() => document.querySelector('input[name=code]') || document.querySelector('#main-menu a[href=\"/library/\"]')"
    )
    if page.locator("input[name=code]").count():  # editors sign in with their authenticator app too
        from curation.models import User
        from tests.conftest import current_totp_code

        page.fill("input[name=code]", current_totp_code(User.objects.get(username=username)))
        page.press("input[name=code]", "Enter")
        page.wait_for_selector('#main-menu a[href="/library/"]', state="attached")


def test_learner_searches_opens_an_episode_endorses_it_and_finds_it_in_the_library(page):
    UserFactory(username="maya")
    podcast = SourceFactory(kind="podcast", title="Case Rounds")
    ResourceFactory(
        title="Hyperkalaemia in the emergency department",
        text="calcium insulin salbutamol dialysis",
        source=podcast,
        enclosure_url="https://cdn.example.org/ep1.mp3",
        enclosure_type="audio/mpeg",
    )
    ResourceFactory(title="Paediatric sepsis", text="fluids antibiotics")
    sign_in(page, "maya")
    page.goto("/search/")
    page.fill("#q", "hyperkalaemia")
    page.click("form.search button[type=submit]")
    page.wait_for_selector(".resource-card")
    assert page.locator(".resource-card").count() == 1 and page.locator(".snippet mark").count() >= 1
    shot(page, "search")
    page.click("text=Hyperkalaemia in the emergency department")
    assert page.locator("audio").is_visible()  # the player is there; nothing is played
    page.click("button:has-text('This helped me')")
    assert "your endorsement counts" in page.inner_text(".messages")
    shot(page, "resource")
    page.click("text=My library")
    assert "Hyperkalaemia in the emergency department" in page.inner_text("#endorsed-heading ~ ol")
    shot(page, "library")
    assert [p for p in page.problems if "Content Security Policy" in p] == []


def test_harvested_hostile_html_fires_no_script(page, feed_server, settings):
    from curation.services.catalogue import source_register
    from workers.harvest.pipeline import harvest_source

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = [
        CORPUS / "malformed" / name
        for name in ("feedparser__item_description_crazy.xml", "feedparser__entry_content_crazy.xml")
    ]
    if not all(path.is_file() for path in hostile):
        pytest.skip("the shared corpus is absent")
    for path in hostile:
        source, _ = source_register(
            feed_url=feed_server.add(
                f"/{path.name}",
                __import__("tests.feedserver", fromlist=["Reply"]).Reply(200, path.read_bytes()),
            )
        )
        harvest_source(source.pk)
    resources = list(Resource.objects.all())
    assert resources, "the hostile feeds produced no resources"
    for resource in resources:
        page.goto(f"/resources/{resource.public_id}/")
        assert (
            page.locator(".summary script, .summary iframe, .summary [onerror], .summary [onclick]").count()
            == 0
        )
    shot(page, "hostile-html")
    assert dialogs == []
