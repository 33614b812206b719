"""Collections and following: learners' named reading lists (private, or public with a shareable URL),
editors' curated collections, and what a signed-in user follows for the weekly digest."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from curation.enums import CollectionVisibility


class Collection(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="plain text, confidentiality-screened")
    visibility = models.CharField(
        max_length=16, choices=CollectionVisibility.choices, default=CollectionVisibility.PRIVATE
    )
    is_editorial = models.BooleanField(
        default=False, help_text="published by an editor: shown on the home page and its topic's page"
    )
    topic = models.ForeignKey(
        "curation.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="collections"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-modified_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_editorial=False) | Q(visibility=CollectionVisibility.PUBLIC),
                name="collection_editorial_is_public",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(
        "curation.Resource", on_delete=models.CASCADE, related_name="collection_items"
    )
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, help_text="plain text, confidentiality-screened")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "resource"], name="collectionitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} in {self.collection_id}"


class Follow(models.Model):
    """A user follows a topic or a (public) collection: its newly vetted resources come in the digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    topic = models.ForeignKey("curation.Topic", null=True, blank=True, on_delete=models.CASCADE)
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=False, collection__isnull=True)
                | Q(topic__isnull=True, collection__isnull=False),
                name="follow_one_target",
            ),
            models.UniqueConstraint(fields=["user", "topic"], name="follow_topic_unique"),
            models.UniqueConstraint(fields=["user", "collection"], name="follow_collection_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.topic_id or self.collection_id}"


class DigestPreference(models.Model):
    """Whether a user gets the weekly digest, and when the last one went (what is new is what was
    designated since)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="digest"
    )
    enabled = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest for {self.user_id}: {'on' if self.enabled else 'off'}"
