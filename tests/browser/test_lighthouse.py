"""Lighthouse 12.2.3 (npm, frontend/package.json) with its default mobile preset, driving Debian's
Chromium through CHROME_PATH, on the pages a learner meets: home, a search, a podcast episode with
chapters and a transcript, a video, a topic and a public collection. Targets (issue 17): accessibility
100, performance >= 95, best practices 100, SEO >= 95. Each report is saved under
artifacts/lighthouse/ with a summary (summary.json) that the README's table quotes."""

import json
import os
import subprocess

import pytest
from django.utils import timezone

from curation.enums import EpisodeFileStatus
from curation.models import Designation, EpisodeChapters, InstrumentVersion, Transcript
from curation.services.collections import collection_add, collection_create
from tests.conftest import ARTIFACTS, CHROMIUM, ROOT, need_service
from tests.factories import ResourceFactory, SourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LIGHTHOUSE = ROOT / "frontend" / "node_modules" / "lighthouse" / "cli" / "index.js"
TARGETS = {"accessibility": 100, "performance": 95, "best-practices": 100, "seo": 95}


def lighthouse(url: str, name: str) -> dict[str, int]:
    out = ARTIFACTS / "lighthouse" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    # Lighthouse's own trace recording fails now and then on a loaded machine ("Runtime error
    # encountered ... NO_NAVSTART", seen in CI): that says nothing about the page, so such a run is
    # repeated (up to three times); any other failure fails at once.
    for _attempt in range(3):
        completed = subprocess.run(
            [
                "node",
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
                "--max-wait-for-load=30000",
            ],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if completed.returncode == 0 or "Runtime error encountered" not in completed.stderr:
            break
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(out.read_text())
    scores = {key: round(category["score"] * 100) for key, category in report["categories"].items()}
    failing = {
        audit_id: audit["title"]
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"]
        for audit_id, audit in [(ref["id"], report["audits"][ref["id"]])]
        if audit["score"] is not None and audit["score"] < 1
    }
    return {**scores, "failing": failing}  # type: ignore[dict-item]


def test_learner_pages_meet_the_lighthouse_targets_on_a_phone(live_server):
    need_service(CHROMIUM is not None, "Chromium is not installed (apt-get install chromium)")
    need_service(LIGHTHOUSE.is_file(), "lighthouse is not installed (cd frontend && npm ci)")
    topic = TopicFactory(slug="resuscitation-lh", name="Resuscitation in practice", kind="specialty")
    podcast = SourceFactory(kind="podcast", title="Resus Rounds")
    episode = ResourceFactory(
        title="Hyperkalaemia in cardiac arrest",
        summary="<p>Calcium first, then insulin and dextrose: a practical approach for the ED.</p>",
        text="hyperkalaemia calcium insulin dextrose",
        source=podcast,
        enclosure_url="https://cdn.example.org/e.mp3",
        enclosure_type="audio/mpeg",
        duration_seconds=1500,
        authors=["Dr A. Clinician"],
    )
    video = ResourceFactory(
        title="Pericardial tamponade on ultrasound",
        summary="<p>Recognising tamponade at the bedside with point-of-care ultrasound.</p>",
        text="tamponade ultrasound",
        source=SourceFactory(kind="video", title="Echo Channel"),
        video_id="dQw4w9WgXcQ",
        duration_seconds=600,
    )
    for resource in (episode, video):
        resource.topics.add(topic)
    Designation.objects.create(
        resource=episode,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    EpisodeChapters.objects.create(
        resource=episode,
        status=EpisodeFileStatus.INDEXED,
        chapters=[{"start_seconds": 0, "title": "Introduction"}, {"start_seconds": 420, "title": "Calcium"}],
    )
    Transcript.objects.create(
        resource=episode,
        status=EpisodeFileStatus.INDEXED,
        text="Welcome to the episode. Calcium first.",
        cues=[[0, 0], [420, 24]],
    )
    shared = collection_create(
        owner=UserFactory(username="lh"), title="Resus essentials", visibility="public"
    )
    collection_add(user=shared.owner, collection=shared, resource=episode, note="Start here")
    collection_add(user=shared.owner, collection=shared, resource=video, note="Then this")
    pages = {
        "home": "/",
        "search": "/search/?q=hyperkalaemia",
        "podcast": f"/resources/{episode.public_id}/",
        "video": f"/resources/{video.public_id}/",
        "topic": f"/topics/{topic.slug}/",
        "collection": f"/collections/{shared.public_id}/",
    }
    results = {name: lighthouse(live_server.url + path, name) for name, path in pages.items()}
    (ARTIFACTS / "lighthouse" / "summary.json").write_text(json.dumps(results, indent=2))
    below = {
        name: {key: scores[key] for key, floor in TARGETS.items() if scores[key] < floor}
        | {"failing": scores["failing"]}
        for name, scores in results.items()
        if any(scores[key] < floor for key, floor in TARGETS.items())
    }
    assert not below, json.dumps(below, indent=2)
