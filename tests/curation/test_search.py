"""One search interface, tested on whichever database the suite runs on (SQLite FTS5 by default,
PostgreSQL full-text search in CI)."""

import pytest

from curation.models import Resource
from curation.search import fts5_query, search_cursor_decode, search_cursor_encode
from curation.selectors.search import resource_search, resource_search_page, search_snippets
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return {
        "title_hit": ResourceFactory(
            title="Hyperkalaemia: the ECG is insensitive",
            summary="<p>Electrolytes.</p>",
            text="Potassium shifts.",
        ),
        "text_hit": ResourceFactory(
            title="Electrolyte emergencies",
            summary="<p>Overview.</p>",
            text="Severe hyperkalaemia needs calcium, insulin and dialysis.",
        ),
        "other": ResourceFactory(
            title="Paediatric sepsis", summary="<p>Fluids in children.</p>", text="Bolus volumes."
        ),
        "xss": ResourceFactory(
            title="Toxicology <script>",
            summary="",
            text="Digoxin <b>toxicity</b> & hyperkalaemia <img src=x onerror=alert(1)>",
        ),
    }


def ids(queryset):
    return [r.pk for r in queryset]


def test_title_matches_rank_above_text_matches(corpus):
    found = resource_search(Resource.objects.all(), "hyperkalaemia").order_by("-search_rank")
    assert ids(found)[0] == corpus["title_hit"].pk
    assert set(ids(found)) == {corpus["title_hit"].pk, corpus["text_hit"].pk, corpus["xss"].pk}


def test_stemming_and_phrases_and_exclusions(corpus):
    assert corpus["other"].pk in ids(resource_search(Resource.objects.all(), "fluid"))  # matches "Fluids"
    assert ids(resource_search(Resource.objects.all(), '"insulin and dialysis"')) == [corpus["text_hit"].pk]
    assert corpus["text_hit"].pk not in ids(
        resource_search(Resource.objects.all(), "hyperkalaemia -dialysis")
    )
    either = set(ids(resource_search(Resource.objects.all(), "sepsis OR digoxin")))
    assert either == {corpus["other"].pk, corpus["xss"].pk}


def test_hostile_or_empty_queries_match_nothing_and_never_error(corpus):
    for query in [
        "",
        "   ",
        '"',
        "-",
        "OR",
        "a:b*",
        "NEAR(x y)",
        "'; DROP TABLE curation_resource; --",
        "(((",
    ]:
        assert isinstance(ids(resource_search(Resource.objects.all(), query)), list)
    assert Resource.objects.count() == 4


def test_search_composes_with_other_filters(corpus):
    found = resource_search(Resource.objects.exclude(pk=corpus["title_hit"].pk), "hyperkalaemia")
    assert corpus["title_hit"].pk not in ids(found)


def test_snippets_are_escaped_with_only_mark_added(corpus):
    snippets = search_snippets([corpus["xss"].pk, corpus["text_hit"].pk], "hyperkalaemia")
    assert "<mark>" in snippets[corpus["text_hit"].pk]
    xss = snippets[corpus["xss"].pk]
    assert "<script" not in xss and "<img" not in xss and "<b>" not in xss and "<mark>" in xss


def test_index_follows_edits_and_deletes(corpus):
    resource = corpus["other"]
    resource.title = "Paediatric anaphylaxis"
    resource.save()
    assert ids(resource_search(Resource.objects.all(), "anaphylaxis")) == [resource.pk]
    resource.delete()
    assert ids(resource_search(Resource.objects.all(), "anaphylaxis")) == []


def test_fts5_translation_quotes_every_term():
    assert fts5_query('sepsis "fluid bolus" -children') == '"sepsis" AND "fluid bolus" NOT "children"'
    assert fts5_query("a OR b c") == '("a" OR "b") AND "c"'
    assert fts5_query("-only") == ""


def test_search_index_triggers_survive_every_migration():
    from django.core.checks import run_checks

    errors = [message for message in run_checks(databases=["default"]) if message.id == "curation.E001"]
    assert errors == []


def test_relevance_pages_follow_the_full_ranking_and_visit_every_match_once():
    title = [ResourceFactory(title=f"Sepsis bundle {n}", text="Fluids.") for n in range(4)]
    summary = [
        ResourceFactory(title=f"Shock {n}", summary="<p>Early sepsis care.</p>", text="x") for n in range(3)
    ]
    text = [
        ResourceFactory(title=f"Fever {n}", summary="<p>Children.</p>", text="Think of sepsis.")
        for n in range(5)
    ]
    ResourceFactory(title="Unrelated", summary="<p>Croup.</p>", text="Steroids.")
    everything = resource_search(Resource.objects.all(), "sepsis").order_by("-search_rank", "-id")
    expected = [r.pk for r in everything]
    pages, after = [], None
    while True:
        page = resource_search_page(Resource.objects.all(), "sepsis", after=after, limit=5)
        if not page:
            break
        pages.append([r.pk for r in page])
        after = search_cursor_decode(search_cursor_encode(page[-1]))
    visited = [pk for page in pages for pk in page]
    assert visited == expected  # the same order as ranking every match, with no repeats or gaps
    assert set(visited) == {r.pk for r in title + summary + text}
    # title matches first, then summary-only matches, then body-text-only matches
    tiers = [
        0 if pk in {r.pk for r in title} else 1 if pk in {r.pk for r in summary} else 2 for pk in visited
    ]
    assert tiers == sorted(tiers)


def test_search_page_query_count_does_not_grow_with_the_page_size(django_assert_max_num_queries):
    for n in range(30):
        ResourceFactory(title=f"Sepsis {n}" if n % 3 else f"Fluids {n}", text="sepsis")
    from curation.selectors import resource_list_for_api

    with django_assert_max_num_queries(
        7
    ):  # up to four tier reads (the last: transcripts), the page, topics, designations
        assert len(resource_search_page(resource_list_for_api(), "sepsis", limit=5)) == 5
    with django_assert_max_num_queries(7):
        assert len(resource_search_page(resource_list_for_api(), "sepsis", limit=100)) == 30


def test_tampered_search_cursor_is_refused():
    resource = ResourceFactory(title="Sepsis")
    resource.search_rank = 2.5
    token = search_cursor_encode(resource)
    assert search_cursor_decode(token) == (2.5, resource.pk)
    assert search_cursor_decode(token[:-2] + "xx") is None
    assert search_cursor_decode("not-a-cursor") is None


def _transcribed(title, text, cues=()):
    from curation.enums import EpisodeFileStatus
    from curation.models import Transcript

    resource = ResourceFactory(title=title, summary="<p>An episode.</p>", text="")
    Transcript.objects.create(
        resource=resource, status=EpisodeFileStatus.INDEXED, text=text, cues=[list(c) for c in cues]
    )
    return resource


def test_transcripts_are_a_tier_below_body_text_with_the_time_in_the_snippet(corpus):
    spoken = (
        "Welcome back. " + "We talk about many things today. " * 20 + "Then hyperkalaemia, and calcium first."
    )
    episode = _transcribed("Resus podcast episode 12", spoken, cues=[(0, 0), (754, spoken.index("Then"))])
    everything = Resource.objects.all()
    ranked = ids(resource_search(everything, "hyperkalaemia").order_by("-search_rank", "-id"))
    assert ranked[-1] == episode.pk and set(ranked[:-1]) == {
        corpus["title_hit"].pk,
        corpus["text_hit"].pk,
        corpus["xss"].pk,
    }
    page = resource_search_page(everything, "hyperkalaemia", limit=10)
    assert [r.pk for r in page] == ranked
    # Keyset pages cross from the body tier into the transcript tier without loss or repetition.
    first = resource_search_page(everything, "hyperkalaemia", limit=3)
    after = search_cursor_decode(search_cursor_encode(first[-1]))
    assert [r.pk for r in first + resource_search_page(everything, "hyperkalaemia", after=after)] == ranked
    snippet = search_snippets([episode.pk], "hyperkalaemia")[episode.pk]
    assert 'data-seconds="754">Transcript, 12:34</span>' in snippet
    assert "<mark>hyperkalaemia</mark>" in snippet.lower()
    assert "Welcome back" not in snippet  # the passage around the match, not the start


def test_transcript_matches_respect_exclusions_spelling_and_untimed_text(corpus):
    episode = _transcribed("Episode 40", "A long chat about hyperkalemia treatment in dialysis patients.")
    plain = _transcribed("Episode 41", "Hyperkalemia again, in children this time.")
    everything = Resource.objects.all()
    assert {episode.pk, plain.pk} <= set(ids(resource_search(everything, "hyperkalaemia")))  # US spelling
    excluded = ids(resource_search(everything, "hyperkalaemia -dialysis"))
    assert episode.pk not in excluded and plain.pk in excluded
    assert ids(resource_search(everything, "-dialysis")).count(plain.pk) == 1
    snippet = search_snippets([plain.pk], "hyperkalaemia")[plain.pk]
    assert snippet.startswith('<span class="snippet-at">Transcript</span>') and "<mark>" in snippet


def test_search_follows_edits_of_title_and_authors_and_not_other_writes():
    resource = ResourceFactory(title="Croup in toddlers", summary="", text="", authors=[])
    everything = Resource.objects.all()
    Resource.objects.filter(pk=resource.pk).update(title="Bronchiolitis in infants")
    assert ids(resource_search(everything, "bronchiolitis")) == [resource.pk]
    assert ids(resource_search(everything, "croup")) == []
    Resource.objects.filter(pk=resource.pk).update(authors=["Casey Parker"])
    assert ids(resource_search(everything, "Parker")) == [resource.pk]
    Resource.objects.filter(pk=resource.pk).update(score_sort=4.5)  # a sort key: the index is untouched
    assert ids(resource_search(everything, "bronchiolitis")) == [resource.pk]
