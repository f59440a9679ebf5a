"""A camera's 8-bit export of a degC frame: automatic gain control and JPEG (``CameraExport``)."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms
from tiaug.export.functional import (
    AGC_MODES,
    camera_export,
    jpeg_roundtrip,
    linear_agc,
    plateau_agc,
)

__all__ = [
    "AGC_MODES",
    "CameraExport",
    "camera_export",
    "jpeg_roundtrip",
    "linear_agc",
    "plateau_agc",
]

if TYPE_CHECKING:
    from tiaug.export.transforms import CameraExport


__getattr__ = lazy_transforms(__name__, ("CameraExport",))
