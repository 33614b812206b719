"""Shared by the benchmarks: percentiles, and the one JSON line each prints and records."""

import json
import os
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def emit(result: dict[str, Any], *, record: bool) -> None:
    """Print the result as one JSON line and, unless told not to, append it to BENCHMARKS.md. The
    machine's load average at the end of the run goes with it (how busy the machine was)."""
    result = {**result, "load_average_1_5_15_min": [round(load, 2) for load in os.getloadavg()]}
    line = json.dumps(result)
    print(line)
    if record:
        with BENCHMARKS.open("a", encoding="utf-8") as benchmarks:
            benchmarks.write(f"\n`{line}`\n")
