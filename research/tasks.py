"""The research queue's tasks. The statistics stack is imported inside each task, not at module level:
Celery's autodiscovery imports this module in every process that sends a task, web processes included."""

from typing import Any

from celery import shared_task


@shared_task(acks_late=True, time_limit=3000, soft_time_limit=2900)
def nightly_research() -> dict[str, Any]:
    """Reliability snapshots per instrument version and source impact snapshots (the nightly metrics
    recompute reads both half an hour later), then the dashboard recomputed whatever changed."""
    from curation.models import InstrumentVersion
    from research.analysis import instrument_reliability_snapshot, source_impact_snapshot_all
    from research.report import research_results_refresh

    snapshots = sum(
        1
        for version in InstrumentVersion.objects.all()
        if instrument_reliability_snapshot(version=version) is not None
    )
    return {
        "reliability_snapshots": snapshots,
        "impact_snapshots": source_impact_snapshot_all(),
        "dashboard": research_results_refresh(force=True),
    }


@shared_task(acks_late=True, time_limit=1200, soft_time_limit=1100)
def refresh_if_changed() -> dict[str, Any]:
    """Every few minutes: recompute the dashboard when a review was published or a round released since
    the stored results (one aggregate query when nothing changed)."""
    from research.report import research_results_refresh

    return research_results_refresh()
