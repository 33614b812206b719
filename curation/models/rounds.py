"""Curation rounds (the ALiEM AIR model, generalised), published designations, and the cases
(flags, appeals) editors decide."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from curation.enums import CaseStatus, RoundStatus


class CurationRound(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    instrument_version = models.ForeignKey(
        "curation.InstrumentVersion", on_delete=models.PROTECT, related_name="rounds"
    )
    topic = models.ForeignKey(
        "curation.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    window_start = models.DateTimeField(help_text="candidates published from")
    window_end = models.DateTimeField(help_text="candidates published until")
    reviewers_per_candidate = models.PositiveSmallIntegerField(default=3)
    deadline = models.DateTimeField()
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__lte=models.F("window_end")), name="round_window_ordered"
            ),
            models.CheckConstraint(condition=Q(reviewers_per_candidate__gte=1), name="round_needs_reviewers"),
        ]

    def __str__(self) -> str:
        return self.title


class RoundCandidate(models.Model):
    round = models.ForeignKey(CurationRound, on_delete=models.CASCADE, related_name="candidates")
    resource = models.ForeignKey(
        "curation.Resource", on_delete=models.PROTECT, related_name="round_candidacies"
    )
    review_count = models.PositiveIntegerField(default=0)
    mean_total = models.FloatField(null=True, blank=True)
    sd_total = models.FloatField(null=True, blank=True)
    designation = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "resource"], name="roundcandidate_unique")]

    def __str__(self) -> str:
        return f"{self.resource} in {self.round}"


class Assignment(models.Model):
    candidate = models.ForeignKey(RoundCandidate, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "reviewer"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} -> {self.candidate}"


class Designation(models.Model):
    """A published label for a resource under one instrument version. The current one per resource and
    instrument is `is_current`; earlier ones stay as history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey("curation.Resource", on_delete=models.PROTECT, related_name="designations")
    instrument_version = models.ForeignKey(
        "curation.InstrumentVersion", on_delete=models.PROTECT, related_name="+"
    )
    round = models.ForeignKey(
        CurationRound, null=True, blank=True, on_delete=models.PROTECT, related_name="designations"
    )
    label = models.CharField(max_length=80, blank=True, help_text="empty: reviewed, below every threshold")
    mean_total = models.FloatField()
    review_count = models.PositiveIntegerField()
    provisional = models.BooleanField(
        default=False, help_text="published on fewer reviews than the instrument's minimum panel"
    )
    reliability = models.FloatField(
        null=True, blank=True, help_text="reliability of the mean of review_count ratings (Spearman-Brown)"
    )
    judged_content_hash = models.CharField(
        max_length=64, blank=True, help_text="the resource's content hash its reviews judged"
    )
    is_current = models.BooleanField(default=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "instrument_version"],
                condition=Q(is_current=True),
                name="designation_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or 'Reviewed'} ({self.mean_total:.1f})"


class EditorDecidedCase(models.Model):
    """What flags and appeals share: a public id, the confidentiality hold, and the editor's decision."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    held_for_confidentiality = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Flag(EditorDecidedCase):
    """Anyone signed in flags a resource for an editor (wrong, harmful, spam, confidentiality)."""

    resource = models.ForeignKey("curation.Resource", on_delete=models.CASCADE, related_name="flags")
    review = models.ForeignKey(
        "curation.Review",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
        help_text="set when the flag is about one review of the resource",
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()

    def __str__(self) -> str:
        return f"flag on {self.resource_id} ({self.status})"


class Appeal(EditorDecidedCase):
    """The resource's author (an owner of its source) appeals its current designation."""

    designation = models.ForeignKey(
        Designation, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    review = models.ForeignKey(
        "curation.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals")
    statement = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["designation", "appellant"],
                condition=Q(status="open", designation__isnull=False),
                name="appeal_one_open_per_designation",
            ),
            models.UniqueConstraint(
                fields=["review", "appellant"],
                condition=Q(status="open", review__isnull=False),
                name="appeal_one_open_per_review",
            ),
            models.CheckConstraint(
                condition=Q(designation__isnull=False) ^ Q(review__isnull=False),
                name="appeal_of_designation_or_review",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of {'review ' + str(self.review_id) if self.review_id else self.designation_id} ({self.status})"
