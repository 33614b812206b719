from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.enums import SourceKind
from curation.errors import InvalidInput
from curation.services.catalogue import source_register
from workers.harvest.discovery import DiscoveryError, discover
from workers.management.commands._output import summary_line


class Command(BaseCommand):
    help = (
        "Add a source from a feed URL, a site URL (feed discovery) or a YouTube channel/handle page. "
        "Prints the source's public id, then a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--kind", choices=SourceKind.values, help="override the detected kind")
        parser.add_argument("--topic", action="append", default=[], help="topic slug (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = discover(options["url"])
            source, created = source_register(
                feed_url=found.feed_url,
                kind=options["kind"] or found.kind,
                title=found.title,
                topic_slugs=options["topic"],
            )
        except (DiscoveryError, InvalidInput) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(source.public_id))
        summary = {
            "id": str(source.public_id),
            "feed_url": source.feed_url,
            "kind": source.kind,
            "title": source.title,
            "created": created,
        }
        self.stdout.write(summary_line(summary))
