"""Domain models, one module per concept group."""

from curation.models.accounts import ExpertProfile, User
from curation.models.catalogue import FetchAttempt, Resource, Source, Tombstone
from curation.models.review import AuditEvent, Endorsement, Instrument, InstrumentVersion, Review
from curation.models.taxonomy import Topic

__all__ = [
    "AuditEvent",
    "Endorsement",
    "ExpertProfile",
    "FetchAttempt",
    "Instrument",
    "InstrumentVersion",
    "Resource",
    "Review",
    "Source",
    "Tombstone",
    "Topic",
    "User",
]
