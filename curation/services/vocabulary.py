"""Editors extend the search vocabulary with groups of equivalent terms (the shipped file stays as it is)."""

from django.db import transaction

from curation.errors import InvalidInput, NotAllowed
from curation.models import SearchSynonym, User
from curation.services.audit import audit_record
from curation.vocabulary import synonyms_changed


def synonym_group_add(*, editor: User, terms: list[str]) -> SearchSynonym:
    """Add a group of two or more equivalent terms (each up to 80 characters, at most 12). Raises
    NotAllowed for a non-editor, InvalidInput otherwise. Search uses it at once. Audited."""
    if not editor.is_editor:
        raise NotAllowed("Only editors change the search vocabulary.")
    cleaned = list(dict.fromkeys(" ".join(term.split()) for term in terms if term.strip()))
    if not 2 <= len(cleaned) <= 12 or any(len(term) > 80 for term in cleaned):
        raise InvalidInput("Give 2 to 12 equivalent terms, each up to 80 characters, separated by commas.")
    with transaction.atomic():
        group = SearchSynonym.objects.create(terms=cleaned, added_by=editor)
        audit_record(actor=editor, action="search.synonyms_added", target=group, after={"terms": cleaned})
        synonyms_changed()  # now, and again once committed (a reader in between may cache the old groups)
        transaction.on_commit(synonyms_changed)
    return group


def synonym_group_delete(*, editor: User, group: SearchSynonym) -> None:
    if not editor.is_editor:
        raise NotAllowed("Only editors change the search vocabulary.")
    with transaction.atomic():
        audit_record(
            actor=editor, action="search.synonyms_removed", target=group, before={"terms": group.terms}
        )
        group.delete()
        synonyms_changed()  # now, and again once committed (a reader in between may cache the old groups)
        transaction.on_commit(synonyms_changed)
