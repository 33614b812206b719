from typing import Any

from django.core.management.base import BaseCommand

from curation.selectors.catalogue import opml_export


class Command(BaseCommand):
    help = "Write every source as OPML 2.0 to standard output."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(opml_export().decode("utf-8"))
