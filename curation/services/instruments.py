"""Instruments are data: editors revise one by creating a new version; old versions stay, so every
review keeps the exact version it answered."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from curation.enums import ScaleKind
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import Instrument, InstrumentVersion, User
from curation.services.audit import audit_record

DEFAULT_MIN_PANEL = 3  # reviews a designation rests on, unless an editor raises it for a version


def instrument_items_validate(items: Any, thresholds: Any) -> tuple[int, int]:
    """Check the structure of items and thresholds; return (total_min, total_max). Raises InvalidInput."""
    if not isinstance(items, list) or not items:
        raise InvalidInput("An instrument needs at least one item.")
    keys: set[str] = set()
    total_min = total_max = 0
    for index, item in enumerate(items):
        where = f"item {index + 1}"
        if (
            not isinstance(item, dict)
            or not str(item.get("key", "")).strip()
            or not str(item.get("label", "")).strip()
        ):
            raise InvalidInput(f"{where} needs a key and a label.")
        if item["key"] in keys:
            raise InvalidInput(f"{where}: the key {item['key']!r} is used twice.")
        keys.add(item["key"])
        scale = item.get("scale") or {}
        if scale.get("kind") == ScaleKind.YES_NO:
            low, high = 0, 1
        elif (
            scale.get("kind") == ScaleKind.NUMERIC
            and isinstance(scale.get("min"), int)
            and isinstance(scale.get("max"), int)
        ):
            low, high = scale["min"], scale["max"]
            if low >= high:
                raise InvalidInput(f"{where}: the scale minimum must be below its maximum.")
        else:
            raise InvalidInput(f"{where}: the scale must be yes/no or numeric with whole-number min and max.")
        total_min, total_max = total_min + low, total_max + high
    for threshold in thresholds or []:
        if (
            not isinstance(threshold, dict)
            or not threshold.get("label")
            or not isinstance(threshold.get("min_total"), int | float)
        ):
            raise InvalidInput("Each designation threshold needs a label and a numeric min_total.")
        if not total_min <= threshold["min_total"] <= total_max:
            raise InvalidInput(
                f"The threshold {threshold['label']!r} lies outside the possible totals {total_min} to {total_max}."
            )
    return total_min, total_max


def instrument_version_create(
    *,
    editor: User,
    instrument: Instrument,
    items: list[dict[str, Any]],
    thresholds: list[dict[str, Any]],
    notes: str = "",
    min_panel: int = DEFAULT_MIN_PANEL,
) -> InstrumentVersion:
    """Create the next version of an instrument (editors only). Earlier versions are never changed.
    `min_panel` is how many reviews a designation under this version rests on: at least
    DEFAULT_MIN_PANEL (editors may raise it, never lower it). Raises NotAllowed, InvalidInput
    (items, thresholds or panel), Conflict (a concurrent save)."""
    if not editor.is_editor:
        raise NotAllowed("Only editors revise instruments.")
    total_min, total_max = instrument_items_validate(items, thresholds)
    if (
        not isinstance(min_panel, int)
        or isinstance(min_panel, bool)
        or not DEFAULT_MIN_PANEL <= min_panel <= 50
    ):
        raise InvalidInput(
            f"The minimum panel is a whole number from {DEFAULT_MIN_PANEL} to 50.",
            field_errors={"min_panel": [f"From {DEFAULT_MIN_PANEL} to 50."]},
        )
    ordered = sorted(thresholds, key=lambda threshold: threshold["min_total"], reverse=True)
    try:
        with transaction.atomic():
            latest = instrument.versions.aggregate(latest=Max("version"))["latest"] or 0
            version = InstrumentVersion.objects.create(
                instrument=instrument,
                version=latest + 1,
                items=items,
                thresholds=ordered,
                total_min=total_min,
                total_max=total_max,
                notes=notes,
                created_by=editor,
                min_panel=min_panel,
            )
            audit_record(
                actor=editor,
                action="instrument.version_created",
                target=instrument,
                after={"version": version.version, "min_panel": min_panel},
            )
    except IntegrityError as error:
        raise Conflict("Another editor saved a version at the same moment; reload and try again.") from error
    return version


def designation_for_total(version: InstrumentVersion, total: float | None) -> str:
    """The highest threshold the total reaches, or '' (no designation). None means not reviewed."""
    if total is None:
        return ""
    for threshold in version.thresholds:
        if total >= threshold["min_total"]:
            return str(threshold["label"])
    return ""
