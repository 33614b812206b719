import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from research.exports import research_export


class Command(BaseCommand):
    help = "De-identified research export (reviews, endorsements, metrics as CSV; people as pseudonyms)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(settings.VAR_DIR / "research-export"))

    def handle(self, *args: Any, **options: Any) -> None:
        counts = research_export(options["out"], secret=settings.RESEARCH_PSEUDONYM_KEY)
        self.stdout.write(json.dumps({"out": options["out"], "rows": counts}))
