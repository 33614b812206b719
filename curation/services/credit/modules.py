"""Editors build modules (designated resources, questions) and publish them as immutable versions; hours
are set by the editor or estimated from reading time and episode durations."""

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from curation.enums import ModuleStatus, SourceKind
from curation.errors import Conflict, InvalidInput
from curation.models import Module, ModuleItem, ModuleVersion, Question, Resource, Topic, User
from curation.selectors.credit import resources_designated
from curation.services.audit import audit_record
from curation.services.credit.common import TITLE_CHARS, clean_text, require_editor
from curation.services.ordering import position_move

MAX_ITEMS = 30
MAX_QUESTIONS = 100
MAX_OPTIONS = 8
READING_WORDS_PER_MINUTE = 200
QUIZ_MINUTES_PER_QUESTION = 1.5


def _draft(module: Module) -> None:
    if module.status == ModuleStatus.RETIRED:
        raise Conflict("A retired module cannot be changed.")


def _module_fields(
    *, title: str, month: date, objectives: list[str], pass_mark: int, hours: Decimal | None
) -> dict[str, Any]:
    objectives = [clean_text("objectives", line, limit=500) for line in objectives if (line or "").strip()]
    if len(objectives) > 20:
        raise InvalidInput("At most 20 objectives.", field_errors={"objectives": ["Too many."]})
    if not 1 <= int(pass_mark) <= 100:
        raise InvalidInput("The pass mark is a percentage.", field_errors={"pass_mark": ["1 to 100."]})
    if hours is not None and not (
        Decimal(hours).is_finite() and Decimal("0.25") <= Decimal(hours) <= Decimal("100")
    ):
        raise InvalidInput("Hours are between 0.25 and 100.", field_errors={"hours": ["0.25 to 100."]})
    return {
        "title": clean_text("title", title, limit=TITLE_CHARS, required=True),
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
    require_editor(editor)
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
    require_editor(editor)
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
    require_editor(editor)
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
    require_editor(editor)
    _draft(module)
    with transaction.atomic():
        Question.objects.filter(module=module, resource=resource).delete()
        ModuleItem.objects.filter(module=module, resource=resource).delete()


def module_item_move(*, editor: User, module: Module, resource: Resource, offset: int) -> None:
    """Move a resource up (offset < 0) or down (offset > 0) in the draft's order."""
    require_editor(editor)
    _draft(module)
    position_move(
        module.items.all(),
        resource_id=resource.pk,
        offset=offset,
        missing="That resource is not in this module.",
    )


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
    require_editor(editor)
    _draft(module)
    if not module.items.filter(resource=resource).exists():
        raise InvalidInput(
            "Ask about a resource of this module.", field_errors={"resource": ["Not in the module."]}
        )
    options = [clean_text("options", option, limit=500) for option in options if (option or "").strip()]
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
        stem=clean_text("stem", stem, required=True),
        options=options,
        correct=correct,
        explanation=clean_text("explanation", explanation),
        reference=clean_text("reference", reference, limit=500),
    )


def question_remove(*, editor: User, module: Module, question: Question) -> None:
    require_editor(editor)
    _draft(module)
    Question.objects.filter(module=module, pk=question.pk).delete()


def resource_minutes(resource: Resource) -> int:
    """Minutes a learner needs for a resource: an episode's or a video's duration; reading time of its
    text at 200 words a minute (at least 5 minutes); 15 minutes for an episode or video whose length
    and text are both unknown."""
    if resource.duration_seconds:
        return max(1, math.ceil(resource.duration_seconds / 60))
    if resource.source.kind != SourceKind.BLOG and not resource.text:
        return 15
    words = len((resource.text or resource.summary or "").split())
    return max(5, math.ceil(words / READING_WORDS_PER_MINUTE))


def resource_entry(resource: Resource, minutes: int | None = None) -> dict[str, Any]:
    """A resource as a module version lists it (and as the API shows one just added)."""
    return {
        "id": str(resource.public_id),
        "title": resource.title,
        "url": resource.canonical_url,
        "source": resource.source.title,
        "kind": resource.source.kind,
        "minutes": resource_minutes(resource) if minutes is None else minutes,
    }


def estimate_hours(*, minutes: list[int], question_count: int) -> Decimal:
    """Resources' minutes plus 1.5 minutes a question, in hours rounded up to a quarter (at least 0.25)."""
    total = sum(minutes) + question_count * QUIZ_MINUTES_PER_QUESTION
    quarters = max(1, math.ceil(total / 15))
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def module_publish(*, editor: User, module: Module) -> ModuleVersion:
    """Freeze the draft as the next version and make it the one learners take. Needs at least one
    resource and one question, every resource still designated. Earlier versions, their attempts and
    CPD records stay as they were."""
    require_editor(editor)
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
            resource_entry(item.resource, minute) for item, minute in zip(items, minutes, strict=True)
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
    require_editor(editor)
    with transaction.atomic():
        Module.objects.filter(pk=module.pk).update(status=ModuleStatus.RETIRED)
        audit_record(actor=editor, action="module.retire", target=module)
    module.status = ModuleStatus.RETIRED
