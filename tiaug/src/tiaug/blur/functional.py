"""Gaussian blur of temperature maps without any value clipping (numpy + OpenCV).

albumentations' ``GaussianBlur`` clips float32 images to [0, 1], which turns a degC map into
a constant 1.0; this module blurs the temperatures themselves. Images are HxW or HxWx1 float32
degC maps; the output has the input's layout and is float32. The kernel and the plain blur
live on the ground floor (:mod:`tiaug.core.kernels`, re-exported here); this family adds the
NaN-aware blur and the random one of :class:`~tiaug.ThermalBlur`.
"""

from __future__ import annotations

import numpy as np

from tiaug._checks import nan_pixels, restore_shape, to_temperature_map
from tiaug._random import draw_uniform
from tiaug.core import TRUNCATE, Border, gaussian_blur, gaussian_kernel, gaussian_kernel_radius

__all__ = [
    "Border",
    "gaussian_blur",
    "gaussian_kernel",
    "gaussian_kernel_radius",
    "nan_gaussian_blur",
    "random_gaussian_blur",
]


def nan_gaussian_blur(image: np.ndarray, sigma: float, *, truncate: float = TRUNCATE) -> np.ndarray:
    """:func:`gaussian_blur` in which NaN pixels stay NaN and never spread.

    Each finite pixel becomes the Gaussian-weighted mean of its finite neighbours only
    (normalised convolution); NaN pixels stay NaN. Without NaN it is :func:`gaussian_blur`.
    """
    plane = to_temperature_map(image)
    bad = nan_pixels(plane)
    if bad is None:
        return gaussian_blur(image, sigma, truncate=truncate)
    total = gaussian_blur(np.where(bad, np.float32(0.0), plane), sigma, truncate=truncate)
    weight = gaussian_blur((~bad).astype(np.float32), sigma, truncate=truncate)
    out = total / np.maximum(weight, np.float32(1e-12))
    out[bad] = np.nan
    return restore_shape(out, image)


def random_gaussian_blur(
    image: np.ndarray,
    sigma: tuple[float, float] = (1.0, 1.2),
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Blur with ``sigma ~ U(sigma[0], sigma[1])`` pixels drawn from ``rng``."""
    return gaussian_blur(image, draw_uniform(rng, sigma[0], sigma[1]))
