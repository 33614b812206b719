"""API v1 for keeping publication defensible: flags, appeals, source claims, declared conflicts, and the
editors' removal, reviewer steering and instrument versions. Each view parses input, calls one
service and serialises the result; domain refusals become problem details (4xx)."""

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as out
from api.auth import editor_of
from api.views import _visible_resource, cursor_ordered
from config.requests import signed_in
from curation import selectors
from curation.models import (
    Appeal,
    CurationRound,
    Designation,
    ExpertProfile,
    Flag,
    Instrument,
    Resource,
    RoundCandidate,
    Source,
    SourceClaim,
    User,
)
from curation.selectors import editorial
from curation.services.cases import appeal_decide, appeal_submit, flag_decide, flag_raise
from curation.services.claims import source_claim_decide, source_claim_start
from curation.services.instruments import instrument_version_create
from curation.services.integrity import resource_remove
from curation.services.reviews import conflict_declare
from curation.services.rounds import assignment_add, assignment_remove, assignment_swap

SIGNED_IN = [IsAuthenticated, *APIView.permission_classes]


def _case(case: Any, message: str) -> dict[str, Any]:
    return out.CaseSerializer(
        {
            "public_id": case.public_id,
            "status": case.status,
            "held_for_confidentiality": case.held_for_confidentiality,
            "message": message,
        }
    ).data


class ResourceFlagView(APIView):
    """Flag a resource, or one of its published reviews, for an editor (any signed-in user)."""

    permission_classes = SIGNED_IN

    @extend_schema(request=out.FlagInputSerializer, responses={201: out.CaseSerializer})
    def post(self, request: Request, id: str) -> Response:
        data = out.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = _visible_resource(id)
        review = None
        if data.validated_data.get("review"):
            review = (
                selectors.reviews_public()
                .filter(public_id=data.validated_data["review"], resource=resource)
                .first()
            )
            if review is None:
                raise NotFound("No published review of this resource with this id.")
        flag, message = flag_raise(
            user=signed_in(request), resource=resource, review=review, reason=data.validated_data["reason"]
        )
        return Response(_case(flag, message), status=status.HTTP_201_CREATED)


class AppealCreateView(APIView):
    """An author (an owner of the resource's source) appeals a current designation or a published review."""

    permission_classes = SIGNED_IN

    @extend_schema(request=out.AppealInputSerializer, responses={201: out.CaseSerializer})
    def post(self, request: Request) -> Response:
        data = out.AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        designation = review = None
        if values.get("designation"):
            designation = (
                Designation.objects.select_related("resource__source")
                .filter(public_id=values["designation"], resource__status="visible")
                .first()
            )
            if designation is None:
                raise NotFound("No designation with this id.")
        else:
            review = (
                selectors.reviews_public()
                .select_related("resource__source")
                .filter(public_id=values["review"])
                .first()
            )
            if review is None:
                raise NotFound("No published review with this id.")
        appeal, message = appeal_submit(
            appellant=signed_in(request),
            designation=designation,
            review=review,
            statement=values["statement"],
        )
        return Response(_case(appeal, message), status=status.HTTP_201_CREATED)


class SourceClaimView(APIView):
    """Start a claim of a source (idempotent while pending): the answer carries the token to place in the
    feed or on the site's home page."""

    permission_classes = SIGNED_IN

    @extend_schema(request=None, responses={201: out.SourceClaimSerializer})
    def post(self, request: Request, id: str) -> Response:
        source = get_object_or_404(Source, public_id=id)
        claim = source_claim_start(user=signed_in(request), source=source)
        return Response(out.SourceClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class MyClaimsView(generics.ListAPIView):  # type: ignore[type-arg]
    """The caller's own source claims, newest first."""

    permission_classes = SIGNED_IN
    serializer_class = out.SourceClaimSerializer
    pagination_class = cursor_ordered("-created_at", "-id")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SourceClaim.objects.none()
        return SourceClaim.objects.filter(claimant=signed_in(self.request)).select_related("source")


class MyConflictsView(APIView):
    """An expert's declared conflicts: sources (ids), authors' names and a free-text statement."""

    permission_classes = SIGNED_IN

    def _profile(self, request: Request) -> ExpertProfile:
        profile = ExpertProfile.objects.filter(user=signed_in(request)).first()
        if profile is None:
            raise NotFound("You have no expert profile: apply as an expert first.")
        return profile

    def _body(self, profile: ExpertProfile) -> dict[str, Any]:
        return {
            "sources": [str(s) for s in profile.conflicted_sources.values_list("public_id", flat=True)],
            "authors": profile.conflicted_authors,
            "statement": profile.conflicts_of_interest,
        }

    @extend_schema(responses=out.ConflictsSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._body(self._profile(request)))

    @extend_schema(request=out.ConflictsSerializer, responses=out.ConflictsSerializer)
    def put(self, request: Request) -> Response:
        data = out.ConflictsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sources = list(Source.objects.filter(public_id__in=values["sources"]))
        if len(sources) != len(set(values["sources"])):
            raise NotFound("Some of these sources do not exist.")
        profile = conflict_declare(
            user=signed_in(request), sources=sources, authors=values["authors"], statement=values["statement"]
        )
        return Response(self._body(profile))


class ResourceRemovalView(APIView):
    """Editors remove a resource: it leaves every public surface and never returns on a harvest."""

    permission_classes = SIGNED_IN

    @extend_schema(request=out.RemovalInputSerializer, responses={204: None})
    def post(self, request: Request, id: str) -> Response:
        editor = editor_of(request)
        data = out.RemovalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = get_object_or_404(Resource, public_id=id)
        resource_remove(editor=editor, resource=resource, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoundAssignmentsView(APIView):
    """Editors add, remove or swap (both) one reviewer of one candidate of an open round."""

    permission_classes = SIGNED_IN

    @extend_schema(request=out.AssignmentChangeSerializer, responses={204: None})
    def post(self, request: Request, id: str) -> Response:
        editor = editor_of(request)
        data = out.AssignmentChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        round_ = get_object_or_404(CurationRound, public_id=id)
        candidate = get_object_or_404(RoundCandidate, round=round_, resource__public_id=values["resource"])
        add = get_object_or_404(User, public_id=values["add"]) if values.get("add") else None
        remove = get_object_or_404(User, public_id=values["remove"]) if values.get("remove") else None
        if add and remove:
            assignment_swap(
                editor=editor, candidate=candidate, remove=remove, add=add, reason=values["reason"]
            )
        elif add:
            assignment_add(editor=editor, candidate=candidate, reviewer=add)
        elif remove:
            assignment_remove(editor=editor, candidate=candidate, reviewer=remove, reason=values["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstrumentVersionCreateView(APIView):
    """Editors create the next version of an instrument (wording, anchors, thresholds, minimum panel)."""

    permission_classes = SIGNED_IN

    @extend_schema(
        request=out.InstrumentVersionInputSerializer, responses={201: out.InstrumentVersionSerializer}
    )
    def post(self, request: Request, slug: str) -> Response:
        editor = editor_of(request)
        data = out.InstrumentVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        instrument = get_object_or_404(Instrument, slug=slug)
        version = instrument_version_create(editor=editor, instrument=instrument, **data.validated_data)
        return Response(out.InstrumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)


# --- editors' decisions on cases (the moderation queue of the editor pages) ---------------------------
def _decide(kind: str) -> tuple[type[Any], Callable[[User, Any, bool, str], object]]:
    decisions: dict[str, tuple[type[Any], Callable[[User, Any, bool, str], object]]] = {
        "flag": (
            Flag,
            lambda e, item, accept, reason: flag_decide(editor=e, flag=item, uphold=accept, reason=reason),
        ),
        "appeal": (
            Appeal,
            lambda e, item, accept, reason: appeal_decide(
                editor=e, appeal=item, uphold=accept, reason=reason
            ),
        ),
        "claim": (
            SourceClaim,
            lambda e, item, accept, reason: source_claim_decide(
                editor=e, claim=item, approve=accept, reason=reason
            ),
        ),
    }
    if kind not in decisions:
        raise NotFound("No case of that kind (flag, appeal or claim).")
    return decisions[kind]


class CaseListView(APIView):
    """Editors: every open flag, appeal and source claim, oldest first."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=out.OpenCasesSerializer)
    def get(self, request: Request) -> Response:
        editor_of(request)
        queue = editorial.moderation_queue()
        return Response(
            out.OpenCasesSerializer(
                {"flags": queue.flags, "appeals": queue.appeals, "claims": queue.claims}
            ).data
        )


class CaseDecisionView(APIView):
    """Editors decide a flag, an appeal or a source claim, with a recorded reason."""

    permission_classes = SIGNED_IN

    @extend_schema(request=out.CaseDecisionSerializer, responses={204: None})
    def post(self, request: Request, kind: str, id: str) -> Response:
        editor = editor_of(request)
        model, decide = _decide(kind)
        data = out.CaseDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = get_object_or_404(model, public_id=id)
        decide(editor, item, data.validated_data["accept"], data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)
