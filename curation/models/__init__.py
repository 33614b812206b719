"""Domain models, one module per concept group."""

from curation.models.accounts import ExpertProfile, User
from curation.models.catalogue import FetchAttempt, Resource, Source, Tombstone
from curation.models.taxonomy import Topic

__all__ = ["ExpertProfile", "FetchAttempt", "Resource", "Source", "Tombstone", "Topic", "User"]
