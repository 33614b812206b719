"""Full-text extraction of an article page with trafilatura, for the search index only (never served).
Runs only for sources an editor opted in under a licence that permits copying."""

import trafilatura

from curation.enums import FetchOutcome
from workers.harvest.fetch import fetch

_HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def extract_article_text(url: str) -> tuple[FetchOutcome, str]:
    """(outcome, main text) of the page at `url`; empty text when nothing article-like was found."""
    result = fetch(url, accept=_HTML_ACCEPT)
    if result.outcome != FetchOutcome.OK:
        return FetchOutcome(result.outcome), ""
    text = trafilatura.extract(
        result.body,
        url=result.final_url or url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
    )
    return FetchOutcome.OK, (text or "").strip()
