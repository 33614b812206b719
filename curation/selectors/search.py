"""Search reads: full-text search over resources (SQLite FTS5 or PostgreSQL tsvector), metadata matches
(topics, source titles, authors), keyset pages, highlighted snippets and related resources. The query
language itself (parsing, FTS5/tsquery building) is pure and lives in curation/search.py."""

import html
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, Exists, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from curation.enums import EndorsementStatus
from curation.formulas import clock_text
from curation.models import Designation, Endorsement, Resource, Source, Topic, Transcript
from curation.search import (
    IN_TRANSCRIPT,
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


def resource_search(queryset: QuerySet[Resource], query: str) -> QuerySet[Resource]:
    """Resources of `queryset` matching `query`, annotated with `search_rank`: their own text or
    metadata first, then episodes whose transcript alone matches (TRANSCRIPT_RANK). An empty or
    meaningless query matches nothing. For the first pages by relevance use `resource_search_page`,
    which gives the same order without ranking every match."""
    query = search_query_clean(query)
    if not query:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    metadata = metadata_match(query)
    in_transcript = transcript_match(query)
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        annotated = queryset.annotate(
            search_match=RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField()),
        )
        in_text = Q(search_match=True)
        rank: Any = RawSQL(_with(RANK, tsquery), params * 4, output_field=FloatField())
    else:
        match = fts5_query(query)
        if not match:
            # Only exclusions ("-paediatric") keep everything else, unranked, as websearch does on
            # PostgreSQL; nothing searchable at all (punctuation) matches nothing.
            excluded = fts5_exclusions(query)
            unranked = queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
            if not excluded:
                return unranked.none()
            return unranked.exclude(
                id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [excluded])
            )
        rank_sql = (
            f"SELECT -bm25(resource_fts, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {TEXT_WEIGHT}) FROM resource_fts "
            "WHERE resource_fts MATCH %s AND resource_fts.rowid = curation_resource.id"
        )
        annotated = queryset  # type: ignore[assignment]  # no search_match column on SQLite
        in_text = Q(id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [match]))
        rank = Coalesce(RawSQL(f"({rank_sql})", [match], output_field=FloatField()), Value(0.0))
    own = in_text | metadata if metadata else in_text
    if in_transcript is None:
        return annotated.annotate(search_rank=rank).filter(own)
    return annotated.annotate(
        search_rank=Case(When(own, then=rank), default=Value(TRANSCRIPT_RANK), output_field=FloatField())
    ).filter(own | in_transcript)


def transcript_match(query: str) -> Q | None:
    """Resources whose transcript matches the query's terms and mentions none of its exclusions, and
    whose own text does not mention them either. None when the query has no terms to look for."""
    parsed = parse_query(query)
    if not parsed.groups:
        return None
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        sql, sql_params = _with(IN_TRANSCRIPT, tsquery), list(params)
        excluded, excluded_params = pg_any_excluded(query)
        if excluded:
            sql += f" AND NOT curation_resource.search_document @@ {excluded}"
            sql_params += excluded_params
        return Q(RawSQL(sql, sql_params, output_field=BooleanField()))
    condition = Q(
        id__in=RawSQL("SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH %s", [fts5_query(query)])
    )
    excluded_any = fts5_any_excluded(query)
    if excluded_any:
        condition &= ~Q(
            id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [excluded_any])
        )
    return condition


def resource_search_page(
    queryset: QuerySet[Resource], query: str, *, after: tuple[float, int] | None = None, limit: int = 25
) -> list[Resource]:
    """Up to `limit` resources of `queryset` matching `query` by relevance (`search_rank` descending,
    then id descending), strictly after the position `after` (rank, id) of the previous page's last
    item. Each returned resource carries `search_rank`. Queries: one per tier read (1-3), plus the
    queryset's own prefetches, whatever `limit` is."""
    query = search_query_clean(query)
    if not query or limit < 1:
        return []
    # Rank on bare rows (joins for the whole tier would cost more than the ranking), then load the page.
    lean = queryset.order_by().select_related(None).prefetch_related(None)
    ranked: list[tuple[int, float]] = []
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        metadata = metadata_match(query)
        for tier_number, (condition, condition_params, rank, rank_params, floor) in enumerate(TIERS):
            if after is not None and after[0] < floor:
                continue  # the previous page already went past this tier
            tier = lean.annotate(
                search_match=RawSQL(
                    _with(f"{MATCH} AND {condition}", tsquery),
                    params * (1 + condition_params),
                    output_field=BooleanField(),
                ),
                search_rank=RawSQL(_with(rank, tsquery), params * rank_params, output_field=FloatField()),
            )
            if metadata is not None and tier_number == len(TIERS) - 1:  # body text: also topic/source matches
                tier = tier.annotate(
                    document_match=RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField())
                ).filter(Q(search_match=True) | (metadata & Q(document_match=False)))
            else:
                tier = tier.filter(search_match=True)
            ordered = _after_position(tier, after).order_by("-search_rank", "-id")  # type: ignore[misc]
            ranked += ordered.values_list("id", "search_rank")[: limit - len(ranked)]  # type: ignore[misc]
            if len(ranked) >= limit:
                break
        in_transcript = transcript_match(query)
        if len(ranked) < limit and in_transcript is not None:  # the last tier: transcripts alone
            only_transcript = lean.annotate(
                search_match=RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField()),
                search_rank=Value(TRANSCRIPT_RANK, output_field=FloatField()),
            ).filter(in_transcript, search_match=False)
            if metadata is not None:
                only_transcript = only_transcript.exclude(metadata)
            ordered = _after_position(only_transcript, after).order_by("-search_rank", "-id")  # type: ignore[misc]
            ranked += ordered.values_list("id", "search_rank")[: limit - len(ranked)]  # type: ignore[misc]
    else:
        matches = _after_position(resource_search(lean, query), after)
        ranked = list(matches.order_by("-search_rank", "-id").values_list("id", "search_rank")[:limit])  # type: ignore[misc]
    by_id = {
        resource.pk: resource for resource in queryset.order_by().filter(id__in=[pk for pk, _ in ranked])
    }
    page = []
    for pk, rank_value in ranked:
        if pk in by_id:
            by_id[pk].search_rank = rank_value  # type: ignore[attr-defined]
            page.append(by_id[pk])
    return page


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


def resource_related(*, resource: Resource, candidates: QuerySet[Resource], limit: int = 6) -> list[Resource]:
    """Resources related to `resource`: vetted first, then by the engine's own text ranking over its key
    terms (any of them) plus co-endorsement (learners and experts who endorsed it endorsed these).
    Never the resource itself or another copy of the same work."""
    terms = key_terms(resource)
    others = candidates.exclude(pk=resource.pk)
    if resource.work_key:
        others = others.exclude(work_key=resource.work_key)
    scores: dict[int, float] = {}
    if terms:
        matches = resource_search(
            others.order_by().select_related(None).prefetch_related(None), " OR ".join(terms)
        )
        ranked = list(matches.order_by("-search_rank", "-id").values_list("id", "search_rank")[: limit * 5])  # type: ignore[misc]
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
    found = {r.pk: r for r in others.filter(pk__in=list(scores))}
    order = sorted(found, key=lambda pk: (pk not in vetted, -scores[pk], -pk))
    return [found[pk] for pk in order[:limit]]
