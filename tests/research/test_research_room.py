"""The research room: web processes carry no statistics stack, the pure formulas that stayed in the
domain agree with the libraries they replaced, and the research worker stores what the pages read."""

import json
import subprocess
import sys
from pathlib import Path

import networkx
import pytest
from celery import current_app
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from curation.formulas import t_quantile
from curation.impact import pagerank
from curation.models import ResearchResult
from research.report import research_results_refresh
from tests.factories import ResourceFactory

ROOT = Path(__file__).resolve().parents[2]
STACK = ("numpy", "scipy", "pandas", "pingouin", "krippendorff", "matplotlib", "networkx", "statsmodels")


def test_a_web_process_imports_no_statistics_stack():
    """What a gunicorn worker loads: the settings, every URL pattern, the WSGI application and the
    Celery app with its autodiscovered tasks (sending a task finalises it)."""
    probe = (
        "import django, json, sys; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import config.wsgi; from config.celery import app; app.loader.import_default_modules();"
        "import research.tasks;"
        f"print(json.dumps(sorted(m for m in {STACK!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@settings(max_examples=200, deadline=None)
@given(
    probability=st.floats(min_value=0.001, max_value=0.999),
    degrees=st.integers(min_value=1, max_value=5000),
)
def test_the_pure_t_quantile_matches_scipy(probability, degrees):
    t_quantile.cache_clear()
    assert t_quantile(probability, degrees) == pytest.approx(
        stats.t.ppf(probability, degrees), rel=1e-8, abs=1e-8
    )


def test_the_t_quantile_refuses_impossible_arguments():
    for probability, degrees in [(0, 5), (1, 5), (0.5, 0), (1.5, 3)]:
        with pytest.raises(ValueError):
            t_quantile(probability, degrees)


graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.dictionaries(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            st.integers(1, 9),
            max_size=80,
        ),
    )
)


@settings(max_examples=150, deadline=None)
@given(graph=graphs)
def test_the_pure_pagerank_matches_networkx(graph):
    n, edges = graph
    reference = networkx.DiGraph()
    reference.add_nodes_from(range(n))
    reference.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
    expected = networkx.pagerank(reference, alpha=0.85, weight="weight")
    ours = pagerank(range(n), edges)
    assert ours.keys() == expected.keys()
    assert all(ours[node] == pytest.approx(expected[node], abs=1e-9) for node in ours)


def test_celery_routes_research_tasks_to_their_own_queue():
    from research.tasks import nightly_research, refresh_if_changed

    router = current_app.amqp.router
    for task in (nightly_research, refresh_if_changed):
        assert router.route({}, task.name)["queue"].name == "research"


@pytest.mark.django_db
def test_the_worker_recomputes_only_when_public_reviews_or_rounds_change(expert):
    from curation.models import InstrumentVersion
    from curation.services.reviews import review_save_draft, review_submit

    assert research_results_refresh()["refreshed"] is True
    first = set(ResearchResult.objects.values_list("key", "computed_at"))
    assert {key for key, _ in first} == {
        "reliability",
        "section:reliability-vs-raters",
        "section:score-distributions",
        "section:signal-correlations",
        "section:best-signal",
    }
    assert research_results_refresh()["refreshed"] is False  # nothing changed: one aggregate, no work
    assert set(ResearchResult.objects.values_list("key", "computed_at")) == first

    air = InstrumentVersion.objects.get(instrument__slug="air")
    review = review_save_draft(
        reviewer=expert,
        resource=ResourceFactory(),
        version=air,
        scores={i["key"]: 6 for i in air.items},
        conflict_of_interest="None",
    )
    review_submit(reviewer=expert, review=review)
    assert research_results_refresh()["refreshed"] is True
    rows = ResearchResult.objects.get(key="section:score-distributions").data["rows"]
    assert [[r[0], r[1], float(r[2]), r[3]] for r in rows] == [["air", air.version, 30.0, 1]]


@pytest.mark.django_db
def test_research_refresh_command(capsys):
    call_command("research_refresh")
    assert json.loads(capsys.readouterr().out)["refreshed"] is True
    call_command("research_refresh", "--if-changed")
    assert json.loads(capsys.readouterr().out)["refreshed"] is False


def test_the_verdict_names_the_best_signal_or_says_the_data_cannot_tell():
    from research.analysis import CONSENSUS, SIGNALS, best_predictor

    def rows(social, other):  # type: ignore[no-untyped-def]
        base = {signal: 0.0 for signal in SIGNALS}
        return {
            i: {**base, "social_index": social(i), "clicks": other(i), CONSENSUS: float(i)} for i in range(60)
        }

    clear = best_predictor(rows(lambda i: float(i), lambda i: float((i * 37) % 60)), range(60))
    tied = best_predictor(
        rows(lambda i: float(i), lambda i: float(i) + (0.5 if i % 7 == 0 else 0)), range(60)
    )
    empty = best_predictor({}, [])

    assert clear["best"] == "social_index" and clear["comparison"]["differs"] is True
    assert clear["verdict"].startswith("social_index predicts expert consensus better than clicks")
    assert tied["comparison"]["differs"] is False and tied["verdict"].startswith("The data cannot tell")
    assert empty["best"] is None and "Not enough" in empty["verdict"]
