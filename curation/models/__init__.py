"""Domain models, one module per concept group."""

from curation.models.accounts import ExpertProfile, User
from curation.models.catalogue import FetchAttempt, Resource, Source, Tombstone
from curation.models.review import AuditEvent, Endorsement, Instrument, InstrumentVersion, Review
from curation.models.rounds import Appeal, Assignment, CurationRound, Designation, Flag, RoundCandidate
from curation.models.taxonomy import Topic

__all__ = [
    "Appeal",
    "Assignment",
    "AuditEvent",
    "CurationRound",
    "Designation",
    "Endorsement",
    "ExpertProfile",
    "FetchAttempt",
    "Flag",
    "Instrument",
    "InstrumentVersion",
    "Resource",
    "Review",
    "RoundCandidate",
    "Source",
    "Tombstone",
    "Topic",
    "User",
]
