"""Clinicians' spelling and vocabulary in search, the same on SQLite FTS5 and PostgreSQL: UK/US
variants, abbreviations and synonyms (shipped file and editors' additions)."""

import pytest
from rest_framework.test import APIClient

from curation.models import SearchSynonym
from curation.vocabulary import shipped_groups, spelling_variants, synonyms_changed, term_variants
from tests.factories import ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.mark.parametrize(
    ("uk", "us"),
    [
        ("hyperkalaemia", "hyperkalemia"),
        ("paediatric", "pediatric"),
        ("haemorrhage", "hemorrhage"),
        ("oedema", "edema"),
        ("anaesthesia", "anesthesia"),
        ("oesophagus", "esophagus"),
        ("organisation", "organization"),
        ("sulphate", "sulfate"),
        ("centre", "center"),
        ("tumour", "tumor"),
        ("ischaemia", "ischemia"),
        ("diarrhoea", "diarrhea"),
        ("analyse", "analyze"),
    ],
)
def test_uk_and_us_spellings_find_each_other(uk, us):
    assert us in spelling_variants(uk) and uk in spelling_variants(us)


@pytest.mark.parametrize(
    "word", ["does", "shoe", "them", "chemical", "academia", "exercise", "epidemic", "size"]
)
def test_ordinary_words_get_no_invented_spellings(word):
    assert spelling_variants(word) == [word]


def test_the_shipped_file_has_provenance_and_the_common_abbreviations():
    from curation.vocabulary import DATA_FILE

    assert "Provenance" in DATA_FILE.read_text()
    flat = {term.lower() for group in shipped_groups() for term in group}
    assert {"mi", "pe", "dka", "ecg", "ekg", "ich", "tpa"} <= flat
    assert "myocardial infarction" in [v.lower() for v in term_variants("MI")]
    assert "intracranial hemorrhage" in [v.lower() for v in term_variants("ICH")]


@pytest.fixture
def catalogue():
    return {
        "hyperkalaemia": ResourceFactory(
            title="Hyperkalaemia: the ECG is insensitive", text="potassium calcium"
        ),
        "pediatric": ResourceFactory(title="Paediatric sepsis bundles", text="fluids children"),
        "mi": ResourceFactory(title="Posterior myocardial infarction", text="leads V7 to V9"),
        "ekg": ResourceFactory(title="Reading the EKG in syncope", text="QT interval"),
        "tension": ResourceFactory(title="Tension PTX decompression", text="finger thoracostomy"),
    }


def _titles(query):
    return {row["title"] for row in APIClient().get("/api/v1/resources/", {"q": query}).json()["results"]}


def test_search_finds_other_spellings_and_abbreviations(catalogue, client):
    assert "Hyperkalaemia: the ECG is insensitive" in _titles("hyperkalemia")
    assert "Paediatric sepsis bundles" in _titles("pediatric")
    assert "Posterior myocardial infarction" in _titles("MI")
    assert "Reading the EKG in syncope" in _titles(
        "ECG"
    ) and "Hyperkalaemia: the ECG is insensitive" in _titles("EKG")
    assert "Paediatric sepsis bundles" not in _titles("pediatric -sepsis")
    page = client.get("/search/", {"q": "hyperkalemia"}).content.decode()
    assert "Hyperkalaemia: the ECG is insensitive" in page


def test_editors_extend_the_vocabulary(catalogue, client, editor):
    assert "Tension PTX decompression" not in _titles("pneumothorax")
    client.force_login(editor)
    response = client.post(
        "/editor/synonyms/", {"terms": "tension pneumothorax, tension PTX, pneumothorax, PTX"}
    )
    assert response.status_code == 302 and SearchSynonym.objects.count() == 1
    assert "Tension PTX decompression" in _titles("pneumothorax")
    client.post("/editor/synonyms/", {"terms": "lonely"})  # one term is not a group
    assert SearchSynonym.objects.count() == 1
    client.post(f"/editor/synonyms/{SearchSynonym.objects.get().pk}/delete/")
    assert "Tension PTX decompression" not in _titles("pneumothorax")
    synonyms_changed()


def test_topic_names_and_source_titles_are_searchable(client):
    from tests.factories import SourceFactory, TopicFactory

    toxicology = TopicFactory(slug="toxicology-test", name="Toxicology test", kind="specialty")
    tagged = ResourceFactory(title="Paracetamol overdose nomogram", text="acetylcysteine")
    tagged.topics.add(toxicology)
    via_source = ResourceFactory(
        title="Weekly roundup", text="links", source=SourceFactory(title="Tox and the Hound", topics=[])
    )
    via_source.source.topics.add(toxicology)
    by_title = ResourceFactory(
        title="Airway episode", text="bougie", source=SourceFactory(title="Emergency Medicine Cases")
    )
    ResourceFactory(title="Unrelated", text="nothing")
    assert _titles("toxicology test") == {"Paracetamol overdose nomogram", "Weekly roundup"}
    assert "Airway episode" in _titles("emergency medicine cases")
    assert (
        "Paracetamol overdose nomogram" in client.get("/search/", {"q": "Toxicology test"}).content.decode()
    )
    assert _titles("toxicology test -nomogram") == set()  # exclusions are left to the full text
    del by_title


def test_facet_counts_follow_the_query_on_the_api_and_the_page(client):
    from tests.factories import SourceFactory, TopicFactory

    cardiology = TopicFactory(slug="cardiology-facet", name="Cardiology facet", kind="specialty")
    junior = TopicFactory(slug="junior-facet", name="Junior facet", kind="learner_level")
    podcast = SourceFactory(kind="podcast", topics=[])
    podcast.topics.add(cardiology)  # inherited by every episode
    ResourceFactory(title="Syncope episode", text="syncope", source=podcast)
    own = ResourceFactory(title="Syncope blog post", text="syncope")
    own.topics.add(cardiology, junior)
    ResourceFactory(title="Croup", text="stridor")
    body = APIClient().get("/api/v1/resources/", {"q": "syncope", "facets": "true"}).json()
    facets = body["facets"]
    assert facets["topics"]["cardiology-facet"] == 2 and facets["levels"] == {"junior-facet": 1}
    assert facets["kinds"] == {"podcast": 1, "blog": 1} and facets["reviewed"] == {"true": 0, "false": 2}
    assert facets["designations"] == {}
    from django.utils import timezone

    from curation.models import Designation, InstrumentVersion, Resource, ResourceMetrics

    ResourceMetrics.objects.update_or_create(  # as the metrics service leaves a reviewed resource
        resource=own, defaults={"review_count": 3, "ranking_score": 0.7, "computed_at": timezone.now()}
    )
    Resource.objects.filter(pk=own.pk).update(score_sort=0.7)
    version = InstrumentVersion.objects.get(instrument__slug="air")
    for current, label in [(True, "Approved"), (False, "Honourable mention")]:
        Designation.objects.create(
            resource=own,
            instrument_version=version,
            label=label,
            is_current=current,
            mean_total=31,
            review_count=3,
            published_at=timezone.now(),
        )
    facets = APIClient().get("/api/v1/resources/", {"q": "syncope", "facets": "true"}).json()["facets"]
    assert facets["designations"] == {"Approved": 1} and facets["reviewed"] == {"true": 1, "false": 1}
    assert APIClient().get("/api/v1/resources/", {"q": "zzqx", "facets": "true"}).json()["facets"] == {
        "topics": {},
        "levels": {},
        "kinds": {},
        "designations": {},
        "reviewed": {"true": 0, "false": 0},
    }
    assert "facets" not in APIClient().get("/api/v1/resources/", {"q": "syncope"}).json()
    bad = APIClient().get("/api/v1/resources/", {"facets": "maybe"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    page = client.get("/search/", {"q": "syncope"}).content.decode()
    assert "Cardiology facet (2)" in page and "Podcast (1)" in page


def test_authors_are_searchable():
    ResourceFactory(
        title="Apnoeic oxygenation", text="nasal cannula", authors=["Scott Weingart", "Richard Levitan"]
    )
    ResourceFactory(title="Other", text="nothing", authors=["Someone Else"])
    assert _titles("weingart") == {"Apnoeic oxygenation"}
    assert _titles("Richard Levitan") == {"Apnoeic oxygenation"}
