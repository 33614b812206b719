"""Domain models, one module per concept group."""

from curation.models.accounts import ExpertProfile, User
from curation.models.apikeys import ApiKey, ApiKeyScope
from curation.models.catalogue import (
    EpisodeChapters,
    FetchAttempt,
    FetchDaily,
    Resource,
    Source,
    SourceClaim,
    SourceRequest,
    Tombstone,
    Transcript,
)
from curation.models.collections import Collection, CollectionItem, DigestPreference, Follow
from curation.models.metrics import (
    InstrumentReliabilitySnapshot,
    ResearchResult,
    ResourceDailyStat,
    ResourceMetrics,
    SavedResource,
    SourceImpactSnapshot,
    SourceSocialInputs,
    UsageVisit,
)
from curation.models.review import AuditEvent, Endorsement, Instrument, InstrumentVersion, Review
from curation.models.rounds import Appeal, Assignment, CurationRound, Designation, Flag, RoundCandidate
from curation.models.social import (
    Mention,
    SocialFetchAttempt,
    SocialForget,
    SocialIdentity,
    SocialImpactSnapshot,
    SocialPublication,
    SocialSource,
)
from curation.models.taxonomy import SearchSynonym, Topic

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "Appeal",
    "Assignment",
    "AuditEvent",
    "Collection",
    "CollectionItem",
    "CurationRound",
    "Designation",
    "DigestPreference",
    "Endorsement",
    "EpisodeChapters",
    "ExpertProfile",
    "FetchAttempt",
    "FetchDaily",
    "Flag",
    "Follow",
    "Instrument",
    "InstrumentReliabilitySnapshot",
    "InstrumentVersion",
    "Mention",
    "ResearchResult",
    "Resource",
    "ResourceDailyStat",
    "ResourceMetrics",
    "Review",
    "RoundCandidate",
    "SavedResource",
    "SearchSynonym",
    "SocialFetchAttempt",
    "SocialForget",
    "SocialIdentity",
    "SocialImpactSnapshot",
    "SocialPublication",
    "SocialSource",
    "Source",
    "SourceClaim",
    "SourceImpactSnapshot",
    "SourceRequest",
    "SourceSocialInputs",
    "Tombstone",
    "Topic",
    "Transcript",
    "UsageVisit",
    "User",
]
