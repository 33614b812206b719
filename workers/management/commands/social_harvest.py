import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.enums import SourceStatus
from curation.models import SocialSource
from workers.management.commands._output import summary_line
from workers.social.pipeline import harvest_social_source
from workers.tasks import harvest_social_source_task


class Command(BaseCommand):
    help = (
        "Harvest social sources (Mastodon hashtags and accounts, Bluesky searches and accounts) now. By "
        "default queues one task per source for the workers; --sync harvests here, printing a line per "
        "source on stderr. The last line on stdout is a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="every active social source")
        target.add_argument("--source", nargs="+", metavar="ID", help="public ids (UUID) of social sources")
        parser.add_argument("--sync", action="store_true", help="harvest here instead of queueing")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = self._select(options)
        if not options["sync"]:
            for social_source_id in ids:
                harvest_social_source_task.delay(social_source_id)
            self.stdout.write(summary_line({"sources": len(ids), "queued": len(ids)}))
            return
        summary: dict[str, Any] = {
            "sources": len(ids),
            "ok": 0,
            "failed": 0,
            "posts_seen": 0,
            "new_mentions": 0,
        }
        started = time.monotonic()
        for position, social_source_id in enumerate(ids, start=1):
            counts = harvest_social_source(social_source_id)
            outcome = counts if isinstance(counts, str) else counts.outcome
            if not isinstance(counts, str):
                summary["posts_seen"] += counts.posts_seen
                summary["new_mentions"] += counts.new_mentions
            summary["ok" if outcome == "ok" else "failed"] += 1
            new = 0 if isinstance(counts, str) else counts.new_mentions
            self.stderr.write(
                f"[{position}/{len(ids)}] social source {social_source_id}: {outcome}, {new} new mentions"
            )
        summary["seconds"] = round(time.monotonic() - started, 2)
        self.stdout.write(summary_line(summary))

    def _select(self, options: dict[str, Any]) -> list[int]:
        if options["all"]:
            return list(
                SocialSource.objects.filter(status=SourceStatus.ACTIVE)
                .order_by("id")
                .values_list("id", flat=True)
            )
        wanted = options["source"]
        bad = [value for value in wanted if not _is_uuid(value)]
        found = dict(
            SocialSource.objects.filter(public_id__in=[v for v in wanted if v not in bad]).values_list(
                "public_id", "id"
            )
        )
        missing = bad + [value for value in wanted if value not in bad and uuid.UUID(value) not in found]
        if missing:
            raise CommandError(f"no social source with id: {', '.join(missing)}")
        return sorted(found.values())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
