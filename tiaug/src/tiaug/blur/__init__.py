"""Gaussian blur of degC temperature maps without clipping (``ThermalBlur``)."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms
from tiaug.blur.functional import gaussian_blur, random_gaussian_blur

__all__ = ["ThermalBlur", "gaussian_blur", "random_gaussian_blur"]

if TYPE_CHECKING:
    from tiaug.blur.transforms import ThermalBlur


__getattr__ = lazy_transforms(__name__, ("ThermalBlur",))
