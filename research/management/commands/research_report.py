import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from research.report import build_report


class Command(BaseCommand):
    help = "Write the research report (HTML, SVG plots, CSV data) to a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(settings.VAR_DIR / "research-report"))

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(build_report(Path(options["out"]))))
