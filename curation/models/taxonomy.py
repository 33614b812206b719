"""The topic taxonomy: specialties, CanMEDS roles and learner levels (seeded by a data migration)."""

from django.conf import settings
from django.db import models

from curation.enums import TopicKind


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=TopicKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="topic_kind_name_unique")]

    def __str__(self) -> str:
        return self.name


class SearchSynonym(models.Model):
    """A group of equivalent search terms an editor added (besides the shipped data file), e.g.
    ["tension pneumothorax", "tension PTX"]."""

    terms = models.JSONField(help_text="two or more equivalent terms, the usual name first")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return " = ".join(self.terms)
