"""axe-core (from npm, see frontend/package.json) on the main pages: no serious or critical
violations. axe is evaluated through the DevTools protocol, so the pages keep their strict CSP."""

from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import ROOT, need_service
from tests.factories import ResourceFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    page.evaluate(Path(AXE).read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_or_critical_accessibility_violations(page):
    need_service(AXE.is_file(), "axe-core is not installed (cd frontend && npm ci)")
    from curation.models import Designation, InstrumentVersion

    UserFactory(username="ana")
    source = SourceFactory(kind="podcast", title="Case Rounds")
    episode = ResourceFactory(
        title="Hyperkalaemia",
        text="calcium insulin",
        source=source,
        enclosure_url="https://cdn.example.org/e.mp3",
        enclosure_type="audio/mpeg",
    )
    Designation.objects.create(
        resource=episode,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    from curation.enums import EpisodeFileStatus
    from curation.models import EpisodeChapters, Transcript
    from curation.services.collections import collection_add, collection_create

    EpisodeChapters.objects.create(
        resource=episode,
        status=EpisodeFileStatus.INDEXED,
        chapters=[{"start_seconds": 60, "title": "Calcium"}],
    )
    Transcript.objects.create(
        resource=episode,
        status=EpisodeFileStatus.INDEXED,
        text="Welcome. Calcium first.",
        cues=[[0, 0], [60, 9]],
    )
    from curation.models import Mention
    from curation.services.social import social_snapshots_refresh

    Mention.objects.create(  # the social panel with a post in it, on the resource and source pages
        platform="mastodon",
        post_uri="https://m.example/users/a/statuses/1",
        post_url="https://m.example/@a/1",
        url="https://example.org/e/",
        resource=episode,
        site="example.org",
        author_handle="a@m.example",
        posted_at=timezone.now(),
        excerpt="Great episode on calcium",
        likes=3,
        engagement_read_at=timezone.now(),
        instance="https://m.example",
        platform_post_id="1",
    )
    social_snapshots_refresh(resource_ids=[episode.pk])
    shared = collection_create(owner=UserFactory(username="ben"), title="Renal nights", visibility="public")
    collection_add(user=shared.owner, collection=shared, resource=episode, note="Start here")
    pages = [
        "/",
        "/search/?q=hyperkalaemia",
        f"/resources/{episode.public_id}/",
        f"/collections/{shared.public_id}/",
        "/sources/",
        f"/sources/{source.public_id}/",
        "/topics/emergency-medicine/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    found = {}
    for path in pages:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "ana")
    page.fill("input[name=password]", "correct horse battery staple")
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("text=My library")
    for path in ("/library/", "/collections/", f"/resources/{episode.public_id}/"):  # signed in: list forms
        page.goto(path)
        if violations := axe_violations(page):
            found[f"{path} (signed in)"] = violations
    assert found == {}


def test_the_accessibility_check_does_flag_a_violation(page):
    need_service(AXE.is_file(), "axe-core is not installed (cd frontend && npm ci)")
    page.set_content(
        "<html lang='en'><head><title>t</title></head><body><main><img src='x.png'></main></body></html>"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
