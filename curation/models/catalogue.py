"""The catalogue: sources with their harvest state, the resources harvested from them, one record per
fetch, and tombstones that keep rejected entries from coming back."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone

from curation.enums import (
    ClaimStatus,
    EpisodeFileStatus,
    FetchOutcome,
    IdentityMode,
    Liveness,
    ResourceStatus,
    SourceKind,
    SourceRequestStatus,
    SourceStatus,
)


class Source(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.BLOG)
    title = models.CharField(max_length=300, blank=True)
    site_url = models.URLField(max_length=2000, blank=True)
    feed_url = models.URLField(max_length=2000, unique=True)
    language = models.CharField(max_length=16, blank=True)
    podcast_guid = models.CharField(
        max_length=64,
        blank=True,
        help_text="the show's Podcasting 2.0 podcast:guid (stable across feed moves)",
    )
    licence = models.CharField(max_length=120, blank=True)
    extract_full_text = models.BooleanField(
        default=False,
        help_text="an editor opted in, and the licence permits copying: article text indexed for search",
    )
    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="sources")
    owners = models.ManyToManyField(
        "curation.User",
        blank=True,
        related_name="owned_sources",
        help_text="authors/owners: never its reviewers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    liveness = models.CharField(max_length=16, choices=Liveness.choices, default=Liveness.UNKNOWN)
    liveness_checked_at = models.DateTimeField(null=True, blank=True)

    # Harvest state.
    status = models.CharField(max_length=16, choices=SourceStatus.choices, default=SourceStatus.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    identity_mode = models.CharField(max_length=8, choices=IdentityMode.choices, default=IdentityMode.GUID)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    poll_interval_seconds = models.PositiveIntegerField(default=3600)
    consecutive_errors = models.PositiveIntegerField(default=0)
    first_error_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=24, choices=FetchOutcome.choices, default=FetchOutcome.NEVER)
    last_error = models.TextField(blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    redirect_candidate_url = models.URLField(max_length=2000, blank=True)
    redirect_candidate_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "next_poll_at"], name="source_due_idx")]

    def __str__(self) -> str:
        return self.title or self.feed_url


class Resource(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="resources")
    identity_key = models.CharField(
        max_length=64, help_text="sha256 of the entry's identity (guid or fallback)"
    )
    guid = models.TextField(blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    authors = models.JSONField(default=list, blank=True)
    # Never empty: an entry without a date gets the time it was first harvested, so listings can order
    # and paginate on an index.
    published_at = models.DateTimeField(default=timezone.now)
    updated_at_source = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="sanitised HTML excerpt")
    text = models.TextField(blank=True, help_text="plain text used for search; never served")
    full_text_extracted_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    work_key = models.CharField(  # indexed by resource_work_idx (keyed rows only), see Meta
        max_length=64,
        blank=True,
        help_text="same value = the same work cross-posted by several sources",
    )
    work_primary = models.BooleanField(
        default=True,
        db_default=True,
        editable=False,
        help_text="no visible copy of the same work has a smaller id: the copy lists show (kept by a "
        "database trigger, migration 0031)",
    )
    previous_content_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=16, blank=True)

    # Media.
    enclosure_url = models.URLField(max_length=2000, blank=True)
    enclosure_type = models.CharField(max_length=100, blank=True)
    enclosure_size = models.BigIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    transcript_urls = models.JSONField(default=list, blank=True)
    chapters_url = models.URLField(max_length=2000, blank=True)
    podcast = models.JSONField(
        default=dict,
        blank=True,
        help_text="Podcasting 2.0 tags a learner sees: persons, soundbites, funding, alternate enclosures",
    )
    season = models.PositiveIntegerField(null=True, blank=True)
    episode = models.PositiveIntegerField(null=True, blank=True)
    explicit = models.BooleanField(null=True, blank=True)
    video_id = models.CharField(max_length=32, blank=True)
    is_short = models.BooleanField(default=False)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    view_count = models.BigIntegerField(null=True, blank=True)

    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="resources")
    status = models.CharField(max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.VISIBLE)
    liveness = models.CharField(max_length=16, choices=Liveness.choices, default=Liveness.UNKNOWN)
    liveness_checked_at = models.DateTimeField(null=True, blank=True)
    liveness_detail = models.CharField(max_length=300, blank=True, help_text="editors only")
    score_sort = models.FloatField(
        default=-1.0,
        db_default=-1.0,
        help_text="the ranking score, -1 while unreviewed: the indexed key of score-ordered lists, "
        "kept in step with ResourceMetrics by the metrics service",
    )
    impact_sort = models.IntegerField(
        default=0,
        db_default=0,
        help_text="the impact ordering's key (formula uptake/1: learner + 2 x expert endorsements), kept in "
        "step with ResourceMetrics by the metrics service",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identity_key"], name="resource_source_identity_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="resource_newest_idx"),
            models.Index(fields=["status", "-score_sort", "-id"], name="resource_score_idx"),
            models.Index(fields=["status", "-impact_sort", "-id"], name="resource_impact_idx"),
            models.Index(fields=["source", "status"], name="resource_source_status_idx"),
            # matching a shared link to a resource (curation.services.social.resources_for_urls): a
            # prefix, as a whole URL of up to 2,000 characters may not fit a btree entry
            models.Index(Substr("canonical_url", 1, 500), name="resource_url_prefix_idx"),
            # one_per_work's anti-join: only keyed rows, so a resource without a work key costs nothing
            models.Index(
                fields=["work_key", "status", "id"], condition=~Q(work_key=""), name="resource_work_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.canonical_url


class Tombstone(models.Model):
    """An entry that was deleted or rejected: harvesting never recreates it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tombstones")
    identity_key = models.CharField(max_length=64)
    canonical_url = models.URLField(
        max_length=2000, blank=True, help_text="also refused by URL, should the source's identity mode change"
    )
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identity_key"], name="tombstone_source_identity_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"tombstone {self.identity_key[:12]} of source {self.source_id}"


class FetchAttempt(models.Model):
    """One fetch of one source: what happened, for harvest health and debugging."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_attempts")
    started_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=24, choices=FetchOutcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    bytes_received = models.PositiveIntegerField(default=0)
    entries_seen = models.PositiveIntegerField(default=0)
    new_resources = models.PositiveIntegerField(default=0)
    updated_resources = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=FetchOutcome.values), name="fetchattempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class FetchDaily(models.Model):
    """Fetch attempts older than the retention window, summed per source, day and outcome: harvest health
    keeps its history while the attempt table stays small."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_days")
    day = models.DateField()
    outcome = models.CharField(max_length=24, choices=FetchOutcome.choices)
    attempts = models.PositiveIntegerField()
    new_resources = models.PositiveIntegerField(default=0)
    bytes_received = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "day", "outcome"], name="fetchdaily_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} on {self.day}: {self.attempts} x {self.outcome}"


class SourceRequest(models.Model):
    """An editor asked to add a site, feed or channel by URL. A worker discovers the feed (network I/O
    stays out of web requests) and records how it went here, for the harvest health page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(max_length=2000)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, blank=True, help_text="blank: detect")
    topic_slugs = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="source_requests"
    )
    status = models.CharField(
        max_length=16, choices=SourceRequestStatus.choices, default=SourceRequestStatus.PENDING
    )
    message = models.CharField(max_length=500, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="a dispatcher handed it to a worker; claimable again after this"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"


class SourceClaim(models.Model):
    """An author claims a source: they place `token` in the feed or on the site and a worker finds it,
    or an editor decides. A verified claim makes the claimant an owner of the source (and so able to
    appeal its designations and reviews, and never its reviewer)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey("curation.User", on_delete=models.CASCADE, related_name="source_claims")
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_detail = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "claimant"], condition=Q(status="pending"), name="sourceclaim_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"claim of {self.source_id} by {self.claimant_id} ({self.status})"


class EpisodeFile(models.Model):
    """A file an episode's feed points to (`podcast:transcript`, `podcast:chapters`), fetched by a
    worker: where it was read from and how the fetch went."""

    url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=16, choices=EpisodeFileStatus.choices, default=EpisodeFileStatus.PENDING
    )
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Transcript(EpisodeFile):
    """The text of an episode's `podcast:transcript` file, for search (a tier below body text) and the
    resource page. `cues` maps the text to the episode: [start second, character offset] pairs in
    order, empty for a transcript without timings (plain text, HTML without <time>)."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="transcript"
    )
    media_type = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    cues = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="transcript_due_idx")]

    def __str__(self) -> str:
        return f"transcript of {self.resource_id} ({self.status})"


class EpisodeChapters(EpisodeFile):
    """An episode's chapters from its `podcast:chapters` file: [{"start_seconds", "title", "url"?,
    "image"?}] in order."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="episode_chapters"
    )
    chapters = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="chapters_due_idx")]

    def __str__(self) -> str:
        return f"chapters of {self.resource_id} ({self.status})"
