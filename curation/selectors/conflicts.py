"""Conflicts of interest: what a reviewer's conflicts are made of (ownership, authorship, declared
sources and authors), loaded once so checking many resources costs no query per pair."""

from dataclasses import dataclass

from curation.models import ExpertProfile, Resource, Source, User


@dataclass(frozen=True)
class ConflictProfile:
    """What a reviewer's conflicts are made of, loaded once so that checking many resources (a round's
    assignment) costs no query per pair."""

    name: str
    owned_source_ids: frozenset[int]
    declared_source_ids: frozenset[int]
    declared_authors: frozenset[str]


_TITLES = frozenset(
    [
        "dr",
        "dr.",
        "prof",
        "prof.",
        "professor",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "mx",
        "miss",
        "sir",
        "dame",
        "md",
        "phd",
        "mbbs",
        "frcp",
        "frcem",
        "facem",
        "facep",
        "fcem",
        "mrcp",
        "rn",
        "np",
        "pa",
        "do",
        "bsc",
        "msc",
        "ma",
        "mba",
        "mph",
    ]
)


def _normalise_name(name: str) -> str:
    """A person's name for matching: case-folded, punctuation-free, without titles and post-nominals
    ("Dr Ada Quill, MD" and "ada quill" match)."""
    words = name.replace(",", " ").replace(".", ". ").split()
    return " ".join(w for w in (word.casefold().strip(".") for word in words) if w and w not in _TITLES)


def conflict_profiles(reviewers: list[User]) -> dict[int, ConflictProfile]:
    """Every reviewer's conflicts in three queries, however many reviewers (a round's assignment)."""
    ids = [reviewer.pk for reviewer in reviewers]
    owned: dict[int, set[int]] = {}
    for user_id, source_id in Source.owners.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "source_id"
    ):
        owned.setdefault(user_id, set()).add(source_id)
    declared: dict[int, set[int]] = {}
    for user_id, source_id in ExpertProfile.conflicted_sources.through.objects.filter(
        expertprofile__user_id__in=ids
    ).values_list("expertprofile__user_id", "source_id"):
        declared.setdefault(user_id, set()).add(source_id)
    authors = dict(ExpertProfile.objects.filter(user_id__in=ids).values_list("user_id", "conflicted_authors"))
    return {
        reviewer.pk: ConflictProfile(
            name=_normalise_name(reviewer.get_full_name()),
            owned_source_ids=frozenset(owned.get(reviewer.pk, ())),
            declared_source_ids=frozenset(declared.get(reviewer.pk, ())),
            declared_authors=frozenset(
                _normalise_name(a) for a in authors.get(reviewer.pk) or [] if a.strip()
            ),
        )
        for reviewer in reviewers
    }


def conflict_profile(reviewer: User) -> ConflictProfile:
    """The reviewer's ownerships and declared conflicts (sources and authors)."""
    profile = ExpertProfile.objects.filter(user=reviewer).first()
    declared_sources: frozenset[int] = frozenset()
    declared_authors: frozenset[str] = frozenset()
    if profile is not None:
        declared_sources = frozenset(profile.conflicted_sources.values_list("pk", flat=True))
        declared_authors = frozenset(
            _normalise_name(a) for a in profile.conflicted_authors or [] if a.strip()
        )
    return ConflictProfile(
        name=_normalise_name(reviewer.get_full_name()),
        owned_source_ids=frozenset(reviewer.owned_sources.values_list("pk", flat=True)),
        declared_source_ids=declared_sources,
        declared_authors=declared_authors,
    )


def conflict_reason(profile: ConflictProfile, resource: Resource) -> str:
    """Why a reviewer with `profile` may not review `resource` ('' when they may): ownership of its
    source, authorship, or a conflict they declared with its source or one of its authors."""
    if resource.source_id in profile.owned_source_ids:
        return "Listed as an owner of this resource's source."
    authors = {_normalise_name(author) for author in resource.authors or [] if isinstance(author, str)}
    if profile.name and profile.name in authors:
        return "Listed as an author of this resource."
    if resource.source_id in profile.declared_source_ids:
        return "Declared a conflict of interest with this resource's source."
    declared = sorted(profile.declared_authors & authors)
    if declared:
        return f"Declared a conflict of interest with an author of this resource ({declared[0].title()})."
    return ""


def reviewer_conflict(*, reviewer: User, resource: Resource) -> str:
    """Why this reviewer may not review this resource ('' when they may)."""
    reason = conflict_reason(conflict_profile(reviewer), resource)
    return f"You cannot review this resource (conflict of interest): {reason}" if reason else ""
