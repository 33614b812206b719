import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.errors import DomainError
from curation.services.social import social_forget


class Command(BaseCommand):
    help = (
        "Carry out an author's request to be forgotten: delete every mention they wrote and never store "
        "their posts again. Prints a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle", help="name@instance (Mastodon) or name.domain (Bluesky)")
        parser.add_argument("--platform", choices=["mastodon", "bluesky"], default="", help="default: both")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            forget = social_forget(handle=options["handle"], platform=options["platform"])
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            json.dumps(
                {
                    "handle": forget.handle,
                    "platform": forget.platform or "both",
                    "mentions_deleted": forget.mentions_deleted,
                }
            )
        )
