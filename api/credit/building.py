"""Editors build modules: the draft with its answers, settings, resources, questions, publishing a
version and retiring."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import editor_of
from api.credit.modules import ModuleInSerializer, ModuleResourceSerializer, ModuleSerializer, topic_or_none
from api.social import SIGNED_IN
from curation.models import Module, Resource, User
from curation.selectors.credit import resources_designated
from curation.services.credit import (
    module_item_add,
    module_item_remove,
    module_publish,
    module_retire,
    module_update,
    question_add,
    question_remove,
    resource_entry,
)


class ModuleItemInSerializer(serializers.Serializer[Any]):
    resource = serializers.UUIDField(help_text="a designated resource's id")


class QuestionInSerializer(serializers.Serializer[Any]):
    resource = serializers.UUIDField(help_text="one of the module's resources")
    stem = serializers.CharField(max_length=4000)
    options = serializers.ListField(child=serializers.CharField(max_length=500), min_length=2, max_length=8)
    correct = serializers.IntegerField(min_value=0, max_value=7, help_text="index of the correct option")
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=500)


class QuestionCreatedSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    resource = serializers.UUIDField(source="resource.public_id")
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    correct = serializers.IntegerField()


class VersionCreatedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = serializers.BooleanField()


def _draft_module(request: Request, id: str) -> tuple[User, Module]:
    editor = editor_of(request)
    return editor, get_object_or_404(Module, public_id=id)


def _module_resource(id: Any) -> Resource:
    resource = resources_designated().filter(public_id=id).first()
    if resource is None:
        raise NotFound("No designated resource with this id.")
    return resource


class ModuleItemsView(APIView):
    """An editor appends a designated resource to a module's draft."""

    permission_classes = SIGNED_IN

    @extend_schema(request=ModuleItemInSerializer, responses={201: ModuleResourceSerializer})
    def post(self, request: Request, id: str) -> Response:
        editor, module = _draft_module(request, id)
        data = ModuleItemInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = module_item_add(
            editor=editor, module=module, resource=_module_resource(data.validated_data["resource"])
        )
        return Response(
            ModuleResourceSerializer(resource_entry(item.resource)).data, status=status.HTTP_201_CREATED
        )


class ModuleQuestionsView(APIView):
    """An editor adds a multiple-choice question (with its answer) to a module's draft."""

    permission_classes = SIGNED_IN

    @extend_schema(request=QuestionInSerializer, responses={201: QuestionCreatedSerializer})
    def post(self, request: Request, id: str) -> Response:
        editor, module = _draft_module(request, id)
        data = QuestionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        resource = get_object_or_404(Resource, public_id=fields.pop("resource"))
        question = question_add(editor=editor, module=module, resource=resource, **fields)
        return Response(QuestionCreatedSerializer(question).data, status=status.HTTP_201_CREATED)


class ModulePublishView(APIView):
    """An editor publishes the draft as the module's next version."""

    permission_classes = SIGNED_IN

    @extend_schema(request=None, responses={201: VersionCreatedSerializer})
    def post(self, request: Request, id: str) -> Response:
        editor, module = _draft_module(request, id)
        version = module_publish(editor=editor, module=module)
        return Response(VersionCreatedSerializer(version).data, status=status.HTTP_201_CREATED)


class DraftQuestionSerializer(QuestionCreatedSerializer):
    explanation = serializers.CharField()
    reference = serializers.CharField()


class ModuleDraftSerializer(ModuleSerializer):
    objectives = serializers.ListField(child=serializers.CharField())
    pass_mark = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    resources = serializers.ListField(child=serializers.UUIDField(), help_text="in order")
    questions = DraftQuestionSerializer(many=True)


def _draft_body(module: Module) -> dict[str, Any]:
    """The draft as ModuleDraftSerializer documents it."""
    data = dict(ModuleSerializer(module).data)
    data.update(
        objectives=list(module.objectives),
        pass_mark=module.pass_mark,
        hours=None if module.hours is None else f"{module.hours:.2f}",
        resources=[str(item.resource.public_id) for item in module.items.select_related("resource")],
        questions=DraftQuestionSerializer(module.questions.select_related("resource"), many=True).data,
    )
    return data


class ModuleDraftView(APIView):
    """The editors' draft of a module, answers included (GET), and its settings (PATCH)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=ModuleDraftSerializer)
    def get(self, request: Request, id: str) -> Response:
        return Response(_draft_body(_draft_module(request, id)[1]))

    @extend_schema(request=ModuleInSerializer(partial=True), responses=ModuleDraftSerializer)
    def patch(self, request: Request, id: str) -> Response:
        editor, module = _draft_module(request, id)
        data = ModuleInSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {
            "title": module.title,
            "month": module.month,
            "topic": module.topic,
            "objectives": list(module.objectives),
            "pass_mark": module.pass_mark,
            "hours": module.hours,
            **data.validated_data,
        }
        if "topic" in data.validated_data:
            fields["topic"] = topic_or_none(data.validated_data["topic"])
        module_update(editor=editor, module=module, **fields)
        return Response(_draft_body(module))


class ModuleItemView(APIView):
    """An editor removes a resource (and its questions) from the draft."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str, resource: str) -> Response:
        editor, module = _draft_module(request, id)
        item = module.items.filter(resource__public_id=resource).select_related("resource").first()
        if item is None:
            raise NotFound("That resource is not in this module.")
        module_item_remove(editor=editor, module=module, resource=item.resource)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleQuestionView(APIView):
    """An editor removes a question from the draft."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str, question: str) -> Response:
        editor, module = _draft_module(request, id)
        found = module.questions.filter(public_id=question).first()
        if found is None:
            raise NotFound("No such question in this module.")
        question_remove(editor=editor, module=module, question=found)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleRetireView(APIView):
    """An editor retires a module: no longer offered; passes stay valid."""

    permission_classes = SIGNED_IN

    @extend_schema(request=None, responses={200: ModuleSerializer})
    def post(self, request: Request, id: str) -> Response:
        editor, module = _draft_module(request, id)
        module_retire(editor=editor, module=module)
        return Response(ModuleSerializer(module).data)
