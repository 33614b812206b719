from rest_framework import serializers

from curation.models import Resource, Source, Topic


class TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ["slug", "name", "kind"]


class SourceSerializer(serializers.ModelSerializer[Source]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    resource_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id", "title", "kind", "site_url", "feed_url", "language", "licence", "topics", "status",
            "last_outcome", "last_success_at", "resource_count",
        ]  # fmt: skip


class SourceBriefSerializer(serializers.ModelSerializer[Source]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "title", "kind", "site_url"]


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    source = SourceBriefSerializer(read_only=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    transcript_urls = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), read_only=True
    )

    class Meta:
        model = Resource
        fields = [
            "id", "title", "canonical_url", "source", "authors", "published_at", "summary", "topics",
            "enclosure_url", "enclosure_type", "enclosure_size", "duration_seconds", "transcript_urls",
            "chapters_url", "season", "episode", "video_id", "is_short", "thumbnail_url",
        ]  # fmt: skip
