"""Reads of collections and follows. A collection shows only resources that are still visible (an
editor's removal or hold takes them out of every list); a private collection exists only for its owner."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from curation.enums import CollectionVisibility, Liveness, ResourceStatus
from curation.errors import NotFound
from curation.models import Collection, CollectionItem, Designation, Follow, Resource, Source, User
from curation.selectors.public import resource_list_listed

DIGEST_LIMIT = 20


def collections_visible_to(user: User | None) -> QuerySet[Collection]:
    """Public collections, and the user's own private ones."""
    visible = Q(visibility=CollectionVisibility.PUBLIC)
    if user is not None and user.is_authenticated:
        visible |= Q(owner=user)
    return Collection.objects.filter(visible).select_related("owner", "topic")


def collection_visible(*, user: User | None, public_id: str) -> Collection:
    """The collection, if the user may see it; NotFound otherwise (a private list is not confirmed to
    exist)."""
    collection = collections_visible_to(user).filter(public_id=public_id).first()
    if collection is None:
        raise NotFound("No such collection.")
    return collection


def collection_items(*, collection: Collection) -> list[CollectionItem]:
    """The collection's resources in order, with their notes: only those still visible."""
    return list(
        collection.items.filter(resource__status=ResourceStatus.VISIBLE)
        .select_related("resource", "resource__source")
        .order_by("position", "id")
    )


def collections_of(*, user: User) -> list[Collection]:
    """The user's own collections, newest change first, each with `item_count` (visible resources)."""
    return list(
        Collection.objects.filter(owner=user).annotate(
            item_count=Count("items", filter=Q(items__resource__status=ResourceStatus.VISIBLE))
        )
    )


def collections_editorial(*, topic_slug: str = "", limit: int = 6) -> list[Collection]:
    """Editors' curated collections (public), optionally those of one topic, newest change first."""
    collections = Collection.objects.filter(is_editorial=True, visibility=CollectionVisibility.PUBLIC)
    if topic_slug:
        collections = collections.filter(topic__slug=topic_slug)
    return list(
        collections.select_related("topic").annotate(
            item_count=Count("items", filter=Q(items__resource__status=ResourceStatus.VISIBLE))
        )[:limit]
    )


def collections_containing(*, user: User, resource: Resource) -> set[int]:
    """Ids of the user's collections that hold `resource` (the resource page's "in your lists")."""
    return set(
        CollectionItem.objects.filter(collection__owner=user, resource=resource).values_list(
            "collection_id", flat=True
        )
    )


def follows_of(*, user: User) -> list[Follow]:
    return list(
        Follow.objects.filter(user=user).select_related("topic", "collection").order_by("-created_at")
    )


def is_following(*, user: User | None, topic_id: int | None = None, collection_id: int | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    target = Q(topic_id=topic_id) if topic_id is not None else Q(collection_id=collection_id)
    return Follow.objects.filter(target, user=user).exists()


def digest_resources(*, user: User, since: datetime, until: datetime) -> list[Resource]:
    """What the digest announces: listed resources (visible, one per work, not gone) designated in
    (since, until], on a topic the user follows (the resource's own or its source's) or in a public
    collection the user follows. Newest designation first."""
    follows = Follow.objects.filter(user=user)
    topics = follows.filter(topic__isnull=False).values("topic_id")
    collections = follows.filter(
        Q(collection__visibility=CollectionVisibility.PUBLIC) | Q(collection__owner=user)
    ).values("collection_id")
    newly = Designation.objects.filter(
        resource_id=OuterRef("pk"), is_current=True, published_at__gt=since, published_at__lte=until
    ).exclude(label="")
    on_topic = Resource.topics.through.objects.filter(resource_id=OuterRef("pk"), topic_id__in=topics)
    on_source_topic = Source.topics.through.objects.filter(
        source_id=OuterRef("source_id"), topic_id__in=topics
    )
    in_collection = CollectionItem.objects.filter(resource_id=OuterRef("pk"), collection_id__in=collections)
    return list(
        resource_list_listed()
        .filter(Exists(newly))
        .filter(Q(Exists(on_topic)) | Q(Exists(on_source_topic)) | Q(Exists(in_collection)))
        .exclude(liveness=Liveness.GONE)
        .order_by("-published_at", "-id")[:DIGEST_LIMIT]
    )
