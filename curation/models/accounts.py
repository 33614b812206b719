"""People: users with a role, and the expert profile that verification decides on."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from curation.enums import Role, VerificationStatus
from curation.validators import validate_orcid


class User(AbstractUser):
    """A person using the platform. `role` grants capabilities; an expert's role is only ever set by
    an editor's verification decision (see services.accounts)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_editor(self) -> bool:
        return self.role == Role.EDITOR

    @property
    def is_verified_expert(self) -> bool:
        """Experts act only once verified; editors keep expert rights if verified as experts too."""
        if self.role not in (Role.EXPERT, Role.EDITOR):
            return False
        profile = getattr(self, "expert_profile", None)
        return profile is not None and profile.verification_status == VerificationStatus.APPROVED


class ExpertProfile(models.Model):
    """What an applicant declares and what the editor decided about it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    profession = models.CharField(max_length=120)
    specialty = models.CharField(max_length=120)
    registration_body = models.CharField(max_length=160, blank=True)
    registration_number = models.CharField(max_length=64, blank=True)
    orcid = models.CharField(max_length=19, blank=True, validators=[validate_orcid], verbose_name="ORCID iD")
    institution = models.CharField(max_length=200, blank=True)
    conflicts_of_interest = models.TextField(blank=True)
    conflicted_sources = models.ManyToManyField(
        "curation.Source", blank=True, related_name="+", help_text="declared conflicts: never assigned these"
    )
    conflicted_authors = models.JSONField(
        default=list,
        blank=True,
        help_text="declared conflicts with authors (names): never assigned their work",
    )
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    applied_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~Q(orcid=""), name="expertprofile_orcid_unique"
            ),
            models.CheckConstraint(
                condition=Q(verification_status=VerificationStatus.PENDING)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="expertprofile_decision_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.get_verification_status_display()})"
