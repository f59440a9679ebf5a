"""Any thermal picture, radiometric or not: :func:`read_image` says which it is.

Radiometric files become float32 degC (:func:`tiaug.io.read_thermal`). Everything else,
the 8-bit exports most datasets hold, stays what it is: **relative intensities**, the
camera's grey levels (its automatic gain maps each frame's own range to them, so a level
is no temperature). They come back as unsigned integers (uint8, or uint16 for 16-bit
pictures) with ``unit == "relative"``; tiaug's thermal transforms, which need degC, refuse
integer images with one line, and :func:`intensity_to_degc` maps levels to degC when the
user knows the camera's span.

- ``.npy`` / ``.tif`` / ``.tiff``: float data is degC; unsigned 8/16-bit data is relative
  unless ``camera`` or ``scale``/``offset`` convert it.
- ``.png`` / ``.bmp``: grey levels (8 or 16 bit) are relative (a PNG's counts become degC
  with ``camera=`` or ``scale=``, as :func:`read_thermal` reads them); colour pictures are
  turned back into levels through their palette (:mod:`tiaug.io.palettes`: given, or
  detected among the known ones; grey colours read as white-hot).
- ``.jpg`` / ``.jpeg``: FLIR radiometric JPEGs (their calibration on board) are degC;
  ordinary JPEGs are read like a BMP.
- ``.bin`` / ``.raw``: raw counts, with a camera or shape (as :func:`read_thermal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from tiaug.cameras import Camera
from tiaug.io._files import as_2d, decode_picture, existing_file, load_npy, load_tiff
from tiaug.io.flir import FLIR_SUFFIXES, has_flir_records
from tiaug.io.palettes import PALETTES, palette_to_levels, read_known_palette
from tiaug.io.thermal import read_thermal, to_celsius

__all__ = [
    "PICTURE_SUFFIXES",
    "READABLE_SUFFIXES",
    "ThermalImage",
    "intensity_to_degc",
    "read_image",
]

Unit = Literal["degC", "relative"]
#: Ordinary picture formats (grey levels or a palette's colours).
PICTURE_SUFFIXES = (".png", ".bmp", *FLIR_SUFFIXES)
#: Every suffix :func:`read_image` reads.
READABLE_SUFFIXES = (".npy", ".tif", ".tiff", ".bin", ".raw", *PICTURE_SUFFIXES)


@dataclass(frozen=True, eq=False)
class ThermalImage:
    """A thermal picture and what its values mean.

    Attributes:
        pixels: HxW array: float32 degC (``unit == "degC"``) or unsigned integer grey
            levels, 0 coldest (``unit == "relative"``).
        unit: ``"degC"`` or ``"relative"``.
        palette: the palette a colour picture was read through (None otherwise).
    """

    pixels: np.ndarray
    unit: Unit
    palette: str | None = None

    @property
    def is_temperature(self) -> bool:
        """True when ``pixels`` are temperatures in degC."""
        return self.unit == "degC"


def _levels(array: np.ndarray, path: Path) -> np.ndarray:
    """Grey levels kept as stored: unsigned 8 or 16 bit only."""
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(
            f"{path}: {array.dtype} values are neither degC (float) nor 8/16-bit grey levels; "
            "give camera= or scale=/offset= to convert counts"
        )
    return np.ascontiguousarray(array)


def _picture(path: Path, palette: str | None) -> ThermalImage:
    if palette is not None and palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}; known: {', '.join(PALETTES)}")
    array = decode_picture(path)
    if array.ndim == 2 or array.shape[2] == 1:
        if palette not in (None, "white_hot", "black_hot"):
            raise ValueError(f"{path}: a grey picture cannot be in the {palette!r} palette")
        grey = _levels(as_2d(array, path), path)
        if palette == "black_hot":
            grey = np.iinfo(grey.dtype).max - grey
        return ThermalImage(grey, "relative", palette)
    if array.dtype != np.uint8:
        raise ValueError(f"{path}: colour pictures must have 8-bit channels, got {array.dtype}")
    rgb = cv2.cvtColor(array[..., :3], cv2.COLOR_BGR2RGB)
    if palette is None:
        found = read_known_palette(rgb)
        if found is None:
            raise ValueError(
                f"{path}: a colour picture whose colours match no known palette "
                f"({', '.join(PALETTES)}); give palette= (add its table to tiaug.io.PALETTES)"
            )
        return ThermalImage(found[1], "relative", found[0])
    try:
        return ThermalImage(palette_to_levels(rgb, palette), "relative", palette)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def read_image(
    path: str | Path,
    *,
    palette: str | None = None,
    camera: str | Camera | None = None,
    scale: float | None = None,
    offset: float | None = None,
    shape: tuple[int, int] | None = None,
    dtype: str | np.dtype | None = None,
    index: int = 0,
) -> ThermalImage:
    """Read a thermal picture: degC when the file is radiometric, else relative intensities.

    Args:
        path: a file with a suffix in :data:`READABLE_SUFFIXES`.
        palette: the palette of a colour picture (a name in :data:`tiaug.io.PALETTES`);
            default: detected; ``"black_hot"`` also inverts a grey picture.
        camera, scale, offset, shape, dtype, index: convert counts to degC, as
            :func:`tiaug.io.read_thermal` (then the result is degC).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown suffix, unreadable data, integer data that is neither 8/16-bit
            grey nor converted, a colour picture of no known palette, a conversion asked of
            a picture that holds no counts (``.bmp``, a JPEG that is not FLIR radiometric).
    """
    path = existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise ValueError(
            f"{path}: unknown suffix {path.suffix!r}; readable: {', '.join(READABLE_SUFFIXES)}"
        )
    converts = camera is not None or scale is not None or offset is not None
    flir = suffix in FLIR_SUFFIXES and has_flir_records(path)
    if converts and not flir and suffix in PICTURE_SUFFIXES and suffix != ".png":
        raise ValueError(
            f"{path}: a {suffix} picture holds no counts to convert; camera=, scale= and "
            "offset= apply to .npy, .tif, .png and raw files"
        )
    if flir or converts or suffix in (".bin", ".raw"):
        degc = read_thermal(
            path, camera=camera, scale=scale, offset=offset, shape=shape, dtype=dtype, index=index
        )
        return ThermalImage(degc, "degC")
    if suffix in PICTURE_SUFFIXES:
        return _picture(path, palette)
    array = as_2d(load_npy(path) if suffix == ".npy" else load_tiff(path, index), path)
    if np.issubdtype(array.dtype, np.floating):
        return ThermalImage(to_celsius(array, path, None), "degC")
    return ThermalImage(_levels(array, path), "relative")


def intensity_to_degc(levels: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map grey levels linearly to degC: level 0 is ``low``, the dtype's top level ``high``.

    For exports whose span the user knows (a fixed-gain camera, or one whose span is printed
    on the frame). Automatic gain moves the span with every frame, and histogram
    equalisation is not linear at all: then the levels are no temperatures.

    Args:
        levels: unsigned integer grey levels (uint8 or uint16), any shape.
        low: degC of level 0.
        high: degC of the highest level (255 or 65535), above ``low``.

    Returns:
        float32 degC of the same shape.
    """
    array = np.asarray(levels)
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"levels must be uint8 or uint16 grey levels, got {array.dtype}")
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"need finite low < high in degC, got {low}, {high}")
    top = float(np.iinfo(array.dtype).max)
    return (low + array.astype(np.float32) * np.float32((high - low) / top)).astype(np.float32)
