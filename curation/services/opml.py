"""OPML import (listparser on bytes, each entry through source_register) and export."""

from dataclasses import dataclass, field

import listparser

from curation.enums import SourceKind
from curation.errors import InvalidInput
from curation.services.catalogue import source_register


@dataclass
class OpmlImportReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"created": len(self.created), "existing": len(self.existing), "errors": self.errors}


def opml_import(data: bytes, *, default_kind: str = SourceKind.BLOG) -> OpmlImportReport:
    """Register every feed of an OPML document. Bad entries are reported, good ones imported.
    Categories `/kind/<kind>` and `/topic/<slug>` set the kind and topics."""
    parsed = listparser.parse(data)
    report = OpmlImportReport()
    if parsed.get("bozo") and not parsed.get("feeds"):
        report.errors.append(
            {"url": "", "error": f"not a readable OPML document: {parsed.get('bozo_exception')}"}
        )
        return report
    for feed in parsed["feeds"]:
        url = str(feed.get("url", "")).strip()
        kind = default_kind
        topics = []
        for category in feed.get("categories", []):
            if len(category) == 2 and category[0] == "kind":
                kind = category[1]
            elif len(category) == 2 and category[0] == "topic":
                topics.append(category[1])
        try:
            source, created = source_register(
                feed_url=url, kind=kind, title=str(feed.get("title", "")), topic_slugs=topics
            )
        except InvalidInput as error:
            report.errors.append({"url": url[:300], "error": error.message})
            continue
        (report.created if created else report.existing).append(str(source.public_id))
    return report
