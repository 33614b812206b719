"""factory_boy factories for the domain models."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from curation.enums import Role, SourceKind, VerificationStatus
from curation.models import ExpertProfile, Resource, Source, Topic, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.LEARNER
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        """Sign-in requires a verified address (mandatory verification); pass verified_email=False
        for an account that has not confirmed its address yet."""
        if create and self.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertProfile

    user = factory.SubFactory(UserFactory, role=Role.EXPERT)
    profession = "Physician"
    specialty = "Emergency medicine"
    registration_body = "General Medical Council"
    registration_number = factory.Sequence(lambda n: f"{7000000 + n}")
    institution = "Example University Hospital"
    verification_status = VerificationStatus.PENDING
    applied_at = factory.LazyFunction(timezone.now)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")
    kind = "specialty"


def _add_topics(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
    if create and extracted:
        obj.topics.add(*extracted)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    kind = SourceKind.BLOG
    feed_url = factory.Sequence(lambda n: f"https://source{n}.example.org/feed/")
    site_url = factory.Sequence(lambda n: f"https://source{n}.example.org/")
    next_poll_at = factory.LazyFunction(timezone.now)
    topics = factory.PostGeneration(_add_topics)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Resource

    source = factory.SubFactory(SourceFactory)
    identity_key = factory.Sequence(lambda n: f"{n:064x}")
    title = factory.Sequence(lambda n: f"Resource {n}")
    canonical_url = factory.Sequence(lambda n: f"https://example.org/posts/{n}/")
    summary = "<p>A summary.</p>"
    published_at = factory.LazyFunction(timezone.now)
    topics = factory.PostGeneration(_add_topics)


def designate(resource: Resource, *, label: str = "Approved", when=None):  # type: ignore[no-untyped-def]
    """A current AIR designation of `resource` resting on a panel of three reviews."""
    from curation.models import Designation, InstrumentVersion

    return Designation.objects.create(
        resource=resource,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label=label,
        mean_total=31,
        review_count=3,
        published_at=when or timezone.now(),
    )
