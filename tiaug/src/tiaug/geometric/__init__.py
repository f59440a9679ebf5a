"""Geometric transforms for the TiAug presets: random rescale with aspect, centre crop/pad."""

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["CenterCropPad", "RandomRescale"]

if TYPE_CHECKING:
    from tiaug.geometric.transforms import CenterCropPad, RandomRescale


def __getattr__(name: str) -> Any:
    """Import the transform classes (and albumentations) on first access only."""
    if name in ("CenterCropPad", "RandomRescale"):
        return getattr(importlib.import_module("tiaug.geometric.transforms"), name)
    raise AttributeError(f"module 'tiaug.geometric' has no attribute {name!r}")
