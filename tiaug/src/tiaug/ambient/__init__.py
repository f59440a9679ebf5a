"""Ambient (room temperature) changes and background clutter for degC temperature maps."""

from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms
from tiaug.ambient.functional import (
    DEFAULT_COUPLINGS,
    ambient_shift,
    coupling_map,
    random_ambient_shift,
    random_background_clutter,
)

__all__ = [
    "DEFAULT_COUPLINGS",
    "AmbientShift",
    "BackgroundClutter",
    "ambient_shift",
    "coupling_map",
    "random_ambient_shift",
    "random_background_clutter",
]

if TYPE_CHECKING:
    from tiaug.ambient.transforms import AmbientShift, BackgroundClutter


def __getattr__(name: str) -> Any:
    """Import the transform classes (and albumentations) on first access only."""
    if name in ("AmbientShift", "BackgroundClutter"):
        return getattr(import_transforms("tiaug.ambient.transforms"), name)
    raise AttributeError(f"module 'tiaug.ambient' has no attribute {name!r}")
