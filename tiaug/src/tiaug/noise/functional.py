"""Thermal camera noise in degC: temporal (NETD), fixed-pattern, row/column stripes, counts.

Numpy with an explicit ``numpy.random.Generator`` for every draw (no albumentations; OpenCV
only through :mod:`tiaug.core`, for smooth fixed-pattern noise). Images are HxW or HxWx1
temperature maps; results are new float32 arrays with the input's layout. The model of a
camera frame is

    T_out = Q( T + n_temporal + n_fixed + r[row] + c[column] )

where ``n_temporal`` has std = NETD (the temperature difference whose signal equals the
1-sigma temporal noise), ``n_fixed`` is the non-uniformity left after correction (fixed per
camera and shutter cycle, often several times NETD), ``r`` and ``c`` are per-row and
per-column offsets (stripes: energy on the u = 0 / v = 0 axes of the spectrum) and ``Q``
rounds to the camera's count step. The additive terms after the temporal noise are the
registry :data:`~tiaug.noise.terms.NOISE_TERMS`; the Gaussian sampler and
:func:`estimate_noise` live in :mod:`tiaug.core` (all re-exported here).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from tiaug._checks import restore_shape, to_temperature_map
from tiaug.cameras import Camera, get_camera
from tiaug.core import estimate_noise, gaussian_noise
from tiaug.noise.terms import (
    NOISE_TERMS,
    draw_terms,
    fixed_pattern,
    fixed_pattern_noise,
    split_terms,
    stripe_offsets,
)

__all__ = [
    "NOISE_TERMS",
    "NoiseMode",
    "add_sensor_noise",
    "estimate_noise",
    "fixed_pattern_noise",
    "gaussian_noise",
    "quantize",
    "resolve_netd",
    "resolve_quantization",
    "stripe_offsets",
    "uniform_noise",
]

NoiseMode = Literal["gaussian", "uniform"]


def uniform_noise(
    shape: tuple[int, ...],
    amplitude: float,
    *,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The reference's noise: ``amplitude * (u - 0.5)``, ``u ~ U[0, 1)`` (float32).

    Uniform on ``[-amplitude / 2, amplitude / 2)``, std ``amplitude / sqrt(12)``.
    """
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    rng.random(dtype=np.float32, out=out)
    out -= np.float32(0.5)
    out *= np.float32(amplitude)
    return out


def quantize(image: np.ndarray, step: float, offset: float = 0.0) -> np.ndarray:
    """Round temperatures to a camera's count grid: ``offset + step * rint((T - offset) / step)``.

    Computed in float64 and returned as float32 (the input's layout).
    """
    if not step > 0:
        raise ValueError(f"quantisation step must be positive, got {step}")
    plane = to_temperature_map(image).astype(np.float64)
    counts = np.rint((plane - offset) / step)
    return restore_shape((counts * step + offset).astype(np.float32), image)


def _quantize_inplace(plane: np.ndarray, step: float, offset: float) -> None:
    """Float32 in-place version of :func:`quantize` for the hot path."""
    if offset != 0.0:
        plane -= np.float32(offset)
    plane /= np.float32(step)
    np.rint(plane, out=plane)
    plane *= np.float32(step)
    if offset != 0.0:
        plane += np.float32(offset)


def resolve_netd(netd: float | tuple[float, float] | str | Camera) -> tuple[float, float]:
    """The (low, high) range a per-image NETD is drawn from.

    A number gives ``(netd, netd)``; a camera preset name (or :class:`Camera`) its NETD.
    """
    if isinstance(netd, (str, Camera)):
        value = get_camera(netd).netd
        return value, value
    if isinstance(netd, (int, float, np.floating, np.integer)):
        return float(netd), float(netd)
    low, high = (float(v) for v in netd)
    return low, high


def resolve_quantization(
    quantization: float | tuple[float, float] | str | Camera | None,
) -> tuple[float, float] | None:
    """``(step, offset)`` in degC of the count grid, or ``None`` for no quantisation.

    A number is a step with offset 0, a pair is ``(step, offset)``; a camera preset uses its
    ``count_step`` and ``count_offset`` (``ValueError`` if the camera has no linear count
    format).
    """
    if quantization is None:
        return None
    if isinstance(quantization, (tuple, list)):
        step, offset = (float(v) for v in quantization)
        if not np.isfinite(offset):
            raise ValueError(f"quantisation offset must be a finite number of degC, got {offset}")
        return _quantization_step(step), offset
    if isinstance(quantization, (str, Camera)):
        camera = get_camera(quantization)
        if camera.count_step is None:
            raise ValueError(
                f"camera {camera.name!r} has no linear count format to quantise to; "
                "give a step in degC instead"
            )
        return float(camera.count_step), float(camera.count_offset)
    return _quantization_step(quantization), 0.0


def _quantization_step(value: float) -> float:
    """A count step in degC, checked: positive and finite."""
    step = float(value)
    if not step > 0 or not np.isfinite(step):
        raise ValueError(f"quantisation step must be a positive number of degC, got {step}")
    return step


def _temporal(plane: np.ndarray, netd: float, mode: str, rng: np.random.Generator) -> np.ndarray:
    """``plane`` + temporal noise of level ``netd`` (none at 0), as a new float32 array."""
    if not netd > 0:
        return plane.copy()
    if mode == "gaussian":
        out = gaussian_noise(plane.shape, netd, rng=rng)
    elif mode == "uniform":
        out = uniform_noise(plane.shape, netd, rng=rng)
    else:
        raise ValueError(f"mode must be 'gaussian' or 'uniform', got {mode!r}")
    out += plane
    return out


def add_sensor_noise(
    image: np.ndarray,
    *,
    rng: np.random.Generator,
    netd: float = 0.05,
    mode: NoiseMode = "gaussian",
    quantization: tuple[float, float] | None = None,
    pattern: np.ndarray | None = None,
    **terms: float,
) -> np.ndarray:
    """Add camera noise to a temperature map (degC); the input is not modified.

    Temporal noise, then the fixed pattern, then the other terms of
    :data:`~tiaug.noise.terms.NOISE_TERMS` (in registry order), then quantisation.

    Args:
        image: HxW or HxWx1 temperature map in degC.
        rng: source of randomness.
        netd: ``"gaussian"`` mode: std of the temporal noise (degC). ``"uniform"`` mode:
            amplitude ``a`` of the reference's ``a * (u - 0.5)`` noise (std ``a / sqrt(12)``).
            0 disables temporal noise.
        mode: ``"gaussian"`` or ``"uniform"``.
        quantization: ``(step, offset)`` in degC of the count grid (see
            :func:`resolve_quantization`), or ``None``.
        pattern: a precomputed fixed pattern (HxW, degC) to add instead of drawing the fixed
            terms (frames of one sequence share their fixed pattern); their levels are then
            ignored.
        terms: the level of each registered term by name, 0 (the default) disabling it, and
            its options: ``fixed_pattern`` (std, degC, of the fixed-pattern offsets) with
            ``fixed_pattern_scale`` (its correlation length in pixels,
            :func:`fixed_pattern_noise`), ``row_noise`` and ``column_noise`` (std, degC, of
            the per-row and per-column offsets) with ``stripe_scale`` (correlation length of
            neighbouring rows/columns in pixels, :func:`stripe_offsets`).

    Returns:
        A new float32 array with the layout of ``image``.
    """
    plane = to_temperature_map(image)
    levels, options = split_terms(terms, "add_sensor_noise")
    if netd < 0 or any(level < 0 for level in levels.values()):
        raise ValueError("noise levels must be >= 0 degC")
    out = _temporal(plane, netd, mode, rng)
    if pattern is None:
        pattern = fixed_pattern(plane.shape, levels, options, rng=rng)
    if pattern is not None:
        out += to_temperature_map(pattern, "pattern")
    for field in draw_terms(plane.shape, levels, options, rng=rng, fixed=False):
        out += field
    if quantization is not None:
        _quantize_inplace(out, *quantization)
    return restore_shape(out, image)
