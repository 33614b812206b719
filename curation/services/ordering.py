"""Hand-ordered lists (a reading list's resources, a module's resources): moving one row up or down."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from curation.errors import NotFound


def position_move(rows: QuerySet[Any], *, resource_id: int, offset: int, missing: str) -> None:
    """Move the row of `resource_id` up (offset < 0) or down (offset > 0) among `rows` (which have a
    `position`), renumbering from 1 under a row lock. Raises NotFound(`missing`) when it is not there."""
    with transaction.atomic():
        items = list(rows.select_for_update().order_by("position", "id"))
        index = next((i for i, item in enumerate(items) if item.resource_id == resource_id), None)
        if index is None:
            raise NotFound(missing)
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))
        for position, item in enumerate(items, start=1):
            if item.position != position:
                rows.model.objects.filter(pk=item.pk).update(position=position)
