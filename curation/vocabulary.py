"""Clinicians' vocabulary for search: UK/US spelling variants by rule and synonyms/abbreviations from a
data file the project ships (curation/data/clinical_synonyms.tsv) plus the groups editors add
(SearchSynonym). Both search engines expand every query term through `term_variants`, so a search for
"hyperkalemia" finds "Hyperkalaemia" and "MI" finds "myocardial infarction" on SQLite and PostgreSQL
alike."""

import functools
import re
import uuid
from collections.abc import Iterable
from itertools import product
from pathlib import Path
from typing import Any

from django.core.cache import cache

DATA_FILE = Path(__file__).resolve().parent / "data" / "clinical_synonyms.tsv"
VERSION_KEY = "search:synonyms:version"
MAX_VARIANTS = 12

# UK <-> US rewrites as (pattern, replacement) on a lower-case word. Each is anchored to the stems that
# take it: "ae -> e" or "hem -> haem" applied everywhere would invent words ("does" -> "des").
_REWRITES = [
    (r"aemi(a|c)", r"emi\1"),
    (r"^haem", "hem"),
    (r"^anaest", "anest"),
    (r"paed", "ped"),
    (r"^oedem", "edem"),
    (r"^oesophag", "esophag"),
    (r"^oestr", "estr"),
    (r"^foet(al|us)", r"fet\1"),
    (r"^caesar", "cesar"),
    (r"^aetiol", "etiol"),
    (r"gynaec", "gynec"),
    (r"^faec", "fec"),
    (r"rrhoe", "rrhe"),
    (r"^coeli", "celi"),
    (r"ischaem", "ischem"),
    (r"sulph", "sulf"),
    (r"(?<=.{3})is(ation|e|ed|es|ing)$", r"iz\1"),
    (r"(?<=.{3})ys(e|ed|es|ing)$", r"yz\1"),
    (r"(cen|li|fib|me|thea)tre(s?)$", r"\1ter\2"),
    (r"(tum|col|behavi|lab|hum)our", r"\1or"),
    # and back
    (r"(?<=[a-z]{2})(?<![ad])emi(as?|cs?)$", r"aemi\1"),
    (r"^hem(?!i)(?=[aeo])", "haem"),
    (r"^anest", "anaest"),
    (r"pediatr", "paediatr"),
    (r"orthoped", "orthopaed"),
    (r"^edem", "oedem"),
    (r"^esophag", "oesophag"),
    (r"^estr(?=o)", "oestr"),
    (r"^fet(al|us)", r"foet\1"),
    (r"^cesar", "caesar"),
    (r"^etiol", "aetiol"),
    (r"gynec", "gynaec"),
    (r"^fec(?=[ae])", "faec"),
    (r"rrhe(?=a)", "rrhoe"),
    (r"^celi(?=ac)", "coeli"),
    (r"ischem", "ischaem"),
    (r"sulf", "sulph"),
    (r"(?<=.{3})iz(ation|e|ed|es|ing)$", r"is\1"),
    (r"(?<=.{3})yz(e|ed|es|ing)$", r"ys\1"),
    (r"(cen|li|fib|me|thea)ter(s?)$", r"\1tre\2"),
    (r"(tum|col|behavi|lab|hum)or(?!u)", r"\1our"),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in _REWRITES]
# Words ending in -ise that never take -ize.
_ISE_ALWAYS = frozenset(
    [
        "exercise",
        "promise",
        "otherwise",
        "premise",
        "expertise",
        "advise",
        "compromise",
        "enterprise",
        "surprise",
        "franchise",
        "supervise",
        "televise",
        "devise",
        "revise",
        "merchandise",
        "chastise",
        "disguise",
        "excise",
        "incise",
        "concise",
        "precise",
        "noise",
        "poise",
        "raise",
        "praise",
        "cruise",
        "bruise",
        "paradise",
        "endemic",
        "epidemic",
        "pandemic",
        "systemic",
        "polemic",
    ]
)
_WORD = re.compile(r"[\w'-]+", re.UNICODE)


def spelling_variants(word: str) -> list[str]:
    """The word and its UK/US spellings (lower case): "hyperkalaemia" -> ["hyperkalaemia", "hyperkalemia"]."""
    word = word.lower()
    found = [word]
    if len(word) < 4 or word in _ISE_ALWAYS:
        return found
    for pattern, replacement in _COMPILED:
        variant = pattern.sub(replacement, word)
        if variant != word and variant not in found:
            found.append(variant)
    return found[:4]


def _parse_groups(lines: Iterable[str]) -> list[list[str]]:
    groups = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms = [" ".join(term.split()) for term in line.split("\t") if term.strip()]
        if len(terms) > 1:
            groups.append(terms)
    return groups


@functools.cache
def shipped_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in _parse_groups(DATA_FILE.read_text(encoding="utf-8").splitlines()))


# This process's copy of the index, rebuilt when the shared version (in the cache: Redis in production,
# so every process sees an editor's change) differs. A search expands each term several times; fetching
# a small version string is cheap, fetching and unpickling the whole index each time is not.
_local: dict[str, Any] = {"version": None, "index": {}}


def synonym_index() -> dict[str, list[str]]:
    """Lower-cased term -> every term of its groups (shipped and editors')."""
    synonyms_version()
    index: dict[str, list[str]] = _local["index"]
    return index


def synonyms_version() -> str:
    """The version of the synonym groups this process now holds (rebuilt first if an editor changed
    them): results derived from the groups can be memoised under it."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    if _local["version"] != version or version is None:
        _local["index"], _local["version"] = _build_index(), version
    return str(version)


def _build_index() -> dict[str, list[str]]:
    from curation.models import SearchSynonym  # the vocabulary module is imported by models' users

    groups = [list(group) for group in shipped_groups()]
    groups += [list(terms) for terms in SearchSynonym.objects.values_list("terms", flat=True)]
    index: dict[str, list[str]] = {}
    for group in groups:
        for term in group:
            bucket = index.setdefault(term.lower(), [])
            bucket.extend(other for other in group if other.lower() not in {b.lower() for b in bucket})
    return index


def synonyms_changed() -> None:
    """Every process rebuilds its index at its next search (editors added or removed a group)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def term_variants(term: str) -> list[str]:
    """A query term (a word or a quoted phrase) and what it should also find: its synonyms and the UK/US
    spellings of each, original first, at most MAX_VARIANTS."""
    term = " ".join(term.split())
    if not term:
        return []
    index = synonym_index()
    names = [term, *(s for s in index.get(term.lower(), []) if s.lower() != term.lower())]
    for name in list(names):  # a spelling variant may be the synonym's key ("haemorrhage" -> ...)
        for spelled in _phrase_spellings(name):
            names.extend(s for s in index.get(spelled, []) if s.lower() not in {n.lower() for n in names})
    variants: list[str] = []
    for name in names:
        for spelled in [name, *_phrase_spellings(name)]:
            if spelled.lower() not in {v.lower() for v in variants}:
                variants.append(spelled)
    return variants[:MAX_VARIANTS]


def _phrase_spellings(phrase: str) -> list[str]:
    words = _WORD.findall(phrase.lower())
    if not words or len(words) > 4:
        return []
    combos = product(*(spelling_variants(word)[:2] for word in words))
    return [" ".join(combo) for combo in combos][1:4]
