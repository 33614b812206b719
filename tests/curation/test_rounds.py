"""Curation rounds end to end, blinding, cases (flags, appeals), notifications and the portfolio."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from curation.enums import CaseStatus, ResourceStatus, RoundStatus, VerificationStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.exports import portfolio_csv
from curation.models import Assignment, AuditEvent, Designation, InstrumentVersion, Resource
from curation.selectors import designation_summary, review_list_visible_to, reviewer_portfolio
from curation.services.cases import appeal_decide, appeal_submit, flag_decide, flag_raise
from curation.services.notifications import assignment_send_deadline_reminders
from curation.services.reviews import review_save_draft, review_submit
from curation.services.rounds import (
    round_add_candidates,
    round_assign,
    round_cancel,
    round_create,
    round_publish,
)
from tests.factories import ExpertProfileFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db
AIR_KEYS = ["beem", "content_accuracy", "educational_utility", "evidence_based_medicine", "referenced"]


def scores_for(total: int) -> dict[str, int]:
    """Spread a total of 5..35 over the five AIR items (1..7 each)."""
    base, extra = divmod(total, 5)
    return {key: base + (1 if index < extra else 0) for index, key in enumerate(AIR_KEYS)}


@pytest.fixture
def air():
    return InstrumentVersion.objects.get(instrument__slug="air", version=1)


@pytest.fixture
def experts(editor):
    return [
        ExpertProfileFactory(
            user=UserFactory(username=f"expert{n}", role="expert", email=f"expert{n}@example.org"),
            verification_status=VerificationStatus.APPROVED,
            decided_by=editor,
            decided_at=timezone.now(),
        ).user
        for n in range(5)
    ]


def open_round(editor, air, resources, reviewers=3, pool=None):  # type: ignore[no-untyped-def]
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="November AIR",
        instrument_version=air,
        window_start=now - timedelta(days=30),
        window_end=now,
        deadline=now + timedelta(days=14),
        reviewers_per_candidate=reviewers,
    )
    round_add_candidates(editor=editor, round_=round_, resources=resources)
    round_assign(editor=editor, round_=round_, pool=pool)
    return round_


def test_full_round_publishes_designations_matching_the_hand_calculation(
    editor, air, experts, django_capture_on_commit_callbacks
):
    # Hand calculation, AIR thresholds Approved >= 30, Honourable mention >= 27, on the mean of 3 totals:
    planned = {
        "A": ([35, 32, 30], 32.333, 2.517, "Approved"),
        "B": ([30, 30, 30], 30.0, 0.0, "Approved"),
        "C": ([29, 28, 27], 28.0, 1.0, "Honourable mention"),
        "D": ([27, 26, 28], 27.0, 1.0, "Honourable mention"),
        "E": ([20, 26, 29], 25.0, 4.583, ""),
    }
    resources = {name: ResourceFactory(title=name) for name in planned}
    with django_capture_on_commit_callbacks(execute=True):
        round_ = open_round(editor, air, resources.values())
    assignments = list(
        Assignment.objects.filter(candidate__round=round_).select_related("candidate__resource", "reviewer")
    )
    assert len(assignments) == 15 and len(mail.outbox) == 15
    load = {e.pk: sum(1 for a in assignments if a.reviewer_id == e.pk) for e in experts}
    assert sorted(load.values()) == [3, 3, 3, 3, 3]  # balanced
    with pytest.raises(Conflict):
        round_publish(editor=editor, round_=round_)  # nobody has reviewed yet
    for name, resource in resources.items():
        mine = [a for a in assignments if a.candidate.resource_id == resource.pk]
        for assignment, total in zip(mine, planned[name][0], strict=True):
            review = review_save_draft(
                reviewer=assignment.reviewer,
                resource=resource,
                version=air,
                scores=scores_for(total),
                conflict_of_interest="None",
            )
            assert review.round_id == round_.pk
            review_submit(reviewer=assignment.reviewer, review=review)
    with django_capture_on_commit_callbacks(execute=True):
        designations = round_publish(editor=editor, round_=round_)
    assert len(designations) == 5
    for name, (_, mean, sd, label) in planned.items():
        candidate = round_.candidates.get(resource=resources[name])
        assert candidate.mean_total == pytest.approx(mean, abs=1e-3)
        assert candidate.sd_total == pytest.approx(sd, abs=1e-3)
        assert candidate.designation == label
        assert Designation.objects.get(resource=resources[name], is_current=True).label == label
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="designation.published").count() == 5
    assert sum("published" in m.subject for m in mail.outbox) == 5
    assert designation_summary(resource=resources["E"])[0]["label"] == "Reviewed, below thresholds"
    assert designation_summary(resource=ResourceFactory())[0] == {
        "label": "Not yet reviewed",
        "reviewed": False,
    }


def test_assignment_excludes_owners_authors_and_declared_conflicts(editor, air, experts):
    extra = [
        ExpertProfileFactory(
            user=UserFactory(username=f"extra{n}", role="expert"),
            verification_status=VerificationStatus.APPROVED,
            decided_by=editor,
            decided_at=timezone.now(),
        ).user
        for n in range(2)
    ]
    resource = ResourceFactory(authors=[experts[1].get_full_name(), "Dr Ada Quill"])
    resource.source.owners.add(experts[0])
    experts[2].expert_profile.conflicted_sources.add(resource.source)
    profile = extra[1].expert_profile
    profile.conflicted_authors = ["ada quill"]  # a declared conflict with an author, matched by name
    profile.save()
    round_ = open_round(editor, air, [resource], reviewers=3)
    chosen = set(Assignment.objects.filter(candidate__round=round_).values_list("reviewer_id", flat=True))
    assert chosen == {experts[3].pk, experts[4].pk, extra[0].pk}


def test_assignment_is_all_or_nothing_when_reviewers_are_short(editor, air, experts):
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="Too big",
        instrument_version=air,
        window_start=now - timedelta(days=1),
        window_end=now,
        deadline=now + timedelta(days=3),
        reviewers_per_candidate=6,
    )
    round_add_candidates(editor=editor, round_=round_, resources=[ResourceFactory()])
    with pytest.raises(InvalidInput, match="Not enough eligible reviewers"):
        round_assign(editor=editor, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT and Assignment.objects.count() == 0


def test_round_refusals_change_nothing(editor, air, experts, learner):
    now = timezone.now()
    with pytest.raises(NotAllowed):
        round_create(
            editor=learner,
            title="x",
            instrument_version=air,
            window_start=now,
            window_end=now,
            deadline=now + timedelta(days=1),
        )
    with pytest.raises(InvalidInput):
        round_create(
            editor=editor,
            title="x",
            instrument_version=air,
            window_start=now,
            window_end=now - timedelta(days=1),
            deadline=now + timedelta(days=1),
        )
    with pytest.raises(InvalidInput):
        round_create(
            editor=editor,
            title="x",
            instrument_version=air,
            window_start=now,
            window_end=now,
            deadline=now - timedelta(days=1),
        )
    round_ = open_round(editor, air, [ResourceFactory()])
    with pytest.raises(Conflict):
        round_add_candidates(editor=editor, round_=round_, resources=[ResourceFactory()])
    with pytest.raises(Conflict):
        round_assign(editor=editor, round_=round_)
    assert round_.candidates.count() == 1 and Assignment.objects.count() == 3
    round_cancel(editor=editor, round_=round_, reason="wrong instrument")
    with pytest.raises(Conflict):
        round_publish(editor=editor, round_=round_)


def test_reviewers_see_each_others_scores_only_after_submitting(editor, air, experts, learner):
    resource = ResourceFactory()
    round_ = open_round(editor, air, [resource], reviewers=3)
    first, second, third = [
        a.reviewer for a in Assignment.objects.filter(candidate__round=round_).order_by("reviewer_id")
    ]
    review = review_save_draft(
        reviewer=first, resource=resource, version=air, scores=scores_for(30), conflict_of_interest="None"
    )
    review_submit(reviewer=first, review=review)
    assert list(review_list_visible_to(user=second, resource=resource)) == []
    assert list(review_list_visible_to(user=None, resource=resource)) == []
    assert list(review_list_visible_to(user=learner, resource=resource)) == []
    assert list(review_list_visible_to(user=editor, resource=resource)) == [review]
    assert list(review_list_visible_to(user=first, resource=resource)) == [review]
    other = review_save_draft(
        reviewer=second, resource=resource, version=air, scores=scores_for(28), conflict_of_interest="None"
    )
    review_submit(reviewer=second, review=other)
    assert set(review_list_visible_to(user=second, resource=resource)) == {review, other}
    assert list(review_list_visible_to(user=third, resource=resource)) == []
    last = review_save_draft(
        reviewer=third, resource=resource, version=air, scores=scores_for(29), conflict_of_interest="None"
    )
    review_submit(reviewer=third, review=last)
    round_publish(editor=editor, round_=round_)
    assert set(review_list_visible_to(user=None, resource=resource)) == {review, other, last}


def test_deadline_reminders_go_once_to_reviewers_who_have_not_submitted(
    editor, air, experts, django_capture_on_commit_callbacks
):
    resource = ResourceFactory()
    round_ = open_round(editor, air, [resource], reviewers=3)
    done = Assignment.objects.filter(candidate__round=round_).first().reviewer
    review_submit(
        reviewer=done,
        review=review_save_draft(
            reviewer=done, resource=resource, version=air, scores=scores_for(30), conflict_of_interest="None"
        ),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment_send_deadline_reminders(now=round_.deadline - timedelta(days=5)) == 0
        assert assignment_send_deadline_reminders(now=round_.deadline - timedelta(hours=24)) == 2
        assert assignment_send_deadline_reminders(now=round_.deadline - timedelta(hours=23)) == 0
    assert len(mail.outbox) == 2 and [done.email] not in [m.to for m in mail.outbox]


def test_verification_decision_is_mailed(editor, learner, django_capture_on_commit_callbacks):
    from curation.services.accounts import expert_apply, expert_verification_decide

    profile = expert_apply(user=learner, profession="Physician", specialty="EM")
    with django_capture_on_commit_callbacks(execute=True):
        expert_verification_decide(
            editor=editor, profile=profile, approve=False, reason="Registration not found"
        )
    assert mail.outbox[-1].to == [learner.email] and "Registration not found" in mail.outbox[-1].body


def test_flag_upheld_hides_the_resource_with_an_audited_reason(editor, learner):
    resource = ResourceFactory()
    flag, message = flag_raise(user=learner, resource=resource, reason="Dose of ketamine is wrong by tenfold")
    assert message == ""
    with pytest.raises(InvalidInput):
        flag_decide(editor=editor, flag=flag, uphold=True, reason="")
    flag_decide(editor=editor, flag=flag, uphold=True, reason="Confirmed error; author contacted")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.HELD
    assert AuditEvent.objects.get(action="resource.moderated").reason == "Confirmed error; author contacted"
    with pytest.raises(Conflict):
        flag_decide(editor=editor, flag=flag, uphold=False, reason="again")


def test_flag_text_with_patient_identifier_is_held_and_the_writer_told_why(learner):
    flag, message = flag_raise(
        user=learner, resource=ResourceFactory(), reason="My patient (MRN 12345678) had this"
    )
    assert flag.held_for_confidentiality and "medical record" in message


def test_only_the_author_appeals_and_an_upheld_appeal_withdraws_the_designation(
    editor, air, experts, learner
):
    resource = ResourceFactory()
    owner = UserFactory(username="author")
    resource.source.owners.add(owner)
    round_ = open_round(editor, air, [resource], reviewers=3)
    for assignment in Assignment.objects.filter(candidate__round=round_):
        reviewer = assignment.reviewer
        review_submit(
            reviewer=reviewer,
            review=review_save_draft(
                reviewer=reviewer,
                resource=resource,
                version=air,
                scores=scores_for(20),
                conflict_of_interest="None",
            ),
        )
    designation = round_publish(editor=editor, round_=round_)[0]
    with pytest.raises(NotAllowed):
        appeal_submit(appellant=learner, designation=designation, statement="unfair")
    appeal, _ = appeal_submit(
        appellant=owner, designation=designation, statement="The reviewer missed the references section"
    )
    with pytest.raises(Conflict):
        appeal_submit(appellant=owner, designation=designation, statement="again")
    appeal_decide(
        editor=editor, appeal=appeal, uphold=True, reason="References were present; re-review next round"
    )
    appeal.refresh_from_db()
    assert appeal.status == CaseStatus.UPHELD
    assert designation_summary(resource=resource)[0]["reviewed"] is False
    assert AuditEvent.objects.filter(action="designation.withdrawn").count() == 1


def test_portfolio_lists_submitted_reviews_and_exports_csv_safely(editor, air, experts):
    expert = experts[0]
    resource = ResourceFactory(title='=HYPERLINK("http://evil")')
    draft_only = ResourceFactory(title="draft only")
    review_submit(
        reviewer=expert,
        review=review_save_draft(
            reviewer=expert,
            resource=resource,
            version=air,
            scores=scores_for(31),
            conflict_of_interest="None",
        ),
    )
    review_save_draft(reviewer=expert, resource=draft_only, version=air, scores={})
    reviews = list(reviewer_portfolio(reviewer=expert))
    assert [r.resource_id for r in reviews] == [resource.pk]
    rows = list(csv.DictReader(io.StringIO(portfolio_csv(reviews))))
    assert (
        rows[0]["instrument"] == "ALiEM AIR" and rows[0]["total"] == "31.0" and rows[0]["max_total"] == "35"
    )
    assert rows[0]["resource"].startswith("'=")  # no formula injection
    assert Resource.objects.filter(pk=resource.pk).exists()
