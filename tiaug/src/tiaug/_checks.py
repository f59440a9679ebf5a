"""Input checks shared by the functional core, the transforms, the readers and the command line.

Pure numpy (no albumentations, no OpenCV): ``import tiaug`` stays light.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "KELVIN_MEDIAN",
    "as_range",
    "check_degc",
    "check_finite",
    "check_fraction",
    "check_int_range",
    "check_mask",
    "check_range",
    "finite_fill_value",
    "nan_guard",
    "nan_pixels",
    "per_channel",
    "restore_shape",
    "to_temperature_map",
]

#: A scene whose median lies in this range (Kelvin: -73..127 degC) is taken for Kelvin data.
KELVIN_MEDIAN = (200.0, 400.0)
#: Values inspected (a regular subsample) by the Kelvin check.
_KELVIN_SAMPLES = 256


def to_temperature_map(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Return ``image`` as a 2-D float32 array (a view when possible).

    Accepts HxW or HxWx1 arrays of any real dtype. Raises ``ValueError`` otherwise.
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a single-channel temperature map of shape HxW or HxWx1, "
            f"got shape {np.shape(image)}"
        )
    if array.dtype.kind not in "fiu":  # floating or integer
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array.astype(np.float32, copy=False)


def restore_shape(result: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Give a 2-D ``result`` the layout of the input ``like`` (HxW or HxWx1)."""
    return result[..., None] if np.ndim(like) == 3 else result


def check_finite(image: np.ndarray, name: str = "image") -> None:
    """Raise ``ValueError`` if ``image`` holds NaN or infinite values."""
    bad = ~np.isfinite(image)
    if bad.any():
        raise ValueError(f"{name} holds {int(bad.sum())} NaN or infinite values")


def check_mask(mask: np.ndarray, image_shape: tuple[int, ...], name: str = "mask") -> np.ndarray:
    """Return ``mask`` as a 2-D integer label map matching ``image_shape[:2]``."""
    array = np.asarray(mask)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(f"{name} must be an HxW label map, got shape {np.shape(mask)}")
    if array.dtype.kind not in "iu":  # signed or unsigned integers
        raise ValueError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    if array.shape != tuple(image_shape[:2]):
        raise ValueError(
            f"{name} shape {array.shape} differs from the image's {tuple(image_shape[:2])}"
        )
    return array


def check_degc(image: np.ndarray, name: str = "image") -> None:
    """Input policy of every tiaug transform: float temperatures in degC.

    Raises ``TypeError`` for non-float dtypes: integer images are raw counts (convert them
    with a camera preset or a scale/offset: :func:`tiaug.read_thermal`) or the relative grey
    levels of an export (:func:`tiaug.io.read_image`), which hold no temperatures unless the
    user maps them (:func:`tiaug.io.intensity_to_degc`). Warns
    (``UserWarning``) when the finite values' median lies in :data:`KELVIN_MEDIAN`, which
    looks like Kelvin. Reads a regular subsample of about 256 values, so it costs a few
    microseconds whatever the image size.
    """
    array = np.asarray(image)
    if array.dtype.kind != "f":  # numpy's floating types (np.issubdtype(.., np.floating))
        raise TypeError(
            f"{name} has dtype {array.dtype}: this transform needs temperatures in degC (float), "
            "not raw counts or relative grey levels; convert counts with "
            "tiaug.read_thermal(path, camera=...) and map grey levels whose span you know "
            "with tiaug.io.intensity_to_degc(levels, low, high)"
        )
    flat = array.reshape(-1)
    sample = np.sort(flat[:: max(1, flat.size // _KELVIN_SAMPLES)])  # NaN sorts last
    finite = sample.size
    if finite and math.isnan(sample[-1]):
        finite -= int(np.count_nonzero(np.isnan(sample)))
    if finite and KELVIN_MEDIAN[0] <= float(sample[finite // 2]) <= KELVIN_MEDIAN[1]:
        warnings.warn(
            f"{name} looks like Kelvin (median temperature in 200..400): tiaug expects degC; "
            "subtract 273.15",
            UserWarning,
            stacklevel=3,
        )


def check_fraction(name: str, value: float | Sequence[float], high: float = 1.0) -> None:
    """Raise ``ValueError`` unless ``value`` (a number or a range) lies in (0, ``high``].

    For lengths given as fractions of the image's short side: a value above ``high`` is most
    likely a number of pixels, and the message says so.
    """
    values = [float(value)] if isinstance(value, (int, float)) else [float(v) for v in value]
    if any(v > high for v in values):
        raise ValueError(
            f"{name} is a fraction of the image's short side in (0, {high:g}], got "
            f"{tuple(values) if len(values) > 1 else values[0]}: that looks like pixels; "
            f"divide by the short side (e.g. 10 px / 256 px = 0.039)"
        )
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{name} must be > 0 (a fraction of the short side), got {value}")


def as_range(value: float | Sequence[float]) -> tuple[float, float]:
    """``(low, high)`` of a range given as a number (``(v, v)``) or a pair; not validated."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), float(value)
    return float(value[0]), float(value[1])


def check_range(
    name: str,
    value: float | Sequence[float],
    low: float | None = None,
    high: float | None = None,
    *,
    open_low: bool = False,
    ordered: bool = True,
    scalar: bool = False,
) -> tuple[float, float]:
    """Validate a ``(low, high)`` range of finite numbers and return it as floats.

    The package's one range rule (every schema and config uses it): both values finite,
    ``low <= high`` unless ``ordered`` is False, within ``[low, high]`` (``low`` excluded
    when ``open_low``). With ``scalar``, a number ``v`` stands for ``(v, v)``.
    """
    if scalar and isinstance(value, (int, float, np.integer, np.floating)):
        value = (value, value)
    try:
        lo, hi = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        kind = "a number or a (low, high) pair" if scalar else "a (low, high) pair of numbers"
        raise ValueError(f"{name} must be {kind}, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{name} must be finite, got {(lo, hi)}")
    if ordered and lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {(lo, hi)}")
    if low is not None and (min(lo, hi) < low or (open_low and min(lo, hi) <= low)):
        bound = ">" if open_low else ">="
        raise ValueError(f"{name} must be {bound} {low:g}, got {(lo, hi)}")
    if high is not None and max(lo, hi) > high:
        raise ValueError(f"{name} must be <= {high:g}, got {(lo, hi)}")
    return lo, hi


def check_int_range(
    name: str, value: Sequence[int], low: int | None = None, high: int | None = None
) -> tuple[int, int]:
    """Validate a ``(low, high)`` range of integers (``low <= high``, within the bounds)."""
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of integers, got {value!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)):
        raise ValueError(f"{name} must hold integers, got {value!r}")
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {(lo, hi)}")
    if low is not None and lo < low:
        raise ValueError(f"{name} must be >= {low}, got {(lo, hi)}")
    if high is not None and hi > high:
        raise ValueError(f"{name} must be <= {high}, got {(lo, hi)}")
    return lo, hi


def nan_pixels(image: np.ndarray) -> np.ndarray | None:
    """Boolean map of the NaN pixels of a float ``image``, or ``None`` when it has none."""
    if image.size == 0 or not np.isnan(np.minimum.reduce(image, axis=None)):  # min: NaN wins
        return None
    return np.isnan(image)


def finite_fill_value(image: np.ndarray) -> float:
    """The median of the finite values (0.0 when there are none): a neutral NaN stand-in."""
    finite = image[np.isfinite(image)]
    return float(np.median(finite)) if finite.size else 0.0


def nan_guard(
    function: Callable[[np.ndarray], np.ndarray], image: np.ndarray, fill: float | None = None
) -> np.ndarray:
    """Apply a pixel operation so that NaN pixels stay NaN and never spread.

    Without NaN, ``function(image)``. Otherwise the NaN pixels are replaced by ``fill`` (default:
    the finite median) for the computation and set back to NaN in the result, which must have
    the input's shape.
    """
    bad = nan_pixels(image)
    if bad is None:
        return function(image)
    value = finite_fill_value(image) if fill is None else fill
    out = np.array(function(np.where(bad, np.float32(value), image)), copy=True)
    out[bad] = np.nan
    return out


def per_channel(function: Callable[[np.ndarray], np.ndarray], image: np.ndarray) -> np.ndarray:
    """Apply a single-channel operation to every channel of an HxWxC array (C > 1).

    HxW and HxWx1 arrays go to ``function`` as they are; the channels of an HxWxC array are
    processed one by one with the same parameters and stacked back.
    """
    if image.ndim != 3 or image.shape[2] == 1:
        return function(image)
    return np.stack([function(image[..., c]) for c in range(image.shape[2])], axis=-1)
