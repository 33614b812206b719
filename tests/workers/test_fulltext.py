import pytest

from curation.errors import NotAllowed
from curation.models import Resource, Source
from curation.services.catalogue import licence_permits_copying, source_set_full_text_extraction
from tests.feedserver import Reply
from tests.workers.helpers import harvest, serve_and_register
from tests.workers.test_pipeline import item, rss
from workers.tasks import harvest_extract_full_text

pytestmark = pytest.mark.django_db

ARTICLE = b"""<!doctype html><html><head><title>Post</title></head><body>
<nav>Home | About | Subscribe</nav>
<article><h1>Approach to hyperkalaemia</h1>
<p>Hyperkalaemia is common in the emergency department and the electrocardiogram is an insensitive test for it.</p>
<p>Calcium stabilises the myocardium within minutes; insulin with glucose shifts potassium into cells.</p>
<p>Salbutamol adds to insulin, and definitive removal needs binders or dialysis in the sickest patients.</p>
</article><footer>Copyright notice and cookie banner</footer></body></html>"""


@pytest.mark.parametrize(
    ("licence", "allowed"),
    [
        ("CC BY-NC-ND 4.0", True),
        ("CC BY 4.0", True),
        ("CC0", True),
        ("Creative Commons BY-SA", True),
        ("Public domain", True),
        ("All rights reserved", False),
        ("", False),
        ("Copyright 2024 EMCrit", False),
    ],
)
def test_only_licences_that_permit_copying_allow_extraction(licence, allowed):
    assert licence_permits_copying(licence) is allowed


def test_non_editor_or_restrictive_licence_cannot_opt_in(learner, editor, feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1")))
    with pytest.raises(NotAllowed):
        source_set_full_text_extraction(source=source, editor=learner, enabled=True)
    Source.objects.filter(pk=source.pk).update(licence="All rights reserved")
    source.refresh_from_db()
    with pytest.raises(NotAllowed, match="does not permit"):
        source_set_full_text_extraction(source=source, editor=editor, enabled=True)
    source.refresh_from_db()
    assert source.extract_full_text is False


def test_extraction_indexes_the_article_text_and_opting_out_clears_it(editor, feed_server):
    page = feed_server.add("/post", Reply(200, ARTICLE, {"Content-Type": "text/html"}))
    source = serve_and_register(feed_server, "/f", rss(item("1", "Post", link=page)))
    Source.objects.filter(pk=source.pk).update(licence="CC BY-NC-ND 4.0")
    source.refresh_from_db()
    harvest(source)
    source_set_full_text_extraction(source=source, editor=editor, enabled=True)
    resource = Resource.objects.get()
    assert harvest_extract_full_text(resource.pk) == "ok"
    resource.refresh_from_db()
    assert "Calcium stabilises the myocardium" in resource.text and "cookie banner" not in resource.text
    assert resource.full_text_extracted_at is not None
    source_set_full_text_extraction(source=source, editor=editor, enabled=False)
    resource.refresh_from_db()
    assert resource.text == "" and resource.full_text_extracted_at is None
    assert harvest_extract_full_text(resource.pk) == "skipped"


def test_source_not_opted_in_is_never_fetched_for_full_text(feed_server):
    page = feed_server.add("/post", Reply(200, ARTICLE))
    source = serve_and_register(feed_server, "/f", rss(item("1", link=page)))
    harvest(source)
    assert harvest_extract_full_text(Resource.objects.get().pk) == "skipped"
    assert "/post" not in [path for path, _ in feed_server.requests]
