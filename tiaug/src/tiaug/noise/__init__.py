"""Thermal camera noise calibrated in degC (``SensorNoise``) and its functional core."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms
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


__getattr__ = lazy_transforms(__name__, ("SensorNoise",))
