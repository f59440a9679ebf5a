"""Geometric transforms for the TiAug presets: random rescale with aspect, centre crop/pad."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms

__all__ = ["CenterCropPad", "RandomRescale"]

if TYPE_CHECKING:
    from tiaug.geometric.transforms import CenterCropPad, RandomRescale


__getattr__ = lazy_transforms(__name__, ("CenterCropPad", "RandomRescale"))
