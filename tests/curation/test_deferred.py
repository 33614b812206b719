"""Side work off requests: e-mail and metric refreshes are handed to a queue only after the change
commits, never when it rolls back, and run in-process when no queue takes them (a broker that is
down): nothing is lost, and the refreshed numbers equal the nightly recompute."""

import pytest
from django.core import mail
from django.db import transaction

from curation.deferred import METRICS, defer, run_now, work_deferred
from curation.models import ResourceMetrics
from curation.services.endorsements import endorsement_put
from curation.services.metrics import compute_metrics
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings, monkeypatch):
    """The real path: no inline shortcut; the workers app's receiver publishes a Celery task, whose
    publication we record instead of a broker round trip."""
    from workers.tasks import run_deferred

    settings.CURATION_DEFER_INLINE = False
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(run_deferred, "apply_async", lambda args, **_: sent.append(tuple(args)))
    return sent


def test_a_refresh_is_queued_after_commit_and_the_task_does_it(queued, django_capture_on_commit_callbacks):
    resource, user = ResourceFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        endorsement_put(user=user, resource=resource)
        assert queued == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert queued == [(METRICS, {"resource_ids": [resource.pk]})]
    assert not ResourceMetrics.objects.filter(resource=resource, learner_endorsements=1).exists()

    from workers.tasks import run_deferred

    run_deferred.run(*queued[0])  # what the worker does with the message
    stored = ResourceMetrics.objects.get(resource=resource)
    nightly = compute_metrics([resource.pk])[0]
    assert stored.learner_endorsements == nightly.learner_endorsements == 1
    assert stored.ranking_score == nightly.ranking_score


def test_a_rolled_back_change_queues_nothing(queued, django_capture_on_commit_callbacks):
    resource, user = ResourceFactory(), UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        endorsement_put(user=user, resource=resource)
        raise RuntimeError("the request failed after the endorsement")
    assert callbacks == [] and queued == []


def test_with_the_broker_down_the_work_runs_in_process(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from workers.tasks import run_deferred

    settings.CURATION_DEFER_INLINE = False

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(run_deferred, "apply_async", refuse)
    resource, user = ResourceFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        endorsement_put(user=user, resource=resource)
    assert ResourceMetrics.objects.get(resource=resource).learner_endorsements == 1


def test_mail_waits_for_the_commit(queued, django_capture_on_commit_callbacks):
    from curation.deferred import MAIL

    with django_capture_on_commit_callbacks(execute=True):
        defer(MAIL, messages=[["Subject", "Body", "from@example.org", ["to@example.org"]]])
        assert queued == []
    assert queued == [(MAIL, {"messages": [["Subject", "Body", "from@example.org", ["to@example.org"]]]})]
    run_now(*queued[0])
    assert [m.to for m in mail.outbox] == [["to@example.org"]]


def test_unknown_work_is_refused():
    with pytest.raises(ValueError):
        defer("reindex-everything")
    with pytest.raises(ValueError):
        run_now("reindex-everything", {})


def test_the_workers_app_listens():
    from workers.apps import queue_deferred_work

    assert queue_deferred_work in work_deferred._live_receivers(METRICS)[0]
