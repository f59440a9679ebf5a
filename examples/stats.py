"""Statistics over seeds: means with t-intervals and paired differences (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from scipy import stats

__all__ = ["mean_ci", "paired_differences", "percent", "t_quantile", "verdict"]


def t_quantile(df: int, level: float = 0.95) -> float:
    """The two-sided ``level`` quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1 or not 0 < level < 1:
        raise ValueError(f"need df >= 1 and 0 < level < 1, got {df}, {level}")
    return float(stats.t.ppf(0.5 + level / 2, df))


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean and its ``level`` t-interval (NaN bounds below 2 values).

    Raises:
        ValueError: no values.
    """
    if not values:
        raise ValueError("mean_ci needs at least one value")
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(n - 1, level) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def paired_differences(a: Mapping[int, float], b: Mapping[int, float]) -> list[float]:
    """``a[seed] - b[seed]`` for the seeds both have, in seed order."""
    return [a[seed] - b[seed] for seed in sorted(set(a) & set(b))]


def verdict(low: float, high: float) -> str:
    """ "better" / "worse" when a difference's interval excludes 0, else "no difference shown"."""
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no difference shown"


def percent(
    mean: float, low: float | None = None, high: float | None = None, *, signed: bool = False
) -> str:
    """A fraction and its interval in percent: ``"37.0 [35.1, 38.9]"``, signed
    ``"+4.6 [+1.2, +8.0]"``; no interval when its bounds are None or NaN."""
    spec = "+.1f" if signed else ".1f"
    text = f"{100 * mean:{spec}}"
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return text
    return f"{text} [{100 * low:{spec}}, {100 * high:{spec}}]"
