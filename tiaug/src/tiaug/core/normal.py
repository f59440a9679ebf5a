"""Gaussian noise fields: zero-mean float32 normal values from an explicit generator.

Numpy only (the standard library's ``statistics.NormalDist`` once, for the quantile table).
"""

from __future__ import annotations

import statistics
from functools import lru_cache
from typing import Literal

import numpy as np

__all__ = ["gaussian_noise"]

_TABLE_BITS = 16


@lru_cache(maxsize=1)
def _normal_table() -> np.ndarray:
    """Conditional means of the standard normal on 2**16 equiprobable bins (float32).

    Bin ``i`` is ``(Phi^-1(i / N), Phi^-1((i + 1) / N))``; its conditional mean is
    ``N * (phi(a) - phi(b))``. The table is rescaled to unit variance (the within-bin
    variance, about 1e-8, is the only thing lost).
    """
    n = 1 << _TABLE_BITS
    quantile = statistics.NormalDist().inv_cdf  # 65535 calls: about 15 ms, once
    inner = [quantile(i / n) for i in range(1, n)]
    edges = np.array([-np.inf, *inner, np.inf])
    density = np.exp(-0.5 * np.square(edges)) / np.sqrt(2.0 * np.pi)  # 0 at +-inf
    means = (density[:-1] - density[1:]) * n
    means -= means.mean()
    means /= np.sqrt(np.mean(np.square(means)))
    table = means.astype(np.float32)
    table.setflags(write=False)
    return table


def _random_uint16(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` uniform 16-bit integers: the generator's raw 64-bit output cut in four."""
    raw = rng.bit_generator.random_raw(-(-size // 4)).astype("<u8", copy=False)
    return raw.view("<u2")[:size]


def gaussian_noise(
    shape: tuple[int, ...],
    sigma: float,
    *,
    rng: np.random.Generator,
    method: Literal["table", "ziggurat"] = "table",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Zero-mean Gaussian noise of std ``sigma`` (float32).

    Args:
        shape: output shape.
        sigma: standard deviation (degC).
        rng: source of randomness.
        method: ``"table"`` (default, about 4x faster than numpy's ziggurat here): inverse-CDF
            sampling from a 65536-entry table of the normal's bin conditional means, i.e. a
            normal quantised to 65536 equiprobable levels; the std is exact and the largest
            |value| is 4.4 sigma (exact normal: a value beyond 4.4 sigma once per 90 000
            pixels). ``"ziggurat"``: ``rng.standard_normal`` (exact, slower).
        out: optional float32 buffer of ``shape`` to write into.
    """
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    if method == "table":
        np.take(
            _normal_table(), _random_uint16(rng, out.size).reshape(out.shape), out=out, mode="clip"
        )  # every index is valid; "clip" skips numpy's bounds check
    elif method == "ziggurat":
        rng.standard_normal(dtype=np.float32, out=out)
    else:
        raise ValueError(f"method must be 'table' or 'ziggurat', got {method!r}")
    out *= np.float32(sigma)
    return out
