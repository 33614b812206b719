"""Learning credit: modules (designated resources + a quiz, published as immutable versions), attempts,
CPD records, verifiable credentials, residency programs (directors, cohorts, members)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from curation.enums import CredentialKind, ModuleStatus, PublicationStatus

HOURS_ESTIMATED = "estimated from reading time and episode durations"
HOURS_SET = "set by the editor"


def hours_basis(estimated: bool) -> str:
    """How credit hours were arrived at, as every surface states it."""
    return HOURS_ESTIMATED if estimated else HOURS_SET


class Module(models.Model):
    """The editable draft of a module. Learners only ever take a `ModuleVersion`, a frozen copy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    topic = models.ForeignKey(
        "curation.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField(help_text="the month the module is for (its first day)")
    objectives = models.JSONField(default=list, blank=True, help_text="learning objectives, in order")
    pass_mark = models.PositiveSmallIntegerField(default=80, help_text="per cent of questions right to pass")
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="empty: estimated when published"
    )
    status = models.CharField(max_length=16, choices=ModuleStatus.choices, default=ModuleStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="module_pass_mark_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ModuleItem(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey("curation.Resource", on_delete=models.PROTECT, related_name="module_items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "resource"], name="moduleitem_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} in module {self.module_id}"


class Question(models.Model):
    """A multiple-choice question on one of the module's resources. `correct` indexes `options`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    resource = models.ForeignKey("curation.Resource", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    stem = models.TextField()
    options = models.JSONField()
    correct = models.PositiveSmallIntegerField()
    explanation = models.TextField(blank=True)
    reference = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.stem[:60]


class ModuleVersion(models.Model):
    """One immutable published version. `content` holds title, objectives, resources and questions (with
    their answers) as published; attempts and CPD records point here, so later edits never change a
    completed module."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    pass_mark = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = models.BooleanField(
        help_text="true: estimated from reading time and episode durations, not set by the editor"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["module", "-version"]
        constraints = [models.UniqueConstraint(fields=["module", "version"], name="moduleversion_unique")]

    def __str__(self) -> str:
        return f"{self.content.get('title', '')} v{self.version}"

    @property
    def hours_basis(self) -> str:
        return hours_basis(self.hours_estimated)


class ModuleAttempt(models.Model):
    """One submitted attempt (every attempt is kept). Answers arrive only at submission."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module_version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="attempts")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_attempts"
    )
    answers = models.JSONField(default=dict, help_text="question id -> chosen option index")
    correct_count = models.PositiveIntegerField()
    question_count = models.PositiveIntegerField()
    score = models.FloatField(help_text="per cent right")
    passed = models.BooleanField()
    reflection = models.TextField(blank=True, help_text="plain text, confidentiality-screened")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["learner", "-submitted_at"], name="attempt_learner_idx")]

    def __str__(self) -> str:
        return f"attempt {self.public_id} ({self.score:.0f} %)"


class CpdRecord(models.Model):
    """What a pass earns: one record per learner and module version (a later pass adds nothing)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cpd_records"
    )
    module_version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="cpd_records")
    attempt = models.OneToOneField(ModuleAttempt, on_delete=models.PROTECT, related_name="cpd_record")
    completed_at = models.DateTimeField()
    score = models.FloatField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = models.BooleanField()

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "module_version"], name="cpdrecord_one_per_version")
        ]

    def __str__(self) -> str:
        return f"CPD {self.learner_id} {self.module_version_id}"

    @property
    def hours_basis(self) -> str:
        return hours_basis(self.hours_estimated)


class Credential(models.Model):
    """A verifiable achievement: a module pass, or an expert's peer-review year. `achievement` is the
    frozen statement (names, dates, figures) that the certificate, the badge and the public verification
    page all show. `code` is the unguessable verification code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=16, choices=CredentialKind.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    cpd_record = models.OneToOneField(
        CpdRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="credential"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="the peer-review year")
    achievement = models.JSONField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CredentialKind.MODULE, cpd_record__isnull=False, year__isnull=True)
                | Q(kind=CredentialKind.PEER_REVIEW, cpd_record__isnull=True, year__isnull=False),
                name="credential_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["subject", "year"],
                condition=Q(kind=CredentialKind.PEER_REVIEW),
                name="credential_one_peer_review_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"

    @property
    def is_valid(self) -> bool:
        """Not revoked: what the verification page, the API and the badge say."""
        return self.revoked_at is None


class ProgramDirector(models.Model):
    """A residency program director: an editor grants it; directors create cohorts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="program_director"
    )
    program = models.CharField(max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} directs {self.program}"


class Cohort(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    director = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    program = models.CharField(max_length=200)
    invitation_code = models.CharField(max_length=24, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    """A resident in a cohort, from the moment they accepted the notice of what the director sees.
    Leaving deletes the row: the director sees nothing more."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="cohortmembership_unique")]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.cohort_id}"


class OrcidPush(models.Model):
    """A review to add to its reviewer's ORCID record as a peer-review activity: an outbox row (once per
    review) that a worker claims with a lease, as social publications are."""

    review = models.OneToOneField("curation.Review", on_delete=models.CASCADE, related_name="orcid_push")
    status = models.CharField(
        max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    put_code = models.CharField(max_length=32, blank=True, help_text="ORCID's id of the added activity")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ORCID push of review {self.review_id} ({self.status})"
