"""The camera's additive noise terms beyond the temporal noise, in the registry :data:`NOISE_TERMS`.

A term is one function ``(shape, level, *, rng, **options) -> field``: float32 offsets in
degC, of std ``level``, that broadcast to ``shape`` (an HxW field, an Hx1 column of row
offsets...). Its entry, under the name of its level, says what the level is, which keyword
options the function takes and whether the field is fixed per camera (the frames of one
sequence share it). :func:`~tiaug.noise.functional.add_sensor_noise` and
:class:`~tiaug.SensorNoise` take every registered level and option by name: adding a term
is one function and one entry. Numpy (+ OpenCV through :mod:`tiaug.core`), explicit
generators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from tiaug.core import gaussian_blur, gaussian_kernel, gaussian_noise

__all__ = [
    "NOISE_TERMS",
    "Frame",
    "NoiseTerm",
    "TermFunction",
    "draw_terms",
    "fixed_pattern",
    "fixed_pattern_noise",
    "split_terms",
    "stripe_offsets",
    "term_options",
]


#: (rows, columns) of a frame
Frame = tuple[int, int]
#: ``(shape, level, *, rng, **options) -> field``: offsets (degC, std ``level``, float32) that
#: broadcast to ``shape`` = (rows, columns); each option a keyword with a default
TermFunction = Callable[..., np.ndarray]


@dataclass(frozen=True)
class NoiseTerm:
    """One entry of :data:`NOISE_TERMS`.

    Attributes:
        function: draws the term's field (see the module docstring).
        doc: what the level is, e.g. "std of the per-row offsets (degC)".
        options: name -> description of each keyword option of ``function``: a number
            >= 0, 0 by default. Terms may share an option (``stripe_scale``).
        fixed: fixed per camera: the frames of one sequence share the field.
    """

    function: TermFunction
    doc: str
    options: Mapping[str, str] = field(default_factory=dict)
    fixed: bool = False


def fixed_pattern_noise(
    shape: tuple[int, int],
    std: float,
    *,
    rng: np.random.Generator,
    scale: float = 0.0,
) -> np.ndarray:
    """Fixed-pattern (non-uniformity) offsets of std ``std`` degC, float32 of ``shape``.

    Args:
        shape: (rows, columns).
        std: standard deviation of the offsets (degC).
        rng: source of randomness.
        scale: correlation length in pixels. 0: independent per pixel (white, the
            pixel-to-pixel offset non-uniformity). > 0: white noise blurred by a Gaussian of
            sigma ``scale`` pixels and divided by the blur's noise gain (the sum of squared
            kernel weights), so the field keeps std ``std`` in expectation while its
            spectrum falls off beyond ``1 / scale`` (the smooth, blotchy part of real
            non-uniformity).
    """
    field = gaussian_noise(shape, 1.0, rng=rng)
    if scale > 0:
        field = gaussian_blur(field, scale)
        gain = float(np.sum(np.square(gaussian_kernel(scale))))  # per axis; 2-D: gain**2
        field *= np.float32(std / gain)
    else:
        field *= np.float32(std)
    return field


def stripe_offsets(
    length: int,
    std: float,
    *,
    rng: np.random.Generator,
    scale: float = 0.0,
) -> np.ndarray:
    """One random offset per row (or column): a float32 vector of ``length``, std ``std``.

    Adding ``offsets[:, None]`` to an image gives row stripes, ``offsets[None, :]`` column
    stripes: all their energy lies on one axis of the 2-D spectrum.

    Args:
        length: number of rows or columns.
        std: standard deviation of the offsets (degC).
        rng: source of randomness.
        scale: correlation length along the stripe index in pixels. 0: each row independent
            (a flat spectrum on the axis). > 0: neighbouring rows are correlated (Gaussian
            smoothing, renormalised to std ``std``), which concentrates the energy at low
            frequencies of the axis (wide bands rather than single-pixel lines).
    """
    offsets = rng.standard_normal(length)
    if scale > 0 and length > 1:
        kernel = gaussian_kernel(scale)
        radius = kernel.size // 2
        padded = np.pad(offsets, radius, mode="reflect" if length > radius else "wrap")
        offsets = np.convolve(padded, kernel, mode="valid")
        offsets /= np.sqrt(np.sum(np.square(kernel)))
    return (offsets * std).astype(np.float32)


def _fixed_pattern(
    shape: Frame, level: float, *, rng: np.random.Generator, fixed_pattern_scale: float = 0.0
) -> np.ndarray:
    return fixed_pattern_noise(shape, level, scale=fixed_pattern_scale, rng=rng)


def _row_stripes(
    shape: Frame, level: float, *, rng: np.random.Generator, stripe_scale: float = 0.0
) -> np.ndarray:
    return stripe_offsets(shape[0], level, scale=stripe_scale, rng=rng)[:, None]


def _column_stripes(
    shape: Frame, level: float, *, rng: np.random.Generator, stripe_scale: float = 0.0
) -> np.ndarray:
    return stripe_offsets(shape[1], level, scale=stripe_scale, rng=rng)[None, :]


_STRIPE_SCALE = {"stripe_scale": "correlation length between neighbouring rows/columns in pixels."}

#: level name -> term, in the order the terms are drawn and added
NOISE_TERMS: dict[str, NoiseTerm] = {
    "fixed_pattern": NoiseTerm(
        _fixed_pattern,
        "std of the fixed-pattern offsets (degC)",
        {"fixed_pattern_scale": "correlation length of the fixed pattern in pixels (0: white)."},
        fixed=True,
    ),
    "row_noise": NoiseTerm(_row_stripes, "std of the per-row offsets (degC)", _STRIPE_SCALE),
    "column_noise": NoiseTerm(
        _column_stripes, "std of the per-column offsets (degC)", _STRIPE_SCALE
    ),
}


def term_options() -> dict[str, str]:
    """Every option of the registered terms, once: name -> description, in registry order."""
    return {name: doc for term in NOISE_TERMS.values() for name, doc in term.options.items()}


def split_terms(
    values: Mapping[str, float], owner: str
) -> tuple[dict[str, float], dict[str, float]]:
    """``values`` as (the level of every term, 0 when not given; the options given).

    Raises ``TypeError`` (as Python would for ``owner()``) for a name that is neither.
    """
    options = term_options()
    for name in values:
        if name not in NOISE_TERMS and name not in options:
            raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}")
    levels = {name: values.get(name, 0.0) for name in NOISE_TERMS}
    return levels, {name: values[name] for name in options if name in values}


def draw_terms(
    shape: Frame,
    levels: Mapping[str, float],
    options: Mapping[str, float],
    *,
    rng: np.random.Generator,
    fixed: bool,
) -> Iterator[np.ndarray]:
    """The fields of the terms that are on (level > 0) and ``fixed`` or not, in registry
    order, each drawn from ``rng`` with its own options."""
    for name, term in NOISE_TERMS.items():
        level = levels.get(name, 0.0)
        if term.fixed == fixed and level > 0:
            own = {key: options[key] for key in term.options if key in options}
            yield term.function(shape, level, rng=rng, **own)


def fixed_pattern(
    shape: Frame,
    levels: Mapping[str, float],
    options: Mapping[str, float],
    *,
    rng: np.random.Generator,
) -> np.ndarray | None:
    """The camera's fixed pattern: the sum of the fixed terms' fields (float32, broadcasting
    to ``shape``), None when none of them is on."""
    fields = list(draw_terms(shape, levels, options, rng=rng, fixed=True))
    return sum(fields[1:], fields[0]) if fields else None
