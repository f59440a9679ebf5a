"""Geometric operations on temperature maps and label maps (pure numpy + OpenCV).

Images are HxW (or HxWx1) float32 degC maps, masks HxW integer label maps. Sizes are
(rows, columns) in pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from tiaug._checks import restore_shape, to_temperature_map

__all__ = ["center_crop_pad", "crop_pad_offsets", "rescaled_shape", "resize"]


def rescaled_shape(shape: tuple[int, int], scale: float, aspect: float) -> tuple[int, int]:
    """Shape (rows, columns) after scaling rows by ``scale`` and columns by ``scale * aspect``."""
    rows, cols = shape
    return max(1, round(rows * scale)), max(1, round(cols * scale * aspect))


def resize(array: np.ndarray, shape: tuple[int, int], *, nearest: bool = False) -> np.ndarray:
    """Resize a temperature map (bilinear) or a label map (``nearest=True``) to ``shape``.

    The layout of the input (HxW or HxWx1) is kept.
    """
    plane = array[..., 0] if array.ndim == 3 else array
    rows, cols = shape
    if nearest:
        out = cv2.resize(plane, (cols, rows), interpolation=cv2.INTER_NEAREST_EXACT)
    else:
        out = cv2.resize(to_temperature_map(plane), (cols, rows), interpolation=cv2.INTER_LINEAR)
    return restore_shape(out, array)


def crop_pad_offsets(size: int, target: int) -> tuple[int, int, int]:
    """Centre placement along one axis: (source start, destination start, extent) in pixels."""
    extent = min(size, target)
    return max(0, (size - target) // 2), max(0, (target - size) // 2), extent


def center_crop_pad(array: np.ndarray, shape: tuple[int, int], fill: float) -> np.ndarray:
    """Centre-crop and/or centre-pad ``array`` to ``shape`` = (rows, columns).

    Axes longer than the target are cropped around the centre; shorter ones are padded
    symmetrically with ``fill`` (degC for images, a label for masks). Dtype and layout kept.
    """
    rows, cols = shape
    src_r, dst_r, ext_r = crop_pad_offsets(array.shape[0], rows)
    src_c, dst_c, ext_c = crop_pad_offsets(array.shape[1], cols)
    out = np.full((rows, cols, *array.shape[2:]), fill, dtype=array.dtype)
    out[dst_r : dst_r + ext_r, dst_c : dst_c + ext_c] = array[
        src_r : src_r + ext_r, src_c : src_c + ext_c
    ]
    return out
