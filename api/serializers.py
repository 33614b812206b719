"""Explicit input and output serializers of API v1."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curation.models import (
    Appeal,
    CurationRound,
    Designation,
    Endorsement,
    Flag,
    Instrument,
    InstrumentVersion,
    Resource,
    ResourceMetrics,
    Review,
    Source,
    SourceClaim,
    Topic,
    User,
)
from curation.selectors import designation_changed_since_review


class TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ["slug", "name", "kind"]


class SourceSerializer(serializers.ModelSerializer[Source]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    topics = serializers.SlugRelatedField[Topic](many=True, read_only=True, slug_field="slug")
    resource_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "kind",
            "site_url",
            "feed_url",
            "language",
            "podcast_guid",
            "licence",
            "topics",
            "status",
            "last_outcome",
            "last_success_at",
            "liveness",
            "resource_count",
        ]


class SourceBriefSerializer(serializers.ModelSerializer[Source]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "title", "kind", "site_url"]


class DesignationBriefSerializer(serializers.ModelSerializer[Designation]):
    instrument = serializers.CharField(source="instrument_version.instrument.slug")
    version = serializers.IntegerField(source="instrument_version.version")
    provisional = serializers.BooleanField(
        help_text="published on fewer reviews than the instrument version's minimum panel"
    )
    reliability = serializers.FloatField(
        allow_null=True, help_text="reliability of the mean of review_count ratings (Spearman-Brown)"
    )
    changed_since_review = serializers.SerializerMethodField(
        help_text="the resource changed materially after its reviewers judged it"
    )

    class Meta:
        model = Designation
        fields = [
            "instrument",
            "version",
            "label",
            "mean_total",
            "review_count",
            "provisional",
            "reliability",
            "changed_since_review",
            "published_at",
        ]

    def get_changed_since_review(self, designation: Designation) -> bool:
        return designation_changed_since_review(designation, designation.resource)


class MetricsBriefSerializer(serializers.ModelSerializer[ResourceMetrics]):
    class Meta:
        model = ResourceMetrics
        fields = ["learner_endorsements", "expert_endorsements", "review_count", "ranking_score"]


_DATETIME = serializers.DateTimeField()


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.URLField(source="canonical_url", read_only=True)
    source = SourceBriefSerializer(read_only=True)  # type: ignore[assignment]  # a nested serializer field
    topics = serializers.SlugRelatedField[Topic](many=True, read_only=True, slug_field="slug")
    designations = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "title",
            "url",
            "source",
            "published_at",
            "summary",
            "topics",
            "enclosure_url",
            "enclosure_type",
            "duration_seconds",
            "video_id",
            "is_short",
            "view_count",
            "thumbnail_url",
            "liveness",
            "designations",
            "metrics",
            "snippet",
        ]

    def to_representation(self, resource: Resource) -> dict[str, Any]:
        """Built directly: on a list page the generic field-by-field walk costs more than the database
        does. The declared fields above stay the contract (OpenAPI); a test checks both agree."""
        source = resource.source
        return {
            "id": str(resource.public_id),
            "title": resource.title,
            "url": resource.canonical_url,
            "source": {
                "id": str(source.public_id),
                "title": source.title,
                "kind": source.kind,
                "site_url": source.site_url,
            },
            "published_at": _DATETIME.to_representation(resource.published_at),
            "summary": resource.summary,
            "topics": [topic.slug for topic in resource.topics.all()],
            "enclosure_url": resource.enclosure_url,
            "enclosure_type": resource.enclosure_type,
            "duration_seconds": resource.duration_seconds,
            "video_id": resource.video_id,
            "is_short": resource.is_short,
            "view_count": resource.view_count,
            "thumbnail_url": resource.thumbnail_url,
            "liveness": resource.liveness,
            "designations": self.get_designations(resource),
            "metrics": self.get_metrics(resource),
            "snippet": self.get_snippet(resource),
        }

    @extend_schema_field(DesignationBriefSerializer(many=True))
    def get_designations(self, resource: Resource) -> list[dict[str, Any]]:
        # Plain dicts: a nested serializer per row would rebuild its fields for every resource.
        return [
            {
                "instrument": d.instrument_version.instrument.slug,
                "version": d.instrument_version.version,
                "label": d.label,
                "mean_total": d.mean_total,
                "review_count": d.review_count,
                "provisional": d.provisional,
                "reliability": d.reliability,
                "changed_since_review": designation_changed_since_review(d, resource),
                "published_at": d.published_at.isoformat().replace("+00:00", "Z"),
            }
            for d in getattr(resource, "current_designations", [])
        ]

    @extend_schema_field(MetricsBriefSerializer(allow_null=True))
    def get_metrics(self, resource: Resource) -> dict[str, Any] | None:
        metrics = getattr(resource, "metrics", None) if hasattr(resource, "metrics") else None
        if metrics is None:
            return None
        return {
            "learner_endorsements": metrics.learner_endorsements,
            "expert_endorsements": metrics.expert_endorsements,
            "review_count": metrics.review_count,
            "ranking_score": metrics.ranking_score,
        }

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="highlighted match (HTML: text escaped, <mark> added); search only"
        )
    )
    def get_snippet(self, resource: Resource) -> str | None:
        return self.context.get("snippets", {}).get(resource.pk)


class InstrumentScoreSerializer(serializers.Serializer[dict[str, Any]]):
    instrument = serializers.CharField()
    version = serializers.IntegerField()
    min_total = serializers.IntegerField()
    max_total = serializers.IntegerField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True)
    ci95 = serializers.ListField(child=serializers.FloatField(allow_null=True), allow_null=True)
    reliability = serializers.FloatField(allow_null=True)
    more_ratings_needed = serializers.IntegerField(allow_null=True)


class PodcastPersonSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField()
    role = serializers.CharField(help_text="podcast:person role (host, guest…)")
    group = serializers.CharField(required=False)
    href = serializers.URLField(required=False, allow_blank=True)
    img = serializers.URLField(required=False, allow_blank=True)


class PodcastSoundbiteSerializer(serializers.Serializer[dict[str, Any]]):
    start = serializers.FloatField(help_text="seconds from the start of the episode")
    duration = serializers.FloatField(help_text="seconds")
    title = serializers.CharField(allow_blank=True)


class PodcastFundingSerializer(serializers.Serializer[dict[str, Any]]):
    url = serializers.URLField()
    text = serializers.CharField(allow_blank=True)


class PodcastAlternateEnclosureSerializer(serializers.Serializer[dict[str, Any]]):
    type = serializers.CharField(help_text="media type")
    sources = serializers.ListField(child=serializers.URLField())
    default = serializers.BooleanField()
    title = serializers.CharField(required=False)
    length = serializers.CharField(required=False)
    bitrate = serializers.CharField(required=False)
    height = serializers.CharField(required=False)
    lang = serializers.CharField(required=False)
    codecs = serializers.CharField(required=False)


class PodcastTagsSerializer(serializers.Serializer[dict[str, Any]]):
    """The Podcasting 2.0 tags of an episode a learner sees (each list present only when the feed has it)."""

    persons = PodcastPersonSerializer(many=True, required=False)
    soundbites = PodcastSoundbiteSerializer(many=True, required=False)
    funding = PodcastFundingSerializer(many=True, required=False)
    alternate_enclosures = PodcastAlternateEnclosureSerializer(many=True, required=False)


class TranscriptPassageSerializer(serializers.Serializer[Any]):
    start_seconds = serializers.IntegerField(allow_null=True, help_text="null: no timing in the transcript")
    text = serializers.CharField()


class TranscriptSerializer(serializers.Serializer[Any]):
    """An episode's transcript as the platform read it from the feed's `podcast:transcript` file."""

    url = serializers.URLField(help_text="the transcript file read")
    media_type = serializers.CharField()
    fetched_at = serializers.DateTimeField()
    passages = TranscriptPassageSerializer(many=True)


class ChapterSerializer(serializers.Serializer[Any]):
    start_seconds = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField(required=False, help_text="a link for this chapter")
    image = serializers.URLField(required=False, help_text="artwork for this chapter")


class ResourceDetailSerializer(ResourceSerializer):
    to_representation = serializers.ModelSerializer.to_representation  # type: ignore[assignment]  # the generic walk: one object
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    transcript_urls = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), read_only=True
    )
    scores = serializers.SerializerMethodField()
    podcast = PodcastTagsSerializer(read_only=True)
    chapters = serializers.SerializerMethodField(help_text="read from the feed's podcast:chapters file")

    class Meta(ResourceSerializer.Meta):
        fields = [
            *ResourceSerializer.Meta.fields,
            "authors",
            "transcript_urls",
            "chapters_url",
            "chapters",
            "podcast",
            "season",
            "episode",
            "scores",
        ]

    @extend_schema_field(ChapterSerializer(many=True))
    def get_chapters(self, resource: Resource) -> list[dict[str, Any]]:
        return ChapterSerializer(self.context.get("chapters", []), many=True).data  # type: ignore[return-value]

    @extend_schema_field(InstrumentScoreSerializer(many=True))
    def get_scores(self, resource: Resource) -> list[dict[str, Any]]:
        return InstrumentScoreSerializer(self.context.get("scores", []), many=True).data  # type: ignore[return-value]


class ItemSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the item's label, not the field's
    help = serializers.CharField(required=False, allow_blank=True)
    anchors = serializers.DictField(child=serializers.CharField(), required=False)
    scale = serializers.DictField()
    verbatim = serializers.BooleanField(
        required=False, help_text="false: wording not verbatim from the publication"
    )


class InstrumentVersionSerializer(serializers.ModelSerializer[InstrumentVersion]):
    items = ItemSerializer(many=True)

    class Meta:
        model = InstrumentVersion
        fields = [
            "version",
            "items",
            "thresholds",
            "total_min",
            "total_max",
            "min_panel",
            "notes",
            "created_at",
        ]


class InstrumentSerializer(serializers.ModelSerializer[Instrument]):
    versions = InstrumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["slug", "name", "citation", "description", "versions"]


class ReviewSerializer(serializers.ModelSerializer[Review]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    resource = serializers.UUIDField(source="resource.public_id", read_only=True)
    reviewer = serializers.CharField(source="reviewer.display_name", read_only=True)
    instrument = serializers.CharField(source="instrument_version.instrument.slug", read_only=True)
    version = serializers.IntegerField(source="instrument_version.version", read_only=True)
    round = serializers.UUIDField(source="round.public_id", read_only=True, allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "resource",
            "reviewer",
            "instrument",
            "version",
            "round",
            "scores",
            "total",
            "comments",
            "conflict_of_interest",
            "status",
            "submitted_at",
        ]


class ReviewDraftInputSerializer(serializers.Serializer[dict[str, Any]]):
    resource = serializers.UUIDField()
    instrument = serializers.SlugField()
    version = serializers.IntegerField(required=False, min_value=1, help_text="default: the current version")
    scores = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    conflict_of_interest = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class EndorsementSerializer(serializers.ModelSerializer[Endorsement]):
    resource = serializers.UUIDField(source="resource.public_id", read_only=True)

    class Meta:
        model = Endorsement
        fields = ["resource", "kind", "status", "note", "hold_reason", "created_at"]


class EndorsementInputSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class RoundSerializer(serializers.ModelSerializer[CurationRound]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    instrument = serializers.CharField(source="instrument_version.instrument.slug", read_only=True)
    version = serializers.IntegerField(source="instrument_version.version", read_only=True)
    topic: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    candidate_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CurationRound
        fields = [
            "id",
            "title",
            "instrument",
            "version",
            "topic",
            "window_start",
            "window_end",
            "deadline",
            "status",
            "published_at",
            "candidate_count",
        ]


class DesignationSerializer(DesignationBriefSerializer):
    resource = serializers.UUIDField(source="resource.public_id")
    round = serializers.UUIDField(source="round.public_id", allow_null=True)

    class Meta(DesignationBriefSerializer.Meta):
        fields = ["resource", *DesignationBriefSerializer.Meta.fields, "round"]


class MetricsSerializer(serializers.ModelSerializer[ResourceMetrics]):
    class Meta:
        model = ResourceMetrics
        fields = [
            "views",
            "clicks",
            "saves",
            "learner_endorsements",
            "expert_endorsements",
            "review_count",
            "instruments",
            "ranking_score",
            "formula_version",
            "computed_at",
        ]


class MeSerializer(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    verified_expert = serializers.BooleanField(source="is_verified_expert", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "verified_expert"]


# --- integrity: flags, appeals, claims, conflicts, removal, reviewer steering, instrument versions --------
class FlagInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=4000, help_text="what is wrong (no patient details)")
    review = serializers.UUIDField(
        required=False, allow_null=True, help_text="flag one published review of it"
    )


class CaseSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    held_for_confidentiality = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True, help_text="why the text is held, if it is")


class AppealInputSerializer(serializers.Serializer[dict[str, Any]]):
    designation = serializers.UUIDField(required=False, allow_null=True)
    review = serializers.UUIDField(required=False, allow_null=True)
    statement = serializers.CharField(max_length=4000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("designation")) == bool(attrs.get("review")):
            raise serializers.ValidationError("Give either a designation or a review.")
        return attrs


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    designation = serializers.UUIDField(source="designation.public_id", allow_null=True, read_only=True)
    review = serializers.UUIDField(source="review.public_id", allow_null=True, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "designation",
            "review",
            "statement",
            "status",
            "decision_reason",
            "created_at",
            "decided_at",
        ]


class SourceClaimSerializer(serializers.ModelSerializer[SourceClaim]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    source = serializers.UUIDField(source="source.public_id", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = SourceClaim
        fields = [
            "id",
            "source",
            "token",
            "status",
            "checked_at",
            "check_detail",
            "decision_reason",
            "created_at",
        ]


class ConflictsSerializer(serializers.Serializer[dict[str, Any]]):
    sources = serializers.ListField(child=serializers.UUIDField(), max_length=500, default=list)
    authors = serializers.ListField(child=serializers.CharField(max_length=200), max_length=200, default=list)
    statement = serializers.CharField(max_length=4000, allow_blank=True, default="")


class RemovalInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=300)


class AssignmentChangeSerializer(serializers.Serializer[dict[str, Any]]):
    resource = serializers.UUIDField(help_text="the candidate")
    add = serializers.UUIDField(required=False, allow_null=True, help_text="reviewer to add (a user id)")
    remove = serializers.UUIDField(
        required=False, allow_null=True, help_text="reviewer to remove (a user id)"
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("add") and not attrs.get("remove"):
            raise serializers.ValidationError("Give a reviewer to add, to remove, or both (a swap).")
        return attrs


class InstrumentVersionInputSerializer(serializers.Serializer[dict[str, Any]]):
    items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=100)
    thresholds = serializers.ListField(child=serializers.DictField(), max_length=20, default=list)
    min_panel = serializers.IntegerField(min_value=3, max_value=50, default=3)
    notes = serializers.CharField(max_length=4000, allow_blank=True, default="")


class CaseDecisionSerializer(serializers.Serializer[dict[str, Any]]):
    accept = serializers.BooleanField(help_text="true: uphold the flag or appeal, verify the claim")
    reason = serializers.CharField(max_length=2000, help_text="recorded in the audit trail")


class OpenFlagSerializer(serializers.ModelSerializer[Flag]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    resource = serializers.UUIDField(source="resource.public_id", read_only=True)
    review = serializers.UUIDField(source="review.public_id", allow_null=True, read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "resource", "review", "reason", "held_for_confidentiality", "created_at"]


class OpenCasesSerializer(serializers.Serializer[dict[str, Any]]):
    flags = OpenFlagSerializer(many=True)
    appeals = AppealSerializer(many=True)
    claims = SourceClaimSerializer(many=True)
