"""How warm an occluder looks: what its temperature refers to in the frame, and the
apparent-temperature field over its box (mixing, texture, carried noise).

Receives the :class:`~tiaug.occlusion.config.TemperatureConfig` group only. Temperatures in
degC, numpy + OpenCV, explicit generators.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np

from tiaug._random import draw_range
from tiaug.core import estimate_ambient, estimate_noise, gaussian_noise
from tiaug.occlusion.config import TemperatureConfig

__all__ = ["Scene", "scene_reference", "temperature_field"]

_MEDIAN_SAMPLES = 4096  # pixels used to estimate the scene median (reflected temperature)
_SMOOTH_CELL = 8.0  # pixels per control point of the "smooth" texture (correlation length)


class Scene(NamedTuple):
    """What occluder temperatures refer to: the frame's range, reflections, the room, and
    the noise (std, degC) an object carries."""

    t_min: float
    t_max: float
    t_ref: float | None
    ambient: float
    noise: float


def scene_reference(image: np.ndarray, mask: np.ndarray | None, cfg: TemperatureConfig) -> Scene:
    """Scene (min, max) for relative temperatures, the reflected and the room temperature,
    the frame's noise (with ``carry_noise``)."""
    t_min = t_max = ambient = 0.0
    if cfg.temperature_mode == "relative":
        t_min, t_max = float(image.min()), float(image.max())
        if not (math.isfinite(t_min) and math.isfinite(t_max)):
            raise ValueError("image holds NaN or infinite values")
    elif cfg.temperature_mode == "ambient":
        ambient = estimate_ambient(image, mask)
    t_ref = cfg.reflected_temperature
    if t_ref is None and cfg.emissivity[0] < 1.0:
        flat = image.reshape(-1)
        stride = max(1, flat.size // _MEDIAN_SAMPLES)
        t_ref = float(np.median(flat[::stride]))
        if not math.isfinite(t_ref):
            raise ValueError("image holds NaN or infinite values")
    noise = estimate_noise(image) if cfg.carry_noise else 0.0
    return Scene(t_min, t_max, t_ref, ambient, noise)


def temperature_field(
    rng: np.random.Generator, shape: tuple[int, int], cfg: TemperatureConfig, scene: Scene
) -> np.ndarray:
    """Apparent temperature (degC) over an object's box: mixing + texture + carried noise."""
    ranges = cfg.temperature_ranges
    lo, hi = ranges[0] if len(ranges) == 1 else ranges[int(rng.integers(len(ranges)))]
    if cfg.temperature_mode == "relative":
        span = scene.t_max - scene.t_min
        lo, hi = scene.t_min - lo * span, scene.t_max + hi * span
    elif cfg.temperature_mode == "ambient":
        lo, hi = scene.ambient + lo, scene.ambient + hi
    t_obj = draw_range(rng, (lo, hi))
    e = draw_range(rng, cfg.emissivity)
    if e < 1.0 and scene.t_ref is not None:
        t_obj = e * t_obj + (1.0 - e) * scene.t_ref
    amplitude = draw_range(rng, cfg.texture)
    if amplitude <= 0.0:
        field = np.full(shape, t_obj, np.float32)
    else:
        field = _texture(rng, shape, cfg.texture_kind)
        # texture in [0, 1] -> offsets in [-amplitude, amplitude]
        field *= np.float32(2.0 * amplitude)
        field += np.float32(t_obj - amplitude)
    if scene.noise > 0.0:
        field += gaussian_noise(shape, scene.noise, rng=rng)
    return field


def _texture(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    """Texture values in [0, 1] over an object's box (float32): per pixel or smooth."""
    if kind == "uniform":
        return rng.random(shape, dtype=np.float32)
    grid = (
        max(2, math.ceil(shape[0] / _SMOOTH_CELL) + 1),
        max(2, math.ceil(shape[1] / _SMOOTH_CELL) + 1),
    )
    return cv2.resize(
        rng.random(grid, dtype=np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR
    )
