"""Social media as a curation signal: what editors follow on Mastodon and Bluesky, the public posts
that link to resources (mentions), experts' verified identities, forgotten authors, social impact
snapshots and the outbox of designations posted to the platform's own accounts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from curation.enums import (
    FetchOutcome,
    PublicationStatus,
    SocialIdentityStatus,
    SocialPlatform,
    SocialSourceKind,
    SourceStatus,
)


class SocialSource(models.Model):
    """A hashtag on a Mastodon instance, a Bluesky search (by tag or text), or the account of one of
    the catalogue's sources. Scheduled, backed off and recorded like a feed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.CharField(max_length=16, choices=SocialPlatform.choices)
    kind = models.CharField(max_length=16, choices=SocialSourceKind.choices)
    instance = models.URLField(
        max_length=300, help_text="the Mastodon instance, or the Bluesky AppView, as https://host"
    )
    query = models.CharField(max_length=300, help_text="hashtag (without #), search text, or account handle")
    source = models.ForeignKey(
        "curation.Source",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_accounts",
        help_text="for an account: the catalogue source it belongs to",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=SourceStatus.choices, default=SourceStatus.ACTIVE)
    next_poll_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    poll_interval_seconds = models.PositiveIntegerField(default=1800)
    consecutive_errors = models.PositiveIntegerField(default=0)
    last_outcome = models.CharField(max_length=24, choices=FetchOutcome.choices, default=FetchOutcome.NEVER)
    last_error = models.TextField(blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    newest_post_id = models.CharField(
        max_length=200, blank=True, help_text="Mastodon: the newest status id read (since_id next time)"
    )
    followers_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="for an account, as the platform last reported it"
    )
    followers_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "kind", "query"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "kind", "instance", "query"], name="socialsource_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_poll_at"], name="socialsource_due_idx")]

    def __str__(self) -> str:
        prefix = "#" if self.kind == SocialSourceKind.HASHTAG else ""
        return f"{self.get_platform_display()} {prefix}{self.query} ({self.instance})"


class SocialFetchAttempt(models.Model):
    """One harvest of one social source: for the social health table and debugging."""

    social_source = models.ForeignKey(SocialSource, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=24, choices=FetchOutcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    pages = models.PositiveSmallIntegerField(default=0)
    posts_seen = models.PositiveIntegerField(default=0)
    new_mentions = models.PositiveIntegerField(default=0)
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.social_source_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class Mention(models.Model):
    """One public post sharing one link. `resource` is the catalogued resource the link resolved to;
    without one, `site` (the link's host) feeds the "discussed, not catalogued" queue. Engagement
    counts are as read at `engagement_read_at`; a deleted post deletes its mentions."""

    platform = models.CharField(max_length=16, choices=SocialPlatform.choices)
    post_uri = models.CharField(max_length=500, help_text="the post's stable id (ActivityPub uri, at:// uri)")
    post_url = models.URLField(max_length=2000, blank=True)
    url = models.URLField(max_length=2000, help_text="the shared link, expanded and canonicalised")
    resource = models.ForeignKey(
        "curation.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    site = models.CharField(max_length=255, db_index=True)
    author_handle = models.CharField(max_length=300, db_index=True)
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_mentions",
        help_text="the author is this verified expert: an expert social endorsement",
    )
    posted_at = models.DateTimeField(db_index=True)
    excerpt = models.TextField(blank=True, help_text="plain text, at most 500 characters")
    hashtags = models.JSONField(default=list, blank=True)
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)
    engagement_read_at = models.DateTimeField()
    refresh_count = models.PositiveSmallIntegerField(default=0)
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    instance = models.URLField(max_length=300, help_text="where the post was read (for refreshes)")
    platform_post_id = models.CharField(max_length=200, help_text="the id the reading instance uses")
    found_by = models.ForeignKey(
        SocialSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "post_uri", "url"], name="mention_post_url_unique"),
        ]
        indexes = [
            models.Index(fields=["resource", "posted_at"], name="mention_resource_idx"),
            models.Index(fields=["next_refresh_at"], name="mention_refresh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author_handle} shared {self.url}"

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes


class SocialIdentity(models.Model):
    """An expert's Mastodon or Bluesky account, verified by a link back to their portfolio page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_identities"
    )
    platform = models.CharField(max_length=16, choices=SocialPlatform.choices)
    handle = models.CharField(max_length=300, help_text="user@instance (Mastodon) or name.domain (Bluesky)")
    status = models.CharField(
        max_length=16, choices=SocialIdentityStatus.choices, default=SocialIdentityStatus.PENDING
    )
    method = models.CharField(max_length=60, blank=True)
    check_detail = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["user", "platform", "handle"], name="socialidentity_unique"),
            models.UniqueConstraint(
                fields=["platform", "handle"],
                condition=Q(status="verified"),
                name="socialidentity_one_verified_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handle} on {self.platform} ({self.status})"

    @property
    def profile_url(self) -> str:
        if self.platform == SocialPlatform.MASTODON:
            user, _, host = self.handle.partition("@")
            return f"https://{host}/@{user}"
        return f"https://bsky.app/profile/{self.handle}"


class SocialForget(models.Model):
    """An author asked to be forgotten: their mentions were deleted and none is stored again."""

    platform = models.CharField(
        max_length=16, choices=SocialPlatform.choices, blank=True, help_text="blank: both"
    )
    handle = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentions_deleted = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="socialforget_unique")]

    def __str__(self) -> str:
        return f"forget {self.handle}"


class SocialImpactSnapshot(models.Model):
    """The open social impact index of a resource or a source at one moment, with its formula version
    and every raw input, so anyone can recompute it."""

    resource = models.ForeignKey(
        "curation.Resource", null=True, blank=True, on_delete=models.CASCADE, related_name="social_snapshots"
    )
    source = models.ForeignKey(
        "curation.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="social_snapshots"
    )
    formula_version = models.CharField(max_length=40)
    value = models.FloatField()
    raw_inputs = models.JSONField()
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=False, source__isnull=True)
                | Q(resource__isnull=True, source__isnull=False),
                name="socialsnapshot_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "-computed_at"], name="socialsnap_resource_idx"),
            models.Index(fields=["source", "-computed_at"], name="socialsnap_source_idx"),
        ]

    def __str__(self) -> str:
        return f"social impact {self.value:.2f} ({self.formula_version})"


class SocialPublication(models.Model):
    """A published designation to be posted, once, to the platform's own account on one network."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    designation = models.ForeignKey(
        "curation.Designation", on_delete=models.CASCADE, related_name="social_publications"
    )
    platform = models.CharField(max_length=16, choices=SocialPlatform.choices)
    status = models.CharField(
        max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    post_uri = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["designation", "platform"], name="socialpublication_once"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} post of designation {self.designation_id} ({self.status})"
