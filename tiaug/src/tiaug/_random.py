"""Scalar draws from a ``numpy.random.Generator``: the generator's own numbers, cheaper.

Pure Python over the generator: ``import tiaug`` stays light.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_range", "draw_uniform"]


def draw_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    """``float(rng.uniform(low, high))``, bit for bit: ``low + (high - low) * rng.random()``.

    numpy computes one uniform value this way from the same double of the stream, so the
    result and the generator's state afterwards are the same; a scalar ``rng.uniform`` call
    costs about four times as much (argument broadcasting). Like numpy, refuses
    ``high < low`` (and NaN) with ``ValueError``.
    """
    low, high = float(low), float(high)
    if not high >= low:
        raise ValueError(f"high < low in a uniform draw: ({low}, {high})")
    return low + (high - low) * rng.random()


def draw_range(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """A value of the range ``(low, high)``: ``low`` itself, drawing nothing, when they are
    equal (a fixed option), else :func:`draw_uniform`."""
    low, high = bounds
    return float(low) if low == high else draw_uniform(rng, low, high)
