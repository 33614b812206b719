"""Search reads: full-text search over resources (SQLite FTS5 or PostgreSQL tsvector), metadata matches
(topics, source titles, authors), keyset pages, highlighted snippets and related resources. The query
language itself (parsing, FTS5/tsquery building) is pure and lives in curation/search.py."""

import functools
import html
import re
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from curation.enums import EndorsementStatus
from curation.formulas import clock_text
from curation.models import Designation, Endorsement, Resource, Source, Topic, Transcript
from curation.search import (
    MATCH,
    RANK,
    START,
    STOP,
    SUMMARY_WEIGHT,
    TEXT_WEIGHT,
    TIERS,
    TITLE_WEIGHT,
    TRANSCRIPT_RANK,
    _with,
    fts5_any_excluded,
    fts5_exclusions,
    fts5_query,
    key_terms,
    parse_query,
    pg_any_excluded,
    pg_match_conditions,
    pg_tsquery,
    search_query_clean,
)
from curation.vocabulary import term_variants


def metadata_match(query: str) -> Q | None:
    """Resources whose topic (their own or their source's) is named by every term group of the query, or
    whose source's title or authors contain the whole query: "toxicology" finds what is tagged
    Toxicology, "St Emlyn's" what that blog published, "Weingart" what he wrote. None when the query has
    no terms, or has exclusions (left to full text)."""
    parsed = parse_query(query)
    if not parsed.groups or parsed.excluded:
        return None
    whole = " ".join(group[0] for group in parsed.groups)
    every_group = Q()
    for group in parsed.groups:
        every_group &= _names_or_titles(group, titles=False)
    # A multi-word topic ("Critical care") or a source's title is named by the whole query; every term
    # naming a topic of the resource also counts ("sepsis paediatrics").
    return _names_or_titles(term_variants(whole) or [whole], titles=True) | every_group


def _names_or_titles(variants: Iterable[str], *, titles: bool) -> Q:
    variants = list(variants)
    named = Q()
    for variant in variants:
        named |= Q(name__iexact=variant) | Q(slug__iexact=slugify(variant))
    topics = Topic.objects.filter(named).values("id")
    on_resource = Resource.topics.through.objects.filter(resource_id=OuterRef("pk"), topic_id__in=topics)
    on_source = Source.topics.through.objects.filter(source_id=OuterRef("source_id"), topic_id__in=topics)
    condition = Q(Exists(on_resource)) | Q(Exists(on_source))
    titled = Q()
    authored = Q()
    for variant in (v for v in variants if titles and len(v) >= 4):
        titled |= Q(title__icontains=variant)
        authored |= Q(authors__icontains=variant)
    if titled:
        condition |= Q(source_id__in=Source.objects.filter(titled).values("id")) | authored
    return condition


def metadata_ids_sql(query: str) -> tuple[str, list[Any]] | None:
    """The ids `metadata_match` finds, as one SQL set (a UNION of index lookups: topics named by the
    query on the resource or its source, sources whose title has it, authors) for `id IN (...)`,
    which the database can drive from the small sets instead of testing every row. None as for
    `metadata_match`."""
    parsed = parse_query(query)
    if not parsed.groups or parsed.excluded:
        return None
    whole = " ".join(group[0] for group in parsed.groups)
    variants = term_variants(whole) or [whole]
    sets = _topic_id_sets(variants)
    titles = [variant for variant in variants if len(variant) >= 4]
    if titled := _any_of(Q(title__icontains=variant) for variant in titles):
        sets.append(_sql(Resource.objects.filter(source_id__in=Source.objects.filter(titled).values("id"))))
    if titles and connection.vendor == "postgresql":  # a word index of the authors (migration 0026)
        phrases = " || ".join(["phraseto_tsquery('simple'::regconfig, %s)"] * len(titles))
        sets.append((f"SELECT id FROM curation_resource WHERE search_authors @@ ({phrases})", titles))
    elif authored := _any_of(Q(authors__icontains=variant) for variant in titles):
        sets.append(_sql(Resource.objects.filter(authored)))
    if len(parsed.groups) > 1:  # every term names a topic of the resource ("sepsis paediatrics")
        per_group = [_union(_topic_id_sets(group)) for group in parsed.groups]
        sets.append(_combine(per_group, "INTERSECT"))
    return _union(sets)


def _topic_id_sets(variants: Iterable[str]) -> list[tuple[str, list[Any]]]:
    named = _any_of(Q(name__iexact=v) | Q(slug__iexact=slugify(v)) for v in variants) or Q(pk__in=[])
    topics = Topic.objects.filter(named).values("id")
    return [
        _sql(Resource.topics.through.objects.filter(topic_id__in=topics), "resource_id"),
        _sql(Resource.objects.filter(source__topics__in=topics)),
    ]


def _any_of(conditions: Iterable[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def _sql(queryset: QuerySet[Any], column: str = "id") -> tuple[str, list[Any]]:
    sql, params = queryset.order_by().values(column).query.sql_with_params()
    return sql, list(params)


def _union(sets: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    return _combine(sets, "UNION")


def _combine(sets: list[tuple[str, list[Any]]], operator: str) -> tuple[str, list[Any]]:
    # Each member wrapped in a subquery, so neither engine's precedence rules nor an inner ORDER BY
    # matter; one column each, combined by position.
    sql = f" {operator} ".join(f"SELECT * FROM ({member}) AS s{n}" for n, (member, _) in enumerate(sets))
    return sql, [param for _, params in sets for param in params]


def resource_search(queryset: QuerySet[Resource], query: str) -> QuerySet[Resource]:
    """Resources of `queryset` matching `query`, annotated with `search_rank`: their own text or
    metadata first, then episodes whose transcript alone matches (TRANSCRIPT_RANK). An empty or
    meaningless query matches nothing. For the first pages by relevance use `resource_search_page`,
    which gives the same order without ranking every match."""
    query = search_query_clean(query)
    if not query:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    if not parse_query(query).groups:
        return _exclusions_only(queryset, query)
    text = _text_ids_sql(query)
    metadata = metadata_ids_sql(query)
    transcript = transcript_ids_sql(query)
    others = [found_set for found_set in (metadata, transcript) if found_set is not None]
    found = queryset.filter(_text_or_ids(text, others))
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        rank: Any = RawSQL(_with(RANK, tsquery), params * 4, output_field=FloatField())  # 0.0 unless text
        if transcript is None:
            return found.annotate(search_rank=rank)
        in_text = RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField())
        found = found.annotate(search_match=in_text)
        ranked_own = Q(search_match=True)
    else:
        rank_sql = (
            f"SELECT -bm25(resource_fts, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {TEXT_WEIGHT}) FROM resource_fts "
            "WHERE resource_fts MATCH %s AND resource_fts.rowid = curation_resource.id"
        )
        rank = Coalesce(RawSQL(f"({rank_sql})", [fts5_query(query)], output_field=FloatField()), Value(0.0))
        if transcript is None:
            return found.annotate(search_rank=rank)
        ranked_own = Q(id__in=RawSQL(*text))
    # Metadata is tested row by row only for results whose own text does not match.
    metadata_rows = metadata_match(query)
    whens = [When(ranked_own, then=rank)]
    if metadata_rows is not None:
        whens.append(When(metadata_rows, then=Value(0.0)))
    return found.annotate(search_rank=Case(*whens, default=Value(TRANSCRIPT_RANK), output_field=FloatField()))


def _exclusions_only(queryset: QuerySet[Resource], query: str) -> QuerySet[Resource]:
    """A query of exclusions only ("-paediatric") keeps everything else, unranked, as websearch does on
    PostgreSQL; nothing searchable at all (punctuation) matches nothing."""
    unranked = queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        return unranked.filter(RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField()))
    excluded = fts5_exclusions(query)
    if not excluded:
        return unranked.none()
    return unranked.exclude(
        id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [excluded])
    )


def _text_or_ids(text: tuple[str, list[Any]], others: list[tuple[str, list[Any]]]) -> Q:
    """Rows whose own text matches, or whose id is in one of the (small) `others` sets. On PostgreSQL
    the text condition stays on the outer row and the sets become an array, so both are index scans
    combined in one bitmap (a BitmapOr) and each matching row is read once; `id IN (a UNION b)` would
    read every text match twice."""
    if connection.vendor != "postgresql":
        return Q(id__in=RawSQL(*_union([text, *others]) if others else text))
    text_sql, text_params = text
    condition = text_sql.split(" WHERE ", 1)[1]  # "SELECT id FROM curation_resource WHERE <match>"
    if not others:
        return Q(RawSQL(condition, text_params, output_field=BooleanField()))
    ids_sql, ids_params = _union(others)
    return Q(
        RawSQL(
            f"({condition} OR curation_resource.id = ANY(ARRAY({ids_sql})))",
            [*text_params, *ids_params],
            output_field=BooleanField(),
        )
    )


def _text_ids_sql(query: str) -> tuple[str, list[Any]]:
    """Ids of resources whose own text (title, summary, body) matches: an index lookup on each engine."""
    if connection.vendor == "postgresql":
        condition, params = pg_match_conditions(query)
        return f"SELECT id FROM curation_resource WHERE {condition}", params
    return "SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [fts5_query(query)]


def transcript_ids_sql(query: str) -> tuple[str, list[Any]] | None:
    """Ids of resources whose transcript matches the query's terms and mentions none of its
    exclusions, and whose own text does not mention them either. None when the query has no terms."""
    if not parse_query(query).groups:
        return None
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        sql = f"SELECT resource_id FROM curation_transcript WHERE search_text @@ {tsquery}"
        excluded, excluded_params = pg_any_excluded(query)
        if excluded:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM curation_resource WHERE curation_resource.id = "
                f"curation_transcript.resource_id AND curation_resource.search_document @@ {excluded})"
            )
        return sql, [*params, *excluded_params]
    sql, sql_params = "SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH %s", [fts5_query(query)]
    if excluded_any := fts5_any_excluded(query):
        sql += " AND rowid NOT IN (SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s)"
        sql_params.append(excluded_any)
    return sql, sql_params


def resource_search_page(
    queryset: QuerySet[Resource], query: str, *, after: tuple[float, int] | None = None, limit: int = 25
) -> list[Resource]:
    """Up to `limit` resources of `queryset` matching `query` by relevance (`search_rank` descending,
    then id descending), strictly after the position `after` (rank, id) of the previous page's last
    item. Each returned resource carries `search_rank`. Queries: one per tier read (1-3), plus the
    queryset's own prefetches, whatever `limit` is."""
    ranked = _ranked_ids(queryset, query, after=after, limit=limit)
    by_id = {
        resource.pk: resource for resource in queryset.order_by().filter(id__in=[pk for pk, _ in ranked])
    }
    page = []
    for pk, rank_value in ranked:
        if pk in by_id:
            by_id[pk].search_rank = rank_value  # type: ignore[attr-defined]
            page.append(by_id[pk])
    return page


# Within a tier of equal rank (body text, transcripts), id descending, but as an expression: ordered by
# the bare column, PostgreSQL walks the primary key backwards testing every row, which for a rare or
# absent word is the whole table (0.3-0.9 s at 100,000 resources); this way it finds the matches by
# index and sorts only them.
_NEWEST_MATCH_FIRST = (F("id") + 0).desc()


def _ranked_ids(
    queryset: QuerySet[Resource], query: str, *, after: tuple[float, int] | None, limit: int
) -> list[tuple[int, float]]:
    """(id, rank) of the page `resource_search_page` returns, without loading the rows."""
    query = search_query_clean(query)
    if not query or limit < 1:
        return []
    # Rank on bare rows (joins for the whole tier would cost more than the ranking), then load the page.
    lean = queryset.order_by().select_related(None).prefetch_related(None)
    ranked: list[tuple[int, float]] = []
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        text = _text_ids_sql(query)
        metadata = functools.cache(lambda: [found] if (found := metadata_ids_sql(query)) else [])  # tier 3 on
        for tier_number, (condition, condition_params, rank, rank_params, floor) in enumerate(TIERS):
            if after is not None and after[0] < floor:
                continue  # the previous page already went past this tier
            if tier_number == len(TIERS) - 1:  # body text, and topic/source/author matches: by id sets
                own_rows = _text_or_ids(text, metadata())
                candidates, condition_sql, condition_count = lean.filter(own_rows), condition, 0
            else:
                candidates, condition_sql, condition_count = lean, f"{MATCH} AND {condition}", 1
            tier = candidates.annotate(
                search_match=RawSQL(
                    _with(condition_sql, tsquery),
                    params * (condition_count + condition_params),
                    output_field=BooleanField(),
                ),
                search_rank=RawSQL(_with(rank, tsquery), params * rank_params, output_field=FloatField()),
            ).filter(search_match=True)
            ordered = _after_position(tier, after).order_by("-search_rank", _NEWEST_MATCH_FIRST)  # type: ignore[misc]
            ranked += ordered.values_list("id", "search_rank")[: limit - len(ranked)]  # type: ignore[misc]
            if len(ranked) >= limit:
                break
        transcript = transcript_ids_sql(query)
        if len(ranked) < limit and transcript is not None:  # the last tier: transcripts alone
            only_transcript = (
                lean.filter(id__in=RawSQL(*transcript))
                .exclude(_text_or_ids(text, metadata()))
                .annotate(search_rank=Value(TRANSCRIPT_RANK, output_field=FloatField()))
            )
            ordered = _after_position(only_transcript, after).order_by("-search_rank", _NEWEST_MATCH_FIRST)  # type: ignore[misc]
            ranked += ordered.values_list("id", "search_rank")[: limit - len(ranked)]  # type: ignore[misc]
    else:
        matches = _after_position(resource_search(lean, query), after)
        ranked = list(matches.order_by("-search_rank", "-id").values_list("id", "search_rank")[:limit])  # type: ignore[misc]
    return ranked


def _after_position(queryset: QuerySet[Resource], after: tuple[float, int] | None) -> QuerySet[Resource]:
    if after is None:
        return queryset
    rank, pk = after
    return queryset.filter(Q(search_rank__lt=rank) | Q(search_rank=rank, id__lt=pk))


def search_snippets(resource_ids: list[int], query: str) -> dict[int, str]:
    """Highlighted fragments for a page of results: escaped text with <mark> around matches. A result
    found by its transcript alone gets the transcript passage, opened by the time in the episode where
    it is spoken ("12:34") when the transcript has timings."""
    query = search_query_clean(query)
    if not resource_ids or not query:
        return {}
    placeholders = ", ".join(["%s"] * len(resource_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery, params = pg_tsquery(query)
            cursor.execute(
                "SELECT id, ts_headline('english'::regconfig, regexp_replace(title || ' · ' || coalesce(text, ''), '<[^>]*>', ' ', 'g'), "
                f"{tsquery}, "
                f"'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"'), "
                f"search_document @@ {tsquery} "
                f"FROM curation_resource WHERE id IN ({placeholders})",
                [*params, *params, *resource_ids],
            )
            rows = cursor.fetchall()
            own = {row[0] for row in rows if row[2]}
        else:
            match = fts5_query(query)
            if not match:
                return {}
            cursor.execute(
                f"SELECT rowid, snippet(resource_fts, -1, '{START}', '{STOP}', ' … ', 24), 1 FROM resource_fts "
                f"WHERE resource_fts MATCH %s AND rowid IN ({placeholders})",
                [match, *resource_ids],
            )
            rows = cursor.fetchall()
            own = {row[0] for row in rows}
    snippets = {row[0]: _highlight(row[1] or "") for row in rows}
    snippets.update(transcript_snippets([pk for pk in resource_ids if pk not in own], query))
    return snippets


def transcript_snippets(resource_ids: list[int], query: str) -> dict[int, str]:
    """For results whose transcript matches: the passage around the first match, highlighted, after
    the time it is spoken in the episode (from the transcript's cues) when known."""
    if not resource_ids or parse_query(query).groups == ():
        return {}
    placeholders = ", ".join(["%s"] * len(resource_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery, params = pg_tsquery(query)
            cursor.execute(
                f"SELECT resource_id, ts_headline('english'::regconfig, text, {tsquery}, "
                "'StartSel=\x02, StopSel=\x03, HighlightAll=true') FROM curation_transcript "
                f"WHERE search_text @@ {tsquery} AND resource_id IN ({placeholders})",
                [*params, *params, *resource_ids],
            )
        else:
            cursor.execute(
                f"SELECT rowid, highlight(transcript_fts, 0, '{START}', '{STOP}') FROM transcript_fts "
                f"WHERE transcript_fts MATCH %s AND rowid IN ({placeholders})",
                [fts5_query(query), *resource_ids],
            )
        marked = dict(cursor.fetchall())
    cues = dict(Transcript.objects.filter(resource_id__in=list(marked)).values_list("resource_id", "cues"))
    return {pk: _transcript_passage(text or "", cues.get(pk) or []) for pk, text in marked.items()}


def _transcript_passage(marked: str, cues: list[list[int]]) -> str:
    offset = marked.find(START)
    if offset < 0:
        return _highlight(marked[:200])
    start = max(marked.rfind(" ", 0, max(offset - 80, 0)) + 1, 0)
    end = marked.find(" ", offset + 160)
    fragment = ("… " if start else "") + marked[start : end if end > 0 else None] + (" …" if end > 0 else "")
    fragment += STOP * (fragment.count(START) - fragment.count(STOP))  # a mark cut by the window's end
    # The marks are inserted into the transcript's text; before the first one the offsets are the same.
    spoken_at = next((second for second, at in reversed(cues) if at <= offset), None)
    if spoken_at is None:
        return f'<span class="snippet-at">Transcript</span> {_highlight(fragment)}'
    return (
        f'<span class="snippet-at" data-seconds="{int(spoken_at)}">Transcript, '
        f"{clock_text(spoken_at)}</span> {_highlight(fragment)}"
    )


def _highlight(fragment: str) -> str:
    text = re.sub(r"<[^>]*>", " ", fragment)  # a snippet taken from the summary may carry tag remnants
    escaped = html.escape(re.sub(r"\s+", " ", text).strip())
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


RELATED_TERMS = 5
COMMON_TERM_SHARE = 0.05  # a word in more than 5 % of the catalogue says little about what is related


def distinctive_terms(words: list[str], limit: int = RELATED_TERMS) -> list[str]:
    """The `limit` words of `words` (a resource's key terms, best first) that say most about it: on
    PostgreSQL the least frequent in the catalogue (from the planner's statistics of the search
    vectors, so no count is run), leaving out words in more than COMMON_TERM_SHARE of it; elsewhere
    the first `limit`. Keeps the search for related resources to a few hundred candidates, not most of
    the table."""
    if connection.vendor != "postgresql" or not words:
        return words[:limit]
    shares = _lexeme_shares()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, to_tsvector('english'::regconfig, word)::text FROM unnest(%s::text[]) AS word",
            [words],
        )
        stems = {word: re.findall(r"'((?:[^']|'')*)'", vector) for word, vector in cursor.fetchall()}
    share = {
        word: max((shares.get(stem, 0.0) for stem in stems.get(word, [])), default=0.0) for word in words
    }
    kept = [word for word in words if stems.get(word) and share[word] <= COMMON_TERM_SHARE]
    return sorted(kept, key=lambda word: share[word])[:limit]  # stable: ties keep the key-term order


def _lexeme_shares() -> dict[str, float]:
    """Share of resources containing each of the most common lexemes (PostgreSQL's most_common_elems
    of the search vector, refreshed by ANALYZE), cached for ten minutes."""
    cached = cache.get("search:lexeme-shares")
    if cached is not None:
        return dict(cached)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'curation_resource' AND attname = 'search_document'"
        )
        row = cursor.fetchone()
    shares = dict(zip(row[0], (float(f) for f in row[1]), strict=False)) if row and row[0] else {}
    cache.set("search:lexeme-shares", shares, 600)
    return shares


def resource_related(*, resource: Resource, candidates: QuerySet[Resource], limit: int = 6) -> list[Resource]:
    """Resources related to `resource`: vetted first, then by the engine's own text ranking over its key
    terms (any of them) plus co-endorsement (learners and experts who endorsed it endorsed these).
    Never the resource itself or another copy of the same work."""
    terms = distinctive_terms(key_terms(resource, limit=12))
    others = candidates.exclude(pk=resource.pk)
    if resource.work_key:
        others = others.exclude(work_key=resource.work_key)
    scores: dict[int, float] = {}
    if terms:
        ranked = _ranked_ids(others, " OR ".join(terms), after=None, limit=limit * 5)
        top = max((rank or 0.0 for _, rank in ranked), default=0.0) or 1.0
        scores = {pk: 1.0 + float(rank or 0.0) / top for pk, rank in ranked}
    endorsers = Endorsement.objects.filter(resource=resource, status=EndorsementStatus.COUNTED).values(
        "user_id"
    )
    for pk, together in (
        Endorsement.objects.filter(user_id__in=endorsers, status=EndorsementStatus.COUNTED)
        .exclude(resource=resource)
        .values_list("resource_id")
        .annotate(n=Count("id"))
        .order_by("-n")[: limit * 5]
    ):
        scores[pk] = scores.get(pk, 0.0) + 0.5 * together
    if not scores:
        return []
    vetted = set(
        Designation.objects.filter(resource_id__in=list(scores), is_current=True)
        .exclude(label="")
        .values_list("resource_id", flat=True)
    )
    allowed = set(others.order_by().filter(pk__in=list(scores)).values_list("pk", flat=True))
    order = sorted(allowed, key=lambda pk: (pk not in vetted, -scores[pk], -pk))[:limit]
    found = {r.pk: r for r in others.filter(pk__in=order)}  # only the rows shown are loaded whole
    return [found[pk] for pk in order if pk in found]
