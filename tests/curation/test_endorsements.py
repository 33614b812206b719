import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from curation.enums import EndorsementKind, EndorsementStatus
from curation.errors import InvalidInput, NotAllowed
from curation.models import AuditEvent, Endorsement
from curation.selectors.public import endorsement_counts
from curation.services.endorsements import endorsement_moderate, endorsement_put, endorsement_withdraw
from tests.factories import ResourceFactory, UserFactory


def state():
    return list(Endorsement.objects.order_by("id").values_list("user_id", "status", "kind", "note"))


@pytest.mark.django_db
def test_learner_and_expert_endorsements_are_counted_apart(learner, expert):
    resource = ResourceFactory()
    assert endorsement_put(user=learner, resource=resource)[0].kind == EndorsementKind.LEARNER
    assert endorsement_put(user=expert, resource=resource)[0].kind == EndorsementKind.EXPERT
    assert endorsement_counts(resource=resource) == {"learner": 1, "expert": 1}


@pytest.mark.django_db
def test_second_endorsement_by_the_same_user_is_the_same_endorsement(learner):
    resource = ResourceFactory()
    first, created = endorsement_put(user=learner, resource=resource)
    again, created_again = endorsement_put(user=learner, resource=resource)
    assert created and not created_again and first.pk == again.pk
    assert Endorsement.objects.count() == 1 and endorsement_counts(resource=resource)["learner"] == 1


@pytest.mark.django_db
def test_withdrawn_endorsement_stops_counting_and_can_be_restored(learner):
    resource = ResourceFactory()
    endorsement_put(user=learner, resource=resource)
    assert endorsement_withdraw(user=learner, resource=resource) is True
    assert endorsement_withdraw(user=learner, resource=resource) is False
    assert endorsement_counts(resource=resource)["learner"] == 0
    endorsement_put(user=learner, resource=resource)
    assert endorsement_counts(resource=resource)["learner"] == 1 and Endorsement.objects.count() == 1


@pytest.mark.django_db
def test_burst_from_new_accounts_is_held_for_an_editor(editor):
    resource = ResourceFactory()
    old_hand = UserFactory(username="veteran")
    old_hand.date_joined = timezone.now() - timedelta(days=400)
    old_hand.save()
    newcomers = [UserFactory(username=f"new{n}") for n in range(6)]
    statuses = [endorsement_put(user=user, resource=resource)[0].status for user in newcomers]
    assert statuses[:4] == [EndorsementStatus.COUNTED] * 4
    assert statuses[4:] == [EndorsementStatus.HELD] * 2
    assert endorsement_put(user=old_hand, resource=resource)[0].status == EndorsementStatus.COUNTED
    assert endorsement_counts(resource=resource)["learner"] == 5
    held = Endorsement.objects.filter(status=EndorsementStatus.HELD).first()
    endorsement_moderate(editor=editor, endorsement=held, release=True, reason="Known journal club")
    assert endorsement_counts(resource=resource)["learner"] == 6
    assert AuditEvent.objects.filter(action="endorsement.moderated", reason="Known journal club").exists()


@pytest.mark.django_db
def test_note_resembling_a_patient_identifier_is_held_and_says_why(learner):
    endorsement, _ = endorsement_put(
        user=learner, resource=ResourceFactory(), note="Helped with Mr X, DOB 01/02/1950"
    )
    assert endorsement.status == EndorsementStatus.HELD and "date of birth" in endorsement.hold_reason


@pytest.mark.django_db
def test_refusals_change_nothing(learner, outsider):
    resource = ResourceFactory()
    endorsement_put(user=learner, resource=resource)
    before = state()
    with pytest.raises(InvalidInput):
        endorsement_put(user=outsider, resource=resource, note="x" * 1001)
    with pytest.raises(NotAllowed):
        endorsement_moderate(
            editor=learner, endorsement=Endorsement.objects.get(), release=False, reason="no"
        )
    outsider.is_active = False
    with pytest.raises(NotAllowed):
        endorsement_put(user=outsider, resource=resource)
    assert state() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_endorsements_by_one_user_make_one_row():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a database file shared by threads")
    user = UserFactory(username="racer")
    resource = ResourceFactory()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def endorse() -> None:
        barrier.wait()
        try:
            results.append(endorsement_put(user=user, resource=resource)[0].pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=endorse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Endorsement.objects.filter(user=user, resource=resource).count() == 1
    assert len(results) == 2 and results[0] == results[1]
