"""Full-text search over resources behind one interface, on PostgreSQL (tsvector, websearch syntax,
ts_rank, ts_headline) and SQLite (FTS5, bm25, snippet). Both give the same shape: a queryset
annotated with `search_rank` (higher is better) and, for a page of results, highlighted snippets as
safe HTML (the text is escaped; only <mark> is added).

Relevance on PostgreSQL is tiered, so the weighting title > summary > text is strict: a match in the
title (rank 2 + ts_rank of the title) beats any match found only in the summary (1 + ts_rank of the
summary), which beats a match found only in the body text (rank 0, newest harvested first). Each tier
has its own GIN index, and `resource_search_page` reads the tiers in order and stops once the page is
full: the first page of a term found in 20 % of the catalogue ranks only the ~1 % with it in the
title, instead of every match (bench/api.py measures both)."""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core import signing

from curation.models import Resource
from curation.vocabulary import synonyms_version, term_variants

START, STOP = "\x02", "\x03"  # markers that cannot occur in stored text
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
TITLE_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT = 10.0, 4.0, 1.0
BODY_RANK, TRANSCRIPT_RANK = 0.0, -1.0  # the rank of the body-text (and metadata) and transcript tiers


MAX_QUERY_CHARS = 500


def search_query_clean(text: str) -> str:
    """What the engines are given: control and unpaired surrogate characters removed (PostgreSQL refuses
    NUL), whitespace collapsed, at most MAX_QUERY_CHARS characters. Any string is a safe input."""
    kept = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs", "Cf") else " " for ch in text or "")
    return " ".join(kept.split())[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class ParsedQuery:
    """Web-search syntax (words, "phrases", -exclusions, OR) as term groups: a resource matches when it
    matches one variant of every group and no variant of any excluded group. Variants are the term's
    synonyms and UK/US spellings (curation.vocabulary)."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[tuple[str, ...], ...]


def parse_query(text: str) -> ParsedQuery:
    """The query's term groups, memoised per synonym version (a search parses its query several times:
    tiers, metadata, transcripts, snippets)."""
    return _parse_query(text, synonyms_version())


@functools.lru_cache(maxsize=1024)
def _parse_query(text: str, version: str) -> ParsedQuery:
    groups: list[list[str]] = []
    excluded: list[list[str]] = []
    pending_or = False
    for match in _TOKEN.finditer(search_query_clean(text)):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.upper() == "OR" and groups:
            pending_or = True
            continue
        negated = negated or (word is not None and word.startswith("-") and len(word) > 1)
        term = phrase if phrase is not None else (word[1:] if word and word.startswith("-") else word or "")
        term = " ".join(re.sub(r"[^\w\s'-]", " ", term).split()).strip("-' ")
        if not term:
            continue
        variants = term_variants(term) or [term]
        if negated:
            excluded.append(variants)
        elif pending_or and groups:
            groups[-1] += [v for v in variants if v.lower() not in {g.lower() for g in groups[-1]}]
            pending_or = False
        else:
            groups.append(variants)
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(tuple(e) for e in excluded))


def _fts5_group(variants: Iterable[str]) -> str:
    quoted = ['"' + variant.replace('"', "") + '"' for variant in variants]
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def fts5_query(text: str) -> str:
    """A safe FTS5 query for `text`: every variant is quoted, so no user input is ever FTS5 syntax.
    Empty when nothing is to be found (no term left, or only exclusions: see `fts5_exclusions`)."""
    parsed = parse_query(text)
    if not parsed.groups:
        return ""
    query = " AND ".join(_fts5_group(group) for group in parsed.groups)
    return query + "".join(f" NOT {_fts5_group(group)}" for group in parsed.excluded)


def fts5_exclusions(text: str) -> str:
    """For a query made only of exclusions ("-paediatric"): an FTS5 query matching what to leave out."""
    parsed = parse_query(text)
    return "" if parsed.groups else fts5_any_excluded(text)


def fts5_any_excluded(text: str) -> str:
    """An FTS5 query matching any of the query's exclusions; empty when it has none."""
    return " OR ".join(_fts5_group(group) for group in parse_query(text).excluded)


_PHRASE = "phraseto_tsquery('english'::regconfig, %s)"


def pg_tsquery(text: str) -> tuple[str, list[str]]:
    """The PostgreSQL tsquery of `text` as SQL and its parameters: each group an OR (||) of its variants'
    phrase queries, groups joined by AND (&&), exclusions negated (!!)."""
    parsed = parse_query(text)

    def group_sql(group: tuple[str, ...]) -> str:
        return "(" + " || ".join([_PHRASE] * len(group)) + ")"

    parts = [group_sql(group) for group in parsed.groups] + [
        f"!!{group_sql(group)}" for group in parsed.excluded
    ]
    params = [variant for group in (*parsed.groups, *parsed.excluded) for variant in group]
    if not parts:
        return _PHRASE, [""]  # an empty query: matches nothing
    return "(" + " && ".join(parts) + ")", params


def pg_match_conditions(
    text: str, column: str = "curation_resource.search_document"
) -> tuple[str, list[str]]:
    """The same match as `column @@ pg_tsquery(text)`, written as one `@@` per variant (ORs within a
    group, ANDs between groups, NOT per exclusion). Equivalent, but PostgreSQL combines one index scan
    per variant and re-reads the stored vector only for the rows of variants that need positions (a
    phrase such as "special K"): one phrase synonym no longer makes it recheck every match of the word.
    ("FALSE", []) for a query without terms."""
    parsed = parse_query(text)
    if not parsed.groups:
        return "FALSE", []
    conditions = ["(" + " OR ".join([f"{column} @@ {_PHRASE}"] * len(group)) + ")" for group in parsed.groups]
    conditions += [f"NOT {column} @@ {_PHRASE}" for group in parsed.excluded for _ in group]
    params = [variant for group in (*parsed.groups, *parsed.excluded) for variant in group]
    return "(" + " AND ".join(conditions) + ")", params


def pg_any_excluded(text: str) -> tuple[str, list[str]]:
    """The tsquery SQL (and parameters) matching any of the query's exclusions; ("", []) when none."""
    parsed = parse_query(text)
    if not parsed.excluded:
        return "", []
    sql = " || ".join(_PHRASE for group in parsed.excluded for _ in group)
    return f"({sql})", [variant for group in parsed.excluded for variant in group]


TSQUERY = "{q}"  # replaced by the query's tsquery SQL (pg_tsquery); its parameters repeat per use
MATCH = f"curation_resource.search_document @@ {TSQUERY}"
IN_TITLE = f"curation_resource.search_title @@ {TSQUERY}"
IN_SUMMARY = f"curation_resource.search_summary @@ {TSQUERY}"
# (extra condition, its query count, rank expression, rank query count, lowest rank in the tier)
TIERS = [
    (f"{IN_TITLE}", 1, f"2 + ts_rank(curation_resource.search_title, {TSQUERY}, 32)", 1, 2.0),
    (
        f"{IN_SUMMARY} AND NOT {IN_TITLE}",
        2,
        f"1 + ts_rank(curation_resource.search_summary, {TSQUERY}, 32)",
        1,
        1.0,
    ),
    (f"NOT {IN_TITLE} AND NOT {IN_SUMMARY}", 2, "0.0", 0, BODY_RANK),
]
RANK = (
    f"CASE WHEN {IN_TITLE} THEN 2 + ts_rank(curation_resource.search_title, {TSQUERY}, 32) "
    f"WHEN {IN_SUMMARY} THEN 1 + ts_rank(curation_resource.search_summary, {TSQUERY}, 32) ELSE 0.0 END"
)


def _with(template: str, tsquery: str) -> str:
    return template.replace(TSQUERY, tsquery)


SEARCH_CURSOR_SALT = "curation.search.after"


def search_cursor_encode(resource: Resource) -> str:
    """An opaque, tamper-proof token for the position after `resource` (which carries search_rank)."""
    return signing.dumps([resource.search_rank, resource.pk], salt=SEARCH_CURSOR_SALT)  # type: ignore[attr-defined]


def search_cursor_decode(token: str) -> tuple[float, int] | None:
    """The position in a token from `search_cursor_encode`; None for an invalid or tampered token."""
    try:
        rank, pk = signing.loads(token, salt=SEARCH_CURSOR_SALT)
        return float(rank), int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        return None


NEWEST_CURSOR_SALT = "curation.listing.before"


def newest_cursor_encode(resource: Resource) -> str:
    """An opaque, tamper-proof token for the position after `resource` in a newest-first listing."""
    return signing.dumps([resource.published_at.isoformat(), resource.pk], salt=NEWEST_CURSOR_SALT)


def newest_cursor_decode(token: str) -> tuple[datetime, int] | None:
    """The position in a token from `newest_cursor_encode`; None for an invalid or tampered token."""
    try:
        published_at, pk = signing.loads(token, salt=NEWEST_CURSOR_SALT)
        return datetime.fromisoformat(published_at), int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        return None


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "why",
        "with",
        "your",
        "you",
        "we",
        "vs",
        "versus",
        "part",
        "episode",
        "podcast",
        "post",
        "video",
        "review",
        "update",
        "case",
        "cases",
        "edition",
    ]
)


def key_terms(resource: Resource, limit: int = 6) -> list[str]:
    """A resource's key terms for "related" searches: the distinctive words of its title (longer words
    first), then of its summary if the title has too few."""
    words: list[str] = []
    for text in (resource.title, re.sub(r"<[^>]*>", " ", resource.summary or "")):
        for word in re.findall(r"[A-Za-z][A-Za-z0-9'-]{2,}", text):
            lowered = word.lower().strip("'-")
            if lowered not in _STOPWORDS and lowered not in words:
                words.append(lowered)
        if len(words) >= limit:
            break
    return sorted(words[: limit * 2], key=len, reverse=True)[:limit]
