"""Input checks shared by the functional core, the readers and the command line."""

from __future__ import annotations

import numpy as np

__all__ = ["check_finite", "check_mask", "restore_shape", "to_temperature_map"]


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
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
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
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    if array.shape != tuple(image_shape[:2]):
        raise ValueError(
            f"{name} shape {array.shape} differs from the image's {tuple(image_shape[:2])}"
        )
    return array
