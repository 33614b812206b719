"""Reviewer credit: yearly peer-review credentials and reviews as ORCID peer-review activities (sent to
ORCID where switched on)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.credit.records import CredentialSerializer
from api.social import SIGNED_IN
from config.requests import signed_in
from curation.certificates import orcid_peer_review
from curation.models import Review, User
from curation.selectors.credit import reviewer_year_summaries, reviews_for_credit
from curation.services.credit import orcid_push_request, reviewer_credential_issue


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
        years = reviewer_year_summaries(reviewer=user)
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
