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

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.db import connection
from django.db.models import BooleanField, Count, Exists, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from curation.enums import EndorsementStatus
from curation.models import Designation, Endorsement, Resource, Source, Topic
from curation.vocabulary import term_variants

START, STOP = "\x02", "\x03"  # markers that cannot occur in stored text
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
TITLE_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT = 10.0, 4.0, 1.0


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
    return "" if parsed.groups else " OR ".join(_fts5_group(group) for group in parsed.excluded)


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
    (f"NOT {IN_TITLE} AND NOT {IN_SUMMARY}", 2, "0.0", 0, float("-inf")),
]
RANK = (
    f"CASE WHEN {IN_TITLE} THEN 2 + ts_rank(curation_resource.search_title, {TSQUERY}, 32) "
    f"WHEN {IN_SUMMARY} THEN 1 + ts_rank(curation_resource.search_summary, {TSQUERY}, 32) ELSE 0.0 END"
)


def _with(template: str, tsquery: str) -> str:
    return template.replace(TSQUERY, tsquery)


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
    """Resources of `queryset` matching `query`, annotated with `search_rank`. An empty or
    meaningless query matches nothing. For the first pages by relevance use `resource_search_page`,
    which gives the same order without ranking every match."""
    query = search_query_clean(query)
    if not query:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    metadata = metadata_match(query)
    if connection.vendor == "postgresql":
        tsquery, params = pg_tsquery(query)
        annotated = queryset.annotate(
            search_match=RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField()),
            search_rank=RawSQL(_with(RANK, tsquery), params * 4, output_field=FloatField()),
        )
        return annotated.filter(Q(search_match=True) | metadata if metadata else Q(search_match=True))
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
    in_text = Q(id__in=RawSQL("SELECT rowid FROM resource_fts WHERE resource_fts MATCH %s", [match]))
    ranked = queryset.annotate(
        search_rank=Coalesce(RawSQL(f"({rank_sql})", [match], output_field=FloatField()), Value(0.0))
    )
    return ranked.filter(in_text | metadata if metadata else in_text)


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
        for condition, condition_params, rank, rank_params, floor in TIERS:
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
            if metadata is not None and floor == float("-inf"):  # the last tier: also topic/source matches
                tier = tier.annotate(
                    document_match=RawSQL(_with(MATCH, tsquery), params, output_field=BooleanField())
                ).filter(Q(search_match=True) | (metadata & Q(document_match=False)))
            else:
                tier = tier.filter(search_match=True)
            ordered = _after_position(tier, after).order_by("-search_rank", "-id")  # type: ignore[misc]
            ranked += ordered.values_list("id", "search_rank")[: limit - len(ranked)]  # type: ignore[misc]
            if len(ranked) >= limit:
                break
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


def search_snippets(resource_ids: list[int], query: str) -> dict[int, str]:
    """Highlighted fragments for a page of results: escaped text with <mark> around matches."""
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
                f"'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') "
                f"FROM curation_resource WHERE id IN ({placeholders})",
                [*params, *resource_ids],
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
