"""``ThermalBlur``: Gaussian blur of degC images without clipping (albumentations-compatible)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import ImageOnlyTransform

from tiaug._base import ThermalTransform
from tiaug._checks import as_range, check_range, per_channel
from tiaug._random import draw_uniform
from tiaug.blur import functional as fblur
from tiaug.core.signature import declare_arguments

__all__ = ["ThermalBlur"]


@dataclass(frozen=True)
class _Arguments:
    """ThermalBlur's arguments.

    Attributes:
        sigma: standard deviation in pixels: a number, or a (low, high) range, > 0.
    """

    sigma: float | tuple[float, float] = (1.0, 1.2)

    def __post_init__(self) -> None:
        check_range("sigma", self.sigma, 0.0, open_low=True, scalar=True)


class ThermalBlur(ThermalTransform, ImageOnlyTransform):
    """Gaussian blur of a temperature map, sigma in pixels, values never clipped.

    A replacement for ``A.GaussianBlur``, which clips float32 images to [0, 1] and so
    destroys degC data. For each image ``sigma ~ U(sigma[0], sigma[1])``; the kernel
    is derived from sigma (half-width ``int(4 sigma + 0.5)`` pixels, borders mirrored).
    The default range (1.0, 1.2) is the reference recipe's. NaN pixels stay NaN and never
    spread: finite pixels are averaged over their finite neighbours only. Labels, keypoints
    and boxes are not changed.

    Args:
        {arguments}

    Targets:
        image, images, volume, volumes (masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC (each channel blurred alike); float32 out.
    """

    InitSchema, __init__, __doc__ = declare_arguments(_Arguments, __doc__, p=0.5)

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        low, high = as_range(self.sigma)
        return {"sigma": draw_uniform(rng, low, high)}

    def apply(self, img: np.ndarray, sigma: float, **params: Any) -> np.ndarray:
        return per_channel(lambda plane: fblur.nan_gaussian_blur(plane, sigma), img)
