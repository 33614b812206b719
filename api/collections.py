"""Collections (reading lists, curated collections) and follows in the API: the same services and
selectors as the pages. Learners' public lists are reachable by their id (a shareable link), never
listed; the list endpoint gives your own and the editors' curated collections."""

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.integrity import SIGNED_IN
from api.views import _visible_resource
from config.requests import signed_in, viewer
from curation.enums import CollectionVisibility
from curation.errors import NotFound as DomainNotFound
from curation.models import Collection, Topic
from curation.selectors.collections import (
    collection_items,
    collection_visible,
    collections_visible_to,
    follows_of,
)
from curation.services.collections import (
    collection_add,
    collection_create,
    collection_delete,
    collection_remove,
    collection_update,
    follow_delete,
    follow_put,
)


class CollectionItemSerializer(serializers.Serializer[Any]):
    resource = serializers.UUIDField(source="resource.public_id")
    title = serializers.CharField(source="resource.title")
    url = serializers.URLField(source="resource.canonical_url")
    source_title = serializers.CharField(source="resource.source.title")
    note = serializers.CharField()
    position = serializers.IntegerField()


class CollectionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    visibility = serializers.ChoiceField(choices=CollectionVisibility.choices, required=False)
    editorial = serializers.BooleanField(source="is_editorial", read_only=True)
    topic = serializers.CharField(
        source="topic.slug", read_only=True, allow_null=True, help_text="the topic of a curated collection"
    )
    owner = serializers.CharField(source="owner.username", read_only=True)
    modified_at = serializers.DateTimeField(read_only=True)


class CollectionDetailSerializer(CollectionSerializer):
    items = CollectionItemSerializer(many=True, read_only=True)


class CollectionItemInSerializer(serializers.Serializer[Any]):
    resource = serializers.UUIDField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FollowSerializer(serializers.Serializer[Any]):
    topic = serializers.SlugField(required=False, help_text="a topic's slug")
    collection = serializers.UUIDField(required=False, help_text="a public collection's id")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("topic" in attrs) == ("collection" in attrs):
            raise ValidationError("Give a topic or a collection.")
        return attrs


def _collection(request: Request, id: str) -> Collection:
    try:
        return collection_visible(user=viewer(request), public_id=id)
    except DomainNotFound as error:
        raise NotFound(error.message) from error


def _detail(collection: Collection) -> dict[str, Any]:
    data = dict(CollectionSerializer(collection).data)
    data["items"] = CollectionItemSerializer(collection_items(collection=collection), many=True).data
    return data


class CollectionListView(APIView):
    """Your reading lists and the editors' curated collections (GET); a new list of yours (POST)."""

    @extend_schema(responses=CollectionSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = viewer(request)
        mine = Q(owner=user) if user is not None else Q(pk__in=[])
        collections = (
            collections_visible_to(user).filter(mine | Q(is_editorial=True)).order_by("-modified_at", "-id")
        )
        return Response(CollectionSerializer(collections[:200], many=True).data)

    def get_permissions(self) -> list[Any]:
        return [
            permission()
            for permission in (SIGNED_IN if self.request.method != "GET" else self.permission_classes)
        ]

    @extend_schema(request=CollectionSerializer, responses={201: CollectionDetailSerializer})
    def post(self, request: Request) -> Response:
        data = CollectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = collection_create(owner=signed_in(request), **data.validated_data)
        return Response(_detail(collection), status=status.HTTP_201_CREATED)


class CollectionDetailView(APIView):
    """A collection with its resources in order (public ones by id; private ones for their owner);
    its owner changes (PATCH) or deletes it."""

    @extend_schema(responses=CollectionDetailSerializer)
    def get(self, request: Request, id: str) -> Response:
        return Response(_detail(_collection(request, id)))

    @extend_schema(request=CollectionSerializer(partial=True), responses=CollectionDetailSerializer)
    def patch(self, request: Request, id: str) -> Response:
        collection = _collection(request, id)
        data = CollectionSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        collection_update(user=signed_in(request), collection=collection, **data.validated_data)
        return Response(_detail(collection))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str) -> Response:
        collection_delete(user=signed_in(request), collection=_collection(request, id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self) -> list[Any]:
        return [
            permission()
            for permission in (SIGNED_IN if self.request.method != "GET" else self.permission_classes)
        ]


class CollectionItemsView(APIView):
    """Add a resource (with an optional note) to your collection; idempotent."""

    permission_classes = SIGNED_IN

    @extend_schema(request=CollectionItemInSerializer, responses={201: CollectionDetailSerializer})
    def post(self, request: Request, id: str) -> Response:
        collection = _collection(request, id)
        data = CollectionItemInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = _visible_resource(str(data.validated_data["resource"]))
        collection_add(
            user=signed_in(request),
            collection=collection,
            resource=resource,
            note=data.validated_data.get("note", ""),
        )
        return Response(_detail(collection), status=status.HTTP_201_CREATED)


class CollectionItemView(APIView):
    """Remove a resource from your collection."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str, resource: str) -> Response:
        collection = _collection(request, id)
        if not collection_remove(
            user=signed_in(request), collection=collection, resource=_visible_resource(resource)
        ):
            raise NotFound("That resource is not in this collection.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyFollowsView(APIView):
    """What you follow (topics, collections): their newly vetted resources come in your weekly digest."""

    permission_classes = SIGNED_IN

    @staticmethod
    def _body(request: Request) -> list[dict[str, Any]]:
        return [
            {"topic": f.topic.slug} if f.topic else {"collection": str(f.collection.public_id)}  # type: ignore[union-attr]
            for f in follows_of(user=signed_in(request))
        ]

    @extend_schema(responses=FollowSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self._body(request))

    @extend_schema(request=FollowSerializer, responses={201: FollowSerializer(many=True)})
    def post(self, request: Request) -> Response:
        follow_put(user=signed_in(request), **self._target(request.data))
        return Response(self._body(request), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("topic", OpenApiTypes.STR, description="a topic's slug"),
            OpenApiParameter("collection", OpenApiTypes.UUID, description="a collection's id"),
        ],
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        if not follow_delete(user=signed_in(request), **self._target(request.query_params)):
            raise NotFound("You do not follow that.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _target(self, raw: Any) -> dict[str, Any]:
        data = FollowSerializer(data={key: raw[key] for key in ("topic", "collection") if key in raw})
        data.is_valid(raise_exception=True)
        if "topic" in data.validated_data:
            topic = Topic.objects.filter(slug=data.validated_data["topic"]).first()
            if topic is None:
                raise NotFound("No such topic.")
            return {"topic": topic}
        return {"collection": _collection(self.request, str(data.validated_data["collection"]))}
