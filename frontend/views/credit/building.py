"""The editors' module builder and program directors."""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.requests import signed_in
from curation.errors import DomainError, InvalidInput
from curation.models import Module, Question, Resource, Topic, User
from curation.selectors.credit import modules_for_editor, program_directors, resources_designated
from curation.selectors.public import specialty_topics
from curation.services.credit import (
    director_grant,
    director_revoke,
    module_create,
    module_item_add,
    module_item_move,
    module_item_remove,
    module_publish,
    module_retire,
    module_update,
    question_add,
    question_remove,
)
from frontend.access import editor_required, public_id_or_404


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.strip()[:7].split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise InvalidInput("Give the month as YYYY-MM.", field_errors={"month": ["YYYY-MM"]}) from error


def _hours(value: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation as error:
        raise InvalidInput(
            "Hours are a number such as 1.5.", field_errors={"hours": ["A number."]}
        ) from error


def whole_number(value: str, field: str, default: int | None = None) -> int:
    if not value.strip() and default is not None:
        return default
    if not (value.strip().isascii() and value.strip().isdigit()) or len(value.strip()) > 6:
        raise InvalidInput(
            f"The {field.replace('_', ' ')} is a whole number.", field_errors={field: ["A number."]}
        )
    return int(value)


def _module_settings(request: HttpRequest) -> dict[str, Any]:
    slug = request.POST.get("topic", "")
    return {
        "title": request.POST.get("title", ""),
        "month": _month(request.POST.get("month", "")),
        "topic": Topic.objects.filter(slug=slug).first() if slug else None,
        "objectives": request.POST.get("objectives", "").splitlines(),
        "pass_mark": whole_number(request.POST.get("pass_mark", ""), "pass_mark", 80),
        "hours": _hours(request.POST.get("hours", "")),
    }


@editor_required
def editor_modules(request: HttpRequest) -> HttpResponse:
    """Every module (drafts too) and a form for a new one; program directors and granting the role."""
    user = signed_in(request)
    if request.method == "POST":
        try:
            module = module_create(editor=user, **_module_settings(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:editor-module", public_id=module.public_id)
    context = {
        "modules": modules_for_editor(),
        "directors": program_directors(),
        "topics": specialty_topics(),
        "this_month": timezone.now().strftime("%Y-%m"),
    }
    return render(request, "frontend/credit/editor_modules.html", context)


@editor_required
@require_POST
def editor_directors(request: HttpRequest) -> HttpResponse:
    """Grant or revoke the program-director role."""
    user = signed_in(request)
    person = User.objects.filter(
        username=request.POST.get("username", "").replace("\x00", "").strip()
    ).first()
    if person is None:
        messages.error(request, "No user has that username.")
        return redirect("frontend:editor-modules")
    try:
        if request.POST.get("action") == "revoke":
            director_revoke(editor=user, user=person)
            messages.success(request, f"{person.username} is no longer a program director.")
        else:
            director_grant(editor=user, user=person, program=request.POST.get("program", ""))
            messages.success(request, f"{person.username} is now a program director.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("frontend:editor-modules")


def _resource_from_form(value: str) -> Resource:
    """A designated resource named by its id, its page URL or its canonical URL."""
    value = value.strip()
    candidates = resources_designated()
    for part in reversed([p for p in value.split("/") if p]):
        try:
            found = candidates.filter(public_id=uuid.UUID(part)).first()
        except ValueError:
            continue
        if found is not None:
            return found
    found = candidates.filter(canonical_url=value).first() if value else None
    if found is None:
        raise InvalidInput(
            "No designated resource has that id or address.", field_errors={"resource": ["Unknown."]}
        )
    return found


def _builder_action(request: HttpRequest, user: User, module: Module) -> str:
    action = request.POST.get("action", "")
    if action == "update":
        module_update(editor=user, module=module, **_module_settings(request))
        return "Saved."
    if action == "add-resource":
        module_item_add(
            editor=user, module=module, resource=_resource_from_form(request.POST.get("resource", ""))
        )
        return "Resource added."
    if action == "remove-resource":
        resource = get_object_or_404(Resource, public_id=public_id_or_404(request.POST.get("resource", "")))
        module_item_remove(editor=user, module=module, resource=resource)
        return "Resource removed, with its questions."
    if action in ("up", "down"):
        resource = get_object_or_404(Resource, public_id=public_id_or_404(request.POST.get("resource", "")))
        module_item_move(editor=user, module=module, resource=resource, offset=-1 if action == "up" else 1)
        return "Moved."
    if action == "add-question":
        resource = get_object_or_404(Resource, public_id=public_id_or_404(request.POST.get("resource", "")))
        question_add(
            editor=user,
            module=module,
            resource=resource,
            stem=request.POST.get("stem", ""),
            options=request.POST.get("options", "").splitlines(),
            correct=whole_number(request.POST.get("correct", ""), "correct") - 1,
            explanation=request.POST.get("explanation", ""),
            reference=request.POST.get("reference", ""),
        )
        return "Question added."
    if action == "remove-question":
        question = get_object_or_404(
            Question, module=module, public_id=public_id_or_404(request.POST.get("question", ""))
        )
        question_remove(editor=user, module=module, question=question)
        return "Question removed."
    if action == "publish":
        version = module_publish(editor=user, module=module)
        return f"Published version {version.version}: learners take it from now on."
    if action == "retire":
        module_retire(editor=user, module=module)
        return "Retired: no longer offered; passes stay valid."
    raise InvalidInput("Unknown action.")


@editor_required
def editor_module(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The module builder: settings, designated resources in order, questions per resource, publishing."""
    user = signed_in(request)
    module = get_object_or_404(Module.objects.select_related("topic"), public_id=public_id)
    if request.method == "POST":
        try:
            messages.success(request, _builder_action(request, user, module))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("frontend:editor-module", public_id=module.public_id)
    items = list(module.items.select_related("resource__source"))
    questions = list(module.questions.select_related("resource"))
    context = {
        "module": module,
        "items": [(item, [q for q in questions if q.resource_id == item.resource_id]) for item in items],
        "question_count": len(questions),
        "versions": module.versions.order_by("-version"),
        "topics": specialty_topics(),
    }
    return render(request, "frontend/credit/editor_module.html", context)
