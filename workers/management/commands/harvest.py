import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.enums import FetchOutcome, SourceStatus
from curation.models import Source
from workers.harvest.pipeline import harvest_source
from workers.management.commands._output import progress, summary_line
from workers.tasks import harvest_source_task


class Command(BaseCommand):
    help = (
        "Harvest sources now. By default queues one task per source for the workers; --sync harvests in "
        "this process and reports the outcome. The last line is a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="every active source")
        target.add_argument("--source", nargs="+", metavar="ID", help="public ids (UUID) or feed URLs")
        parser.add_argument("--sync", action="store_true", help="harvest here instead of queueing")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = self._select(options)
        ids = list(sources.values_list("id", flat=True))
        if not options["sync"]:
            for source_id in ids:
                harvest_source_task.delay(source_id)
            self.stdout.write(summary_line({"sources": len(ids), "queued": len(ids)}))
            return
        summary = {
            "sources": len(ids),
            "ok": 0,
            "not_modified": 0,
            "failed": 0,
            "new_resources": 0,
            "updated_resources": 0,
        }
        started = time.monotonic()
        for source_id in progress(ids, total=len(ids), description="harvesting"):
            counts = harvest_source(source_id)
            if counts.outcome == FetchOutcome.OK:
                summary["ok"] += 1
            elif counts.outcome in (FetchOutcome.NOT_MODIFIED, FetchOutcome.UNCHANGED):
                summary["not_modified"] += 1
            elif counts.outcome != "deleted":
                summary["failed"] += 1
            summary["new_resources"] += counts.new_resources
            summary["updated_resources"] += counts.updated_resources
        summary["seconds"] = round(time.monotonic() - started, 2)  # type: ignore[assignment]
        self.stdout.write(summary_line(summary))

    def _select(self, options: dict[str, Any]) -> Any:
        if options["all"]:
            return Source.objects.filter(status=SourceStatus.ACTIVE).order_by("id")
        wanted = options["source"]
        uuids = [value for value in wanted if _is_uuid(value)]
        urls = [value for value in wanted if not _is_uuid(value)]
        sources = Source.objects.filter(public_id__in=uuids) | Source.objects.filter(feed_url__in=urls)
        found = {str(s.public_id) for s in sources} | {s.feed_url for s in sources}
        missing = [value for value in wanted if value not in found]
        if missing:
            raise CommandError(f"no source with id or feed URL: {', '.join(missing)}")
        return sources.order_by("id")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
