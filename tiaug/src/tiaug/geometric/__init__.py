"""Geometric transforms for the TiAug presets: random rescale with aspect, centre crop/pad."""

from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms

__all__ = ["CenterCropPad", "RandomRescale"]

if TYPE_CHECKING:
    from tiaug.geometric.transforms import CenterCropPad, RandomRescale


def __getattr__(name: str) -> Any:
    """Import the transform classes (and albumentations) on first access only."""
    if name in ("CenterCropPad", "RandomRescale"):
        return getattr(import_transforms("tiaug.geometric.transforms"), name)
    raise AttributeError(f"module 'tiaug.geometric' has no attribute {name!r}")
