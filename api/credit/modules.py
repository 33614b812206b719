"""Modules as learners take them: the list, the current version without answers, and submitting an
attempt (the result brings the answers and explanations)."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import editor_of
from api.social import SIGNED_IN
from config.requests import signed_in, viewer
from curation.certificates import absolute, module_path
from curation.errors import Conflict
from curation.models import Module, ModuleAttempt, Topic
from curation.selectors.credit import (
    attempt_feedback,
    module_version_current,
    module_visible,
    modules_published,
    version_for_learner,
)
from curation.services.credit import attempt_submit, module_create


class ModuleSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    topic = serializers.CharField(source="topic.name", allow_null=True, default=None)
    month = serializers.DateField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, module: Module) -> str:
        return absolute(module_path(module.public_id))


class ModuleResourceSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    title = serializers.CharField()
    url = serializers.CharField()
    source_title = serializers.CharField(source="source")
    kind = serializers.CharField()
    minutes = serializers.IntegerField(help_text="estimated time to read, listen or watch")


class QuestionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    resource = serializers.UUIDField(help_text="the resource the question is about")
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())


class ModuleVersionSerializer(serializers.Serializer[Any]):
    module = serializers.UUIDField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    topic = serializers.CharField()
    month = serializers.DateField()
    objectives = serializers.ListField(child=serializers.CharField())
    pass_mark = serializers.IntegerField(help_text="per cent of questions right to pass")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = serializers.BooleanField(help_text="estimated from reading time and episode durations")
    resources = ModuleResourceSerializer(many=True)
    questions = QuestionSerializer(
        many=True, help_text="without answers: those come with the attempt's result"
    )


class AttemptInSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, help_text="the version answered (a stale one is refused with 409)"
    )
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="question id -> chosen option index (from 0); unanswered questions count as wrong",
    )
    reflection = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class FeedbackSerializer(QuestionSerializer):
    chosen = serializers.IntegerField(allow_null=True)
    correct = serializers.IntegerField()
    is_correct = serializers.BooleanField()
    explanation = serializers.CharField()
    reference = serializers.CharField()


class AttemptSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    module = serializers.UUIDField(source="module_version.module.public_id")
    version = serializers.IntegerField(source="module_version.version")
    submitted_at = serializers.DateTimeField()
    correct_count = serializers.IntegerField()
    question_count = serializers.IntegerField()
    score = serializers.FloatField()
    passed = serializers.BooleanField()


class AttemptDetailSerializer(AttemptSerializer):
    reflection = serializers.CharField()
    feedback = FeedbackSerializer(many=True)
    credential = serializers.CharField(allow_null=True, help_text="the verification code a pass earned")


class ModuleInSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    month = serializers.DateField(help_text="any day of the month")
    topic = serializers.SlugField(required=False, allow_blank=True)
    objectives = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=20
    )
    pass_mark = serializers.IntegerField(min_value=1, max_value=100, default=80)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )


def topic_or_none(slug: str) -> Topic | None:
    """The topic a posted slug names ("" for none; an unknown slug is a 404)."""
    return get_object_or_404(Topic, slug=slug) if slug else None


def _module(request: Request, id: Any) -> Module:
    return module_visible(user=viewer(request), public_id=id)


class ModuleListView(APIView):
    """Published modules, newest month first (GET); an editor creates a draft (POST)."""

    @extend_schema(responses=ModuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ModuleSerializer(modules_published()[:200], many=True).data)

    @extend_schema(request=ModuleInSerializer, responses={201: ModuleSerializer})
    def post(self, request: Request) -> Response:
        editor = editor_of(request)
        data = ModuleInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["topic"] = topic_or_none(fields.pop("topic", ""))
        module = module_create(editor=editor, **fields)
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


class ModuleDetailView(APIView):
    """The module's current version as a learner takes it: resources and questions, no answers."""

    @extend_schema(responses=ModuleVersionSerializer)
    def get(self, request: Request, id: str) -> Response:
        version = module_version_current(_module(request, id))
        if version is None:
            raise NotFound("This module has no published version yet.")
        return Response(ModuleVersionSerializer(version_for_learner(version)).data)


def attempt_detail_body(attempt: ModuleAttempt) -> dict[str, Any]:
    record = getattr(attempt, "cpd_record", None)
    credential = getattr(record, "credential", None) if record is not None else None
    data = {
        **AttemptSerializer(attempt).data,
        "reflection": attempt.reflection,
        "feedback": FeedbackSerializer(attempt_feedback(attempt), many=True).data,
        "credential": credential.code if credential is not None else None,
    }
    return data


class ModuleAttemptsView(APIView):
    """Submit answers to the module's current version: the attempt is scored and kept, and the result
    comes with the correct answers and explanations. A pass writes the CPD record and credential."""

    permission_classes = SIGNED_IN

    @extend_schema(request=AttemptInSerializer, responses={201: AttemptDetailSerializer})
    def post(self, request: Request, id: str) -> Response:
        module = _module(request, id)
        data = AttemptInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asked = data.validated_data.get("version")
        version = (
            module_version_current(module) if asked is None else module.versions.filter(version=asked).first()
        )
        if version is None and asked is not None:
            raise Conflict(f"Version {asked} of this module is not offered.")
        if version is None:
            raise NotFound("This module has no published version yet.")
        attempt = attempt_submit(  # refuses (409) a version that is no longer the one offered
            learner=signed_in(request),
            version=version,
            answers=data.validated_data["answers"],
            reflection=data.validated_data.get("reflection", ""),
        )
        return Response(attempt_detail_body(attempt), status=status.HTTP_201_CREATED)
