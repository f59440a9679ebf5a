"""What a frame tells about its camera and its room: Otsu's split, the room temperature, the
per-pixel noise.

Numpy + OpenCV; NaN and infinite pixels are ignored. Images are HxW or HxWx1 degC maps,
masks integer label maps (0 = background).
"""

from __future__ import annotations

import math
import statistics

import cv2
import numpy as np

from tiaug._checks import check_mask, to_temperature_map

__all__ = ["estimate_ambient", "estimate_noise", "otsu_threshold"]

_BACKGROUND = 0  # label of the background (the wall) in a label map
_OTSU_STRIDE = 2  # the histogram is taken on every other row and column
_AMBIENT_STRIDE = 4  # the room's median is taken on every fourth row and column
_NOISE_SAMPLES = 4096  # second differences read by estimate_noise
#: median |N(0, 1)| (1 / 1.4826): converts a median absolute value into a standard deviation
_MEDIAN_ABS_NORMAL = statistics.NormalDist().inv_cdf(0.75)


def otsu_threshold(image: np.ndarray, *, stride: int = _OTSU_STRIDE) -> float:
    """Otsu's threshold (degC) of the temperature histogram, taken on a strided subsample.

    The finite values are quantised to 256 levels between their minimum and maximum; pixels
    warmer than the threshold are the warm class (skin). A constant image returns its value.
    NaN/inf pixels are ignored.
    """
    values = to_temperature_map(image)[::stride, ::stride]
    low, high = float(values.min()), float(values.max())  # NaN or inf: not both finite
    if not (math.isfinite(low) and math.isfinite(high)):
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise ValueError("image holds no finite temperatures")
        low, high = float(values.min()), float(values.max())
    if high <= low:
        return low
    levels = 255.0 / (high - low)
    quantised = cv2.convertScaleAbs(values, alpha=levels, beta=-low * levels)
    level, _ = cv2.threshold(quantised, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return low + (level + 0.5) / levels  # the upper edge of the last cold level


def _median(values: np.ndarray) -> float:
    """Median of a non-empty 1-D array (the mean of the two middle values for an even size)."""
    middle = values.size // 2
    ordered = np.partition(values, middle)  # below middle: the smaller half, in any order
    if values.size % 2:
        return float(ordered[middle])
    return 0.5 * (float(ordered[:middle].max()) + float(ordered[middle]))


def estimate_ambient(
    image: np.ndarray, mask: np.ndarray | None = None, *, ignore_index: int | None = 255
) -> float:
    """The room temperature (degC) seen in the frame: the median of the cold (Otsu) class.

    With ``mask``, only background-labelled pixels of the cold class count (when there are
    any). Otsu's split and the median use every fourth row and column; NaN/inf pixels are
    ignored.
    """
    plane = to_temperature_map(image)
    sample = np.ascontiguousarray(plane[::_AMBIENT_STRIDE, ::_AMBIENT_STRIDE])
    cold = sample <= otsu_threshold(sample, stride=1)
    if mask is not None:
        labels = check_mask(mask, plane.shape)[::_AMBIENT_STRIDE, ::_AMBIENT_STRIDE]
        wall = cold & (labels == _BACKGROUND)
        cold = wall if wall.any() else cold
    return _median(sample[cold]) if cold.any() else float(np.nanmedian(sample))


def estimate_noise(image: np.ndarray) -> float:
    """The per-pixel noise of a frame: its standard deviation in degC, from the data alone.

    Robust estimate from second differences along rows, ``d = T[j-1] - 2 T[j] + T[j+1]``:
    they cancel any linear gradient of the scene and, for white noise of std ``s``, have
    std ``s * sqrt(6)``; their median absolute value (``0.6745 * s * sqrt(6)`` for a normal
    distribution) ignores the few that cross edges. Reads a regular subsample of rows
    (about 4096 differences). Non-finite values are skipped; 0 for an image narrower than 3
    pixels or without finite differences (and for data quantised more coarsely than its
    noise, which then shows none).
    """
    plane = to_temperature_map(image)
    rows, cols = plane.shape
    if cols < 3 or rows == 0:
        return 0.0
    sample = plane[:: max(1, rows * (cols - 2) // _NOISE_SAMPLES)]
    values = sample[:, :-2] + sample[:, 2:]
    values -= 2.0 * sample[:, 1:-1]
    values = np.abs(values, out=values).reshape(-1)
    finite = int(np.count_nonzero(values < np.inf))  # NaN and inf sort last below
    if finite == 0:
        return 0.0
    median = float(np.partition(values, finite // 2)[finite // 2])
    return median / (_MEDIAN_ABS_NORMAL * math.sqrt(6.0))
