import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from research.report import research_results_refresh


class Command(BaseCommand):
    help = (
        "Recompute the research dashboard's stored results now (the research worker does it nightly and "
        "within minutes of a newly published review or round). --if-changed skips it when nothing changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-changed", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(research_results_refresh(force=not options["if_changed"]), default=str))
