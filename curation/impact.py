"""Source impact formulas (pure).

1. The Social Media Index as published (Thoma et al., West J Emerg Med 2015; formula on ALiEM):
   SMi = 5 * (1/ln A - 1/ln A_max) / (1/ln A_min - 1/ln A_max) + 2.5 * ln T / ln T_max + 2.5 * ln F / ln F_max
   A = Alexa rank (lower is better; an unranked site counts as A_max), T = Twitter followers,
   F = Facebook likes; A_min/A_max best/worst rank in the cohort, T_max/F_max cohort maxima; a count
   of 0 or 1 (or unavailable) contributes 0. Range 0-10.
2. The open link index (formula "link-pagerank/1"): which sources' resources link to which, ranked
   with PageRank (damping 0.85) and scaled 0-10 by the cohort maximum. It depends on nothing but the
   harvested corpus.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

SMI_FORMULA_VERSION = "smi-thoma-2015/1"
LINK_FORMULA_VERSION = "link-pagerank/1"
_HREF = re.compile(r"""href=["'](https?://[^"']+)["']""", re.IGNORECASE)


@dataclass(frozen=True)
class SmiInputs:
    site: str
    alexa_rank: float | None
    twitter_followers: float | None
    facebook_likes: float | None


def _log_share(count: float | None, maximum: float) -> float:
    if count is None or count <= 1 or maximum <= 1:
        return 0.0
    return math.log(count) / math.log(maximum)


def _inverse_log(value: float) -> float:
    return 1 / math.log(value)


def social_media_index(cohort: Sequence[SmiInputs]) -> dict[str, float]:
    """SMi of every site in the cohort, exactly as published."""
    ranks = [site.alexa_rank for site in cohort if site.alexa_rank is not None and site.alexa_rank > 1]
    twitter_max = max((site.twitter_followers or 0 for site in cohort), default=0)
    facebook_max = max((site.facebook_likes or 0 for site in cohort), default=0)
    result = {}
    for site in cohort:
        alexa_part = 0.0
        if ranks and min(ranks) != max(ranks):
            a_min, a_max = min(ranks), max(ranks)
            rank = site.alexa_rank if site.alexa_rank is not None and site.alexa_rank > 1 else a_max
            alexa_part = (
                5 * (_inverse_log(rank) - _inverse_log(a_max)) / (_inverse_log(a_min) - _inverse_log(a_max))
            )
        score = (
            alexa_part
            + 2.5 * _log_share(site.twitter_followers, twitter_max)
            + 2.5 * _log_share(site.facebook_likes, facebook_max)
        )
        result[site.site] = score
    return result


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def link_edges(
    resources: Iterable[tuple[int, str]], source_hosts: Mapping[int, str]
) -> dict[tuple[int, int], int]:
    """Count links between sources: (from source, to source) -> number of resources linking. `resources`
    yields (source id, sanitised HTML); a link to a source's own host is not counted."""
    by_host = {host: source_id for source_id, host in source_hosts.items() if host}
    edges: dict[tuple[int, int], int] = {}
    for source_id, html in resources:
        targets = {by_host[host] for host in map(host_of, _HREF.findall(html or "")) if host in by_host}
        for target in targets - {source_id}:
            edges[(source_id, target)] = edges.get((source_id, target), 0) + 1
    return edges


def link_index(source_ids: Iterable[int], edges: Mapping[tuple[int, int], int]) -> dict[int, float]:
    """PageRank over the weighted source link graph, scaled so the top source scores 10."""
    ranks = pagerank(source_ids, edges)
    if not ranks:
        return {}
    top = max(ranks.values())
    return {node: 10 * value / top for node, value in ranks.items()}


def pagerank(
    nodes: Iterable[int],
    edges: Mapping[tuple[int, int], float],
    *,
    damping: float = 0.85,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
) -> dict[int, float]:
    """Weighted PageRank by power iteration, as networkx computes it: each node's out-weights
    normalised to 1, dangling nodes' rank spread over every node, a uniform teleport, and convergence
    when the L1 change falls under N x tolerance. Raises ValueError when it does not converge."""
    order = list(dict.fromkeys([*nodes, *(a for a, _ in edges), *(b for _, b in edges)]))
    count = len(order)
    if count == 0:
        return {}
    out_weight: dict[int, float] = dict.fromkeys(order, 0.0)
    for (origin, _), weight in edges.items():
        out_weight[origin] += weight
    links = [(origin, target, weight / out_weight[origin]) for (origin, target), weight in edges.items()]
    dangling = [node for node in order if out_weight[node] == 0]
    rank = dict.fromkeys(order, 1.0 / count)
    for _ in range(max_iterations):
        spread = (damping * sum(rank[node] for node in dangling) + (1 - damping)) / count
        new = dict.fromkeys(order, spread)
        for origin, target, share in links:
            new[target] += damping * rank[origin] * share
        change = sum(abs(new[node] - rank[node]) for node in order)
        rank = new
        if change < count * tolerance:
            return rank
    raise ValueError(f"PageRank did not converge in {max_iterations} iterations")
