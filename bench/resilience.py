"""Workers that survive (issue 12, item 7): two Celery workers and beat on a private, append-only Redis
harvest 200 local feeds of 5 items; one worker is SIGKILLed and Redis restarted mid-harvest. Runs the
test that proves it (tests/workers/test_broker_restart.py) and records its figures: how long until every
item was stored, how many were stored at the kill, duplicates, whether the survivor reconnected.
Target: every item stored once within two minutes of the kill and restart.

Usage: DATABASE_URL=postgres://... python bench/resilience.py   (PostgreSQL, as in production)
Prints one JSON line and appends it to BENCHMARKS.md."""

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from _report import emit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/workers/test_broker_restart.py",
            ],
            cwd=ROOT,
            env={**os.environ, "RESILIENCE_REPORT": str(report)},
        )
        if done.returncode or not report.exists():
            raise SystemExit(f"the broker restart scenario failed (pytest exit {done.returncode})")
        figures = json.loads(report.read_text())
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    emit(
        {
            "benchmark": "resilience",
            "date": datetime.now(UTC).date().isoformat(),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {database}",
            "load_average_1min": round(os.getloadavg()[0], 2),
            **figures,
            "targets": {
                "all_stored_within_2_min_of_kill": figures["seconds_after_kill_and_restart"] <= 120,
                "no_duplicates": figures["duplicates"] == 0,
                "survivor_kept_running": True,  # the test fails otherwise
            },
        },
        record=True,
    )


if __name__ == "__main__":
    main()
