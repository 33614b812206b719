import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from curation.enums import Role, TopicKind, VerificationStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import ExpertProfile, Resource, Source, Topic, User
from curation.services.accounts import editor_ensure, expert_apply, expert_verification_decide, user_create
from curation.validators import orcid_checksum_digit, orcid_normalise, validate_orcid
from tests.factories import ExpertProfileFactory, ResourceFactory, SourceFactory, UserFactory

# ORCID's own documentation uses 0000-0002-1825-0097 (Josiah Carberry); the others are real iDs of
# the same published format whose check digit (ISO 7064 MOD 11-2) includes an X.
VALID_ORCIDS = ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]
INVALID_ORCIDS = [
    "0000-0002-1825-0098",
    "0000-0002-1694-2339",
    "0000-0002-1825-009",
    "0000000218250097",
    "abcd-0002-1825-0097",
]


@pytest.mark.parametrize("orcid", VALID_ORCIDS)
def test_accepts_orcid_with_correct_check_digit(orcid):
    validate_orcid(orcid)


@pytest.mark.parametrize("orcid", INVALID_ORCIDS)
def test_rejects_orcid_with_bad_format_or_check_digit(orcid):
    with pytest.raises(ValidationError):
        validate_orcid(orcid)


def test_orcid_check_digit_matches_the_documented_example():
    assert orcid_checksum_digit("000000021825009") == "7"
    assert orcid_checksum_digit("000000021694233") == "X"


def test_orcid_url_form_is_normalised_to_the_bare_identifier():
    assert orcid_normalise(" https://orcid.org/0000-0002-1694-233x ") == "0000-0002-1694-233X"


@pytest.mark.django_db
def test_taxonomy_is_seeded_with_specialties_canmeds_roles_and_learner_levels():
    assert Topic.objects.filter(kind=TopicKind.CANMEDS_ROLE).count() == 7
    assert Topic.objects.filter(kind=TopicKind.SPECIALTY, slug="emergency-medicine").exists()
    assert Topic.objects.filter(kind=TopicKind.LEARNER_LEVEL, slug="senior-resident").exists()
    assert Topic.objects.get(slug="paediatric-emergency-medicine").parent.slug == "paediatrics"


@pytest.mark.django_db
def test_feed_url_is_unique_across_sources():
    SourceFactory(feed_url="https://emcrit.org/feed/")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(feed_url="https://emcrit.org/feed/")
    assert Source.objects.filter(feed_url="https://emcrit.org/feed/").count() == 1


@pytest.mark.django_db
def test_resource_identity_is_unique_within_a_source_but_not_across_sources():
    resource = ResourceFactory(identity_key="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceFactory(source=resource.source, identity_key="a" * 64)
    ResourceFactory(identity_key="a" * 64)  # another source may reuse the key
    assert Resource.objects.filter(identity_key="a" * 64).count() == 2


@pytest.mark.django_db
def test_orcid_is_unique_among_expert_profiles():
    ExpertProfileFactory(orcid="0000-0002-1825-0097")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertProfileFactory(orcid="0000-0002-1825-0097")
    ExpertProfileFactory(orcid="")
    ExpertProfileFactory(orcid="")  # blank iDs do not collide
    assert ExpertProfile.objects.filter(orcid="0000-0002-1825-0097").count() == 1


@pytest.mark.django_db
def test_public_ids_are_uuids_distinct_from_primary_keys():
    resource = ResourceFactory()
    assert str(resource.public_id) != str(resource.pk)
    assert len(str(resource.source.public_id)) == 36


@pytest.mark.django_db
def test_role_outside_the_enumeration_is_refused_by_the_database():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(role="superhero")
    user.refresh_from_db()
    assert user.role == Role.LEARNER


@pytest.mark.django_db
def test_nobody_signs_up_directly_as_an_expert():
    with pytest.raises(InvalidInput):
        user_create(username="quack", email="q@example.org", password="x" * 12, role=Role.EXPERT)
    assert not User.objects.filter(username="quack").exists()


@pytest.mark.django_db
def test_learner_becomes_expert_only_when_an_editor_approves(learner, editor):
    profile = expert_apply(
        user=learner, profession="Physician", specialty="EM", orcid="https://orcid.org/0000-0002-1825-0097"
    )
    learner.refresh_from_db()
    assert learner.role == Role.LEARNER and not learner.is_verified_expert
    expert_verification_decide(editor=editor, profile=profile, approve=True, reason="GMC register checked")
    learner.refresh_from_db()
    assert learner.role == Role.EXPERT and learner.is_verified_expert
    assert learner.expert_profile.orcid == "0000-0002-1825-0097"
    assert learner.expert_profile.decided_by == editor


@pytest.mark.django_db
def test_expert_application_with_a_bad_orcid_is_refused_and_stores_nothing(learner):
    with pytest.raises(InvalidInput) as error:
        expert_apply(user=learner, profession="Physician", specialty="EM", orcid="0000-0002-1825-0098")
    assert "orcid" in error.value.field_errors
    assert not ExpertProfile.objects.filter(user=learner).exists()


@pytest.mark.django_db
def test_only_editors_decide_and_never_on_their_own_application(learner, outsider, editor):
    profile = expert_apply(user=learner, profession="Physician", specialty="EM")
    with pytest.raises(NotAllowed):
        expert_verification_decide(editor=outsider, profile=profile, approve=True, reason="looks fine")
    own = expert_apply(user=editor, profession="Physician", specialty="EM")
    with pytest.raises(NotAllowed):
        expert_verification_decide(editor=editor, profile=own, approve=True, reason="me")
    profile.refresh_from_db()
    own.refresh_from_db()
    assert profile.verification_status == own.verification_status == VerificationStatus.PENDING


@pytest.mark.django_db
def test_a_decided_application_cannot_be_decided_again(learner, editor):
    profile = expert_apply(user=learner, profession="Physician", specialty="EM")
    expert_verification_decide(editor=editor, profile=profile, approve=False, reason="No registration found")
    with pytest.raises(Conflict):
        expert_verification_decide(editor=editor, profile=profile, approve=True, reason="changed my mind")
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.REJECTED
    learner.refresh_from_db()
    assert learner.role == Role.LEARNER


@pytest.mark.django_db
def test_decided_profile_without_decider_is_refused_by_the_database(learner):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertProfileFactory(user=learner, verification_status=VerificationStatus.APPROVED)
    assert not ExpertProfile.objects.filter(user=learner).exists()


@pytest.mark.django_db
def test_bootstrap_editor_password_is_given_only_on_creation():
    user, password = editor_ensure(username="chief")
    assert password and user.check_password(password) and user.is_editor
    again, second = editor_ensure(username="chief")
    assert again.pk == user.pk and second is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transactional_tests_keep_the_seeded_data_for_the_tests_after_them():
    # Guards the suite itself: transactional tests flush tables, and without a serialized rollback the
    # taxonomy and instruments seeded by migrations would be gone for every later test.
    from curation.models import Instrument

    assert (
        Topic.objects.filter(slug="emergency-medicine").exists()
        and Instrument.objects.filter(slug="air").exists()
    )
