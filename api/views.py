"""API v1 views: parse input, call one selector or service, serialise output."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as out
from api.filters import ResourceFilter
from api.pagination import DefaultCursorPagination, SearchCursorPagination
from config.requests import signed_in, viewer
from curation import selectors
from curation.enums import ACTIVE_ENDORSEMENT_STATUSES
from curation.models import CurationRound, Instrument, InstrumentVersion, Resource, Review
from curation.selectors.search import resource_related, resource_search, search_snippets
from curation.services.endorsements import endorsement_put, endorsement_withdraw
from curation.services.metrics import metrics_refresh_resource
from curation.services.reviews import review_save_draft, review_submit


def cursor_ordered(*ordering: str, page_size: int = 25) -> type[DefaultCursorPagination]:
    """Cursor pagination over a fixed, unique ordering (the last field breaks ties)."""
    return type(
        "OrderedCursorPagination", (DefaultCursorPagination,), {"ordering": ordering, "page_size": page_size}
    )


ORDERINGS = {
    "relevance": ("-search_rank", "-id"),
    "newest": ("-published_at", "-id"),
    "score": ("-score_sort", "-id"),
    "impact": ("-impact_sort", "-id"),
}


def _visible_resource(public_id: Any) -> Resource:
    try:
        uuid.UUID(str(public_id))
    except ValueError as error:
        raise ValidationError({"resource": ["Not a resource id (a UUID)."]}) from error
    resource = selectors.resource_get_visible(public_id=public_id)
    if resource is None:
        raise NotFound("No visible resource with this id.")
    return resource


class ApiRootView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "links": serializers.DictField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        names = {
            "resources": "resource-list",
            "sources": "source-list",
            "topics": "topic-list",
            "instruments": "instrument-list",
            "reviews": "review-list",
            "rounds": "round-list",
            "designations": "designation-list",
            "reliability": "reliability",
            "me": "me",
            "schema": "schema",
        }
        links = {key: request.build_absolute_uri(reverse(f"api:{name}")) for key, name in names.items()}
        links["docs"] = request.build_absolute_uri(reverse("api-docs"))
        return Response({"name": "FOAM Curator API", "version": "v1", "links": links})


class ResourceListView(generics.ListAPIView):  # type: ignore[type-arg]
    """Vetted and harvested resources. Full-text `q` (web-search syntax: "phrases", -exclude, OR),
    filters, and `ordering` = relevance (default with q) | newest (default) | score | impact."""

    serializer_class = out.ResourceSerializer
    filterset_class = ResourceFilter

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="full-text query"),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(ORDERINGS)),
            OpenApiParameter(
                "facets",
                OpenApiTypes.STR,
                enum=["true", "false"],
                description="true: add `facets`, the number of matching resources per topic, level, kind, "
                "designation and reviewed state (for the query and filters, not just this page)",
            ),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Resource]:
        if getattr(self, "swagger_fake_view", False):
            return Resource.objects.none()
        return selectors.resource_list_listed()  # score_sort and impact_sort are stored, indexed keys

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = request.query_params.get("q", "").strip()
        ordering = request.query_params.get("ordering") or ("relevance" if query else "newest")
        if ordering not in ORDERINGS or (ordering == "relevance" and not query):
            raise ValidationError({"ordering": [f"Use one of {', '.join(ORDERINGS)} (relevance needs q)."]})
        paginator: DefaultCursorPagination
        if ordering == "relevance":  # ranked only as far as the page needs; no sort keys to annotate
            paginator = SearchCursorPagination()
            resources = selectors.resource_list_listed()
            if set(request.query_params) & set(ResourceFilter.base_filters):
                resources = self.filter_queryset(resources)
            page = paginator.paginate_search(resources, query, request)
        else:
            paginator = cursor_ordered(*ORDERINGS[ordering])()
            resources = self.filter_queryset(self.get_queryset())
            found = resource_search(resources, query) if query else resources
            page = paginator.paginate_queryset(found, request, view=self) or []
        context = {
            **self.get_serializer_context(),
            "snippets": search_snippets([r.pk for r in page], query) if query else {},
        }
        response = paginator.get_paginated_response(
            out.ResourceSerializer(page, many=True, context=context).data
        )
        if self._wants_facets(request):
            matching = self.filter_queryset(selectors.resource_list_listed())
            response.data["facets"] = selectors.search_facet_counts(
                resource_search(matching, query) if query else matching
            )
        return response

    @staticmethod
    def _wants_facets(request: Request) -> bool:
        value = request.query_params.get("facets", "false")
        if value not in ("true", "false"):
            raise ValidationError({"facets": ["Use true or false."]})
        return value == "true"


class ResourceDetailView(APIView):
    @extend_schema(responses=out.ResourceDetailSerializer)
    def get(self, request: Request, id: str) -> Response:
        resource = get_object_or_404(selectors.resource_list_for_api(), public_id=id)
        scores = selectors.resource_instrument_scores(
            resource=resource, metrics=getattr(resource, "metrics", None)
        )
        context = {
            "scores": scores,
            "chapters": selectors.resource_chapters(resource=resource),
            "request": request,
        }
        return Response(out.ResourceDetailSerializer(resource, context=context).data)


class ResourceRelatedView(APIView):
    """Up to 10 related resources: vetted first, then by text similarity and co-endorsement."""

    @extend_schema(responses=out.ResourceSerializer(many=True))
    def get(self, request: Request, id: str) -> Response:
        resource = _visible_resource(id)
        related = resource_related(resource=resource, candidates=selectors.resource_list_listed(), limit=10)
        return Response(out.ResourceSerializer(related, many=True, context=self.get_renderer_context()).data)


class ResourceTranscriptView(APIView):
    """The episode's transcript in timed passages; 404 while none has been read (none offered, not
    fetched yet, or not in a format the platform reads)."""

    @extend_schema(responses=out.TranscriptSerializer)
    def get(self, request: Request, id: str) -> Response:
        transcript = selectors.resource_transcript(resource=_visible_resource(id))
        if transcript is None:
            raise NotFound("This resource has no transcript the platform has read.")
        data = {
            "url": transcript.url,
            "media_type": transcript.media_type,
            "fetched_at": transcript.fetched_at,
            "passages": [vars(passage) for passage in selectors.transcript_passages(transcript)],
        }
        return Response(out.TranscriptSerializer(data).data)


class ResourceMetricsView(APIView):
    @extend_schema(responses=out.MetricsSerializer)
    def get(self, request: Request, id: str) -> Response:
        resource = _visible_resource(id)
        metrics = getattr(resource, "metrics", None) or metrics_refresh_resource(resource_id=resource.pk)
        return Response(out.MetricsSerializer(metrics).data)


class EndorsementView(APIView):
    """The signed-in user's own endorsement of a resource: PUT is idempotent, DELETE withdraws."""

    permission_classes = [IsAuthenticated, *APIView.permission_classes]

    @extend_schema(responses=out.EndorsementSerializer)
    def get(self, request: Request, id: str) -> Response:
        endorsement = (
            _visible_resource(id)
            .endorsements.filter(user=signed_in(request))
            .filter(status__in=ACTIVE_ENDORSEMENT_STATUSES)
            .first()
        )
        if endorsement is None:
            raise NotFound("You have not endorsed this resource.")
        return Response(out.EndorsementSerializer(endorsement).data)

    @extend_schema(
        request=out.EndorsementInputSerializer,
        responses={200: out.EndorsementSerializer, 201: out.EndorsementSerializer},
    )
    def put(self, request: Request, id: str) -> Response:
        data = out.EndorsementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endorsement, created = endorsement_put(
            user=signed_in(request), resource=_visible_resource(id), note=data.validated_data["note"]
        )
        return Response(
            out.EndorsementSerializer(endorsement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str) -> Response:
        endorsement_withdraw(user=request.user, resource=_visible_resource(id))  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class SourceListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = out.SourceSerializer
    pagination_class = cursor_ordered("title", "id")

    def get_queryset(self) -> Any:
        return selectors.source_list_with_counts()


class SourceDetailView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = out.SourceSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        return selectors.source_list_with_counts()


class TopicListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = out.TopicSerializer
    pagination_class = cursor_ordered("kind", "name", "id", page_size=100)

    def get_queryset(self) -> Any:
        return selectors.topic_list()


class InstrumentListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = out.InstrumentSerializer
    pagination_class = cursor_ordered("name", "id")

    def get_queryset(self) -> Any:
        return Instrument.objects.prefetch_related("versions")


class InstrumentDetailView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = out.InstrumentSerializer
    lookup_field = "slug"
    queryset = Instrument.objects.prefetch_related("versions")


class ReviewListView(generics.ListCreateAPIView):  # type: ignore[type-arg]
    """Reviews the caller may read (blinded rounds stay hidden); POST saves the caller's draft."""

    serializer_class = out.ReviewSerializer
    pagination_class = cursor_ordered("-submitted_at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("resource", OpenApiTypes.UUID, description="only this resource's reviews")
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        resource_id = self.request.query_params.get("resource")
        resource = _visible_resource(resource_id) if resource_id else None
        return selectors.review_list_visible_to(user=self.request.user, resource=resource)  # type: ignore[arg-type]

    @extend_schema(request=out.ReviewDraftInputSerializer, responses={200: out.ReviewSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = out.ReviewDraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = (
            InstrumentVersion.objects.filter(
                instrument__slug=values["instrument"], version=values["version"]
            ).first()
            if "version" in values
            else selectors.instrument_version_current_by_slug(slug=values["instrument"])
        )
        if version is None:
            raise ValidationError({"instrument": ["No such instrument version."]})
        review = review_save_draft(
            reviewer=signed_in(request),
            resource=_visible_resource(values["resource"]),
            version=version,
            scores=values["scores"],
            comments=values["comments"],
            conflict_of_interest=values["conflict_of_interest"],
        )
        return Response(out.ReviewSerializer(review).data)


def _own_or_visible_review(request: Request, review_id: Any) -> Review:
    review = (
        Review.objects.select_related("resource", "reviewer", "instrument_version__instrument", "round")
        .filter(public_id=review_id)
        .first()
    )
    visible = review is not None and (
        (request.user.is_authenticated and review.reviewer_id == request.user.pk)
        or selectors.review_list_visible_to(user=viewer(request), resource=review.resource)
        .filter(pk=review.pk)
        .exists()
    )
    if not visible:
        raise NotFound("No review with this id is visible to you.")
    return review  # type: ignore[return-value]


class ReviewDetailView(APIView):
    @extend_schema(responses=out.ReviewSerializer)
    def get(self, request: Request, id: str) -> Response:
        return Response(out.ReviewSerializer(_own_or_visible_review(request, id)).data)


class ReviewSubmitView(APIView):
    permission_classes = [IsAuthenticated, *APIView.permission_classes]

    @extend_schema(request=None, responses=out.ReviewSerializer)
    def post(self, request: Request, id: str) -> Response:
        review = review_submit(reviewer=request.user, review=_own_or_visible_review(request, id))  # type: ignore[arg-type]
        return Response(out.ReviewSerializer(review).data)


class RoundListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = out.RoundSerializer
    pagination_class = cursor_ordered("-created_at", "-id")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CurationRound.objects.none()
        return selectors.round_list_visible_to(user=self.request.user)  # type: ignore[arg-type]


class RoundDetailView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = out.RoundSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CurationRound.objects.none()
        return selectors.round_list_visible_to(user=self.request.user)  # type: ignore[arg-type]


class DesignationListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = out.DesignationSerializer
    pagination_class = cursor_ordered("-published_at", "-id")

    def get_queryset(self) -> Any:
        return selectors.designation_list_current()


class ReliabilityView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "InstrumentReliability",
            {
                "instrument": serializers.CharField(),
                "version": serializers.IntegerField(),
                "computed_at": serializers.DateTimeField(),
                "single_rater_icc": serializers.FloatField(allow_null=True),
                "result": serializers.DictField(),
            },
            many=True,
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "instrument": s.instrument_version.instrument.slug,
                    "version": s.instrument_version.version,
                    "computed_at": s.computed_at,
                    "single_rater_icc": s.single_rater_icc,
                    "result": s.result,
                }
                for s in selectors.instrument_reliability_latest()
            ]
        )


class MeView(APIView):
    permission_classes = [IsAuthenticated, *APIView.permission_classes]

    @extend_schema(responses=out.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(out.MeSerializer(signed_in(request)).data)
