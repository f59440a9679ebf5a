"""The rules the occluder parameter groups share: ranges, choices, weights, labels.

Each check raises a one-line ``ValueError`` naming the parameter, or returns the normalised
value. No albumentations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tiaug._checks import check_fraction, check_int_range, check_range

__all__ = [
    "FloatRange",
    "IntRange",
    "check_choices",
    "check_one_of",
    "check_ranges",
    "check_weights",
    "is_label",
]

FloatRange = tuple[float, float]
IntRange = tuple[int, int]


def check_ranges(
    config: object,
    floats: Mapping[str, tuple[float | None, float | None, bool]],
    ints: Mapping[str, int] | None = None,
    fractions: Sequence[str] = (),
) -> None:
    """Check and normalise the range fields of a frozen dataclass, in place.

    Args:
        config: the dataclass instance (in its ``__post_init__``).
        floats: name -> (lowest value, highest value, lowest value excluded).
        ints: name -> lowest value, for integer ranges.
        fractions: lengths given as fractions of the short side (values above 1 look like
            pixels).
    """
    put = object.__setattr__
    for name, (low, high, open_low) in floats.items():
        put(config, name, check_range(name, getattr(config, name), low, high, open_low=open_low))
    for name in fractions:
        check_fraction(name, getattr(config, name))
    for name, lowest in (ints or {}).items():
        put(config, name, check_int_range(name, getattr(config, name), lowest))


def check_choices(name: str, values: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """``values`` as a tuple of distinct names of ``allowed`` (one name may be a string)."""
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must name at least one of {tuple(allowed)}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {name} {unknown}; choose from {tuple(allowed)}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {values}")
    return values


def check_weights(name: str, weights: Sequence[float] | None, count: int) -> tuple[float, ...]:
    """``count`` weights normalised to sum 1 (``None``: equal)."""
    if weights is None:
        return (1.0 / count,) * count
    weights = tuple(float(w) for w in weights)
    if len(weights) != count:
        raise ValueError(
            f"{name} needs {count} values (one per choice), got {len(weights)}; "
            "pass None for the default weights"
        )
    if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"{name} must be non-negative with a positive sum, got {weights}")
    total = sum(weights)
    return tuple(w / total for w in weights)


def check_one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose from {allowed}")
    return value


def is_label(value: Any) -> bool:
    """An integer label (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
