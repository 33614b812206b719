"""Peer review: versioned instruments, reviews that answer one exact version, endorsements, and the
append-only audit trail."""

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from curation.enums import EndorsementKind, EndorsementStatus, ReviewStatus


class Instrument(models.Model):
    """A scoring rubric (ALiEM AIR, rMETRIQ, …). Its content lives in versions."""

    GESTALT = "gestalt"  # the one-item overall impression (seeded); research keeps it apart from consensus

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    citation = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One immutable version of an instrument. `items` is a list of
    {key, label, help, anchors: {score: text}, scale: {kind, min, max}, verbatim: bool};
    `thresholds` a list of {label, min_total}, highest first; totals are the sum of item scores
    (yes counts 1, no 0). Editors revise by creating a new version (services.instruments)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    items = models.JSONField()
    thresholds = models.JSONField(default=list, blank=True)
    total_min = models.IntegerField()
    total_max = models.IntegerField()
    min_panel = models.PositiveSmallIntegerField(
        default=3,
        help_text="reviews a designation must rest on; below it a result can only be published as provisional",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "version"], name="instrumentversion_unique"),
            models.CheckConstraint(
                condition=Q(min_panel__gte=1), name="instrumentversion_min_panel_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} v{self.version}"

    @property
    def item_keys(self) -> list[str]:
        return [item["key"] for item in self.items]


class Review(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey("curation.Resource", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.ForeignKey(
        "curation.CurationRound", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    scores = models.JSONField(default=dict, blank=True)
    total = models.FloatField(null=True, blank=True)
    comments = models.TextField(blank=True, help_text="sanitised HTML")
    conflict_of_interest = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    held_for_confidentiality = models.BooleanField(default=False)
    judged_content_hash = models.CharField(
        max_length=64, blank=True, help_text="the resource's content hash when the review was submitted"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "resource", "instrument_version"],
                name="review_one_per_reviewer_resource_version",
            ),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED, ReviewStatus.RETURNED]
                )
                | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.public_id} ({self.status})"


class Endorsement(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements")
    resource = models.ForeignKey("curation.Resource", on_delete=models.CASCADE, related_name="endorsements")
    kind = models.CharField(max_length=16, choices=EndorsementKind.choices)
    status = models.CharField(
        max_length=16, choices=EndorsementStatus.choices, default=EndorsementStatus.COUNTED
    )
    note = models.TextField(blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="endorsement_one_per_user_resource"),
        ]
        indexes = [models.Index(fields=["resource", "kind", "status"], name="endorsement_count_idx")]

    def __str__(self) -> str:
        return f"{self.kind} endorsement of {self.resource_id} by {self.user_id}"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only: rows cannot be updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit trail is append-only: rows cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only: rows cannot be updated.")


class AuditEvent(models.Model):
    """Who did what to which object, when, with the state before and after. Never changed or deleted
    through the ORM's public paths (queryset update/delete, instance save of an existing row, delete)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The audit trail is append-only: rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only: rows cannot be deleted.")
