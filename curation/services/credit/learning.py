"""Learners' attempts: scoring, every attempt kept, and a pass's CPD record and credential (once per
version); editors revoke credentials."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.enums import CredentialKind, ModuleStatus
from curation.errors import Conflict, InvalidInput
from curation.models import CpdRecord, Credential, ModuleAttempt, ModuleVersion, User
from curation.selectors.credit import module_version_current
from curation.services.audit import audit_record
from curation.services.credit.common import clean_text, new_code, require_editor


def _achievement_for_pass(learner: User, version: ModuleVersion, attempt: ModuleAttempt) -> dict[str, Any]:
    content = version.content
    return {
        "name": f"{content['title']} (version {version.version})",
        "module": str(version.module.public_id),
        "version": version.version,
        "description": "Completed the FOAM Curator module “" + content["title"] + "” and passed its quiz.",
        "criteria": f"Work through the module's resources and answer at least {version.pass_mark} % of its "
        f"{attempt.question_count} questions correctly.",
        "objectives": list(content["objectives"]),
        "recipient": learner.display_name,
        "date": attempt.submitted_at.date().isoformat(),
        "score": round(attempt.score, 1),
        "hours": str(version.hours),
        "hours_basis": version.hours_basis,
    }


def attempt_submit(
    *,
    learner: User,
    version: ModuleVersion,
    answers: dict[str, int],
    reflection: str = "",
    now: datetime | None = None,
) -> ModuleAttempt:
    """Score one attempt at the module's current version and keep it (every attempt is kept). A pass
    writes the CPD record and its credential, once per learner and version (a later pass adds nothing).
    `answers` maps question ids to option indexes; an unanswered question counts as wrong. Raises
    InvalidInput (unknown question or option, a reflection the confidentiality screen holds) or Conflict
    (the version is no longer the one offered)."""
    module = version.module
    current = module_version_current(module)
    if module.status != ModuleStatus.PUBLISHED or current is None or current.pk != version.pk:
        raise Conflict("This version of the module is no longer offered: reload it.")
    questions = {question["id"]: question for question in version.content["questions"]}
    chosen: dict[str, int] = {}
    for question_id, option in (answers or {}).items():
        question = questions.get(str(question_id))
        if (
            question is None
            or not isinstance(option, int)
            or isinstance(option, bool)
            or not 0 <= option < len(question["options"])
        ):
            raise InvalidInput(
                "An answer names an unknown question or option.", field_errors={"answers": ["Invalid."]}
            )
        chosen[str(question_id)] = option
    reflection = clean_text("reflection", reflection)
    screened = screen_text(reflection)
    if screened.held:
        raise InvalidInput(screened.message, field_errors={"reflection": [screened.message]})
    right = sum(1 for question_id, option in chosen.items() if questions[question_id]["correct"] == option)
    score = 100.0 * right / len(questions)
    now = now or timezone.now()
    with transaction.atomic():
        attempt = ModuleAttempt.objects.create(
            module_version=version,
            learner=learner,
            answers=chosen,
            correct_count=right,
            question_count=len(questions),
            score=score,
            passed=score >= version.pass_mark,
            reflection=reflection,
            submitted_at=now,
        )
        if attempt.passed:
            _record_pass(learner, version, attempt)
    return attempt


def _record_pass(learner: User, version: ModuleVersion, attempt: ModuleAttempt) -> None:
    if CpdRecord.objects.filter(learner=learner, module_version=version).exists():
        return
    try:
        with transaction.atomic():
            record = CpdRecord.objects.create(
                learner=learner,
                module_version=version,
                attempt=attempt,
                completed_at=attempt.submitted_at,
                score=attempt.score,
                hours=version.hours,
                hours_estimated=version.hours_estimated,
            )
            Credential.objects.create(
                code=new_code(),
                kind=CredentialKind.MODULE,
                subject=learner,
                cpd_record=record,
                achievement=_achievement_for_pass(learner, version, attempt),
                issued_at=attempt.submitted_at,
            )
    except IntegrityError:  # a concurrent pass of the same version recorded it first
        return


def credential_revoke(*, editor: User, credential: Credential, reason: str) -> None:
    """An editor withdraws a credential (say, an attempt found to be fraudulent); its verification page
    says so from then on."""
    require_editor(editor)
    reason = clean_text("reason", reason, limit=300, required=True)
    with transaction.atomic():
        Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=editor, action="credential.revoke", target=credential, reason=reason)
