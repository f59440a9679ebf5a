"""The package's one Gaussian kernel and the blur built on it (numpy + OpenCV, no clipping).

albumentations' ``GaussianBlur`` clips float32 images to [0, 1], which turns a degC map into
a constant 1.0; :func:`gaussian_blur` blurs the temperatures themselves. Images are HxW or
HxWx1 maps; the output has the input's layout and is float32. Sigmas are in pixels.
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np

from tiaug._checks import restore_shape, to_temperature_map

__all__ = ["TRUNCATE", "Border", "gaussian_blur", "gaussian_kernel", "gaussian_kernel_radius"]

#: Kernel half-width in units of sigma (scipy.ndimage's default ``truncate``).
TRUNCATE = 4.0

#: Border rules, named as scipy.ndimage's modes: ``"mirror"`` reflects without repeating the
#: edge pixel, ``"reflect"`` repeats it in the reflection, ``"nearest"`` repeats the edge
#: pixel outwards, ``"constant"`` pads with 0.
Border = Literal["mirror", "reflect", "nearest", "constant"]
_BORDERS = {
    "mirror": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "nearest": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}


def gaussian_kernel_radius(sigma: float, truncate: float = TRUNCATE) -> int:
    """Half-width in pixels of the sampled Gaussian kernel: ``int(truncate * sigma + 0.5)``.

    The same rule as ``scipy.ndimage.gaussian_filter``, so the two give the same kernel.
    """
    return max(int(truncate * float(sigma) + 0.5), 1)


def gaussian_kernel(sigma: float, truncate: float = TRUNCATE) -> np.ndarray:
    """The package's one Gaussian kernel (1-D, float64): ``exp(-x^2 / (2 sigma^2))`` sampled
    at the integers ``|x| <= radius`` (:func:`gaussian_kernel_radius`), normalised to sum 1.

    :func:`gaussian_blur` filters with it along each axis (OpenCV builds the same kernel
    from the same size and sigma).
    """
    radius = gaussian_kernel_radius(sigma, truncate)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * np.square(x / float(sigma)))
    return kernel / kernel.sum()


def gaussian_blur(
    image: np.ndarray,
    sigma: float | tuple[float, float],
    *,
    truncate: float = TRUNCATE,
    border: Border = "mirror",
) -> np.ndarray:
    """Blur a temperature map with a Gaussian of ``sigma`` pixels.

    Filters each axis with :func:`gaussian_kernel` (``2 * radius + 1`` taps, normalised to
    sum 1, the package's one Gaussian kernel), so a constant map stays
    constant and the output range lies within the input range. Borders are mirrored
    without repeating the edge pixel by default (OpenCV ``BORDER_REFLECT_101`` = scipy
    ``"mirror"``). Values are never clipped.

    Args:
        image: HxW or HxWx1 map (any real dtype; computed in float32).
        sigma: standard deviation of the Gaussian in pixels, > 0, or ``(rows, columns)``
            for an anisotropic blur.
        truncate: kernel half-width in units of sigma.
        border: ``"mirror"``, ``"reflect"``, ``"nearest"`` or ``"constant"`` (see
            :data:`Border`).

    Returns:
        A new float32 array with the layout of ``image``.
    """
    if isinstance(sigma, (int, float, np.integer, np.floating)):
        rows = cols = float(sigma)
    else:
        rows, cols = float(sigma[0]), float(sigma[1])
    if not (math.isfinite(rows) and math.isfinite(cols) and rows > 0 and cols > 0):
        raise ValueError(f"sigma must be a positive number of pixels, got {sigma}")
    plane = np.ascontiguousarray(to_temperature_map(image))
    ksize = (
        2 * gaussian_kernel_radius(cols, truncate) + 1,
        2 * gaussian_kernel_radius(rows, truncate) + 1,
    )
    out = cv2.GaussianBlur(plane, ksize, sigmaX=cols, sigmaY=rows, borderType=_BORDERS[border])
    return restore_shape(out, image)
