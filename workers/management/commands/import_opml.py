import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.services.opml import opml_import
from workers.management.commands._output import summary_line


class Command(BaseCommand):
    help = "Register every feed of an OPML file as a source. Bad entries are reported; good ones imported."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the OPML file ('-' for standard input)")
        parser.add_argument("--kind", default="blog", help="kind for entries without a /kind/ category")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            data = self.stdin_bytes() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        report = opml_import(data, default_kind=options["kind"])
        for problem in report.errors:
            self.stderr.write(f"skipped {problem['url'] or '(document)'}: {problem['error']}")
        self.stdout.write(summary_line(report.as_dict()))
        if report.errors and not report.created and not report.existing:
            raise CommandError("nothing could be imported")

    @staticmethod
    def stdin_bytes() -> bytes:
        return sys.stdin.buffer.read()
