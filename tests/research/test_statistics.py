"""Statistics against independent references: published worked examples, and an independent
computation from first principles (ANOVA mean squares) to 1e-3."""

import json
import math

import numpy as np
import pytest

from curation.formulas import raters_needed, spearman_brown
from research.statistics import (
    StatisticsError,
    cronbach_alpha,
    mean_sd_ci,
    reliability,
    spearman_with_ci,
)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Published (2 dp): ICC(1,1) .17,
# ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
PUBLISHED_ICC = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}

# Krippendorff (2011) "Computing Krippendorff's alpha-reliability", 4 coders x 12 units with missing
# values. Published: nominal .743, ordinal .815, interval .849.
N = None
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
PUBLISHED_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}


def long(matrix):
    return [(t, r, v) for t, row in enumerate(matrix) for r, v in enumerate(row) if v is not None]


def anova_iccs(matrix):
    """Shrout & Fleiss from first principles: two-way ANOVA mean squares."""
    x = np.asarray(matrix, dtype=float)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    bms, jms = ss_rows / (n - 1), ss_cols / (k - 1)
    ems = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    wms = (ss_total - ss_rows) / (n * (k - 1))
    return {
        "ICC1": (bms - wms) / (bms + (k - 1) * wms),
        "ICC2": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": (bms - ems) / (bms + (k - 1) * ems),
        "ICC1k": (bms - wms) / bms,
        "ICC2k": (bms - ems) / (bms + (jms - ems) / n),
        "ICC3k": (bms - ems) / bms,
    }


def test_icc_matches_shrout_and_fleiss_and_first_principles():
    result = reliability(long(SHROUT_FLEISS))
    reference = anova_iccs(SHROUT_FLEISS)
    assert result["design"] == "crossed" and (result["n_targets"], result["n_raters"]) == (6, 4)
    for name, published in PUBLISHED_ICC.items():
        value = result["icc"][name]["value"]
        assert abs(value - reference[name]) < 1e-3, name
        assert abs(value - published) <= 0.005 + 1e-9, name
        low, high = result["icc"][name]["ci95"]
        assert low < value < high
    # a crossed design reports the two-way forms as the headline figures
    assert (result["single_rater_icc"], result["mean_of_raters_icc"]) == (
        result["icc"]["ICC2"]["value"],
        result["icc"]["ICC2k"]["value"],
    )


def test_icc_confidence_interval_matches_the_f_distribution():
    from scipy import stats

    # McGraw & Wong (1996) CI for ICC(1,1): F_L = F_obs / F(.975; n-1, n(k-1)), lower = (F_L-1)/(F_L+k-1).
    x = np.asarray(SHROUT_FLEISS, dtype=float)
    n, k = x.shape
    bms = k * ((x.mean(axis=1) - x.mean()) ** 2).sum() / (n - 1)
    wms = (((x - x.mean()) ** 2).sum() - bms * (n - 1)) / (n * (k - 1))
    f_obs = bms / wms
    f_low = f_obs / stats.f.ppf(0.975, n - 1, n * (k - 1))
    f_high = f_obs * stats.f.ppf(0.975, n * (k - 1), n - 1)
    expected = [(f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)]
    got = reliability(long(SHROUT_FLEISS))["icc"]["ICC1"]["ci95"]
    assert got == pytest.approx(expected, abs=0.006)  # pingouin reports CIs to 2 decimals


@pytest.mark.parametrize(("level", "published"), PUBLISHED_ALPHA.items())
def test_krippendorff_alpha_matches_the_published_example_with_missing_values(level, published):
    ratings = [
        (unit, coder, v)
        for coder, row in enumerate(KRIPPENDORFF)
        for unit, v in enumerate(row)
        if v is not None
    ]
    result = reliability(ratings, level=level)
    assert abs(result["krippendorff_alpha"] - published) < 1e-3


def test_nested_design_reports_one_way_forms_only_with_a_note():
    # Each target rated by 3 different raters (as in a curation round).
    ratings = [(t, f"r{t}-{i}", v) for t, row in enumerate(SHROUT_FLEISS) for i, v in enumerate(row[:3])]
    result = reliability(ratings)
    assert result["design"] == "nested" and result["n_raters"] == 18
    reference = anova_iccs([row[:3] for row in SHROUT_FLEISS])
    assert abs(result["icc"]["ICC1"]["value"] - reference["ICC1"]) < 1e-3
    assert result["icc"]["ICC2"]["value"] is None and any("one-way" in note for note in result["notes"])
    assert (result["single_rater_icc"], result["mean_of_raters_icc"]) == (
        result["icc"]["ICC1"]["value"],
        result["icc"]["ICC1k"]["value"],
    )
    json.dumps(result, allow_nan=False)


def test_degenerate_inputs_give_clear_errors_or_documented_nulls():
    with pytest.raises(StatisticsError, match="two ratings"):
        reliability([(t, "only", v) for t, v in enumerate([3, 4, 5])])
    with pytest.raises(StatisticsError, match="two rated targets"):
        reliability([(0, "a", 3), (0, "b", 4)])
    with pytest.raises(StatisticsError, match="twice"):
        reliability([(0, "a", 3), (0, "a", 4), (1, "a", 2)])
    constant = reliability([(t, r, 5) for t in range(4) for r in range(3)])
    assert constant["icc"]["ICC1"]["value"] is None and constant["krippendorff_alpha"] is None
    assert constant["raters_needed_for_0_8"] is None
    json.dumps(constant, allow_nan=False)


def test_spearman_brown_and_raters_needed():
    # PRODUCT.md: AIR reached 0.81 with 8 raters, so its single-rater reliability is 0.81/(8-7*0.81).
    air_single = 0.81 / (8 - 7 * 0.81)
    assert spearman_brown(air_single, 8) == pytest.approx(0.81)
    assert raters_needed(air_single) == 8
    # ... and gestalt needs about 42 ratings for 0.8: single-rater reliability near 0.087.
    assert raters_needed(0.8 / (42 - 41 * 0.8)) == 42
    assert raters_needed(0.85) == 1 and raters_needed(0.0) is None and raters_needed(None) is None


def test_cronbach_alpha_matches_its_definition():
    scores = [[5, 6, 5, 4, 6], [3, 3, 4, 2, 3], [6, 7, 6, 6, 7], [4, 4, 5, 3, 4], [2, 3, 2, 2, 3]]
    x = np.asarray(scores, dtype=float)
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert abs(cronbach_alpha(scores)["value"] - expected) < 1e-3
    assert cronbach_alpha([[5, 5], [5, 5]])["value"] is None


def test_spearman_matches_scipy_and_its_ci_the_fisher_transform():
    from scipy import stats

    x, y = [1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 4, 3, 6, 5, 8, 7]
    result = spearman_with_ci(x, y)
    assert abs(result["rho"] - stats.spearmanr(x, y).statistic) < 1e-3
    z, half = math.atanh(result["rho"]), 1.96 * 1.03 / math.sqrt(5)
    assert result["ci95"] == pytest.approx([math.tanh(z - half), math.tanh(z + half)], abs=1e-3)
    assert spearman_with_ci([1, 1, 1, 1], [1, 2, 3, 4])["rho"] is None


def test_mean_sd_ci_uses_the_t_distribution():
    result = mean_sd_ci([30, 32, 35])
    assert result["mean"] == pytest.approx(32.3333, abs=1e-3) and result["sd"] == pytest.approx(
        2.5166, abs=1e-3
    )
    assert result["ci95"] == pytest.approx([26.082, 38.585], abs=1e-3)
    assert mean_sd_ci([30])["ci95"] is None and mean_sd_ci([])["mean"] is None


def test_zou_interval_separates_a_strong_predictor_from_noise_and_not_from_its_twin():
    import numpy as np

    from research.statistics import compare_dependent_spearman

    rng = np.random.default_rng(7)
    consensus = rng.normal(size=200)
    strong = consensus + rng.normal(scale=0.3, size=200)
    noise = rng.normal(size=200)
    twin = strong + rng.normal(scale=0.01, size=200)

    apart = compare_dependent_spearman(list(strong), list(noise), list(consensus))
    together = compare_dependent_spearman(list(strong), list(twin), list(consensus))

    assert apart["differs"] is True and apart["ci95"][0] > 0.5
    assert together["differs"] is False and together["ci95"][0] < 0 < together["ci95"][1]
    assert compare_dependent_spearman([1, 2, 3], [1, 2, 3], [1, 2, 3])["differs"] is None
