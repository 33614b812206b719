"""Reliability and validity statistics, on well-kept libraries (pingouin, krippendorff, scipy): the
research room only, never imported by a web process. Pure functions: no database. Every result is JSON-safe: a statistic that cannot be computed is None
with a reason, never NaN.

Conventions
- ICC forms follow Shrout & Fleiss (1979): ICC1 one-way random; ICC2 two-way random, absolute
  agreement; ICC3 two-way mixed, consistency; the *k forms are the reliability of the mean of k raters.
- Designs: "crossed" when every target was rated by the same raters (all six forms apply); "nested"
  when raters differ between targets (rounds assign different reviewers): then only the one-way forms
  apply, computed on the first k ratings of every target (k = the fewest ratings any target has).
- The decision study uses the Spearman-Brown prophecy on the single-rater ICC (ICC2 when crossed,
  ICC1 when nested).
"""

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from scipy import stats

from curation.formulas import finite_or_none, raters_needed

ICC_FORMS = {  # pingouin's labels -> Shrout & Fleiss names
    "ICC(1,1)": "ICC1",
    "ICC(A,1)": "ICC2",
    "ICC(C,1)": "ICC3",
    "ICC(1,k)": "ICC1k",
    "ICC(A,k)": "ICC2k",
    "ICC(C,k)": "ICC3k",
}
ONE_WAY = ("ICC1", "ICC1k")


class StatisticsError(ValueError):
    """The data cannot support the statistic (too few targets or raters, no variance)."""


def _wide(ratings: Sequence[tuple[Any, Any, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(ratings, columns=["target", "rater", "score"])
    if frame.duplicated(["target", "rater"]).any():
        raise StatisticsError("A rater rated the same target twice; keep one rating per target and rater.")
    return frame.pivot(index="target", columns="rater", values="score")


def reliability(ratings: Sequence[tuple[Any, Any, float]], *, level: str = "interval") -> dict[str, Any]:
    """ICC (six forms, 95 % CIs), Krippendorff's alpha and the decision study for long-format
    (target, rater, score) ratings. Raises StatisticsError when nothing can be computed."""
    if level not in ("interval", "ordinal", "nominal", "ratio"):
        raise StatisticsError("level must be interval, ordinal, nominal or ratio.")
    wide = _wide(ratings)
    n_targets, n_raters = wide.shape
    rated = wide.notna().sum(axis=1)
    if n_targets < 2:
        raise StatisticsError("Reliability needs at least two rated targets.")
    if rated.max() < 2:
        raise StatisticsError(
            "Reliability needs at least two ratings of the same target (one rater is not enough)."
        )
    notes: list[str] = []
    crossed = bool(wide.notna().all().all()) and n_raters >= 2
    icc = _icc(wide, crossed, notes)
    alpha = _krippendorff(wide, level, notes)
    single = icc["ICC2" if crossed else "ICC1"]["value"]  # the form the design supports
    needed = raters_needed(single)
    if needed is None:
        notes.append("Single-rater reliability is not positive: no number of raters reaches 0.8.")
    return {
        "n_targets": int(n_targets),
        "n_raters": int(n_raters),
        "n_ratings": int(wide.notna().sum().sum()),
        "design": "crossed" if crossed else "nested",
        "icc": icc,
        "single_rater_icc": single,
        "mean_of_raters_icc": icc["ICC2k" if crossed else "ICC1k"]["value"],
        "krippendorff_alpha": alpha,
        "level": level,
        "raters_needed_for_0_8": needed,
        "notes": notes,
    }


def _icc(wide: pd.DataFrame, crossed: bool, notes: list[str]) -> dict[str, dict[str, Any]]:
    empty: dict[str, dict[str, Any]] = {name: {"value": None, "ci95": None} for name in ICC_FORMS.values()}
    if crossed:
        long = wide.stack().rename("score").reset_index()
        k = wide.shape[1]
    else:
        usable = wide[wide.notna().sum(axis=1) >= 2]
        k = max(int(usable.notna().sum(axis=1).min()), 2) if len(usable) else 0
        if k < 2 or len(usable) < 2:
            notes.append("Too few targets with two or more ratings for an ICC.")
            return empty
        rows = [
            (target, slot, value)
            for target, series in usable.iterrows()
            for slot, value in enumerate(series.dropna().tolist()[:k])
        ]
        long = pd.DataFrame(rows, columns=["target", "rater", "score"])
        notes.append(
            f"Raters differ between targets: one-way ICC only, on the first {k} ratings of each of "
            f"{len(usable)} targets; ICC2 and ICC3 need every target rated by the same raters."
        )
    if long["score"].nunique() < 2:
        notes.append("Every rating is the same: there is no variance, so the ICC is undefined.")
        return empty
    if long["score"].notna().sum() < 5:  # pingouin's own minimum for an ICC
        notes.append("Fewer than five ratings: too few for an ICC.")
        return empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pingouin.intraclass_corr(
            data=long, targets="target", raters="rater", ratings="score", nan_policy="omit"
        )
    result = dict(empty)
    for _, row in table.iterrows():
        name = ICC_FORMS[row["Type"]]
        if not crossed and name not in ONE_WAY:
            continue
        low, high = row["CI95"]
        result[name] = {
            "value": finite_or_none(row["ICC"]),
            "ci95": [finite_or_none(low), finite_or_none(high)],
        }
    return result


def _krippendorff(wide: pd.DataFrame, level: str, notes: list[str]) -> float | None:
    data = wide.to_numpy(dtype=float).T  # raters x targets, NaN for missing
    values = data[~np.isnan(data)]
    if np.unique(values).size < 2:
        notes.append("Krippendorff's alpha is undefined when every rating has the same value.")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return finite_or_none(krippendorff.alpha(reliability_data=data, level_of_measurement=level))  # type: ignore[arg-type]


def cronbach_alpha(item_scores: Sequence[Sequence[float]]) -> dict[str, Any]:
    """Internal consistency across an instrument's items (rows: reviews, columns: items)."""
    frame = pd.DataFrame(item_scores, dtype=float)
    if frame.shape[0] < 2 or frame.shape[1] < 2:
        return {"value": None, "ci95": None, "reason": "needs two or more reviews and items"}
    if (frame.var(ddof=1) == 0).all():
        return {"value": None, "ci95": None, "reason": "no item varies"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, ci = pingouin.cronbach_alpha(data=frame)
    return {"value": finite_or_none(value), "ci95": [finite_or_none(ci[0]), finite_or_none(ci[1])]}


def spearman_with_ci(x: Sequence[float | None], y: Sequence[float | None]) -> dict[str, Any]:
    """Spearman's rho with a 95 % CI (Fisher z, SE 1.03/sqrt(n-3) as recommended for rho by
    Fieller, Hartley & Pearson 1957)."""
    if len(x) != len(y):
        raise ValueError("x and y must pair up")
    xa, ya = np.array(x, dtype=float), np.array(y, dtype=float)  # None becomes NaN: a missing value
    both = ~(np.isnan(xa) | np.isnan(ya))
    xs, ys = xa[both], ya[both]
    n = int(both.sum())
    if n < 4:
        return {"rho": None, "ci95": None, "n": n, "reason": "needs at least four pairs"}
    if np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return {"rho": None, "ci95": None, "n": n, "reason": "a signal is constant"}
    rho = float(stats.spearmanr(xs, ys).statistic)
    z, half = math.atanh(max(min(rho, 0.999999), -0.999999)), 1.96 * 1.03 / math.sqrt(n - 3)
    return {
        "rho": finite_or_none(rho),
        "ci95": [finite_or_none(math.tanh(z - half)), finite_or_none(math.tanh(z + half))],
        "n": n,
    }


def mean_sd_ci(values: Sequence[float]) -> dict[str, Any]:
    """Mean, SD and the t-based 95 % CI of the mean (None where n is too small)."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "ci95": None}
    mean = float(np.mean(values))
    if n == 1:
        return {"n": 1, "mean": finite_or_none(mean), "sd": None, "ci95": None}
    sd = float(np.std(values, ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return {
        "n": n,
        "mean": finite_or_none(mean),
        "sd": finite_or_none(sd),
        "ci95": [finite_or_none(mean - half), finite_or_none(mean + half)],
    }


def group_ratings(rows: Sequence[tuple[Any, Any, float]]) -> dict[Any, list[float]]:
    grouped: dict[Any, list[float]] = defaultdict(list)
    for target, _, score in rows:
        grouped[target].append(score)
    return grouped


def _rho_ci(rho: float, n: int) -> tuple[float, float]:
    z, half = math.atanh(max(min(rho, 0.999999), -0.999999)), 1.96 * 1.03 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def compare_dependent_spearman(
    x1: Sequence[float | None], x2: Sequence[float | None], y: Sequence[float | None]
) -> dict[str, Any]:
    """Is signal x1 a better predictor of y than x2, measured on the same resources? Zou's (2007)
    confidence interval for the difference of two overlapping dependent correlations, rho(x1, y) -
    rho(x2, y), built from each correlation's own CI (Fisher z, as spearman_with_ci) and their
    correlation through rho(x1, x2). Complete cases only. `differs` is True when the 95 % CI excludes
    zero, False when it does not (the data cannot tell the two apart), None when it cannot be computed."""
    if not len(x1) == len(x2) == len(y):
        raise ValueError("the three signals must pair up")
    a, b, c = (np.array(v, dtype=float) for v in (x1, x2, y))
    both = ~(np.isnan(a) | np.isnan(b) | np.isnan(c))
    a, b, c = a[both], b[both], c[both]
    n = int(both.sum())
    if n < 5:
        return {
            "difference": None,
            "ci95": None,
            "n": n,
            "differs": None,
            "reason": "needs at least five resources",
        }
    if min(np.ptp(a), np.ptp(b), np.ptp(c)) == 0:
        return {"difference": None, "ci95": None, "n": n, "differs": None, "reason": "a signal is constant"}
    r1 = float(stats.spearmanr(a, c).statistic)
    r2 = float(stats.spearmanr(b, c).statistic)
    r12 = float(stats.spearmanr(a, b).statistic)
    (l1, u1), (l2, u2) = _rho_ci(r1, n), _rho_ci(r2, n)
    denominator = (1 - r1**2) * (1 - r2**2)
    corr = (
        ((r12 - r1 * r2 / 2) * (1 - r1**2 - r2**2 - r12**2) + r12**3) / denominator
        if denominator > 0
        else 1.0
    )
    low = r1 - r2 - math.sqrt(max((r1 - l1) ** 2 + (u2 - r2) ** 2 - 2 * corr * (r1 - l1) * (u2 - r2), 0.0))
    high = r1 - r2 + math.sqrt(max((u1 - r1) ** 2 + (r2 - l2) ** 2 - 2 * corr * (u1 - r1) * (r2 - l2), 0.0))
    return {
        "difference": finite_or_none(r1 - r2),
        "ci95": [finite_or_none(low), finite_or_none(high)],
        "n": n,
        "differs": bool(low > 0 or high < 0),
    }
