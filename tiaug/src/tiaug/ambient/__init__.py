"""Ambient (room temperature) changes and background clutter for degC temperature maps."""

from tiaug.ambient.functional import (
    DEFAULT_COUPLINGS,
    ambient_shift,
    coupling_map,
    random_ambient_shift,
    random_background_clutter,
)
from tiaug.ambient.transforms import AmbientShift, BackgroundClutter

__all__ = [
    "DEFAULT_COUPLINGS",
    "AmbientShift",
    "BackgroundClutter",
    "ambient_shift",
    "coupling_map",
    "random_ambient_shift",
    "random_background_clutter",
]
