"""Geometric transforms used by the TiAug presets (albumentations-compatible).

Both move every target: images and masks of any channel count, ``images``/``volume`` stacks,
keypoints (pixel centres at integers) and bounding boxes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import DualTransform
    from albumentations.core.type_definitions import ALL_TARGETS

from tiaug._base import ThermalTransform, first_image, frame
from tiaug._checks import check_range
from tiaug._random import draw_uniform
from tiaug.core.signature import declare_arguments
from tiaug.geometric import functional as fgeometric

__all__ = ["CenterCropPad", "RandomRescale"]

FloatRange = tuple[float, float]
#: CenterCropPad's default output (rows, columns), TiAug's
_DEFAULT_SIZE = (256, 320)


@dataclass(frozen=True)
class _RescaleArguments:
    """RandomRescale's arguments.

    Attributes:
        scale: (low, high) scale factor range, > 0.
        aspect: (low, high) range of the extra column/row scale ratio, > 0.
    """

    scale: FloatRange = (0.5, 2.0)
    aspect: FloatRange = (0.9, 1.1)

    def __post_init__(self) -> None:
        for name in ("scale", "aspect"):
            check_range(name, getattr(self, name), 0.0, open_low=True)


class RandomRescale(ThermalTransform, DualTransform):
    """Rescale by a random factor with a random aspect ratio.

    Rows are scaled by ``s ~ U(scale)`` and columns by ``s * a`` with ``a ~ U(aspect)``
    (the reference recipe: s in [0.5, 2.0], a in [0.9, 1.1]). Images are resampled
    bilinearly (NaN pixels stay NaN, finite ones are interpolated from finite neighbours),
    masks with nearest neighbours; keypoints move with the pixels, bounding boxes (relative
    to the frame) keep their coordinates.

    Args:
        {arguments}

    Targets:
        image, mask, images, masks, volume, mask3d, keypoints, bboxes

    Image types:
        float32/float64 degC maps, HxW or HxWxC (any C); masks of any integer dtype.
    """

    _targets = ALL_TARGETS

    InitSchema, __init__, __doc__ = declare_arguments(_RescaleArguments, __doc__, p=1.0)

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        scale = draw_uniform(rng, *self.scale)
        aspect = draw_uniform(rng, *self.aspect)
        return {"size": fgeometric.rescaled_shape(frame(shape), scale, aspect)}

    def apply(self, img: np.ndarray, size: tuple[int, int], **params: Any) -> np.ndarray:
        return fgeometric.resize(img, size)

    def apply_to_mask(self, mask: np.ndarray, size: tuple[int, int], **params: Any) -> np.ndarray:
        return fgeometric.resize(mask, size, nearest=True)

    def apply_to_keypoints(
        self, keypoints: np.ndarray, size: tuple[int, int], shape: tuple[int, ...], **params: Any
    ) -> np.ndarray:
        return fgeometric.scale_keypoints(keypoints, frame(shape), size)

    def apply_to_bboxes(self, bboxes: np.ndarray, **params: Any) -> np.ndarray:
        return bboxes  # normalised to the frame: unchanged by a rescale


@dataclass(frozen=True)
class _CropPadArguments:
    """CenterCropPad's arguments.

    Attributes:
        size: output (rows, columns) in pixels, as :class:`~tiaug.TiAug`'s ``size``. The old
            spelling ``height=, width=`` (also positional: ``CenterCropPad(256, 320)``) still
            works, with a ``DeprecationWarning``.
        fill: image padding, a degC value or ``"midrange"`` (the mean of the image's finite
            minimum and maximum, which maps to 0 after per-image min-max normalisation to
            [-1, 1]: the reference's padding value). NaN pixels are ignored and stay NaN.
        fill_mask: label written into padded pixels (default 255, the ignore index).
    """

    size: tuple[int, int] = _DEFAULT_SIZE
    fill: float | Literal["midrange"] = "midrange"
    fill_mask: int = 255

    def __post_init__(self) -> None:
        if min(self.size) < 1:
            raise ValueError(f"size must be (rows, columns) of at least 1 pixel, got {self.size}")
        if self.fill != "midrange" and not math.isfinite(float(self.fill)):
            raise ValueError(f"fill must be a finite degC value or 'midrange', got {self.fill}")


class CenterCropPad(ThermalTransform, DualTransform):
    """Centre-crop and/or centre-pad to a fixed size, padding labels with the ignore index.

    Args:
        {arguments}

    Targets:
        image, mask, images, masks, volume, mask3d, keypoints, bboxes

    Image types:
        float32/float64 degC maps, HxW or HxWxC (any C); masks of any integer dtype.
    """

    _targets = ALL_TARGETS

    InitSchema, __init__, __doc__ = declare_arguments(_CropPadArguments, __doc__, p=1.0)

    @classmethod
    def _upgrade_arguments(
        cls, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """``height=``/``width=`` (or leading integers, the old positional form) -> ``size``."""
        old = {name: kwargs.pop(name) for name in ("height", "width") if name in kwargs}
        leading = 0
        while leading < min(2, len(args)) and isinstance(args[leading], (int, np.integer)):
            leading += 1
        old |= dict(zip(("height", "width"), args[:leading], strict=False))
        if not old:
            return args, kwargs
        if "size" in kwargs:
            raise ValueError("CenterCropPad: give size=(rows, columns), not also height/width")
        size = (old.get("height", _DEFAULT_SIZE[0]), old.get("width", _DEFAULT_SIZE[1]))
        warnings.warn(
            f"CenterCropPad(height=, width=) is deprecated: write CenterCropPad(size={size}), "
            "the spelling of TiAug(size=...)",
            DeprecationWarning,
            stacklevel=3,  # the caller of CenterCropPad(...), above tiaug._arguments.strict_init
        )
        if leading:
            return (size, *args[leading:]), kwargs
        return args, kwargs | {"size": size}

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        if self.fill != "midrange":
            return {"image_fill": float(self.fill)}
        if shape[0] >= self.size[0] and shape[1] >= self.size[1]:  # a crop only: no fill needed
            return {"image_fill": math.nan}
        return {"image_fill": fgeometric.midrange(first_image(data))}

    def apply(self, img: np.ndarray, image_fill: float, **params: Any) -> np.ndarray:
        out = fgeometric.center_crop_pad(img, self.size, image_fill)
        return out.astype(np.float32, copy=False)

    def apply_to_mask(self, mask: np.ndarray, **params: Any) -> np.ndarray:
        if mask.dtype.kind in "iu":
            info = np.iinfo(mask.dtype)
            if not info.min <= self.fill_mask <= info.max:
                raise ValueError(
                    f"fill_mask={self.fill_mask} does not fit the mask's dtype {mask.dtype}"
                )
        return fgeometric.center_crop_pad(mask, self.size, self.fill_mask)

    def apply_to_keypoints(
        self, keypoints: np.ndarray, shape: tuple[int, ...], **params: Any
    ) -> np.ndarray:
        return fgeometric.crop_pad_keypoints(keypoints, frame(shape), self.size)

    def apply_to_bboxes(
        self, bboxes: np.ndarray, shape: tuple[int, ...], **params: Any
    ) -> np.ndarray:
        return fgeometric.crop_pad_bboxes(bboxes, frame(shape), self.size)
