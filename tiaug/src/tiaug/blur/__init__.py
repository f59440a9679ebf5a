"""Gaussian blur of degC temperature maps without clipping (``ThermalBlur``)."""

from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms
from tiaug.blur.functional import gaussian_blur, random_gaussian_blur

__all__ = ["ThermalBlur", "gaussian_blur", "random_gaussian_blur"]

if TYPE_CHECKING:
    from tiaug.blur.transforms import ThermalBlur


def __getattr__(name: str) -> Any:
    """Import the transform class (and albumentations) on first access only."""
    if name in ("ThermalBlur",):
        return getattr(import_transforms("tiaug.blur.transforms"), name)
    raise AttributeError(f"module 'tiaug.blur' has no attribute {name!r}")
