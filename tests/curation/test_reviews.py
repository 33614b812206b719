"""Instruments, reviews and audit: every transition and every refusal, each refusal asserting that
nothing changed."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from curation.enums import ReviewStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import AuditEvent, Instrument, InstrumentVersion, Review
from curation.services.instruments import designation_for_total, instrument_version_create
from curation.services.reviews import review_decide, review_save_draft, review_submit, review_withdraw
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db
AIR_ALL_SIX = {
    "beem": 6,
    "content_accuracy": 6,
    "educational_utility": 6,
    "evidence_based_medicine": 6,
    "referenced": 6,
}


@pytest.fixture
def air():
    return InstrumentVersion.objects.get(instrument__slug="air", version=1)


@pytest.fixture
def resource():
    return ResourceFactory(authors=["Dr Ada Author"])


def snapshot():
    return list(Review.objects.values_list("id", "status", "scores", "total")), AuditEvent.objects.count()


def test_published_instruments_are_seeded_with_verbatim_marks():
    assert set(Instrument.objects.values_list("slug", flat=True)) >= {
        "air",
        "air-pro",
        "rmetriq",
        "gestalt",
        "quality-indicators",
    }
    air = InstrumentVersion.objects.get(instrument__slug="air")
    assert (air.total_min, air.total_max, len(air.items)) == (5, 35, 5)
    assert [t["min_total"] for t in air.thresholds] == [30, 27]
    rmetriq = InstrumentVersion.objects.get(instrument__slug="rmetriq")
    assert (rmetriq.total_min, rmetriq.total_max) == (0, 21) and not any(i["verbatim"] for i in rmetriq.items)
    qi = InstrumentVersion.objects.get(instrument__slug="quality-indicators")
    assert len(qi.items) == 13 and qi.total_max == 13
    assert InstrumentVersion.objects.get(instrument__slug="gestalt").items[0]["verbatim"] is True


def test_designation_follows_thresholds(air):
    assert [designation_for_total(air, t) for t in (35, 30, 29, 27, 26, None)] == [
        "Approved",
        "Approved",
        "Honourable mention",
        "Honourable mention",
        "",
        "",
    ]


def test_editor_revision_creates_a_new_version_and_keeps_the_old(air, editor):
    items = [
        *air.items,
        {
            "key": "visuals",
            "label": "Visuals",
            "scale": {"kind": "numeric", "min": 1, "max": 7},
            "verbatim": False,
        },
    ]
    new = instrument_version_create(
        editor=editor,
        instrument=air.instrument,
        items=items,
        thresholds=[{"label": "Approved", "min_total": 36}],
    )
    assert new.version == 2 and new.total_max == 42
    air.refresh_from_db()
    assert len(air.items) == 5 and air.version == 1
    assert AuditEvent.objects.filter(action="instrument.version_created").count() == 1


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"key": "a", "label": "A", "scale": {"kind": "numeric", "min": 7, "max": 1}}],
        [{"key": "", "label": "A", "scale": {"kind": "yes_no"}}],
    ],
)
def test_malformed_instrument_revision_is_refused(air, editor, items):
    with pytest.raises(InvalidInput):
        instrument_version_create(editor=editor, instrument=air.instrument, items=items, thresholds=[])
    assert air.instrument.versions.count() == 1


def test_non_editor_cannot_revise_an_instrument(air, expert):
    with pytest.raises(NotAllowed):
        instrument_version_create(editor=expert, instrument=air.instrument, items=air.items, thresholds=[])
    assert air.instrument.versions.count() == 1


def test_expert_drafts_submits_and_editor_accepts(air, resource, expert, editor):
    draft = review_save_draft(
        reviewer=expert,
        resource=resource,
        version=air,
        scores={"beem": 5},
        comments="<p>Good<script>x</script></p>",
    )
    assert draft.status == ReviewStatus.DRAFT and draft.comments == "<p>Good</p>"
    draft = review_save_draft(
        reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX, conflict_of_interest="None"
    )
    submitted = review_submit(reviewer=expert, review=draft)
    assert submitted.status == ReviewStatus.SUBMITTED and submitted.total == 30.0 and submitted.submitted_at
    accepted = review_decide(editor=editor, review=submitted, accept=True, reason="")
    assert accepted.status == ReviewStatus.ACCEPTED
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[-2:] == [
        "review.submitted",
        "review.accepted",
    ]


def test_returned_review_can_be_revised_and_resubmitted(air, resource, expert, editor):
    review = review_save_draft(
        reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX, conflict_of_interest="None"
    )
    review_submit(reviewer=expert, review=review)
    review_decide(editor=editor, review=review, accept=False, reason="Please justify the BEEM score")
    review = review_save_draft(
        reviewer=expert,
        resource=resource,
        version=air,
        scores={**AIR_ALL_SIX, "beem": 4},
        conflict_of_interest="None",
    )
    assert review_submit(reviewer=expert, review=review).total == 28.0


def test_reviewer_can_withdraw_and_a_withdrawn_review_is_final(air, resource, expert):
    review = review_save_draft(
        reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX, conflict_of_interest="None"
    )
    review_withdraw(reviewer=expert, review=review)
    before = snapshot()
    with pytest.raises(Conflict):
        review_submit(reviewer=expert, review=review)
    with pytest.raises(Conflict):
        review_save_draft(reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({**AIR_ALL_SIX, "beem": 8}, "beem"),
        ({**AIR_ALL_SIX, "referenced": 0}, "referenced"),
        ({k: v for k, v in AIR_ALL_SIX.items() if k != "beem"}, "beem"),
        ({**AIR_ALL_SIX, "bogus": 3}, "bogus"),
        ({**AIR_ALL_SIX, "beem": "six"}, "beem"),
        ({**AIR_ALL_SIX, "beem": 5.5}, "beem"),
    ],
)
def test_out_of_range_missing_or_unknown_items_are_refused_per_item(air, resource, expert, scores, field):
    review = review_save_draft(
        reviewer=expert, resource=resource, version=air, scores={}, conflict_of_interest="None"
    )
    Review.objects.filter(pk=review.pk).update(scores=scores)  # as if an older client had stored them
    before = snapshot()
    with pytest.raises(InvalidInput) as error:
        review_submit(reviewer=expert, review=review)
    assert field in error.value.field_errors
    assert snapshot() == before


def test_missing_conflict_of_interest_statement_is_refused(air, resource, expert):
    review = review_save_draft(reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX)
    before = snapshot()
    with pytest.raises(InvalidInput) as error:
        review_submit(reviewer=expert, review=review)
    assert "conflict_of_interest" in error.value.field_errors and snapshot() == before


@pytest.mark.parametrize("who", ["learner", "editor", "unverified"])
def test_only_verified_experts_review(air, resource, who, request):
    user = (
        UserFactory(username="pending", role="expert")
        if who == "unverified"
        else request.getfixturevalue(who)
    )
    before = snapshot()
    with pytest.raises(NotAllowed):
        review_save_draft(reviewer=user, resource=resource, version=air, scores=AIR_ALL_SIX)
    assert snapshot() == before


def test_owner_or_author_of_the_source_cannot_review_it(air, resource, expert):
    resource.source.owners.add(expert)
    with pytest.raises(NotAllowed, match="owner"):
        review_save_draft(reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX)
    resource.source.owners.clear()
    expert.first_name, expert.last_name = "Dr Ada", "Author"
    expert.save()
    with pytest.raises(NotAllowed, match="author"):
        review_save_draft(reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX)
    assert Review.objects.count() == 0


def test_second_review_of_the_same_version_is_the_same_review(air, resource, expert):
    first = review_save_draft(reviewer=expert, resource=resource, version=air, scores={"beem": 3})
    second = review_save_draft(reviewer=expert, resource=resource, version=air, scores={"beem": 4})
    assert first.pk == second.pk and Review.objects.count() == 1


def test_only_editors_decide_and_only_on_submitted_reviews(air, resource, expert, editor, learner):
    review = review_save_draft(
        reviewer=expert, resource=resource, version=air, scores=AIR_ALL_SIX, conflict_of_interest="None"
    )
    before = snapshot()
    with pytest.raises(Conflict):
        review_decide(editor=editor, review=review, accept=True, reason="")  # still a draft
    review_submit(reviewer=expert, review=review)
    before = snapshot()
    with pytest.raises(NotAllowed):
        review_decide(editor=learner, review=review, accept=True, reason="")
    with pytest.raises(InvalidInput):
        review_decide(editor=editor, review=review, accept=False, reason=" ")
    with pytest.raises(NotAllowed):
        review_withdraw(reviewer=editor, review=review)  # not its author
    assert snapshot() == before


def test_review_comment_resembling_a_patient_identifier_is_held(air, resource, expert):
    review = review_save_draft(
        reviewer=expert,
        resource=resource,
        version=air,
        scores=AIR_ALL_SIX,
        comments="Like my patient, MRN 00482913.",
        conflict_of_interest="None",
    )
    assert review_submit(reviewer=expert, review=review).held_for_confidentiality is True


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm_or_the_admin(editor, learner):
    from curation.services.accounts import expert_apply, expert_verification_decide

    expert_verification_decide(
        editor=editor,
        profile=expert_apply(user=learner, profession="RN", specialty="EM"),
        approve=True,
        reason="ok",
    )
    event = AuditEvent.objects.get(action="expert.verification_decided")
    assert event.before == {"status": "pending"} and event.after == {"status": "approved"}
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = editor
    assert not model_admin.has_change_permission(request, event) and not model_admin.has_delete_permission(
        request, event
    )
    event.refresh_from_db()
    assert event.action == "expert.verification_decided"


def test_expert_application_needs_a_real_name(air):
    from curation.services.accounts import expert_apply

    nameless = UserFactory(username="anon", first_name="", last_name="")
    with pytest.raises(InvalidInput) as error:
        expert_apply(user=nameless, profession="Physician", specialty="EM")
    assert "name" in error.value.field_errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_first_drafts_make_one_review(air):
    import threading

    from django.db import connection
    from django.utils import timezone

    from curation.models import ExpertProfile

    editor = UserFactory(username="ed", role="editor")
    expert = UserFactory(username="racer", role="expert")
    ExpertProfile.objects.create(
        user=expert,
        profession="MD",
        specialty="EM",
        applied_at=timezone.now(),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    )
    resource = ResourceFactory()
    air = InstrumentVersion.objects.get(instrument__slug="air", version=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save() -> None:
        barrier.wait()
        try:
            review_save_draft(reviewer=expert, resource=resource, version=air, scores={"beem": 4})
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Review.objects.filter(reviewer=expert, resource=resource).count() == 1
    assert sorted(outcomes) in (["saved", "saved"], ["conflict", "saved"])
