"""Collections (learners' reading lists and editors' curated collections), following a topic or a
collection, and the weekly digest of what was newly vetted in what a user follows."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.enums import CollectionVisibility
from curation.errors import InvalidInput, NotAllowed, NotFound
from curation.models import Collection, CollectionItem, DigestPreference, Follow, Resource, Topic, User
from curation.selectors.collections import digest_resources
from curation.services.notifications import send_now
from curation.services.ordering import position_move

TITLE_CHARS = 200
TEXT_CHARS = 2000
MAX_ITEMS = 500
DIGEST_PERIOD = timedelta(days=7)
UNSUBSCRIBE_SALT = "curation.digest.unsubscribe"


def _screened(field: str, text: str) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_CHARS:
        raise InvalidInput(f"At most {TEXT_CHARS} characters.", field_errors={field: ["Too long."]})
    screened = screen_text(text)
    if screened.held:  # a list can be public: nothing that could identify a patient is stored
        raise InvalidInput(screened.message, field_errors={field: [screened.message]})
    return text


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > TITLE_CHARS:
        raise InvalidInput(
            "Give the list a title.", field_errors={"title": [f"1 to {TITLE_CHARS} characters."]}
        )
    return title


def _may_edit(user: User, collection: Collection) -> None:
    if collection.owner_id != user.pk and not (collection.is_editorial and user.is_editor):
        raise NotAllowed("Only the collection's owner can change it.")


def collection_create(
    *, owner: User, title: str, description: str = "", visibility: str = CollectionVisibility.PRIVATE
) -> Collection:
    """A new reading list of `owner`. Raises InvalidInput for an empty or long title, an unknown
    visibility, or a description the confidentiality screen flags."""
    title = _title(title)
    if visibility not in CollectionVisibility.values:
        raise InvalidInput("Unknown visibility.", field_errors={"visibility": ["Use private or public."]})
    return Collection.objects.create(
        owner=owner, title=title, description=_screened("description", description), visibility=visibility
    )


def collection_update(
    *,
    user: User,
    collection: Collection,
    title: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
) -> Collection:
    """Change a collection's title, description or visibility (owner; editors for editorial ones).
    An editorial collection stays public."""
    _may_edit(user, collection)
    if title is not None:
        collection.title = _title(title)
    if description is not None:
        collection.description = _screened("description", description)
    if visibility is not None:
        if visibility not in CollectionVisibility.values or (
            collection.is_editorial and visibility != CollectionVisibility.PUBLIC
        ):
            raise InvalidInput(
                "Not a visibility this collection can have.", field_errors={"visibility": ["Invalid."]}
            )
        collection.visibility = visibility
    collection.save()
    return collection


def collection_delete(*, user: User, collection: Collection) -> None:
    _may_edit(user, collection)
    collection.delete()


def collection_publish_editorial(*, editor: User, collection: Collection, topic: Topic | None) -> Collection:
    """An editor publishes a collection as curated: public, shown on the home page and on `topic`'s
    page. Idempotent."""
    if not editor.is_editor:
        raise NotAllowed("Only editors publish curated collections.")
    Collection.objects.filter(pk=collection.pk).update(
        is_editorial=True, visibility=CollectionVisibility.PUBLIC, topic=topic
    )
    collection.refresh_from_db()
    return collection


def collection_add(
    *, user: User, collection: Collection, resource: Resource, note: str = ""
) -> CollectionItem:
    """Add `resource` at the end of the collection with an optional note (screened), or update the note
    of one already in it (idempotent: never twice)."""
    _may_edit(user, collection)
    note = _screened("note", note)
    with transaction.atomic():
        existing = CollectionItem.objects.filter(collection=collection, resource=resource).first()
        if existing is not None:
            if note != existing.note:
                CollectionItem.objects.filter(pk=existing.pk).update(note=note)
                existing.note = note
            return existing
        if collection.items.count() >= MAX_ITEMS:
            raise InvalidInput(f"A collection holds at most {MAX_ITEMS} resources.")
        last = collection.items.aggregate(last=Max("position"))["last"]
        try:
            item = CollectionItem.objects.create(
                collection=collection, resource=resource, note=note, position=(last or 0) + 1
            )
        except IntegrityError:  # added by a concurrent request: the same item
            return CollectionItem.objects.get(collection=collection, resource=resource)
    Collection.objects.filter(pk=collection.pk).update(modified_at=timezone.now())
    return item


def collection_remove(*, user: User, collection: Collection, resource: Resource) -> bool:
    _may_edit(user, collection)
    deleted, _ = CollectionItem.objects.filter(collection=collection, resource=resource).delete()
    return bool(deleted)


def collection_move(*, user: User, collection: Collection, resource: Resource, offset: int) -> None:
    """Move a resource up (offset < 0) or down (offset > 0) in the collection's order."""
    _may_edit(user, collection)
    position_move(
        collection.items.all(),
        resource_id=resource.pk,
        offset=offset,
        missing="That resource is not in this collection.",
    )


def follow_put(*, user: User, topic: Topic | None = None, collection: Collection | None = None) -> Follow:
    """Follow a topic or a public collection (idempotent). Its newly vetted resources come in the
    weekly digest."""
    if (topic is None) == (collection is None):
        raise InvalidInput("Follow a topic or a collection.")
    if (
        collection is not None
        and collection.visibility != CollectionVisibility.PUBLIC
        and collection.owner_id != user.pk
    ):
        raise NotFound("No such collection.")
    follow, _ = Follow.objects.get_or_create(user=user, topic=topic, collection=collection)
    DigestPreference.objects.get_or_create(user=user, defaults={"last_sent_at": timezone.now()})
    return follow


def follow_delete(*, user: User, topic: Topic | None = None, collection: Collection | None = None) -> bool:
    deleted, _ = Follow.objects.filter(user=user, topic=topic, collection=collection).delete()
    return bool(deleted)


def digest_unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def digest_unsubscribe(*, token: str) -> User:
    """One-click unsubscribe from the digest (the link in every digest; no sign-in). Idempotent.
    Raises NotFound for a token that is not ours."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise NotFound("This unsubscribe link is not valid.") from error
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    DigestPreference.objects.update_or_create(user=user, defaults={"enabled": False})
    return user


def digest_set(*, user: User, enabled: bool) -> None:
    DigestPreference.objects.update_or_create(user=user, defaults={"enabled": enabled})


def digests_send(*, now: datetime | None = None) -> int:
    """Send each user who follows something and has the digest on one e-mail listing what was newly
    vetted (a designation published since their last digest) in the topics and collections they
    follow; nothing to a user with nothing new. At most once per DIGEST_PERIOD. Returns e-mails sent."""
    now = now or timezone.now()
    sent = 0
    due = DigestPreference.objects.filter(enabled=True, user__follows__isnull=False).filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - DIGEST_PERIOD + timedelta(hours=1))
    )
    for preference in due.select_related("user").distinct():
        since = preference.last_sent_at or now - DIGEST_PERIOD
        resources = digest_resources(user=preference.user, since=since, until=now)
        if resources and preference.user.email:
            send_now(
                subject=f"FOAM Curator: {len(resources)} newly vetted for you",
                body=_digest_body(preference.user, resources),
                to=preference.user.email,
            )
            sent += 1
        DigestPreference.objects.filter(pk=preference.pk).update(last_sent_at=now)
    return sent


def _digest_body(user: User, resources: list[Resource]) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [f"Newly vetted in what you follow, {user.username}:", ""]
    for resource in resources:
        lines += [
            f"- {resource.title} ({resource.source.title})",
            f"  {site}/resources/{resource.public_id}/",
        ]
    unsubscribe = reverse("frontend:digest-unsubscribe", args=[digest_unsubscribe_token(user)])
    lines += ["", f"Stop these e-mails with one click: {site}{unsubscribe}"]
    return "\n".join(lines)
