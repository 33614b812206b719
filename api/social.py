"""API v1 for the social signal: each resource's and source's social index with its raw inputs and
public mentions (anyone); what is followed, the "discussed, not catalogued" queue, adding a site from
it, and requests to be forgotten (editors); an expert's own social identities."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import editor_of
from api.views import _visible_resource
from config.requests import signed_in
from curation.enums import SocialPlatform, SocialSourceKind
from curation.models import SocialIdentity, SocialSource, Source
from curation.selectors.social import (
    SocialPanel,
    discussed_not_catalogued,
    resource_social_panel,
    social_identities_for,
    social_sources_for_editor,
    source_social_panel,
)
from curation.services.social import (
    discussed_site_add,
    social_forget,
    social_identity_link,
    social_identity_remove,
    social_source_register,
    social_source_set_status,
)

SIGNED_IN = [IsAuthenticated, *APIView.permission_classes]


class MentionSerializer(serializers.Serializer[Any]):
    platform = serializers.CharField()
    post_url = serializers.CharField()
    author_handle = serializers.CharField()
    posted_at = serializers.DateTimeField()
    excerpt = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    likes = serializers.IntegerField()
    reposts = serializers.IntegerField()
    replies = serializers.IntegerField()
    quotes = serializers.IntegerField()
    engagement_read_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="the shared link, expanded and canonicalised")


class SocialPanelSerializer(serializers.Serializer[Any]):
    social_index = serializers.FloatField(source="index", allow_null=True)
    formula_version = serializers.CharField()
    formula = serializers.CharField(default="see curation/social.py: the formula and its inputs")
    inputs = serializers.DictField(help_text="the raw inputs stored with the snapshot")
    computed_at = serializers.DateTimeField(allow_null=True)
    expert_mentions = MentionSerializer(many=True)
    mentions = MentionSerializer(many=True)


def _panel(panel: SocialPanel) -> dict[str, Any]:
    return SocialPanelSerializer(panel).data


class ResourceSocialView(APIView):
    """A visible resource's social index (formula version and raw inputs) and its latest public
    mentions, expert mentions apart."""

    @extend_schema(responses=SocialPanelSerializer)
    def get(self, request: Request, id: str) -> Response:
        return Response(_panel(resource_social_panel(resource=_visible_resource(id))))


class SourceSocialView(APIView):
    """A source's social index over 90 days (followers where the platform reports them) and mentions."""

    @extend_schema(responses=SocialPanelSerializer)
    def get(self, request: Request, id: str) -> Response:
        source = get_object_or_404(Source, public_id=id)
        return Response(_panel(source_social_panel(source=source)))


class SocialSourceSerializer(serializers.Serializer[Any]):
    public_id = serializers.UUIDField(read_only=True)
    platform = serializers.ChoiceField(choices=SocialPlatform.choices)
    kind = serializers.ChoiceField(choices=SocialSourceKind.choices)
    query = serializers.CharField(max_length=300)
    instance = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    catalogue_source = serializers.UUIDField(
        required=False, allow_null=True, default=None, write_only=True, help_text="for an account: its source"
    )
    status = serializers.CharField(read_only=True)
    last_outcome = serializers.CharField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    last_success_at = serializers.DateTimeField(read_only=True)
    next_poll_at = serializers.DateTimeField(read_only=True)
    followers_count = serializers.IntegerField(read_only=True, allow_null=True)
    mention_count = serializers.IntegerField(read_only=True, default=0)


class SocialSourceListView(APIView):
    """Editors: what is followed on Mastodon and Bluesky (GET), and follow something new (POST)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=SocialSourceSerializer(many=True))
    def get(self, request: Request) -> Response:
        editor_of(request)
        return Response(SocialSourceSerializer(social_sources_for_editor()[:500], many=True).data)

    @extend_schema(request=SocialSourceSerializer, responses={201: SocialSourceSerializer})
    def post(self, request: Request) -> Response:
        editor = editor_of(request)
        data = SocialSourceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        social_source, created = social_source_register(
            editor=editor,
            platform=values["platform"],
            kind=values["kind"],
            query=values["query"],
            instance=values["instance"],
            source_public_id=str(values["catalogue_source"] or ""),
        )
        return Response(
            SocialSourceSerializer(social_source).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SocialSourceStatusSerializer(serializers.Serializer[Any]):
    active = serializers.BooleanField()


class SocialSourceStatusView(APIView):
    """Editors: pause or resume a social source."""

    permission_classes = SIGNED_IN

    @extend_schema(request=SocialSourceStatusSerializer, responses=SocialSourceSerializer)
    def post(self, request: Request, id: str) -> Response:
        editor = editor_of(request)
        data = SocialSourceStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        social_source = get_object_or_404(SocialSource, public_id=id)
        updated = social_source_set_status(
            editor=editor, social_source=social_source, active=data.validated_data["active"]
        )
        return Response(SocialSourceSerializer(updated).data)


class DiscussedSiteSerializer(serializers.Serializer[Any]):
    site = serializers.CharField()
    mentions = serializers.IntegerField()
    accounts = serializers.IntegerField()
    expert_mentions = serializers.IntegerField()
    latest = serializers.DateTimeField()
    sample_urls = serializers.ListField(child=serializers.CharField())
    request_status = serializers.CharField()


class DiscussedAddSerializer(serializers.Serializer[Any]):
    site = serializers.CharField(max_length=255)


class DiscussedView(APIView):
    """Editors: sites discussed on social media but not catalogued, most mentioned first (GET); ask
    discovery to add one (POST {"site"}), as "add source" does."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=DiscussedSiteSerializer(many=True))
    def get(self, request: Request) -> Response:
        editor_of(request)
        return Response(DiscussedSiteSerializer(discussed_not_catalogued(limit=100), many=True).data)

    @extend_schema(request=DiscussedAddSerializer, responses={202: DiscussedSiteSerializer})
    def post(self, request: Request) -> Response:
        editor = editor_of(request)
        data = DiscussedAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source_request = discussed_site_add(editor=editor, site=data.validated_data["site"])
        return Response(
            {
                "request": str(source_request.public_id),
                "url": source_request.url,
                "status": source_request.status,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class ForgetSerializer(serializers.Serializer[Any]):
    handle = serializers.CharField(max_length=300)
    platform = serializers.ChoiceField(
        choices=[("", "both"), *SocialPlatform.choices], required=False, default=""
    )


class SocialForgetView(APIView):
    """Editors: carry out an author's request to be forgotten (their mentions are deleted and never
    stored again)."""

    permission_classes = SIGNED_IN

    @extend_schema(request=ForgetSerializer, responses={200: ForgetSerializer})
    def post(self, request: Request) -> Response:
        editor = editor_of(request)
        data = ForgetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        forget = social_forget(
            editor=editor, handle=data.validated_data["handle"], platform=data.validated_data["platform"]
        )
        return Response(
            {
                "handle": forget.handle,
                "platform": forget.platform,
                "mentions_deleted": forget.mentions_deleted,
            }
        )


class SocialIdentitySerializer(serializers.Serializer[Any]):
    public_id = serializers.UUIDField(read_only=True)
    platform = serializers.ChoiceField(choices=SocialPlatform.choices)
    handle = serializers.CharField(max_length=300)
    status = serializers.CharField(read_only=True)
    method = serializers.CharField(read_only=True)
    check_detail = serializers.CharField(read_only=True)
    verified_at = serializers.DateTimeField(read_only=True)


class MySocialIdentitiesView(APIView):
    """A verified expert's Mastodon and Bluesky identities (GET), and link one (POST): a worker checks
    that the profile links back to the expert's portfolio page."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=SocialIdentitySerializer(many=True))
    def get(self, request: Request) -> Response:
        user = signed_in(request)
        return Response(SocialIdentitySerializer(social_identities_for(user=user), many=True).data)

    @extend_schema(request=SocialIdentitySerializer, responses={201: SocialIdentitySerializer})
    def post(self, request: Request) -> Response:
        user = signed_in(request)
        data = SocialIdentitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identity = social_identity_link(
            user=user, platform=data.validated_data["platform"], handle=data.validated_data["handle"]
        )
        return Response(SocialIdentitySerializer(identity).data, status=status.HTTP_201_CREATED)


class MySocialIdentityView(APIView):
    """Unlink one of your identities."""

    permission_classes = SIGNED_IN

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str) -> Response:
        user = signed_in(request)
        identity = get_object_or_404(SocialIdentity, public_id=id, user=user)
        social_identity_remove(user=user, identity=identity)
        return Response(status=status.HTTP_204_NO_CONTENT)
