"""Thermal camera noise calibrated in degC (``SensorNoise``) and its functional core."""

from tiaug.noise.functional import (
    add_sensor_noise,
    fixed_pattern_noise,
    gaussian_noise,
    quantize,
    stripe_offsets,
    uniform_noise,
)
from tiaug.noise.transforms import SensorNoise

__all__ = [
    "SensorNoise",
    "add_sensor_noise",
    "fixed_pattern_noise",
    "gaussian_noise",
    "quantize",
    "stripe_offsets",
    "uniform_noise",
]
