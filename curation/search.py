"""Full-text search over resources behind one interface, on PostgreSQL (tsvector, websearch syntax,
ts_rank, ts_headline) and SQLite (FTS5, bm25, snippet). Both give the same shape: a queryset
annotated with `search_rank` (higher is better) and, for a page of results, highlighted snippets as
safe HTML (the text is escaped; only <mark> is added)."""

import html
import re

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from curation.models import Resource

START, STOP = "\x02", "\x03"  # markers that cannot occur in stored text
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
TITLE_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT = 10.0, 4.0, 1.0


def fts5_query(text: str) -> str:
    """Translate web-search syntax (words, "phrases", -exclusions, OR) into a safe FTS5 query: every
    term is quoted, so no user input is ever FTS5 syntax."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.upper() == "OR" and positive:
            pending_or = True
            continue
        negated = negated or (word is not None and word.startswith("-") and len(word) > 1)
        term = phrase if phrase is not None else (word[1:] if word and word.startswith("-") else word or "")
        term = re.sub(r"[^\w\s'-]", " ", term).strip()
        if not term:
            continue
        quoted = '"' + term.replace('"', "") + '"'
        if negated:
            negative.append(quoted)
        elif pending_or and positive:
            positive[-1] = f"({positive[-1]} OR {quoted})"
            pending_or = False
        else:
            positive.append(quoted)
    if not positive:
        return ""
    query = " AND ".join(positive)
    return query + "".join(f" NOT {term}" for term in negative)


def resource_search(queryset: QuerySet[Resource], query: str) -> QuerySet[Resource]:
    """Resources of `queryset` matching `query`, annotated with `search_rank`. An empty or
    meaningless query matches nothing."""
    query = query.strip()
    if not query:
        return queryset.none()
    if connection.vendor == "postgresql":
        tsquery = "websearch_to_tsquery('english'::regconfig, %s)"
        return queryset.annotate(
            search_match=RawSQL(
                f"curation_resource.search_document @@ {tsquery}", [query], output_field=BooleanField()
            ),
            search_rank=RawSQL(
                f"ts_rank(curation_resource.search_document, {tsquery}, 32)",
                [query],
                output_field=FloatField(),
            ),
        ).filter(search_match=True)
    match = fts5_query(query)
    if not match:
        return queryset.none()
    rank_sql = (
        f"SELECT -bm25(resource_fts, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {TEXT_WEIGHT}) FROM resource_fts "
        "WHERE resource_fts MATCH %s AND resource_fts.rowid = curation_resource.id"
    )
    return queryset.annotate(search_rank=RawSQL(f"({rank_sql})", [match], output_field=FloatField())).filter(
        id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [match])
    )


def search_snippets(resource_ids: list[int], query: str) -> dict[int, str]:
    """Highlighted fragments for a page of results: escaped text with <mark> around matches."""
    if not resource_ids or not query.strip():
        return {}
    placeholders = ", ".join(["%s"] * len(resource_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id, ts_headline('english'::regconfig, regexp_replace(title || ' · ' || coalesce(text, ''), '<[^>]*>', ' ', 'g'), "
                "websearch_to_tsquery('english'::regconfig, %s), "
                f"'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') "
                f"FROM curation_resource WHERE id IN ({placeholders})",
                [query, *resource_ids],
            )
        else:
            match = fts5_query(query)
            if not match:
                return {}
            cursor.execute(
                f"SELECT rowid, snippet(resource_fts, -1, '{START}', '{STOP}', ' … ', 24) FROM resource_fts "
                f"WHERE resource_fts MATCH %s AND rowid IN ({placeholders})",
                [match, *resource_ids],
            )
        rows = cursor.fetchall()
    return {row[0]: _highlight(row[1] or "") for row in rows}


def _highlight(fragment: str) -> str:
    text = re.sub(r"<[^>]*>", " ", fragment)  # a snippet taken from the summary may carry tag remnants
    escaped = html.escape(re.sub(r"\s+", " ", text).strip())
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")
