"""Thermal camera noise calibrated in degC (``SensorNoise``) and its functional core."""

from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms
from tiaug.noise.functional import (
    add_sensor_noise,
    fixed_pattern_noise,
    gaussian_noise,
    quantize,
    stripe_offsets,
    uniform_noise,
)

__all__ = [
    "SensorNoise",
    "add_sensor_noise",
    "fixed_pattern_noise",
    "gaussian_noise",
    "quantize",
    "stripe_offsets",
    "uniform_noise",
]

if TYPE_CHECKING:
    from tiaug.noise.transforms import SensorNoise


def __getattr__(name: str) -> Any:
    """Import the transform class (and albumentations) on first access only."""
    if name in ("SensorNoise",):
        return getattr(import_transforms("tiaug.noise.transforms"), name)
    raise AttributeError(f"module 'tiaug.noise' has no attribute {name!r}")
