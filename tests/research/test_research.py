import csv
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from curation.enums import VerificationStatus
from curation.impact import LINK_FORMULA_VERSION, SMI_FORMULA_VERSION
from curation.models import InstrumentVersion, Resource, SourceImpactSnapshot, SourceSocialInputs
from curation.services.endorsements import endorsement_put
from curation.services.metrics import metrics_recompute_all
from curation.services.reviews import review_save_draft, review_submit
from research.analysis import instrument_reliability_snapshot, signal_validity, source_impact_snapshot_all
from tests.factories import ExpertProfileFactory, ResourceFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(editor):
    """Six resources whose learner endorsements rise with their AIR totals; gestalt too."""
    experts = [
        ExpertProfileFactory(
            user=UserFactory(username=f"rx{n}", role="expert"),
            verification_status=VerificationStatus.APPROVED,
            decided_by=editor,
            decided_at=timezone.now(),
        ).user
        for n in range(3)
    ]
    learners = [UserFactory(username=f"rl{n}") for n in range(6)]
    air = InstrumentVersion.objects.get(instrument__slug="air")
    gestalt = InstrumentVersion.objects.get(instrument__slug="gestalt")
    hub = SourceFactory(site_url="https://emcrit.org/")
    resources = []
    for quality in range(1, 7):
        resource = ResourceFactory(
            source=hub if quality % 2 else SourceFactory(),
            summary='<p><a href="https://emcrit.org/x">see</a></p>',
        )
        for offset, expert in enumerate(experts):
            per_item = min(quality + (offset % 2), 7)
            for version, scores in (
                (air, {i["key"]: per_item for i in air.items}),
                (gestalt, {"recommend": per_item}),
            ):
                review = review_save_draft(
                    reviewer=expert,
                    resource=resource,
                    version=version,
                    scores=scores,
                    conflict_of_interest="None",
                )
                review_submit(reviewer=expert, review=review)
        for learner in learners[:quality]:
            endorsement_put(user=learner, resource=resource)
        resources.append(resource)
    return resources


def test_signal_validity_ranks_the_signal_that_tracks_consensus(scenario):
    validity = signal_validity(Resource.objects.all())
    best = validity["predictors"]["all"][0]
    assert best["signal"] in ("learner_endorsements", "gestalt") and best["rho"] == pytest.approx(
        1.0, abs=1e-6
    )
    assert validity["correlations"]["learner_endorsements~expert_consensus"]["n"] == 6
    assert "kind:blog" in validity["predictors"]
    json.dumps(validity, allow_nan=False)


def test_impact_snapshots_store_raw_inputs_and_formula_versions(scenario):
    hub = scenario[0].source
    SourceSocialInputs.objects.create(
        source=hub,
        observed_on=timezone.now().date(),
        alexa_rank=20000,
        twitter_followers=9000,
        facebook_likes=3000,
    )
    other = SourceFactory()
    SourceSocialInputs.objects.create(
        source=other, observed_on=timezone.now().date(), alexa_rank=900000, twitter_followers=100
    )
    assert source_impact_snapshot_all() > 0
    link = SourceImpactSnapshot.objects.get(source=hub, formula_version=LINK_FORMULA_VERSION)
    assert link.value == pytest.approx(10.0) and len(link.raw_inputs["inbound_links_by_source"]) >= 1
    smi = SourceImpactSnapshot.objects.get(source=hub, formula_version=SMI_FORMULA_VERSION)
    assert smi.value == pytest.approx(10.0) and smi.raw_inputs["alexa"] == 20000


def test_research_report_writes_html_svg_and_csv(scenario, tmp_path, capsys):
    for version in InstrumentVersion.objects.all():
        instrument_reliability_snapshot(version=version)
    metrics_recompute_all()
    call_command("research_report", "--out", str(tmp_path))
    summary = json.loads(capsys.readouterr().out)
    assert summary["resources"] == 6
    for name in (
        "index.html",
        "score-distributions.svg",
        "reliability-vs-raters.svg",
        "signal-correlations.svg",
        "score-distributions.csv",
        "reliability-vs-raters.csv",
        "signal-correlations.csv",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "<svg" in (tmp_path / "signal-correlations.svg").read_text()
    rows = list(csv.DictReader((tmp_path / "score-distributions.csv").open()))
    assert sum(int(row["reviews"]) for row in rows) == 36  # 6 resources x 3 experts x 2 instruments
    assert len({(row["instrument"], row["total"]) for row in rows}) == len(rows)  # one row per total


def test_research_export_pseudonymises_people_and_leaves_out_free_text(scenario, tmp_path, capsys):
    metrics_recompute_all()
    call_command("research_export", "--out", str(tmp_path))
    reviews = list(csv.DictReader((tmp_path / "reviews.csv").open()))
    assert len(reviews) == 36 and "comments" not in reviews[0]
    usernames = {f"rx{n}" for n in range(3)}
    exported = (tmp_path / "reviews.csv").read_text() + (tmp_path / "endorsements.csv").read_text()
    assert not any(name in exported for name in usernames)
    assert len({row["reviewer"] for row in reviews}) == 3 and all(
        len(row["reviewer"]) == 16 for row in reviews
    )
    assert len(list(csv.DictReader((tmp_path / "metrics.csv").open()))) == 6
