"""Ambient (room temperature) changes and background clutter for degC temperature maps."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms
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


__getattr__ = lazy_transforms(__name__, ("AmbientShift", "BackgroundClutter"))
