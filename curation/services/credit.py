"""Learning credit: editors build modules and publish them as versions; learners submit attempts, and a
pass writes a CPD record and a verifiable credential; editors make program directors, who run cohorts
that residents join and leave; experts get a yearly peer-review credential."""

import math
import secrets
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.enums import (
    COUNTED_REVIEW_STATUSES,
    CredentialKind,
    ModuleStatus,
    PublicationStatus,
    SourceKind,
)
from curation.errors import Conflict, InvalidInput, NotAllowed, NotFound
from curation.models import (
    Cohort,
    CohortMembership,
    CpdRecord,
    Credential,
    Module,
    ModuleAttempt,
    ModuleItem,
    ModuleVersion,
    OrcidPush,
    ProgramDirector,
    Question,
    Resource,
    Review,
    Topic,
    User,
)
from curation.selectors.credit import (
    is_program_director,
    module_version_current,
    orcid_link,
    resources_designated,
    reviewer_year_summary,
)
from curation.services.audit import audit_record
from curation.services.outbox import outbox_claim, outbox_record

TITLE_CHARS = 200
TEXT_CHARS = 4000
MAX_ITEMS = 30
MAX_QUESTIONS = 100
MAX_OPTIONS = 8
READING_WORDS_PER_MINUTE = 200
QUIZ_MINUTES_PER_QUESTION = 1.5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


def new_code(length: int = 12) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _require_editor(user: User) -> None:
    if not user.is_editor:
        raise NotAllowed("Only editors build modules.")


def _text(field: str, text: str, *, limit: int = TEXT_CHARS, required: bool = False) -> str:
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if required and not text:
        raise InvalidInput(f"The {field} is required.", field_errors={field: ["Required."]})
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field_errors={field: ["Too long."]})
    return text


def _draft(module: Module) -> None:
    if module.status == ModuleStatus.RETIRED:
        raise Conflict("A retired module cannot be changed.")


def _module_fields(
    *, title: str, month: date, objectives: list[str], pass_mark: int, hours: Decimal | None
) -> dict[str, Any]:
    objectives = [_text("objectives", line, limit=500) for line in objectives if (line or "").strip()]
    if len(objectives) > 20:
        raise InvalidInput("At most 20 objectives.", field_errors={"objectives": ["Too many."]})
    if not 1 <= int(pass_mark) <= 100:
        raise InvalidInput("The pass mark is a percentage.", field_errors={"pass_mark": ["1 to 100."]})
    if hours is not None and not (
        Decimal(hours).is_finite() and Decimal("0.25") <= Decimal(hours) <= Decimal("100")
    ):
        raise InvalidInput("Hours are between 0.25 and 100.", field_errors={"hours": ["0.25 to 100."]})
    return {
        "title": _text("title", title, limit=TITLE_CHARS, required=True),
        "month": month.replace(day=1),
        "objectives": objectives,
        "pass_mark": int(pass_mark),
        "hours": hours,
    }


def module_create(
    *,
    editor: User,
    title: str,
    month: date,
    topic: Topic | None = None,
    objectives: list[str] | None = None,
    pass_mark: int = 80,
    hours: Decimal | None = None,
) -> Module:
    """A new draft module. `hours` empty: estimated from the resources when published. Raises
    NotAllowed (not an editor) or InvalidInput."""
    _require_editor(editor)
    fields = _module_fields(
        title=title, month=month, objectives=objectives or [], pass_mark=pass_mark, hours=hours
    )
    with transaction.atomic():
        module = Module.objects.create(created_by=editor, topic=topic, **fields)
        audit_record(actor=editor, action="module.create", target=module, after={"title": module.title})
    return module


def module_update(
    *,
    editor: User,
    module: Module,
    title: str,
    month: date,
    topic: Topic | None,
    objectives: list[str],
    pass_mark: int,
    hours: Decimal | None,
) -> Module:
    """Change the draft's settings. Published versions are untouched until the next publish."""
    _require_editor(editor)
    _draft(module)
    fields = _module_fields(title=title, month=month, objectives=objectives, pass_mark=pass_mark, hours=hours)
    for name, value in fields.items():
        setattr(module, name, value)
    module.topic = topic
    module.save()
    return module


def module_item_add(*, editor: User, module: Module, resource: Resource) -> ModuleItem:
    """Append a designated resource (idempotent). Raises InvalidInput for a resource without a current
    designation, Conflict for a retired module."""
    _require_editor(editor)
    _draft(module)
    if not resources_designated().filter(pk=resource.pk).exists():
        raise InvalidInput(
            "Only designated resources can be part of a module.",
            field_errors={"resource": ["Not designated."]},
        )
    with transaction.atomic():
        existing = ModuleItem.objects.filter(module=module, resource=resource).first()
        if existing is not None:
            return existing
        if module.items.count() >= MAX_ITEMS:
            raise InvalidInput(f"A module holds at most {MAX_ITEMS} resources.")
        last = module.items.aggregate(last=Max("position"))["last"]
        try:
            return ModuleItem.objects.create(module=module, resource=resource, position=(last or 0) + 1)
        except IntegrityError:
            return ModuleItem.objects.get(module=module, resource=resource)


def module_item_remove(*, editor: User, module: Module, resource: Resource) -> None:
    """Remove a resource and its questions from the draft."""
    _require_editor(editor)
    _draft(module)
    with transaction.atomic():
        Question.objects.filter(module=module, resource=resource).delete()
        ModuleItem.objects.filter(module=module, resource=resource).delete()


def module_item_move(*, editor: User, module: Module, resource: Resource, offset: int) -> None:
    """Move a resource up (offset < 0) or down (offset > 0) in the draft's order."""
    _require_editor(editor)
    _draft(module)
    with transaction.atomic():
        items = list(module.items.select_for_update().order_by("position", "id"))
        index = next((i for i, item in enumerate(items) if item.resource_id == resource.pk), None)
        if index is None:
            raise NotFound("That resource is not in this module.")
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))
        for position, item in enumerate(items, start=1):
            if item.position != position:
                ModuleItem.objects.filter(pk=item.pk).update(position=position)


def question_add(
    *,
    editor: User,
    module: Module,
    resource: Resource,
    stem: str,
    options: list[str],
    correct: int,
    explanation: str = "",
    reference: str = "",
) -> Question:
    """A multiple-choice question on one of the module's resources; `correct` indexes `options` (from 0).
    Raises InvalidInput."""
    _require_editor(editor)
    _draft(module)
    if not module.items.filter(resource=resource).exists():
        raise InvalidInput(
            "Ask about a resource of this module.", field_errors={"resource": ["Not in the module."]}
        )
    options = [_text("options", option, limit=500) for option in options if (option or "").strip()]
    if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
        raise InvalidInput(
            f"Give 2 to {MAX_OPTIONS} different options.",
            field_errors={"options": ["2 to 8 different options."]},
        )
    if not 0 <= correct < len(options):
        raise InvalidInput(
            "Say which option is correct.", field_errors={"correct": ["Not one of the options."]}
        )
    if module.questions.count() >= MAX_QUESTIONS:
        raise InvalidInput(f"A module has at most {MAX_QUESTIONS} questions.")
    last = module.questions.aggregate(last=Max("position"))["last"]
    return Question.objects.create(
        module=module,
        resource=resource,
        position=(last or 0) + 1,
        stem=_text("stem", stem, required=True),
        options=options,
        correct=correct,
        explanation=_text("explanation", explanation),
        reference=_text("reference", reference, limit=500),
    )


def question_remove(*, editor: User, module: Module, question: Question) -> None:
    _require_editor(editor)
    _draft(module)
    Question.objects.filter(module=module, pk=question.pk).delete()


def resource_minutes(resource: Resource) -> int:
    """Minutes a learner needs for a resource: an episode's or a video's duration, otherwise reading
    time of its text at 200 words a minute (at least 5 minutes)."""
    if resource.duration_seconds:
        return max(1, math.ceil(resource.duration_seconds / 60))
    if resource.source.kind != SourceKind.BLOG and not resource.text:
        return 15
    words = len((resource.text or resource.summary or "").split())
    return max(5, math.ceil(words / READING_WORDS_PER_MINUTE))


def estimate_hours(*, minutes: list[int], question_count: int) -> Decimal:
    """Resources' minutes plus 1.5 minutes a question, in hours rounded up to a quarter (at least 0.25)."""
    total = sum(minutes) + question_count * QUIZ_MINUTES_PER_QUESTION
    quarters = max(1, math.ceil(total / 15))
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def module_publish(*, editor: User, module: Module) -> ModuleVersion:
    """Freeze the draft as the next version and make it the one learners take. Needs at least one
    resource and one question, every resource still designated. Earlier versions, their attempts and
    CPD records stay as they were."""
    _require_editor(editor)
    _draft(module)
    items = list(module.items.select_related("resource__source"))
    questions = list(module.questions.select_related("resource"))
    if not items or not questions:
        raise InvalidInput("A module needs at least one resource and one question.")
    designated = set(
        resources_designated()
        .filter(pk__in=[item.resource_id for item in items])
        .values_list("pk", flat=True)
    )
    undesignated = [item.resource.title for item in items if item.resource_id not in designated]
    if undesignated:
        raise InvalidInput("No longer designated: " + "; ".join(undesignated) + ". Remove them first.")
    minutes = [resource_minutes(item.resource) for item in items]
    estimated = module.hours is None
    hours = (
        Decimal(module.hours)
        if module.hours is not None
        else estimate_hours(minutes=minutes, question_count=len(questions))
    )
    content = {
        "title": module.title,
        "topic": module.topic.name if module.topic else "",
        "month": module.month.isoformat(),
        "objectives": list(module.objectives),
        "resources": [
            {
                "id": str(item.resource.public_id),
                "title": item.resource.title,
                "url": item.resource.canonical_url,
                "source": item.resource.source.title,
                "kind": item.resource.source.kind,
                "minutes": minute,
            }
            for item, minute in zip(items, minutes, strict=True)
        ],
        "questions": [
            {
                "id": str(question.public_id),
                "resource": str(question.resource.public_id),
                "stem": question.stem,
                "options": list(question.options),
                "correct": question.correct,
                "explanation": question.explanation,
                "reference": question.reference,
            }
            for question in questions
        ],
    }
    with transaction.atomic():
        Module.objects.select_for_update().filter(pk=module.pk).first()
        number = (module.versions.aggregate(last=Max("version"))["last"] or 0) + 1
        version = ModuleVersion.objects.create(
            module=module,
            version=number,
            content=content,
            pass_mark=module.pass_mark,
            hours=hours,
            hours_estimated=estimated,
            created_by=editor,
        )
        Module.objects.filter(pk=module.pk).update(status=ModuleStatus.PUBLISHED)
        audit_record(actor=editor, action="module.publish", target=module, after={"version": number})
    module.status = ModuleStatus.PUBLISHED
    return version


def module_retire(*, editor: User, module: Module) -> None:
    """No longer offered; passes already earned stay valid and verifiable."""
    _require_editor(editor)
    with transaction.atomic():
        Module.objects.filter(pk=module.pk).update(status=ModuleStatus.RETIRED)
        audit_record(actor=editor, action="module.retire", target=module)
    module.status = ModuleStatus.RETIRED


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
        "hours_basis": "estimated from reading time and episode durations"
        if version.hours_estimated
        else "set by the editor",
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
        if question is None or not isinstance(option, int) or not 0 <= option < len(question["options"]):
            raise InvalidInput(
                "An answer names an unknown question or option.", field_errors={"answers": ["Invalid."]}
            )
        chosen[str(question_id)] = option
    reflection = _text("reflection", reflection)
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
    _require_editor(editor)
    reason = _text("reason", reason, limit=300, required=True)
    with transaction.atomic():
        Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=editor, action="credential.revoke", target=credential, reason=reason)


def reviewer_credential_issue(*, reviewer: User, year: int, now: datetime | None = None) -> Credential:
    """The reviewer's peer-review credential for `year` (one per year: re-issuing brings its figures up
    to date and keeps its code). Raises NotAllowed for non-reviewers, InvalidInput for a year without
    reviews."""
    if not reviewer.is_verified_expert:
        raise NotAllowed("Peer-review credit is for verified experts.")
    summary = reviewer_year_summary(reviewer=reviewer, year=year)
    if not summary["reviews"]:
        raise InvalidInput(f"No submitted reviews in {year}.")
    now = now or timezone.now()
    achievement = {
        "name": f"Peer reviewer, {year}",
        "description": f"Peer-reviewed {summary['reviews']} FOAMed resource(s) for FOAM Curator in {year} "
        "with validated instruments.",
        "criteria": "Submit expert reviews of open-access medical education resources with a validated "
        "scoring instrument.",
        "recipient": reviewer.display_name,
        "year": year,
        "reviews": summary["reviews"],
        "instruments": summary["instruments"],
        "rounds": summary["rounds"],
        "hours": str(summary["hours"]),
        "hours_basis": "estimated at one hour a review",
        "date": now.date().isoformat(),
    }
    with transaction.atomic():
        credential, created = Credential.objects.get_or_create(
            subject=reviewer,
            kind=CredentialKind.PEER_REVIEW,
            year=year,
            defaults={"code": new_code(), "achievement": achievement, "issued_at": now},
        )
        if not created and credential.achievement != achievement:
            credential.achievement, credential.issued_at = achievement, now
            credential.save(update_fields=["achievement", "issued_at"])
    return credential


def director_grant(*, editor: User, user: User, program: str) -> ProgramDirector:
    """Make `user` a program director of `program` (idempotent: updates the program's name)."""
    if not editor.is_editor:
        raise NotAllowed("Only editors make program directors.")
    program = _text("program", program, limit=200, required=True)
    with transaction.atomic():
        director, _ = ProgramDirector.objects.update_or_create(
            user=user, defaults={"program": program, "granted_by": editor, "granted_at": timezone.now()}
        )
        audit_record(actor=editor, action="director.grant", target=user, after={"program": program})
    return director


def director_revoke(*, editor: User, user: User) -> None:
    """Their cohorts stay (members keep their records) but they no longer see them."""
    if not editor.is_editor:
        raise NotAllowed("Only editors change program directors.")
    with transaction.atomic():
        ProgramDirector.objects.filter(user=user).delete()
        audit_record(actor=editor, action="director.revoke", target=user)


def cohort_create(*, director: User, name: str) -> Cohort:
    """A cohort of `director`'s program with a fresh invitation code. Raises NotAllowed."""
    if not is_program_director(director):
        raise NotAllowed("Only program directors create cohorts.")
    name = _text("name", name, limit=200, required=True)
    return Cohort.objects.create(
        director=director, name=name, program=director.program_director.program, invitation_code=new_code(10)
    )


def cohort_join(*, learner: User, cohort: Cohort, notice_accepted: bool) -> CohortMembership:
    """Join after accepting the notice of what the director will see (idempotent). Raises InvalidInput
    without the acceptance, InvalidInput for the director's own cohort."""
    if not notice_accepted:
        raise InvalidInput(
            "Read and accept what the program director will see first.",
            field_errors={"accept": ["Required."]},
        )
    if cohort.director_id == learner.pk:
        raise InvalidInput("You direct this cohort.")
    membership, _ = CohortMembership.objects.get_or_create(
        cohort=cohort, learner=learner, defaults={"joined_at": timezone.now()}
    )
    return membership


def cohort_member_remove(*, director: User, cohort: Cohort, learner: User) -> None:
    """The cohort's director removes a resident (they can join again with the code). Raises NotFound."""
    if cohort.director_id != director.pk or not is_program_director(director):
        raise NotFound("No such cohort.")
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, learner=learner).delete()
    if not deleted:
        raise NotFound("That resident is not in this cohort.")


def cohort_leave(*, learner: User, cohort: Cohort) -> None:
    """Leave: the director no longer sees anything of this learner. Raises NotFound when not a member."""
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, learner=learner).delete()
    if not deleted:
        raise NotFound("You are not in that cohort.")


def orcid_push_request(*, reviewer: User, review: Review) -> OrcidPush:
    """Queue `review` for the reviewer's ORCID record (a worker sends it). Idempotent: a sent review is
    not sent again; a failed one is queued again. Raises Conflict when pushing is switched off,
    NotFound for someone else's or an unsubmitted review, InvalidInput when no ORCID iD is connected."""
    if not settings.ORCID_PUSH_ENABLED:
        raise Conflict("Sending reviews to ORCID is not switched on here: download the JSON instead.")
    if review.reviewer_id != reviewer.pk or review.status not in COUNTED_REVIEW_STATUSES:
        raise NotFound("No such review of yours.")
    if orcid_link(reviewer) is None:
        raise InvalidInput("Connect your ORCID iD first (with permission to add activities).")
    push, created = OrcidPush.objects.get_or_create(review=review)
    if not created and push.status == PublicationStatus.FAILED:
        OrcidPush.objects.filter(pk=push.pk).update(
            status=PublicationStatus.PENDING, attempts=0, claimed_until=None, error=""
        )
        push.refresh_from_db()
    return push


def orcid_pushes_claim(*, now: datetime | None = None, limit: int = 20) -> list[int]:
    return outbox_claim(OrcidPush, now=now, limit=limit)


def orcid_push_record(*, push_id: int, put_code: str = "", error: str = "", retry: bool = False) -> None:
    """ORCID accepted the activity (`put_code`), or refused it (`error`; retried while `retry`)."""
    outbox_record(
        OrcidPush.objects.filter(pk=push_id).first(),
        sent={"put_code": put_code[:32]} if put_code else None,
        error=error,
        retry=retry,
    )
