"""Shared set-up for the learning-credit tests: designated resources and a published module."""

from datetime import date

from curation.models import Module
from curation.services.credit import module_create, module_item_add, module_publish, question_add
from tests.factories import ResourceFactory, designate

ANSWER_SENTINELS = ("SECRET-EXPLANATION", "SECRET-REFERENCE")


def designated(title: str, **fields):  # type: ignore[no-untyped-def]
    resource = ResourceFactory(title=title, **fields)
    designate(resource)
    return resource


def published_module(
    editor, *, title: str = "Toxicology essentials", questions_per_resource: int = 2
) -> Module:  # type: ignore[no-untyped-def]
    """A module of 3 designated resources, `questions_per_resource` questions each; the correct option of
    every question is the second one (index 1)."""
    module = module_create(
        editor=editor, title=title, month=date(2026, 11, 1), objectives=["Recognise toxidromes"]
    )
    for number in range(3):
        resource = designated(f"{title} resource {number + 1}")
        module_item_add(editor=editor, module=module, resource=resource)
        for q in range(questions_per_resource):
            question_add(
                editor=editor,
                module=module,
                resource=resource,
                stem=f"Question {number + 1}.{q + 1}: which antidote?",
                options=["Naloxone", "Fomepizole", "Flumazenil"],
                correct=1,
                explanation=f"{ANSWER_SENTINELS[0]} {number}.{q}",
                reference=f"{ANSWER_SENTINELS[1]} {number}.{q}",
            )
    module_publish(editor=editor, module=module)
    return module


def all_answers(module: Module, *, right: int) -> dict[str, int]:
    """Answers to the current version: the first `right` questions correct, the rest wrong."""
    questions = module.versions.order_by("-version").first().content["questions"]
    return {question["id"]: 1 if index < right else 0 for index, question in enumerate(questions)}
