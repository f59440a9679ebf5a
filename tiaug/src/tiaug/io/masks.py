"""Label maps: read and write integer class maps (8-bit PNG, .npy, .tif)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tiaug._checks import check_mask
from tiaug.io._files import as_2d, existing_file, load_npy, load_png, load_tiff

__all__ = ["MASK_SUFFIXES", "read_mask", "write_mask"]

#: Suffixes :func:`read_mask` understands.
MASK_SUFFIXES = (".png", ".npy", ".tif", ".tiff")


def read_mask(path: str | Path, *, like: np.ndarray | None = None) -> np.ndarray:
    """Read a label map (``.png``, ``.npy`` or ``.tif``) as a 2-D ``uint8`` array.

    Args:
        path: label file: single-channel integer labels 0..255.
        like: when given, an image (HxW or HxWx1) whose shape the labels must match.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown suffix, multi-channel or non-integer data, labels outside 0..255,
            a shape different from ``like``'s.
    """
    path = existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in MASK_SUFFIXES:
        raise ValueError(
            f"{path}: unknown label suffix {path.suffix!r}; readable: {', '.join(MASK_SUFFIXES)}"
        )
    if suffix == ".png":
        array = load_png(path)
    elif suffix == ".npy":
        array = load_npy(path)
    else:
        array = load_tiff(path, 0)
    array = as_2d(array, path)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{path}: labels must be integers, got dtype {array.dtype}")
    low, high = int(array.min()), int(array.max())
    if low < 0 or high > 255:
        raise ValueError(f"{path}: labels must lie in 0..255, got {low}..{high}")
    mask = array.astype(np.uint8)
    if like is not None:
        check_mask(mask, np.shape(like), name=str(path))
    return np.ascontiguousarray(mask)


def write_mask(path: str | Path, mask: np.ndarray) -> Path:
    """Write a label map (integers 0..255) as an 8-bit single-channel PNG; returns the path."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: write_mask writes .png, not {path.suffix!r}")
    array = np.asarray(mask)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"mask must be an integer HxW array, got shape {array.shape}, {array.dtype}"
        )
    if array.size and (int(array.min()) < 0 or int(array.max()) > 255):
        raise ValueError("mask labels must lie in 0..255")
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(array, dtype=np.uint8))
    if not ok:
        raise ValueError(f"{path}: PNG encoding failed")
    encoded.tofile(path)
    return path
