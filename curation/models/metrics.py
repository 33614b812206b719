"""Metrics: raw usage rows (daily views/clicks, saves), per-resource metrics recomputable from source
rows, and snapshots that store their raw inputs and formula version."""

from django.conf import settings
from django.db import models

from curation.enums import UsageKind


class SavedResource(models.Model):
    """A learner's "my library"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_resources"
    )
    resource = models.ForeignKey("curation.Resource", on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="savedresource_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.resource_id}"


class ResourceDailyStat(models.Model):
    resource = models.ForeignKey("curation.Resource", on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "day"], name="resourcedailystat_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.day}: {self.views} views, {self.clicks} clicks"


class UsageVisit(models.Model):
    """One visitor's view of, or outbound click on, a resource on one day: a view or click counts once
    per visitor per resource per day. `visitor` is a keyed hash of the session or address (never the raw
    address), so the rows cannot be linked to a person; rows older than a few days are pruned."""

    resource = models.ForeignKey("curation.Resource", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=UsageKind.choices)
    day = models.DateField()
    visitor = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "kind", "day", "visitor"], name="usagevisit_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="usagevisit_day_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.resource_id} on {self.day}"


class ResourceMetrics(models.Model):
    """Everything a listing shows about a resource's uptake and quality, derived from source rows.
    `instruments` maps "<slug>/v<version>" to {n, mean, sd, ci95, reliability, more_ratings_needed}."""

    resource = models.OneToOneField("curation.Resource", on_delete=models.CASCADE, related_name="metrics")
    views = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)
    learner_endorsements = models.PositiveIntegerField(default=0)
    expert_endorsements = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    instruments = models.JSONField(default=dict, blank=True)
    ranking_score = models.FloatField(null=True, blank=True, db_index=True)
    formula_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"metrics of {self.resource_id}"


class InstrumentReliabilitySnapshot(models.Model):
    """Reliability of one instrument version over its counted reviews, with the inputs' size."""

    instrument_version = models.ForeignKey(
        "curation.InstrumentVersion", on_delete=models.CASCADE, related_name="reliability_snapshots"
    )
    single_rater_icc = models.FloatField(null=True, blank=True)
    result = models.JSONField()
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"reliability of {self.instrument_version_id} at {self.computed_at:%Y-%m-%d}"


class ResearchResult(models.Model):
    """A result computed by a worker and stored for pages to read (the statistics stack never runs in a
    web process): the reliability overview, each research dashboard section's data rows and SVG plot,
    and the home page's trending list (key `home-trending`, resource ids).
    `inputs` fingerprints the public reviews and published rounds it was computed from, so the
    research worker knows when it is stale."""

    key = models.CharField(max_length=60, unique=True)
    data = models.JSONField(default=list)
    svg = models.TextField(blank=True)
    inputs = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"


class SourceSocialInputs(models.Model):
    """Raw inputs of the published Social Media Index, as observed on a date (kept even after the
    outside services that produced them are gone)."""

    source = models.ForeignKey("curation.Source", on_delete=models.CASCADE, related_name="social_inputs")
    observed_on = models.DateField()
    alexa_rank = models.PositiveIntegerField(null=True, blank=True)
    twitter_followers = models.PositiveIntegerField(null=True, blank=True)
    facebook_likes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "observed_on"], name="sourcesocialinputs_unique")
        ]

    def __str__(self) -> str:
        return f"social inputs of {self.source_id} on {self.observed_on}"


class SourceImpactSnapshot(models.Model):
    source = models.ForeignKey("curation.Source", on_delete=models.CASCADE, related_name="impact_snapshots")
    formula_version = models.CharField(max_length=40)
    value = models.FloatField()
    raw_inputs = models.JSONField()
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"{self.formula_version} of {self.source_id}: {self.value:.2f}"
