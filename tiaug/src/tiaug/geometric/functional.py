"""Geometric operations on temperature maps and label maps (pure numpy + OpenCV).

Images are HxW or HxWxC float32 degC maps, masks HxW or HxWxC integer label maps. Sizes are
(rows, columns) in pixels; keypoints are (x, y) in pixels with pixel centres at integers.
"""

from __future__ import annotations

import cv2
import numpy as np

from tiaug._checks import nan_pixels, restore_shape

__all__ = [
    "center_crop_pad",
    "crop_pad_bboxes",
    "crop_pad_keypoints",
    "crop_pad_offsets",
    "crop_pad_shift",
    "midrange",
    "rescaled_shape",
    "resize",
    "scale_keypoints",
]

#: dtypes OpenCV's nearest-neighbour resize accepts (int64 and bool go through numpy).
_CV2_NEAREST_DTYPES = {
    np.dtype(t) for t in ("uint8", "int8", "uint16", "int16", "int32", "float32", "float64")
}
#: albumentations' keypoint columns: x, y, z, angle, scale, then user columns.
_KEYPOINT_SCALE_COLUMN = 4


def rescaled_shape(shape: tuple[int, int], scale: float, aspect: float) -> tuple[int, int]:
    """Shape (rows, columns) after scaling rows by ``scale`` and columns by ``scale * aspect``."""
    rows, cols = shape
    return max(1, round(rows * scale)), max(1, round(cols * scale * aspect))


def resize(array: np.ndarray, shape: tuple[int, int], *, nearest: bool = False) -> np.ndarray:
    """Resize a temperature map (bilinear) or a label map (``nearest=True``) to ``shape``.

    Every channel of an HxWxC array is kept (HxW stays HxW). Temperature maps come back as
    float32; NaN pixels stay NaN and never spread: finite pixels are interpolated from their
    finite neighbours only, and the output is NaN where the nearest input pixel is NaN.
    Label maps keep their dtype (any integer dtype, int64 included).
    """
    rows, cols = shape
    if nearest:
        if array.dtype in _CV2_NEAREST_DTYPES and (array.ndim == 2 or array.shape[2] <= 4):
            out = cv2.resize(array, (cols, rows), interpolation=cv2.INTER_NEAREST_EXACT)
            return restore_shape(out, array) if out.ndim == 2 else out
        return np.take(
            np.take(array, _nearest_index(array.shape[0], rows), axis=0),
            _nearest_index(array.shape[1], cols),
            axis=1,
        )
    image = array.astype(np.float32, copy=False)
    bad = nan_pixels(image)
    if bad is None:
        return _bilinear(image, shape)
    valid = (~bad).astype(np.float32)
    total = _bilinear(np.where(bad, np.float32(0.0), image), shape)
    weight = _bilinear(valid, shape)
    out = total / np.maximum(weight, np.float32(1e-6))
    out[resize(bad, shape, nearest=True)] = np.nan
    return out


def _bilinear(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """OpenCV bilinear resize of a float32 HxW or HxWxC array (any C), layout kept."""
    rows, cols = shape
    if image.ndim == 3 and image.shape[2] > 4:  # OpenCV resizes at most 4 channels at once
        return np.concatenate(
            [_bilinear(image[..., c : c + 4], shape) for c in range(0, image.shape[2], 4)],
            axis=2,
        )
    out = cv2.resize(image, (cols, rows), interpolation=cv2.INTER_LINEAR)
    return restore_shape(out, image) if out.ndim == 2 else out


def _nearest_index(size: int, target: int) -> np.ndarray:
    """Source index of each of ``target`` output pixels, pixel centres aligned: OpenCV's
    ``INTER_NEAREST_EXACT`` itself, read off a resized ramp, so that label maps of any dtype
    or channel count pick the same pixels as the ones OpenCV resizes (ties included)."""
    ramp = np.arange(size, dtype=np.float32)[None, :]  # exact integers up to 2**24
    picked = cv2.resize(ramp, (target, 1), interpolation=cv2.INTER_NEAREST_EXACT)
    return picked[0].astype(np.intp)


def scale_keypoints(
    keypoints: np.ndarray, shape: tuple[int, int], new_shape: tuple[int, int]
) -> np.ndarray:
    """Move keypoints (x, y in pixels, pixel centres at integers) with an image resized from
    ``shape`` to ``new_shape`` (rows, columns). A fifth column (albumentations' keypoint scale)
    is multiplied by the larger of the two factors; other columns are kept."""
    out = np.array(keypoints, dtype=np.result_type(keypoints, np.float32), copy=True)
    if not out.size:
        return out
    scale_y, scale_x = new_shape[0] / shape[0], new_shape[1] / shape[1]
    out[:, 0] = (out[:, 0] + 0.5) * scale_x - 0.5
    out[:, 1] = (out[:, 1] + 0.5) * scale_y - 0.5
    if out.shape[1] > _KEYPOINT_SCALE_COLUMN:
        out[:, _KEYPOINT_SCALE_COLUMN] *= max(scale_x, scale_y)
    return out


def crop_pad_shift(shape: tuple[int, int], new_shape: tuple[int, int]) -> tuple[int, int]:
    """(rows, columns) by which :func:`center_crop_pad` moves content from ``shape`` to
    ``new_shape``."""
    src_r, dst_r, _ = crop_pad_offsets(shape[0], new_shape[0])
    src_c, dst_c, _ = crop_pad_offsets(shape[1], new_shape[1])
    return dst_r - src_r, dst_c - src_c


def crop_pad_keypoints(
    keypoints: np.ndarray, shape: tuple[int, int], new_shape: tuple[int, int]
) -> np.ndarray:
    """Move keypoints (x, y in pixels) with :func:`center_crop_pad` from ``shape`` to
    ``new_shape``; points that leave the frame are kept (the pipeline drops invisible ones)."""
    out = np.array(keypoints, dtype=np.result_type(keypoints, np.float32), copy=True)
    if out.size:
        d_rows, d_cols = crop_pad_shift(shape, new_shape)
        out[:, 0] += d_cols
        out[:, 1] += d_rows
    return out


def crop_pad_bboxes(
    bboxes: np.ndarray, shape: tuple[int, int], new_shape: tuple[int, int]
) -> np.ndarray:
    """Move boxes ``(x_min, y_min, x_max, y_max, ...)`` normalised to the frame (albumentations'
    internal format) with :func:`center_crop_pad` from ``shape`` to ``new_shape``. Other
    columns are kept; boxes are not clipped (the pipeline clips and filters them)."""
    out = np.array(bboxes, dtype=np.result_type(bboxes, np.float32), copy=True)
    if out.size:
        (rows, cols), (new_rows, new_cols) = shape, new_shape
        d_rows, d_cols = crop_pad_shift(shape, new_shape)
        out[:, [0, 2]] = (out[:, [0, 2]] * cols + d_cols) / new_cols
        out[:, [1, 3]] = (out[:, [1, 3]] * rows + d_rows) / new_rows
    return out


def midrange(image: np.ndarray) -> float:
    """Mean of the finite minimum and maximum (NaN ignored; NaN when nothing is finite)."""
    low, high = float(np.fmin.reduce(image, axis=None)), float(np.fmax.reduce(image, axis=None))
    return 0.5 * (low + high)


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
    if (ext_r, ext_c) == (rows, cols):  # a crop only: nothing to fill
        return array[src_r : src_r + ext_r, src_c : src_c + ext_c].copy()
    out = np.full((rows, cols, *array.shape[2:]), fill, dtype=array.dtype)
    out[dst_r : dst_r + ext_r, dst_c : dst_c + ext_c] = array[
        src_r : src_r + ext_r, src_c : src_c + ext_c
    ]
    return out
