"""Gaussian blur of temperature maps without any value clipping (numpy + OpenCV).

albumentations' ``GaussianBlur`` clips float32 images to [0, 1], which turns a degC map into
a constant 1.0; this module blurs the temperatures themselves. Images are HxW or HxWx1 float32
degC maps; the output has the input's layout and is float32.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from tiaug._checks import nan_pixels, restore_shape, to_temperature_map

__all__ = [
    "Border",
    "gaussian_blur",
    "gaussian_kernel_radius",
    "nan_gaussian_blur",
    "random_gaussian_blur",
]

#: Kernel half-width in units of sigma (scipy.ndimage's default ``truncate``).
TRUNCATE = 4.0

#: Border rules, named as scipy.ndimage's modes: ``"mirror"`` reflects without repeating the
#: edge pixel, ``"nearest"`` repeats it, ``"constant"`` pads with 0.
Border = Literal["mirror", "nearest", "constant"]
_BORDERS = {
    "mirror": cv2.BORDER_REFLECT_101,
    "nearest": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}


def gaussian_kernel_radius(sigma: float, truncate: float = TRUNCATE) -> int:
    """Half-width in pixels of the sampled Gaussian kernel: ``int(truncate * sigma + 0.5)``.

    The same rule as ``scipy.ndimage.gaussian_filter``, so the two give the same kernel.
    """
    return max(int(truncate * float(sigma) + 0.5), 1)


def gaussian_blur(
    image: np.ndarray,
    sigma: float,
    *,
    truncate: float = TRUNCATE,
    border: Border = "mirror",
) -> np.ndarray:
    """Blur a temperature map with an isotropic Gaussian of ``sigma`` pixels.

    The package's one Gaussian kernel: sampled from the Gaussian over ``2 * radius + 1``
    taps (:func:`gaussian_kernel_radius`) and normalised to sum 1, so a constant map stays
    constant and the output range lies within the input range. Borders are mirrored
    without repeating the edge pixel by default (OpenCV ``BORDER_REFLECT_101`` = scipy
    ``"mirror"``). Values are never clipped.

    Args:
        image: HxW or HxWx1 map (any real dtype; computed in float32).
        sigma: standard deviation of the Gaussian in pixels, > 0.
        truncate: kernel half-width in units of sigma.
        border: ``"mirror"``, ``"nearest"`` (edge pixel repeated) or ``"constant"`` (0).

    Returns:
        A new float32 array with the layout of ``image``.
    """
    sigma = float(sigma)
    if not sigma > 0 or not np.isfinite(sigma):
        raise ValueError(f"sigma must be a positive number of pixels, got {sigma}")
    plane = np.ascontiguousarray(to_temperature_map(image))
    ksize = 2 * gaussian_kernel_radius(sigma, truncate) + 1
    out = cv2.GaussianBlur(
        plane, (ksize, ksize), sigmaX=sigma, sigmaY=sigma, borderType=_BORDERS[border]
    )
    return restore_shape(out, image)


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
    rng: np.random.Generator,
    sigma: tuple[float, float] = (1.0, 1.2),
) -> np.ndarray:
    """Blur with ``sigma ~ U(sigma[0], sigma[1])`` pixels drawn from ``rng``."""
    return gaussian_blur(image, float(rng.uniform(sigma[0], sigma[1])))
