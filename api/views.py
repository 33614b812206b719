from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import DefaultCursorPagination
from api.serializers import ResourceSerializer, SourceSerializer, TopicSerializer
from curation import selectors


class ApiRootView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot", {"name": serializers.CharField(), "links": serializers.DictField()}
        )
    )
    def get(self, request: Request) -> Response:
        links = {
            "resources": reverse("api:resource-list"),
            "sources": reverse("api:source-list"),
            "topics": reverse("api:topic-list"),
            "schema": reverse("api:schema"),
            "docs": reverse("api-docs"),
        }
        return Response(
            {
                "name": "FOAM Curator API",
                "version": "v1",
                "links": {k: request.build_absolute_uri(v) for k, v in links.items()},
            }
        )


class ResourceListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = ResourceSerializer

    def get_queryset(self) -> Any:
        return selectors.resource_list_visible()


class ResourceDetailView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = ResourceSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        return selectors.resource_list_visible()


class SourcePagination(DefaultCursorPagination):
    ordering = ("title", "id")


class SourceListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = SourceSerializer
    pagination_class = SourcePagination

    def get_queryset(self) -> Any:
        return selectors.source_list_with_counts()


class SourceDetailView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = SourceSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        return selectors.source_list_with_counts()


class TopicPagination(DefaultCursorPagination):
    ordering = ("kind", "name", "id")
    page_size = 100


class TopicListView(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = TopicSerializer
    pagination_class = TopicPagination

    def get_queryset(self) -> Any:
        return selectors.topic_list()
