"""Shared output helpers for the harvesting commands: progress on a TTY, a JSON summary last."""

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int, description: str) -> Iterator[T]:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs, CI, pipes)."""
    yield from tqdm(items, total=total, desc=description, unit="source", disable=not sys.stderr.isatty())


def summary_line(summary: Mapping[str, object]) -> str:
    return json.dumps(summary, sort_keys=False)
