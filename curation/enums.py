"""Every enumeration of the domain, as TextChoices (stored as readable strings)."""

from django.db import models


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    EXPERT = "expert", "Expert"
    EDITOR = "editor", "Editor"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class TopicKind(models.TextChoices):
    SPECIALTY = "specialty", "Specialty"
    CANMEDS_ROLE = "canmeds_role", "CanMEDS role"
    LEARNER_LEVEL = "learner_level", "Learner level"


class SourceKind(models.TextChoices):
    BLOG = "blog", "Blog"
    PODCAST = "podcast", "Podcast"
    VIDEO = "video", "Video channel"


class SourceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DISCONTINUED = "discontinued", "Discontinued"


class IdentityMode(models.TextChoices):
    """How a source's entries are recognised across fetches."""

    GUID = "guid", "Entry guid"
    LINK = "link", "Entry link"


class FetchOutcome(models.TextChoices):
    NEVER = "never", "Never fetched"
    OK = "ok", "New document"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    UNCHANGED = "unchanged", "Unchanged body"
    GONE = "gone", "Gone (410)"
    RATE_LIMITED = "rate_limited", "Rate limited (429)"
    HTTP_ERROR = "http_error", "HTTP error"
    TIMEOUT = "timeout", "Timed out"
    CONNECTION_ERROR = "connection_error", "Connection failed"
    TOO_LARGE = "too_large", "Body too large"
    TOO_MANY_REDIRECTS = "too_many_redirects", "Too many redirects"
    BLOCKED_ADDRESS = "blocked_address", "Blocked address"
    INVALID_URL = "invalid_url", "Invalid URL"
    REJECTED_DOCUMENT = "rejected_document", "Rejected document (entities)"
    NOT_A_FEED = "not_a_feed", "Not a feed"
    PARSE_ERROR = "parse_error", "Could not process the document"

    @classmethod
    def successes(cls) -> frozenset["FetchOutcome"]:
        return frozenset({cls.OK, cls.NOT_MODIFIED, cls.UNCHANGED})


class CollectionVisibility(models.TextChoices):
    PRIVATE = "private", "Private (only you)"
    PUBLIC = "public", "Public (anyone with the link)"


class EpisodeFileStatus(models.TextChoices):
    """Where an episode's transcript or chapters file stands."""

    PENDING = "pending", "Waiting to be fetched"
    INDEXED = "indexed", "Read (transcripts: searchable)"
    FAILED = "failed", "Fetch failed (tried again later)"
    UNREADABLE = "unreadable", "Not a file we can read"


class ResourceStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Held for moderation"
    REMOVED = "removed", "Removed"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for revision"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EndorsementKind(models.TextChoices):
    LEARNER = "learner", "This helped me"
    EXPERT = "expert", "I vouch for this"


class EndorsementStatus(models.TextChoices):
    COUNTED = "counted", "Counted"
    HELD = "held", "Held for an editor"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ScaleKind(models.TextChoices):
    NUMERIC = "numeric", "Numeric range"
    YES_NO = "yes_no", "Yes / no"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft: choosing candidates"
    OPEN = "open", "Open: reviewers assigned"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class CaseStatus(models.TextChoices):
    """Flags and appeals."""

    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"


class SourceRequestStatus(models.TextChoices):
    """An editor's "add this URL": discovery runs on a worker, then the source exists or it failed."""

    PENDING = "pending", "Looking for the feed"
    ADDED = "added", "Added"
    FAILED = "failed", "Failed"


class Liveness(models.TextChoices):
    """The LITFL FOAM census's GOOD / GOING / GONE, for designated resources and their sources."""

    UNKNOWN = "unknown", "Not checked yet"
    LIVE = "live", "Live"
    DEGRADED = "degraded", "Degraded"
    GONE = "gone", "Gone"


class UsageKind(models.TextChoices):
    VIEW = "view", "View"
    CLICK = "click", "Outbound click"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the token"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


# Rules that group members, each written once.
COUNTED_REVIEW_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED)  # see selectors.reviews_public
HEALTHY_OUTCOMES = (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED, FetchOutcome.UNCHANGED, FetchOutcome.NEVER)
ACTIVE_ENDORSEMENT_STATUSES = (EndorsementStatus.COUNTED, EndorsementStatus.HELD)  # not withdrawn
REVIEWER_ROLES = (Role.EXPERT, Role.EDITOR)  # who may review once verified


class SocialPlatform(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


class SocialSourceKind(models.TextChoices):
    """What a social source follows: a hashtag, a text search (Bluesky), or one account's posts."""

    HASHTAG = "hashtag", "Hashtag"
    SEARCH = "search", "Search"
    ACCOUNT = "account", "Account"


class SocialIdentityStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the check"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Not verified"


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    POSTED = "posted", "Posted"
    FAILED = "failed", "Failed"


class ModuleStatus(models.TextChoices):
    """A module is built as a draft, published as numbered versions, and retired when it should no
    longer be taken (passes already earned stay valid)."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class CredentialKind(models.TextChoices):
    MODULE = "module", "Module completion"
    PEER_REVIEW = "peer_review", "Peer-review year"
