"""A camera's 8-bit export of a degC frame: automatic gain control and JPEG (``CameraExport``)."""

from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms
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


def __getattr__(name: str) -> Any:
    """Import the transform class (and albumentations) on first access only."""
    if name in ("CameraExport",):
        return getattr(import_transforms("tiaug.export.transforms"), name)
    raise AttributeError(f"module 'tiaug.export' has no attribute {name!r}")
