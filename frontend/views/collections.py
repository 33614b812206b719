"""Reading lists and curated collections, following topics and collections, the digest's unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.requests import signed_in, viewer
from curation.enums import CollectionVisibility
from curation.errors import DomainError, NotFound
from curation.models import Collection, Topic
from curation.selectors.collections import (
    collection_items,
    collection_visible,
    collections_of,
    follows_of,
    is_following,
)
from curation.selectors.public import specialty_topics
from curation.services.collections import (
    collection_add,
    collection_create,
    collection_delete,
    collection_move,
    collection_publish_editorial,
    collection_remove,
    collection_update,
    digest_set,
    digest_unsubscribe,
    follow_delete,
    follow_put,
)
from frontend.access import public_id_or_404, visible_resource_or_404


@login_required
def my_collections(request: HttpRequest) -> HttpResponse:
    """The user's reading lists (and a form for a new one) and what they follow."""
    user = signed_in(request)
    if request.method == "POST":
        try:
            collection = collection_create(
                owner=user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                visibility=request.POST.get("visibility", CollectionVisibility.PRIVATE),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Created “{collection.title}”.")
            return redirect("frontend:collection", public_id=collection.public_id)
    context = {
        "collections": collections_of(user=user),
        "follows": follows_of(user=user),
        "digest_on": getattr(getattr(user, "digest", None), "enabled", True),
        "visibilities": CollectionVisibility.choices,
    }
    return render(request, "frontend/collections.html", context)


def collection_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A collection's page: public ones for anyone with the link, private ones for their owner."""
    user = viewer(request)
    try:
        collection = collection_visible(user=user, public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    context = {
        "collection": collection,
        "items": collection_items(collection=collection),
        "can_edit": user is not None
        and (collection.owner_id == user.pk or (collection.is_editorial and user.is_editor)),
        "following": is_following(user=user, collection_id=collection.pk),
        "topics": specialty_topics() if user is not None and user.is_editor else [],
        "visibilities": CollectionVisibility.choices,
    }
    return render(request, "frontend/collection_detail.html", context)


@login_required
@require_POST
def collection_action(request: HttpRequest, public_id: str) -> HttpResponse:
    """The owner's changes (rename, visibility, remove or move an item, delete), an editor's publishing,
    and anyone's follow or unfollow."""
    user = signed_in(request)
    try:
        collection = collection_visible(user=user, public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    action = request.POST.get("action", "")
    try:
        if action in ("follow", "unfollow"):
            (follow_put if action == "follow" else follow_delete)(user=user, collection=collection)
            messages.success(request, "Following this collection." if action == "follow" else "Unfollowed.")
        elif action == "update":
            collection_update(
                user=user,
                collection=collection,
                title=request.POST.get("title"),
                description=request.POST.get("description"),
                visibility=request.POST.get("visibility"),
            )
            messages.success(request, "Saved.")
        elif action in ("remove", "up", "down"):
            resource = visible_resource_or_404(public_id_or_404(request.POST.get("resource")))
            if action == "remove":
                collection_remove(user=user, collection=collection, resource=resource)
            else:
                collection_move(
                    user=user, collection=collection, resource=resource, offset=-1 if action == "up" else 1
                )
        elif action == "publish":
            slug = request.POST.get("topic", "")
            topic = get_object_or_404(Topic, slug=slug) if slug else None
            collection_publish_editorial(editor=user, collection=collection, topic=topic)
            messages.success(request, "Published as a curated collection.")
        elif action == "delete":
            collection_delete(user=user, collection=collection)
            messages.info(request, "Collection deleted.")
            return redirect("frontend:collections")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("frontend:collection", public_id=collection.public_id)


@login_required
@require_POST
def collect(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add a resource to one of the user's lists (with a note), or to a new list."""
    user = signed_in(request)
    resource = visible_resource_or_404(public_id)
    try:
        if request.POST.get("collection"):
            collection = get_object_or_404(
                Collection, public_id=public_id_or_404(request.POST.get("collection")), owner=user
            )
        else:
            collection = collection_create(owner=user, title=request.POST.get("title", ""))
        collection_add(user=user, collection=collection, resource=resource, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Added to “{collection.title}”.")
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@login_required
@require_POST
def topic_follow(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    topic = get_object_or_404(Topic, slug=slug)
    if request.POST.get("action") == "unfollow":
        follow_delete(user=user, topic=topic)
        messages.info(request, f"You no longer follow {topic.name}.")
    else:
        follow_put(user=user, topic=topic)
        messages.success(
            request, f"Following {topic.name}: newly vetted resources come in your weekly digest."
        )
    return redirect("frontend:topic-detail", slug=topic.slug)


@login_required
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    digest_set(user=signed_in(request), enabled=request.POST.get("enabled") == "on")
    messages.success(request, "Digest preference saved.")
    return redirect("frontend:collections")


def digest_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """The digest's one-click unsubscribe link: no sign-in, idempotent."""
    try:
        user = digest_unsubscribe(token=token)
    except NotFound as error:
        return render(request, "frontend/error.html", {"title": error.message, "status": 404}, status=404)
    return render(request, "frontend/digest_unsubscribed.html", {"unsubscribed": user})
