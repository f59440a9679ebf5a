"""What a camera's 8-bit export does to a thermal frame (numpy + OpenCV).

Most recordings are not temperatures but a camera's display export (docs/physics.md,
"Cameras"): an automatic gain control (AGC) maps each frame's own range to 256 grey levels,
then the frame may be JPEG-compressed. Two AGC families:

- linear: a window ``[low, high]`` from low and high percentiles of the frame, mapped
  linearly to the levels and clipped (what lies above the window saturates);
- plateau equalisation (FLIR Lepton/Boson and many others): the frame's histogram with
  every bin clipped at a plateau, its cumulative sum as the mapping; the most frequent
  temperatures (skin, background) get the most levels. A share of linear mapping can be
  mixed in, as cameras do.

The exported levels are returned on the degC scale of the frame's own range (level ``k`` is
``low + k / (levels - 1) * (high - low)``), so a pipeline keeps its units: the result is
what a viewer reading the export as a linear scale would see. NaN pixels stay NaN and take
no part in the mapping.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from tiaug._checks import nan_pixels, restore_shape, to_temperature_map

__all__ = [
    "AGC_MODES",
    "camera_export",
    "jpeg_roundtrip",
    "linear_agc",
    "plateau_agc",
]

AGC = Literal["linear", "plateau"]
#: The AGC families :func:`camera_export` knows.
AGC_MODES: tuple[AGC, ...] = ("linear", "plateau")
_BINS = 1024  # histogram bins of the plateau equalisation over the frame's range


def linear_agc(
    values: np.ndarray, low_percentile: float, high_percentile: float, levels: int = 256
) -> np.ndarray:
    """Grey levels (float, 0 .. levels - 1, not rounded) of a linear AGC window.

    The window spans the ``low_percentile`` and ``high_percentile`` (0-100) of ``values``
    (finite values, any shape); values outside it are clipped to the first or last level.
    """
    low, high = np.percentile(values, [low_percentile, high_percentile])
    span = max(float(high - low), 1e-12)
    return np.clip((values - low) / span, 0.0, 1.0) * (levels - 1)


def plateau_agc(
    values: np.ndarray, plateau: float, linear_share: float = 0.0, levels: int = 256
) -> np.ndarray:
    """Grey levels (float, 0 .. levels - 1) of a plateau histogram equalisation.

    Args:
        values: finite temperatures, any shape.
        plateau: the most a histogram bin may hold, as a fraction of the pixels (a small
            plateau approaches a linear map, a large one full equalisation).
        linear_share: share (0-1) of a min-max linear map mixed into the result.
        levels: number of output levels.
    """
    low, high = float(values.min()), float(values.max())
    span = max(high - low, 1e-12)
    position = np.minimum(((values - low) / span * _BINS).astype(np.int64), _BINS - 1)
    counts = np.bincount(position.ravel(), minlength=_BINS).astype(np.float64)
    counts = np.minimum(counts, max(plateau * values.size, 1.0))
    cumulative = np.cumsum(counts)
    mapping = (cumulative - cumulative[0]) / max(cumulative[-1] - cumulative[0], 1e-12)
    equalised = mapping[position]
    linear = (values - low) / span
    return ((1.0 - linear_share) * equalised + linear_share * linear) * (levels - 1)


def jpeg_roundtrip(grey: np.ndarray, quality: int) -> np.ndarray:
    """``grey`` (uint8 HxW) JPEG-compressed at ``quality`` (1-100) and decoded."""
    ok, encoded = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    decoded = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE) if ok else None
    if decoded is None:
        raise ValueError("JPEG encoding failed")
    return decoded


def camera_export(
    image: np.ndarray,
    *,
    agc: AGC = "linear",
    low_percentile: float = 1.0,
    high_percentile: float = 99.0,
    plateau: float = 0.02,
    linear_share: float = 0.0,
    jpeg_quality: int | None = None,
    levels: int = 256,
) -> np.ndarray:
    """The frame as a camera's 8-bit export shows it, on its own degC range.

    Args:
        image: HxW or HxWx1 degC map (NaN allowed: kept, not mapped).
        agc: ``"linear"`` (a percentile window, clipped) or ``"plateau"`` (plateau
            histogram equalisation).
        low_percentile, high_percentile: the linear window, percentiles 0-100 of the frame.
        plateau: the plateau of ``"plateau"``, a fraction of the pixels per histogram bin.
        linear_share: share of linear mapping mixed into ``"plateau"`` (0-1).
        jpeg_quality: JPEG quality 1-100 of the export, or None for no compression (needs
            ``levels == 256``).
        levels: grey levels of the export (256: 8 bit), at least 2.

    Returns:
        float32 in the input's layout: grey level ``k`` becomes
        ``low + k / (levels - 1) * (high - low)``, ``low``..``high`` the frame's range.

    Raises:
        ValueError: an unknown ``agc``, fewer than 2 levels, JPEG without 256 levels.
    """
    if agc not in AGC_MODES:
        raise ValueError(f"agc must be one of {AGC_MODES}, got {agc!r}")
    if levels < 2 or (jpeg_quality is not None and levels != 256):
        raise ValueError(f"levels must be at least 2 (256 with JPEG), got {levels}")
    plane = to_temperature_map(image)
    bad = nan_pixels(plane)
    finite = plane if bad is None else plane[~bad]
    if finite.size == 0:
        return restore_shape(plane.copy(), image)
    if agc == "linear":
        grey = linear_agc(finite, low_percentile, high_percentile, levels)
    else:
        grey = plateau_agc(finite, plateau, linear_share, levels)
    grey = np.rint(grey)
    low, high = float(finite.min()), float(finite.max())
    out = np.full(plane.shape, np.nan, dtype=np.float32)
    if bad is None:
        out[...] = grey.reshape(plane.shape)
    else:
        out[~bad] = grey
    if jpeg_quality is not None:
        compressed = jpeg_roundtrip(np.nan_to_num(out).astype(np.uint8), jpeg_quality)
        out = np.where(np.isnan(out), out, compressed.astype(np.float32))
    scale = np.float32((high - low) / (levels - 1))
    return restore_shape((np.float32(low) + out * scale).astype(np.float32), image)
