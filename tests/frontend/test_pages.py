import pytest
from django.utils import timezone

from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_home_lists_resources_and_marks_them_not_yet_reviewed(client):
    ResourceFactory(title="Approach to shock")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200 and "Approach to shock" in html and "Not yet reviewed" in html


def test_home_sends_a_content_security_policy_without_inline_script(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_resource_page_renders_sanitised_summary_and_player_for_audio(client):
    episode = ResourceFactory(enclosure_url="https://cdn.example.org/e.mp3", enclosure_type="audio/mpeg")
    html = client.get(f"/resources/{episode.public_id}/").content.decode()
    assert "<audio controls" in html and "https://cdn.example.org/e.mp3" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "could not find" in response.content.decode()


def test_expert_portfolio_page_and_csv_list_submitted_reviews(client, expert):
    from curation.models import InstrumentVersion
    from curation.services.reviews import review_save_draft, review_submit

    air = InstrumentVersion.objects.get(instrument__slug="air")
    resource = ResourceFactory(title="Hyperkalaemia primer")
    scores = {item["key"]: 6 for item in air.items}
    review_submit(
        reviewer=expert,
        review=review_save_draft(
            reviewer=expert, resource=resource, version=air, scores=scores, conflict_of_interest="None"
        ),
    )
    page = client.get(f"/experts/{expert.public_id}/portfolio/")
    assert (
        page.status_code == 200
        and "Hyperkalaemia primer" in page.content.decode()
        and "30 / 35" in page.content.decode()
    )
    download = client.get(f"/experts/{expert.public_id}/portfolio.csv")
    assert download["Content-Type"] == "text/csv" and "Hyperkalaemia primer" in download.content.decode()


def test_portfolio_of_a_non_expert_is_not_found(client, learner):
    assert client.get(f"/experts/{learner.public_id}/portfolio/").status_code == 404


def test_resource_page_shows_reliability_and_more_ratings_needed(client, expert):
    from curation.models import InstrumentReliabilitySnapshot, InstrumentVersion
    from curation.services.reviews import review_save_draft, review_submit

    gestalt = InstrumentVersion.objects.get(instrument__slug="gestalt")
    InstrumentReliabilitySnapshot.objects.create(
        instrument_version=gestalt, single_rater_icc=0.3, result={}, computed_at="2026-11-01T00:00:00Z"
    )
    resource = ResourceFactory(title="Sepsis fluids")
    review_submit(
        reviewer=expert,
        review=review_save_draft(
            reviewer=expert,
            resource=resource,
            version=gestalt,
            scores={"recommend": 6},
            conflict_of_interest="None",
        ),
    )
    html = client.get(f"/resources/{resource.public_id}/").content.decode()
    # one rating with single-rater ICC 0.3: reliability 0.30; 0.8 needs 10 raters, so 9 more
    assert "0.30: needs 9 more ratings to reach 0.8" in html
    assert "Reviewed, not yet designated" in html and "Not yet reviewed" not in html


def test_outbound_link_records_a_click_and_redirects(client):
    from curation.models import ResourceMetrics

    resource = ResourceFactory(canonical_url="https://emcrit.org/post/")
    response = client.get(f"/resources/{resource.public_id}/go/")
    assert response.status_code == 302 and response["Location"] == "https://emcrit.org/post/"
    assert ResourceMetrics.objects.get(resource=resource).clicks == 1


def test_endorse_and_save_need_a_signed_in_post_and_refusals_change_nothing(client, learner):
    from curation.models import Endorsement, SavedResource

    resource = ResourceFactory()
    anonymous = client.post(f"/resources/{resource.public_id}/endorse/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(learner)
    assert client.get(f"/resources/{resource.public_id}/endorse/").status_code == 405
    assert Endorsement.objects.count() == 0
    client.post(f"/resources/{resource.public_id}/endorse/")
    client.post(f"/resources/{resource.public_id}/save/")
    assert Endorsement.objects.get().user == learner and SavedResource.objects.get().user == learner
    library = client.get("/library/").content.decode()
    assert library.count(resource.title) == 2  # saved and endorsed
    client.post(f"/resources/{resource.public_id}/save/", {"action": "remove"})
    client.post(f"/resources/{resource.public_id}/endorse/", {"action": "withdraw"})
    assert SavedResource.objects.count() == 0 and Endorsement.objects.get().status == "withdrawn"


def test_search_page_filters_by_facets_and_escapes_snippets(client):
    from curation.models import Topic

    ResourceFactory(
        title="Digoxin toxicity <script>",
        text="digoxin hyperkalaemia",
        topics=[Topic.objects.get(slug="toxicology")],
    )
    ResourceFactory(title="Digoxin in heart failure", text="digoxin rate control")
    html = client.get("/search/", {"q": "digoxin", "topic": "toxicology"}).content.decode()
    assert "Best matches for “digoxin”" in html and "Digoxin toxicity &lt;script&gt;" in html
    assert "heart failure" not in html and "<script>" not in html.split("<main")[1]


def test_sign_up_page_renders_in_the_site_layout(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "FOAM Curator" in html and 'name="username"' in html and 'name="password1"' in html


def test_topic_page_lists_vetted_resources_first_with_topic_feeds(client):
    from django.utils import timezone

    from curation.models import Designation, InstrumentVersion, Topic

    topic = Topic.objects.get(slug="toxicology")
    vetted = ResourceFactory(title="Digoxin toxicity", topics=[topic])
    ResourceFactory(title="Lithium basics", topics=[topic])
    ResourceFactory(title="Unrelated sepsis post")
    Designation.objects.create(
        resource=vetted,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    html = client.get("/topics/toxicology/").content.decode()
    vetted_section = html.split('id="vetted-heading"')[1].split('id="newest-heading"')[0]
    assert "Digoxin toxicity" in vetted_section and "Lithium basics" not in vetted_section
    assert "Lithium basics" in html and "Unrelated sepsis post" not in html
    assert "/feeds/topics/toxicology.rss" in html
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_source_page_shows_its_impact_and_resources(client):
    from django.utils import timezone

    from curation.models import SourceImpactSnapshot
    from tests.factories import SourceFactory

    source = SourceFactory(title="Case Rounds")
    ResourceFactory(source=source, title="Episode one")
    SourceImpactSnapshot.objects.create(
        source=source,
        formula_version="link-pagerank/1",
        value=7.25,
        raw_inputs={},
        computed_at=timezone.now(),
    )
    html = client.get(f"/sources/{source.public_id}/").content.decode()
    assert "Episode one" in html and "link-pagerank/1: 7.25 / 10" in html
    assert f"/sources/{source.public_id}/" in client.get("/sources/").content.decode()


def test_home_shows_a_designated_resource_as_designated_never_as_not_yet_reviewed(client):
    from django.utils import timezone

    from curation.models import Designation, InstrumentVersion

    designated = ResourceFactory(title="Approved primer")
    Designation.objects.create(
        resource=designated,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    card = client.get("/").content.decode().split("Approved primer")[1].split("</li>")[0]
    assert "Approved (ALiEM AIR, 3 reviews)" in card and "Not yet reviewed" not in card


def test_home_shows_newly_vetted_and_trending_resources(client):
    from curation.models import Designation, Endorsement, InstrumentVersion
    from tests.factories import UserFactory

    vetted = ResourceFactory(title="Vetted primer")
    Designation.objects.create(
        resource=vetted,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    busy = ResourceFactory(title="Busy episode")
    Endorsement.objects.create(user=UserFactory(), resource=busy, kind="learner", status="counted")
    ResourceFactory(title="Quiet post")
    assert 'id="trending-heading"' not in client.get("/").content.decode()  # before the worker's first run
    from workers.tasks import refresh_trending

    assert refresh_trending() == 1  # what beat runs every five minutes
    html = client.get("/").content.decode()
    vetted_part = html.split('id="vetted-heading"')[1].split("</section>")[0]
    trending_part = html.split('id="trending-heading"')[1].split("</section>")[0]
    assert "Vetted primer" in vetted_part and "Busy episode" not in vetted_part
    assert "Busy episode" in trending_part and "Quiet post" not in trending_part
    busy.status = "removed"
    busy.save()
    assert 'id="trending-heading"' not in client.get("/").content.decode()  # removed since the refresh


def test_orcid_sign_in_is_offered_only_when_an_orcid_app_is_configured(client, settings):
    assert "/accounts/orcid/login/" not in client.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {"APPS": [{"client_id": "APP-TEST", "secret": "s", "key": ""}], "MEMBER_API": False}
    }
    html = client.get("/accounts/login/").content.decode()
    assert "Or use a third-party" in html and "/accounts/orcid/login/?process=login" in html


def test_sources_page_counts_only_visible_resources(client, django_assert_max_num_queries):
    from tests.factories import SourceFactory

    busy = SourceFactory(title="Busy blog")
    SourceFactory(title="Quiet blog")
    ResourceFactory.create_batch(3, source=busy)
    ResourceFactory(source=busy, status="held")
    from curation.selectors import source_directory

    with django_assert_max_num_queries(3):  # counts, sources, their topics
        counts = {source.title: source.resource_count for source in source_directory()}
    assert counts == {"Busy blog": 3, "Quiet blog": 0}
    html = client.get("/sources/").content.decode()
    assert "Busy blog" in html and "Quiet blog" in html


def test_resource_pages_carry_learning_resource_structured_data_and_robots_txt_is_served(client):
    import json
    import re

    from tests.factories import SourceFactory

    video = ResourceFactory(
        title="Tamponade </script><script>alert(1)</script>",
        source=SourceFactory(kind="video"),
        video_id="abcdefghijk",
        duration_seconds=600,
    )
    html = client.get(f"/resources/{video.public_id}/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block and "<script>alert" not in block.group(1)  # the title cannot close the block
    data = json.loads(block.group(1))
    assert data["@type"] == ["LearningResource", "VideoObject"] and data["isAccessibleForFree"] is True
    assert (
        data["name"] == video.title
        and data["duration"] == "PT600S"
        and "youtube-nocookie" in data["embedUrl"]
    )
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /editor/" in robots.content.decode()


def test_search_listing_without_a_query_pages_newest_first_by_keyset_and_bounds_its_count(
    client, monkeypatch
):
    """Every resource appears once across the "Older resources" pages, in order, even with equal
    dates; a tampered position starts again from the newest; the count stops at its bound."""
    import re
    from datetime import timedelta
    from html import unescape

    from frontend.views import learner

    now = timezone.now()
    made = [
        ResourceFactory(title=f"Listing item {i:02d}", published_at=now - timedelta(days=i // 3))
        for i in range(45)
    ]
    expected = [r.title for r in sorted(made, key=lambda r: (r.published_at, r.pk), reverse=True)]
    seen, path, pages = [], "/search/", 0
    while path:
        html = client.get(path).content.decode()
        pages += 1
        seen += re.findall(r"Listing item \d\d", html.split('class="resource-list"')[1].split("</ol>")[0])
        found = re.search(r'href="/search/(\?[^"]*before=[^"]+)"', html)
        path = "/search/" + unescape(found.group(1)) if found else ""
        if pages == 1:
            assert "45 resources, newest first" in html and "Older resources" in html
    assert pages == 3 and seen == list(dict.fromkeys(seen)) == expected
    html = client.get("/search/", {"before": "not-a-position", "page": "3900"}).content.decode()
    assert "Listing item 00" in html  # an invalid position is ignored, never a 500
    monkeypatch.setattr(learner, "LISTING_COUNT_BOUND", 10)
    assert "More than 10 resources, newest first" in client.get("/search/").content.decode()


def test_resource_page_newest_costs_the_same_queries_at_any_depth():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation import selectors
    from curation.search import newest_cursor_decode, newest_cursor_encode

    made = [ResourceFactory() for _ in range(5)]
    with CaptureQueriesContext(connection) as first_page:
        first = selectors.resource_page_newest(selectors.resource_list_listed(), limit=2)
    position = newest_cursor_decode(newest_cursor_encode(first[-1]))
    with CaptureQueriesContext(connection) as later_page:
        rest = selectors.resource_page_newest(selectors.resource_list_listed(), before=position, limit=10)
    assert len(later_page) == len(first_page) and "OFFSET" not in later_page[0]["sql"].upper()
    assert {r.pk for r in first} | {r.pk for r in rest} == {r.pk for r in made} and len(first) + len(
        rest
    ) == 5
    assert newest_cursor_decode(newest_cursor_encode(first[-1]) + "x") is None


def test_search_narrowed_by_a_topic_alone_reads_the_counts_beat_stored(client):
    """A large topic's facet counts are counted by the worker, not in the request; other narrowings
    (a query, a second facet) still count live, and before the first refresh the page counts itself."""
    from curation.models import Topic
    from workers.tasks import refresh_trending

    topic = Topic.objects.get(slug="toxicology")
    ResourceFactory(title="Digoxin toxicity", topics=[topic])
    html = client.get("/search/", {"topic": "toxicology"}).content.decode()
    assert "Toxicology (1)" in html  # nothing stored yet: counted in the request
    refresh_trending()  # what beat runs every five minutes
    ResourceFactory(title="Lithium toxicity", topics=[topic])
    html = client.get("/search/", {"topic": "toxicology"}).content.decode()
    assert "Toxicology (1)" in html and "2 resources, newest first" in html  # counts from the last run
    assert (
        "Toxicology (2)" in client.get("/search/", {"topic": "toxicology", "kind": "blog"}).content.decode()
    )
    refresh_trending()
    assert "Toxicology (2)" in client.get("/search/", {"topic": "toxicology"}).content.decode()


def test_search_with_a_huge_date_window_is_not_a_server_error(client):
    ResourceFactory(title="Old but listed")
    response = client.get("/search/", {"within": "9" * 30})
    assert response.status_code == 200 and "Old but listed" in response.content.decode()
