"""Small pure formulas the web processes need: the Spearman-Brown prophecy, raters needed for a target
reliability, and Student's t quantile for a confidence interval. Standard library only, so a page
never pulls in the statistics stack (that lives in the `research` room); the tests check each against
scipy."""

import functools
import math
from typing import Any

TARGET_RELIABILITY = 0.8


def finite_or_none(value: Any, digits: int = 4) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, digits) if math.isfinite(number) else None


def spearman_brown(single: float, raters: float) -> float:
    """Reliability of the mean of `raters` ratings given the single-rater reliability."""
    return raters * single / (1 + (raters - 1) * single)


def raters_needed(single: float | None, target: float = TARGET_RELIABILITY) -> int | None:
    """Smallest number of raters whose mean reaches `target` (Spearman-Brown); None when the single-
    rater reliability is unknown or not positive (no number of raters gets there)."""
    if single is None or single <= 0:
        return None
    if single >= target:
        return 1
    return math.ceil(round(target * (1 - single) / (single * (1 - target)), 9))


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return result


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) for 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def t_cdf(t: float, degrees: float) -> float:
    """Student's t distribution function."""
    tail = 0.5 * _incomplete_beta(degrees / 2, 0.5, degrees / (degrees + t * t))
    return 1.0 - tail if t >= 0 else tail


@functools.cache
def t_quantile(probability: float, degrees: float) -> float:
    """Student's t quantile (inverse of `t_cdf`) by bisection, to 1e-10."""
    if not 0 < probability < 1 or degrees <= 0:
        raise ValueError("probability must lie in (0, 1) and degrees be positive")
    if probability < 0.5:
        return -t_quantile(1 - probability, degrees)
    low, high = 0.0, 1.0
    while t_cdf(high, degrees) < probability:
        low, high = high, high * 2
    while high - low > 1e-10 * max(1.0, high):
        middle = (low + high) / 2
        if t_cdf(middle, degrees) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clock_text(seconds: float) -> str:
    """3725 -> "1:02:05", 754 -> "12:34", 0 -> "0:00": how a media player shows a time."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, second = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{second:02d}" if hours else f"{minutes}:{second:02d}"
