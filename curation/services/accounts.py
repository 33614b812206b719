"""Accounts: creating users, the bootstrap editor, and expert verification."""

import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.enums import Role, VerificationStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import ExpertProfile, User
from curation.services.audit import audit_record
from curation.services.notifications import notify_verification_decided
from curation.validators import orcid_normalise, validate_orcid


def user_create(*, username: str, email: str, password: str | None, role: Role = Role.LEARNER) -> User:
    """Create a user. Experts are never created directly: they apply and are verified.

    Raises InvalidInput for an expert role or a taken username."""
    if role == Role.EXPERT:
        raise InvalidInput("Experts are made by verification, not at sign-up.")
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password, role=role)
    except IntegrityError as error:
        raise InvalidInput(f"The username {username!r} is taken.") from error


def editor_ensure(*, username: str = "editor", email: str = "editor@localhost") -> tuple[User, str | None]:
    """Make sure a bootstrap editor exists. Returns the user and, only when it was created now, its
    generated password (shown once, never stored in clear). Idempotent."""
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "role": Role.EDITOR, "is_staff": True}
        )
        if not created:
            return user, None
        user.set_password(password)
        user.save(update_fields=["password"])
        if email:  # the operator vouches for the address (sign-in requires a verified one)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
    return user, password


def expert_apply(
    *,
    user: User,
    profession: str,
    specialty: str,
    registration_body: str = "",
    registration_number: str = "",
    orcid: str = "",
    institution: str = "",
    conflicts_of_interest: str = "",
    first_name: str | None = None,
    last_name: str | None = None,
) -> ExpertProfile:
    """A user applies (or re-applies after a rejection) to be verified as an expert. `first_name` and
    `last_name`, when given, update the account's name first (experts act under their real name).

    Validates the ORCID iD (format and check digit). Raises Conflict if already approved or pending
    decision is not the caller's to change, InvalidInput for bad fields."""
    errors: dict[str, list[str]] = {}
    if first_name is not None or last_name is not None:
        user.first_name = (first_name if first_name is not None else user.first_name).strip()[:150]
        user.last_name = (last_name if last_name is not None else user.last_name).strip()[:150]
    if not user.first_name.strip() or not user.last_name.strip():
        errors["name"] = ["Experts act under their real name: add your first and last name to your account."]
    if not profession.strip():
        errors["profession"] = ["Say what your profession is."]
    if not specialty.strip():
        errors["specialty"] = ["Say what your specialty is."]
    orcid = orcid_normalise(orcid) if orcid else ""
    if orcid:
        try:
            validate_orcid(orcid)
        except ValidationError as error:
            errors["orcid"] = list(error.messages)
    if errors:
        raise InvalidInput("The application has errors.", field_errors=errors)
    fields = {
        "profession": profession.strip(),
        "specialty": specialty.strip(),
        "registration_body": registration_body.strip(),
        "registration_number": registration_number.strip(),
        "orcid": orcid,
        "institution": institution.strip(),
        "conflicts_of_interest": conflicts_of_interest.strip(),
        "verification_status": VerificationStatus.PENDING,
        "applied_at": timezone.now(),
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
    }
    try:
        with transaction.atomic():
            existing = ExpertProfile.objects.select_for_update().filter(user=user).first()
            if existing and existing.verification_status == VerificationStatus.APPROVED:
                raise Conflict("You are already a verified expert.")
            profile, _ = ExpertProfile.objects.update_or_create(user=user, defaults=fields)
            if first_name is not None or last_name is not None:
                user.save(update_fields=["first_name", "last_name"])
            return profile
    except IntegrityError as error:
        raise InvalidInput(
            "This ORCID iD belongs to another account.", field_errors={"orcid": ["Already registered."]}
        ) from error


def expert_verification_decide(
    *, editor: User, profile: ExpertProfile, approve: bool, reason: str
) -> ExpertProfile:
    """An editor approves or rejects a pending application, with a reason.

    Approval makes the user an expert (an editor stays an editor). Raises NotAllowed for a non-editor or
    for deciding one's own application, Conflict when the application is not pending."""
    if not editor.is_editor:
        raise NotAllowed("Only editors decide on expert verification.")
    if editor.pk == profile.user_id:
        raise NotAllowed("Editors cannot decide on their own application.")
    if not reason.strip():
        raise InvalidInput("Give a reason for the decision.", field_errors={"reason": ["Required."]})
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        if profile.verification_status != VerificationStatus.PENDING:
            raise Conflict("This application was already decided.")
        before = {"status": profile.verification_status}
        profile.verification_status = VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
        profile.decided_by = editor
        profile.decided_at = timezone.now()
        profile.decision_reason = reason.strip()
        profile.save()
        if approve and profile.user.role == Role.LEARNER:
            User.objects.filter(pk=profile.user_id).update(role=Role.EXPERT)
            profile.user.role = Role.EXPERT
        audit_record(
            actor=editor,
            action="expert.verification_decided",
            target=profile.user,
            before=before,
            after={"status": profile.verification_status},
            reason=profile.decision_reason,
        )
        notify_verification_decided(profile=profile)
    return profile
