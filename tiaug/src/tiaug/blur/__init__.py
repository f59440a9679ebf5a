"""Gaussian blur of degC temperature maps without clipping (``ThermalBlur``)."""

from tiaug.blur.functional import gaussian_blur, random_gaussian_blur
from tiaug.blur.transforms import ThermalBlur

__all__ = ["ThermalBlur", "gaussian_blur", "random_gaussian_blur"]
