"""Residency programs: editors make program directors; directors' cohorts and dashboards; residents
join (accepting the notice) and leave."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import editor_of
from api.credit.records import CpdRecordSerializer
from api.social import SIGNED_IN
from config.requests import signed_in
from curation.models import User
from curation.selectors.credit import (
    cohort_by_code,
    cohort_dashboard,
    cohort_directed,
    cohorts_directed_by,
    is_program_director,
    memberships_of,
)
from curation.services.credit import (
    cohort_create,
    cohort_join,
    cohort_leave,
    cohort_member_remove,
    director_grant,
    director_revoke,
)


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
        cohort = cohort_directed(director=_director(request), public_id=id)
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
        cohort = cohort_by_code(code=data.validated_data["code"])
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
        editor = editor_of(request)
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
        editor = editor_of(request)
        director_revoke(editor=editor, user=get_object_or_404(User, username=username.replace("\x00", "")))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortMemberView(APIView):
    """The cohort's director removes a resident."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str, resident: str) -> Response:
        director = _director(request)
        cohort = cohort_directed(director=director, public_id=id)
        member = get_object_or_404(User, public_id=resident)
        cohort_member_remove(director=director, cohort=cohort, learner=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
