"""API v1 for learning credit: modules and their questions (never the answers before an attempt is
submitted), one's own attempts, CPD records and credentials, public credential verification, cohorts
(their director), joining and leaving a cohort, reviewer credit and ORCID peer-review JSON, and the
editors' module building and program directors."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.integrity import _editor
from api.social import SIGNED_IN
from config.requests import signed_in, viewer
from curation.certificates import absolute, open_badge, orcid_peer_review, verification_path
from curation.errors import Conflict
from curation.errors import NotFound as DomainNotFound
from curation.models import Credential, Module, ModuleAttempt, Resource, Review, Topic, User
from curation.selectors.credit import (
    attempt_feedback,
    attempt_own,
    attempts_of,
    cohort_by_code,
    cohort_dashboard,
    cohort_directed,
    cohorts_directed_by,
    cpd_records_of,
    credential_by_code,
    credentials_of,
    is_program_director,
    memberships_of,
    module_version_current,
    module_visible,
    modules_published,
    resources_designated,
    reviewer_year_summary,
    reviewer_years,
    reviews_for_credit,
    version_for_learner,
)
from curation.services.credit import (
    attempt_submit,
    cohort_create,
    cohort_join,
    cohort_leave,
    cohort_member_remove,
    credential_revoke,
    director_grant,
    director_revoke,
    module_create,
    module_item_add,
    module_item_remove,
    module_publish,
    module_retire,
    module_update,
    orcid_push_request,
    question_add,
    question_remove,
    resource_minutes,
    reviewer_credential_issue,
)

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="only this calendar year")


class ModuleSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    topic = serializers.CharField(source="topic.name", allow_null=True, default=None)
    month = serializers.DateField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, module: Module) -> str:
        return absolute(f"/modules/{module.public_id}/")


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


class CpdRecordSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    module = serializers.UUIDField(source="module_version.module.public_id")
    title = serializers.CharField(source="module_version.content.title")
    version = serializers.IntegerField(source="module_version.version")
    completed_at = serializers.DateTimeField()
    score = serializers.FloatField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = serializers.BooleanField()
    credential = serializers.CharField(source="credential.code")


class CredentialSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.CharField()
    valid = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    achievement = serializers.DictField(help_text="what the credential certifies, as issued")
    verification_url = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()
    badge_url = serializers.SerializerMethodField()

    def get_valid(self, credential: Credential) -> bool:
        return credential.revoked_at is None

    def get_verification_url(self, credential: Credential) -> str:
        return absolute(verification_path(credential))

    def get_certificate_url(self, credential: Credential) -> str:
        return absolute(f"/credentials/{credential.code}/certificate.pdf")

    def get_badge_url(self, credential: Credential) -> str:
        return absolute(f"/credentials/{credential.code}/badge.json")


class CredentialVerificationSerializer(CredentialSerializer):
    badge = serializers.DictField(help_text="the Open Badges 3.0 OpenBadgeCredential")


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


def _module(request: Request, id: Any) -> Module:
    try:
        return module_visible(user=viewer(request), public_id=id)
    except DomainNotFound as error:
        raise NotFound(error.message) from error


class ModuleListView(APIView):
    """Published modules, newest month first (GET); an editor creates a draft (POST)."""

    @extend_schema(responses=ModuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ModuleSerializer(modules_published()[:200], many=True).data)

    @extend_schema(request=ModuleInSerializer, responses={201: ModuleSerializer})
    def post(self, request: Request) -> Response:
        editor = _editor(request)
        data = ModuleInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        slug = fields.pop("topic", "")
        fields["topic"] = get_object_or_404(Topic, slug=slug) if slug else None
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


def _attempt_detail(attempt: ModuleAttempt) -> dict[str, Any]:
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
        version = module_version_current(module)
        if version is None:
            raise NotFound("This module has no published version yet.")
        asked = data.validated_data.get("version")
        if asked is not None and asked != version.version:
            raise Conflict(f"Version {asked} is no longer offered; the current one is {version.version}.")
        attempt = attempt_submit(
            learner=signed_in(request),
            version=version,
            answers=data.validated_data["answers"],
            reflection=data.validated_data.get("reflection", ""),
        )
        return Response(_attempt_detail(attempt), status=status.HTTP_201_CREATED)


class MyAttemptsView(APIView):
    """Your attempts, newest first (every attempt is kept)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=AttemptSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(AttemptSerializer(attempts_of(learner=signed_in(request))[:500], many=True).data)


class MyAttemptView(APIView):
    """One of your attempts with its feedback."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=AttemptDetailSerializer)
    def get(self, request: Request, id: str) -> Response:
        try:
            attempt = attempt_own(learner=signed_in(request), public_id=id)
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        return Response(_attempt_detail(attempt))


class MyCpdView(APIView):
    """Your CPD records (one per module version passed), newest first."""

    permission_classes = SIGNED_IN

    @extend_schema(parameters=[YEAR], responses=CpdRecordSerializer(many=True))
    def get(self, request: Request) -> Response:
        year = request.query_params.get("year", "")
        records = cpd_records_of(
            learner=signed_in(request),
            year=int(year) if year.isascii() and year.isdigit() and len(year) == 4 else None,
        )
        return Response(CpdRecordSerializer(records, many=True).data)


class MyCredentialsView(APIView):
    """Your credentials: module passes and peer-review years."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=CredentialSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CredentialSerializer(credentials_of(user=signed_in(request)), many=True).data)


class CredentialVerifyView(APIView):
    """Public verification of a credential by its code, with its Open Badges 3.0 credential."""

    @extend_schema(responses=CredentialVerificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        try:
            credential = credential_by_code(code=code)
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        return Response({**CredentialSerializer(credential).data, "badge": open_badge(credential)})


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
    editor = _editor(request)
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
        resource = item.resource
        body = {
            "id": resource.public_id,
            "title": resource.title,
            "url": resource.canonical_url,
            "source": str(resource.source),
            "kind": resource.source.kind,
            "minutes": resource_minutes(resource),
        }
        return Response(ModuleResourceSerializer(body).data, status=status.HTTP_201_CREATED)


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


class CohortSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(max_length=200)
    program = serializers.CharField(read_only=True)
    invitation_code = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ResidentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="learner.public_id")
    name = serializers.CharField(source="learner.display_name")
    email = serializers.EmailField(source="learner.email")
    joined_at = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    records = CpdRecordSerializer(many=True)


class CohortDetailSerializer(CohortSerializer):
    residents = ResidentSerializer(many=True)


def _director(request: Request) -> User:
    user = signed_in(request)
    if not is_program_director(user):
        raise PermissionDenied("Only program directors do this.")
    return user


class CohortListView(APIView):
    """A program director's cohorts (GET) and a new one with its invitation code (POST)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=CohortSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CohortSerializer(cohorts_directed_by(director=_director(request)), many=True).data)

    @extend_schema(request=CohortSerializer, responses={201: CohortSerializer})
    def post(self, request: Request) -> Response:
        director = _director(request)
        data = CohortSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = cohort_create(director=director, name=data.validated_data["name"])
        return Response(CohortSerializer(cohort).data, status=status.HTTP_201_CREATED)


class CohortDetailView(APIView):
    """The director's dashboard of one of their cohorts: residents' modules passed since joining."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=CohortDetailSerializer)
    def get(self, request: Request, id: str) -> Response:
        try:
            cohort = cohort_directed(director=_director(request), public_id=id)
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        data = {
            **CohortSerializer(cohort).data,
            "residents": ResidentSerializer(cohort_dashboard(cohort=cohort), many=True).data,
        }
        return Response(data)


class JoinInSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=24)
    accept_notice = serializers.BooleanField(
        help_text="true: you accept that the director sees your name, e-mail and the modules you pass "
        "(module, date, score, hours) from today until you leave"
    )


class MembershipSerializer(serializers.Serializer[Any]):
    cohort = serializers.UUIDField(source="cohort.public_id")
    name = serializers.CharField(source="cohort.name")
    program = serializers.CharField(source="cohort.program")
    director = serializers.CharField(source="cohort.director.display_name")
    joined_at = serializers.DateTimeField()


class CohortJoinView(APIView):
    """Join a cohort by its invitation code, accepting the notice of what its director sees."""

    permission_classes = SIGNED_IN

    @extend_schema(request=JoinInSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request) -> Response:
        data = JoinInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cohort = cohort_by_code(code=data.validated_data["code"])
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        membership = cohort_join(
            learner=signed_in(request), cohort=cohort, notice_accepted=data.validated_data["accept_notice"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MyCohortsView(APIView):
    """The cohorts you are in."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(MembershipSerializer(memberships_of(learner=signed_in(request)), many=True).data)


class MyCohortView(APIView):
    """Leave a cohort: its director no longer sees anything of you."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str) -> Response:
        user = signed_in(request)
        membership = memberships_of(learner=user).filter(cohort__public_id=id).first()
        if membership is None:
            raise NotFound("You are not in that cohort.")
        cohort_leave(learner=user, cohort=membership.cohort)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    reviews = serializers.IntegerField()
    instruments = serializers.ListField(child=serializers.CharField())
    rounds = serializers.ListField(child=serializers.CharField())
    hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="estimated at one hour a review"
    )


class ReviewCreditInSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2999)


def _expert(request: Request) -> User:
    user = signed_in(request)
    if not user.is_verified_expert:
        raise PermissionDenied("Only verified experts do this.")
    return user


class MyReviewCreditView(APIView):
    """Your peer-review years (GET); issue or update a year's credential (POST)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=ReviewYearSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = _expert(request)
        years = [reviewer_year_summary(reviewer=user, year=year) for year in reviewer_years(reviewer=user)]
        return Response(ReviewYearSerializer(years, many=True).data)

    @extend_schema(request=ReviewCreditInSerializer, responses={201: CredentialSerializer})
    def post(self, request: Request) -> Response:
        user = _expert(request)
        data = ReviewCreditInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credential = reviewer_credential_issue(reviewer=user, year=data.validated_data["year"])
        return Response(CredentialSerializer(credential).data, status=status.HTTP_201_CREATED)


class OrcidPushSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(help_text="pending, posted or failed")
    put_code = serializers.CharField(help_text="ORCID's id of the activity, once posted")
    error = serializers.CharField()


def _own_review(request: Request, id: str) -> Review:
    review = reviews_for_credit(reviewer=_expert(request)).filter(public_id=id).first()
    if review is None:
        raise NotFound("No such review of yours.")
    return review


class MyReviewOrcidView(APIView):
    """One of your reviews as an ORCID API v3.0 peer-review activity, no scores or comments (GET);
    queue it for your ORCID record where ORCID_PUSH_ENABLED, once your ORCID iD is connected (POST)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, id: str) -> Response:
        return Response(orcid_peer_review(_own_review(request, id)))

    @extend_schema(request=None, responses={202: OrcidPushSerializer})
    def post(self, request: Request, id: str) -> Response:
        push = orcid_push_request(reviewer=signed_in(request), review=_own_review(request, id))
        return Response(OrcidPushSerializer(push).data, status=status.HTTP_202_ACCEPTED)


class DirectorInSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    program = serializers.CharField(max_length=200)


class DirectorSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(source="user.username")
    program = serializers.CharField()
    granted_at = serializers.DateTimeField()


class ProgramDirectorsView(APIView):
    """An editor makes a user a program director (POST, idempotent)."""

    permission_classes = SIGNED_IN

    @extend_schema(request=DirectorInSerializer, responses={201: DirectorSerializer})
    def post(self, request: Request) -> Response:
        editor = _editor(request)
        data = DirectorInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_object_or_404(User, username=data.validated_data["username"])
        director = director_grant(editor=editor, user=user, program=data.validated_data["program"])
        return Response(DirectorSerializer(director).data, status=status.HTTP_201_CREATED)


class ProgramDirectorView(APIView):
    """An editor revokes a program director."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        editor = _editor(request)
        director_revoke(editor=editor, user=get_object_or_404(User, username=username.replace("\x00", "")))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevocationInSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class CredentialRevocationView(APIView):
    """An editor revokes a credential (the reason goes to the audit trail); verification says so."""

    permission_classes = SIGNED_IN

    @extend_schema(request=RevocationInSerializer, responses={200: CredentialSerializer})
    def post(self, request: Request, code: str) -> Response:
        editor = _editor(request)
        data = RevocationInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            credential = credential_by_code(code=code)
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        credential_revoke(editor=editor, credential=credential, reason=data.validated_data["reason"])
        credential.refresh_from_db()
        return Response(CredentialSerializer(credential).data)


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
            slug = data.validated_data["topic"]
            fields["topic"] = get_object_or_404(Topic, slug=slug) if slug else None
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


class CohortMemberView(APIView):
    """The cohort's director removes a resident."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str, resident: str) -> Response:
        director = _director(request)
        try:
            cohort = cohort_directed(director=director, public_id=id)
        except DomainNotFound as error:
            raise NotFound(error.message) from error
        member = get_object_or_404(User, public_id=resident)
        cohort_member_remove(director=director, cohort=cohort, learner=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
