"""Shared by the benchmarks: percentiles, and the one JSON line each prints and records."""

import json
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def emit(result: dict[str, Any], *, record: bool) -> None:
    """Print the result as one JSON line and, unless told not to, append it to BENCHMARKS.md."""
    line = json.dumps(result)
    print(line)
    if record:
        with BENCHMARKS.open("a", encoding="utf-8") as benchmarks:
            benchmarks.write(f"\n`{line}`\n")
