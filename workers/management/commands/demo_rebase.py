"""`manage.py demo_rebase http://127.0.0.1:PORT`: move the offline demo's sources to the demo feed
server's address of this run (used by `make run OFFLINE=1`), so restarts never duplicate them."""

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from curation.services.catalogue import source_rebase_local

TEMPLATE = Path(__file__).resolve().parents[2] / "demo_feeds" / "demo.opml.template"


class Command(BaseCommand):
    help = "Point the offline demo's sources at this run's demo feed server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("base", help="the demo feed server's base URL, e.g. http://127.0.0.1:43210")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = re.findall(r'xmlUrl="\{base\}/([^"]+)"', TEMPLATE.read_text())
        moved = source_rebase_local(base=options["base"], paths=paths)
        self.stdout.write(f"{moved} demo source(s) moved to {options['base']}")
