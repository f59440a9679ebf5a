"""``CameraExport``: a camera's 8-bit export (automatic gain, JPEG) of a degC frame."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import BaseTransformInitSchema, ImageOnlyTransform
    from pydantic import model_validator

from tiaug._base import ThermalTransform
from tiaug._checks import as_range, check_range, per_channel
from tiaug._random import draw_range
from tiaug.export import functional as fexport

__all__ = ["CameraExport"]

Range = float | tuple[float, float]


class CameraExport(ThermalTransform, ImageOnlyTransform):
    """A camera's 8-bit display export of a degC frame: automatic gain, 256 levels, JPEG.

    Real recordings are often a camera's AGC export, not temperatures: each frame's own
    range is mapped to 256 grey levels, by a linear window (percentiles of the frame, what
    lies beyond saturates) or by plateau histogram equalisation (non-linear: frequent
    temperatures get more levels), and often JPEG-compressed. Training on frames passed
    through this transform teaches a network the looks of such exports; it also applies to
    a user's own degC data. Per image one AGC is drawn from ``agc`` and its settings from the
    ranges; the result is returned on the frame's own degC range (grey level ``k`` is
    ``min + k / 255 * (max - min)``, :func:`tiaug.export.functional.camera_export`), so a
    pipeline keeps degC units. Place it last among the transforms that work in degC, as a
    camera exports last. NaN pixels stay NaN. Labels pass unchanged.

    Args:
        agc: AGC families to draw from, ``"linear"`` and/or ``"plateau"``.
        low_percentile: percentile (0-100) of the frame at the linear window's bottom,
            number or (low, high) range.
        high_percentile: percentile at the window's top (above the bottom's).
        plateau: plateau of the equalisation, fraction of the pixels per histogram bin.
        linear_share: share of linear mapping mixed into the equalisation (0-1).
        jpeg_quality: JPEG quality (1-100) range, or None for no compression.
        jpeg_p: probability of JPEG compression given that the transform applies.
        p: probability of applying the transform.

    Targets:
        image, images, volume, volumes (masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC (each channel exported alike); float32 out.
    """

    class InitSchema(BaseTransformInitSchema):
        agc: tuple[Literal["linear", "plateau"], ...]
        low_percentile: float | tuple[float, float]
        high_percentile: float | tuple[float, float]
        plateau: float | tuple[float, float]
        linear_share: float | tuple[float, float]
        jpeg_quality: tuple[int, int] | None
        jpeg_p: float

        @model_validator(mode="after")
        def _validate(self) -> CameraExport.InitSchema:
            if not self.agc:
                raise ValueError("agc must name at least one of 'linear', 'plateau'")
            low = check_range("low_percentile", self.low_percentile, 0.0, 100.0, scalar=True)
            high = check_range("high_percentile", self.high_percentile, 0.0, 100.0, scalar=True)
            if high[0] <= low[1]:
                raise ValueError(
                    f"high_percentile {self.high_percentile} must lie above low_percentile "
                    f"{self.low_percentile}"
                )
            check_range("plateau", self.plateau, 0.0, 1.0, open_low=True, scalar=True)
            check_range("linear_share", self.linear_share, 0.0, 1.0, scalar=True)
            if self.jpeg_quality is not None:
                check_range("jpeg_quality", self.jpeg_quality, 1, 100)
            check_range("jpeg_p", self.jpeg_p, 0.0, 1.0, scalar=True)
            return self

    def __init__(
        self,
        agc: tuple[Literal["linear", "plateau"], ...] = ("linear", "plateau"),
        low_percentile: Range = (0.0, 2.0),
        high_percentile: Range = (97.0, 100.0),
        plateau: Range = (0.002, 0.05),
        linear_share: Range = (0.0, 0.5),
        jpeg_quality: tuple[int, int] | None = (40, 95),
        jpeg_p: float = 0.5,
        p: float = 0.5,
    ):
        super().__init__(p=p)
        self.agc = tuple(agc)
        self.low_percentile = low_percentile
        self.high_percentile = high_percentile
        self.plateau = plateau
        self.linear_share = linear_share
        self.jpeg_quality = jpeg_quality
        self.jpeg_p = jpeg_p

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        quality = None
        if self.jpeg_quality is not None and rng.random() < self.jpeg_p:
            quality = int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1))
        return {
            "agc": self.agc[int(rng.integers(len(self.agc)))],
            "low_percentile": draw_range(rng, as_range(self.low_percentile)),
            "high_percentile": draw_range(rng, as_range(self.high_percentile)),
            "plateau": draw_range(rng, as_range(self.plateau)),
            "linear_share": draw_range(rng, as_range(self.linear_share)),
            "jpeg_quality": quality,
        }

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        settings = {key: params[key] for key in _SETTINGS}
        return per_channel(lambda plane: fexport.camera_export(plane, **settings), img)


_SETTINGS = ("agc", "low_percentile", "high_percentile", "plateau", "linear_share", "jpeg_quality")
