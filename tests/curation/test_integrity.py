"""Refusals that protect a designation (each asserting that nothing changed), provisional results,
editor-steered assignment, structured conflicts, instrument versions, appeals of reviews, claims,
removal with tombstones, the audit trigger and a research export that cannot be joined back."""

import csv
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from curation.enums import CaseStatus, ClaimStatus, ResourceStatus, RoundStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import (
    Appeal,
    Assignment,
    AuditEvent,
    Designation,
    Flag,
    Instrument,
    InstrumentVersion,
    Review,
    SourceClaim,
    Tombstone,
)
from curation.selectors import designation_summary
from curation.services.cases import appeal_decide, appeal_submit, flag_raise
from curation.services.claims import source_claim_decide, source_claim_record_check, source_claim_start
from curation.services.instruments import instrument_version_create
from curation.services.integrity import resource_remove, source_owner_set
from curation.services.reviews import conflict_declare, review_save_draft, review_submit
from curation.services.rounds import (
    assignment_add,
    assignment_remove,
    assignment_swap,
    round_add_candidates,
    round_assign,
    round_create,
    round_publish,
)
from research.exports import research_export
from tests.conftest import make_verified_expert
from tests.curation.test_rounds import scores_for
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def air():
    return InstrumentVersion.objects.get(instrument__slug="air", version=1)


@pytest.fixture
def experts(editor):
    return [make_verified_expert(editor, f"reviewer{n}") for n in range(5)]


def _round(editor, air, resources, pool, reviewers=3):  # type: ignore[no-untyped-def]
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="Panel round",
        instrument_version=air,
        window_start=now - timedelta(days=9),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=9),
        reviewers_per_candidate=reviewers,
    )
    round_add_candidates(editor=editor, round_=round_, resources=resources)
    round_assign(editor=editor, round_=round_, pool=pool)
    return round_


def _review(reviewer, resource, air, total):  # type: ignore[no-untyped-def]
    draft = review_save_draft(
        reviewer=reviewer,
        resource=resource,
        version=air,
        scores=scores_for(total),
        conflict_of_interest="None",
    )
    return review_submit(reviewer=reviewer, review=draft)


def test_a_round_smaller_than_the_minimum_panel_is_refused_and_nothing_is_created(editor, air):
    now = timezone.now()
    with pytest.raises(InvalidInput, match="at least 3 reviewers"):
        round_create(
            editor=editor,
            title="One reviewer",
            instrument_version=air,
            window_start=now,
            window_end=now,
            deadline=now + timedelta(days=1),
            reviewers_per_candidate=1,
        )
    assert not air.rounds.exists() and not AuditEvent.objects.filter(action="round.created").exists()


def test_below_the_panel_only_a_labelled_provisional_result_is_published(editor, air, experts):
    reviewed, empty = ResourceFactory(title="One review"), ResourceFactory(title="No review")
    round_ = _round(editor, air, [reviewed, empty], experts[:3])
    reviewer = Assignment.objects.filter(candidate__resource=reviewed).first().reviewer
    _review(reviewer, reviewed, air, 35)
    with pytest.raises(Conflict, match="fewer than 3 reviews"):
        round_publish(editor=editor, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN and not Designation.objects.exists()
    published = round_publish(editor=editor, round_=round_, provisional=True)
    assert [(d.resource, d.provisional, d.review_count) for d in published] == [(reviewed, True, 1)]
    summary = designation_summary(resource=reviewed)[0]
    assert summary["provisional"] is True and summary["review_count"] == 1 and summary["min_panel"] == 3
    assert designation_summary(resource=empty)[0]["label"] == "Not yet reviewed"


def test_a_raised_panel_on_a_new_version_applies_to_rounds_of_that_version(editor, air, experts):
    version = instrument_version_create(
        editor=editor,
        instrument=air.instrument,
        items=air.items,
        thresholds=air.thresholds,
        min_panel=5,
        notes="Board asks for five",
    )
    assert version.version == 2 and version.min_panel == 5
    now = timezone.now()
    with pytest.raises(InvalidInput, match="at least 5"):
        round_create(
            editor=editor,
            title="x",
            instrument_version=version,
            window_start=now,
            window_end=now,
            deadline=now + timedelta(days=1),
            reviewers_per_candidate=3,
        )
    with pytest.raises(InvalidInput):
        instrument_version_create(
            editor=editor, instrument=air.instrument, items=air.items, thresholds=air.thresholds, min_panel=2
        )
    assert air.instrument.versions.count() == 2


def test_editors_add_remove_and_swap_reviewers_with_conflicts_refused(editor, air, experts):
    resource = ResourceFactory(authors=["Dr Ada Quill"])
    round_ = _round(editor, air, [resource], experts[:3])
    candidate = round_.candidates.get()
    owner, declared = experts[3], experts[4]
    resource.source.owners.add(owner)
    conflict_declare(user=declared, sources=[], authors=["Ada Quill"], statement="We co-author a blog")
    before = set(Assignment.objects.values_list("reviewer_id", flat=True))
    for conflicted in (owner, declared):
        with pytest.raises(NotAllowed, match="conflict of interest"):
            assignment_add(editor=editor, candidate=candidate, reviewer=conflicted)
        with pytest.raises(NotAllowed):
            assignment_swap(editor=editor, candidate=candidate, remove=experts[0], add=conflicted)
    assert set(Assignment.objects.values_list("reviewer_id", flat=True)) == before  # the swap rolled back
    newcomer = make_verified_expert(editor, "newcomer")
    assignment_swap(editor=editor, candidate=candidate, remove=experts[0], add=newcomer, reason="on leave")
    assert set(Assignment.objects.values_list("reviewer_id", flat=True)) == before - {experts[0].pk} | {
        newcomer.pk
    }
    _review(experts[1], resource, air, 30)
    with pytest.raises(Conflict, match="already submitted"):
        assignment_remove(editor=editor, candidate=candidate, reviewer=experts[1])
    with pytest.raises(NotAllowed):
        assignment_add(editor=experts[2], candidate=candidate, reviewer=experts[0])
    assert AuditEvent.objects.filter(action__in=["assignment.added", "assignment.removed"]).count() == 2


def test_a_declared_conflict_refuses_the_review_with_the_reason_and_saves_nothing(editor, air, experts):
    resource = ResourceFactory(authors=["Sam Writer"])
    reviewer = experts[0]
    conflict_declare(user=reviewer, sources=[resource.source], authors=[], statement="I write for it")
    with pytest.raises(NotAllowed, match=r"(?i)declared a conflict of interest with this resource.s source"):
        review_save_draft(
            reviewer=reviewer, resource=resource, version=air, scores={}, conflict_of_interest="None"
        )
    conflict_declare(user=reviewer, sources=[], authors=["sam  writer"], statement="")
    with pytest.raises(NotAllowed, match="author of this resource"):
        review_save_draft(
            reviewer=reviewer, resource=resource, version=air, scores={}, conflict_of_interest="None"
        )
    assert not Review.objects.exists()
    assert AuditEvent.objects.filter(action="expert.conflicts_declared").count() == 2


def test_review_submission_reports_items_and_the_statement_in_one_pass(air, experts):
    draft = review_save_draft(
        reviewer=experts[0], resource=ResourceFactory(), version=air, scores={"beem": 5}
    )
    with pytest.raises(InvalidInput) as refused:
        review_submit(reviewer=experts[0], review=draft)
    assert {"content_accuracy", "conflict_of_interest"} <= set(refused.value.field_errors)
    assert Review.objects.get().status == "draft"


def test_appeals_of_a_review_only_by_an_owner_and_an_upheld_one_returns_the_review(
    editor, air, experts, learner
):
    resource = ResourceFactory()
    round_ = _round(editor, air, [resource], experts[:3])
    reviews = [
        _review(a.reviewer, resource, air, 30) for a in Assignment.objects.filter(candidate__round=round_)
    ]
    round_publish(editor=editor, round_=round_)
    with pytest.raises(NotAllowed, match="Claim your source"):
        appeal_submit(appellant=learner, review=reviews[0], statement="This is unfair")
    assert not Appeal.objects.exists()
    claim = source_claim_start(user=learner, source=resource.source)
    source_claim_decide(editor=editor, claim=claim, approve=True, reason="Wrote from the blog's address")
    appeal, _ = appeal_submit(
        appellant=learner, review=reviews[0], statement="The reviewer scored the wrong post"
    )
    appeal_decide(editor=editor, appeal=appeal, uphold=True, reason="Confirmed: wrong post scored")
    reviews[0].refresh_from_db()
    assert (
        reviews[0].status == "returned"
        and resource.metrics.__class__.objects.get(resource=resource).review_count == 2
    )
    assert appeal.__class__.objects.get(pk=appeal.pk).status == CaseStatus.UPHELD


def test_a_flag_needs_a_signed_in_user_and_a_review_of_that_resource(learner):
    from django.contrib.auth.models import AnonymousUser

    resource, elsewhere = ResourceFactory(), ResourceFactory()
    with pytest.raises(NotAllowed):
        flag_raise(user=AnonymousUser(), resource=resource, reason="spam")  # type: ignore[arg-type]
    assert not Flag.objects.exists()
    flag, _ = flag_raise(user=learner, resource=resource, reason="Outdated dose")
    assert AuditEvent.objects.filter(action="flag.raised", target_id=str(flag.public_id)).exists()
    del elsewhere


def test_claims_are_verified_by_the_token_check_or_an_editor(editor, learner):
    resource = ResourceFactory()
    claim = source_claim_start(user=learner, source=resource.source)
    assert source_claim_start(user=learner, source=resource.source) == claim  # idempotent while pending
    assert claim.token.startswith("foam-curator-claim-")
    source_claim_record_check(claim_id=claim.pk, found=False, detail="not found in the feed")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING and not resource.source.owners.exists()
    source_claim_record_check(claim_id=claim.pk, found=True, detail="found at the feed")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and list(resource.source.owners.all()) == [learner]
    with pytest.raises(Conflict):
        source_claim_start(user=learner, source=resource.source)
    other = source_claim_start(user=UserFactory(), source=resource.source)
    with pytest.raises(NotAllowed):
        source_claim_decide(editor=learner, claim=other, approve=True, reason="me")
    assert SourceClaim.objects.get(pk=other.pk).status == ClaimStatus.PENDING


def test_editors_manage_owners_with_a_reason(editor, learner):
    source = ResourceFactory().source
    with pytest.raises(InvalidInput):
        source_owner_set(editor=editor, source=source, user=learner, owner=True, reason="")
    with pytest.raises(NotAllowed):
        source_owner_set(editor=learner, source=source, user=learner, owner=True, reason="me")
    assert not source.owners.exists()
    assert source_owner_set(
        editor=editor, source=source, user=learner, owner=True, reason="author page lists her"
    )
    assert not source_owner_set(editor=editor, source=source, user=learner, owner=True, reason="again")
    assert source_owner_set(editor=editor, source=source, user=learner, owner=False, reason="left the blog")
    assert AuditEvent.objects.filter(target_type="source").count() == 2


def test_removal_writes_a_tombstone_and_is_audited(editor, learner):
    resource = ResourceFactory(canonical_url="https://blog.example.org/post")
    with pytest.raises(NotAllowed):
        resource_remove(editor=learner, resource=resource, reason="spam")
    assert not Tombstone.objects.exists()
    resource_remove(editor=editor, resource=resource, reason="Duplicate of the journal version")
    resource.refresh_from_db()
    tombstone = Tombstone.objects.get()
    assert resource.status == ResourceStatus.REMOVED and tombstone.identity_key == resource.identity_key
    assert tombstone.canonical_url == resource.canonical_url
    assert AuditEvent.objects.get(action="resource.removed").reason == "Duplicate of the journal version"


def test_the_audit_trail_refuses_raw_sql_changes_on_postgresql(postgres, editor):
    resource = ResourceFactory()
    resource_remove(editor=editor, resource=resource, reason="spam")
    for statement in (
        "UPDATE curation_auditevent SET reason = 'rewritten'",
        "DELETE FROM curation_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.get().reason == "spam"


def test_the_research_export_joins_back_to_no_public_page_or_api_answer(
    editor, air, experts, client, tmp_path
):
    from rest_framework.test import APIClient

    resource = ResourceFactory(title="Export target")
    round_ = _round(editor, air, [resource], experts[:3])
    reviews = [
        _review(a.reviewer, resource, air, 31) for a in Assignment.objects.filter(candidate__round=round_)
    ]
    round_publish(editor=editor, round_=round_)
    research_export(tmp_path, secret=settings.RESEARCH_PSEUDONYM_KEY)
    exported = "".join(path.read_text() for path in tmp_path.glob("*.csv"))
    api = APIClient()
    public = "".join(
        response.content.decode()
        for response in [
            api.get(f"/api/v1/resources/{resource.public_id}/"),
            api.get(f"/api/v1/reviews/?resource={resource.public_id}"),
            api.get("/api/v1/rounds/"),
            api.get("/api/v1/designations/"),
            client.get(f"/resources/{resource.public_id}/"),
            *(client.get(f"/experts/{r.reviewer.public_id}/portfolio.csv") for r in reviews),
            *(api.get(f"/api/v1/reviews/{r.public_id}/") for r in reviews),
        ]
    )
    identifiers = {str(r.public_id) for r in reviews} | {str(resource.public_id), str(round_.public_id)}
    identifiers |= {str(r.reviewer.public_id) for r in reviews} | {r.reviewer.username for r in reviews}
    identifiers |= {r.submitted_at.isoformat().replace("+00:00", "Z") for r in reviews}
    identifiers |= {r.reviewer.display_name for r in reviews}
    in_urls_only = {r.reviewer.username for r in reviews} | {str(r.reviewer.public_id) for r in reviews}
    missing = [i for i in identifiers - in_urls_only if i not in public]
    assert missing == [], "the join would not be a real test: these are not public"
    assert not any(identifier in exported for identifier in identifiers)
    rows = list(csv.DictReader((tmp_path / "reviews.csv").open()))
    assert (
        len(rows) == 3
        and len({row["reviewer"] for row in rows}) == 3
        and len({row["resource"] for row in rows}) == 1
    )
    assert all(len(row["submitted_on"]) == 10 for row in rows)  # coarsened to the day
    metrics_rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert rows[0]["resource"] in {
        row["resource"] for row in metrics_rows
    }  # pseudonyms join within the export
    assert Instrument.objects.exists()


def test_the_admins_delete_removes_through_the_service_with_a_tombstone(client, editor):
    from curation.models import Review

    editor.is_staff, editor.is_superuser = True, True
    editor.save()
    resource = ResourceFactory(title="Admin-deleted")
    client.force_login(editor)
    url = f"/admin/curation/resource/{resource.pk}/delete/"
    assert "removed, with a tombstone" in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    resource.refresh_from_db()
    assert (
        resource.status == ResourceStatus.REMOVED
        and Tombstone.objects.filter(identity_key=resource.identity_key).exists()
    )
    assert AuditEvent.objects.get(action="resource.removed").reason == "Deleted in the admin"
    assert Review.objects.count() == 0


def test_assignment_loads_conflicts_in_a_fixed_number_of_queries(editor, air, django_assert_max_num_queries):
    from curation.services.rounds import round_add_candidates, round_assign, round_create

    experts = [make_verified_expert(editor, f"bulk{n}") for n in range(12)]
    resources = [ResourceFactory() for _ in range(6)]
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="Bulk",
        instrument_version=air,
        window_start=now - timedelta(days=3),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=5),
    )
    round_add_candidates(editor=editor, round_=round_, resources=resources)
    with django_assert_max_num_queries(25):  # not one per expert x candidate (72 pairs here)
        round_assign(editor=editor, round_=round_, pool=experts)
    assert Assignment.objects.filter(candidate__round=round_).count() == 18


def test_claims_older_than_a_month_are_left_to_editors(learner, time_machine):
    from curation.selectors.catalogue import source_claim_pending_ids

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    claim = source_claim_start(user=learner, source=ResourceFactory().source)
    assert source_claim_pending_ids() == [claim.pk]
    time_machine.move_to(start + timedelta(days=31), tick=False)
    assert source_claim_pending_ids() == []
    assert SourceClaim.objects.get().status == ClaimStatus.PENDING  # still in the editors' queue
