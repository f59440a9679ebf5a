"""The eyes of a face, for glasses: from a label map (class 3) or from 68 landmarks.

Numpy + OpenCV (connected components, convex hulls); coordinates in pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from tiaug._checks import check_mask
from tiaug.classes import CLASS_NAMES, IBUG68_GROUPS, fill_convex_hull

__all__ = ["EYE_CLASS", "EyePair", "eyes_from_landmarks", "find_eyes"]

#: label of the eyes in the six face classes (``"eyes"`` placement)
EYE_CLASS = CLASS_NAMES.index("eyes")


class EyePair(NamedTuple):
    """The two eyes of a face: centres ``(x, y)`` in pixels, left to right, and the image
    coordinates ``(rows, cols)`` of their pixels."""

    left: tuple[float, float]
    right: tuple[float, float]
    rows: np.ndarray
    cols: np.ndarray


def find_eyes(mask: np.ndarray, eye_class: int = EYE_CLASS) -> EyePair | None:
    """The two largest connected regions of ``eye_class`` in a label map, or None.

    For landmarks instead of a mask, see :func:`eyes_from_landmarks`.
    """
    labels = check_mask(mask, np.shape(mask)[:2])
    rows, cols = np.nonzero(labels == eye_class)
    if rows.size < 2:
        return None
    top, left = int(rows.min()), int(cols.min())
    box = np.zeros((int(rows.max()) - top + 1, int(cols.max()) - left + 1), np.uint8)
    box[rows - top, cols - left] = 1
    count, components, stats, centroids = cv2.connectedComponentsWithStats(box, connectivity=8)
    if count < 3:
        return None
    largest = np.argsort(-stats[1:, cv2.CC_STAT_AREA], kind="stable")[:2] + 1
    centres = sorted((centroids[i][0] + left, centroids[i][1] + top) for i in largest)
    ids = components[rows - top, cols - left]
    keep = (ids == largest[0]) | (ids == largest[1])
    (x0, y0), (x1, y1) = centres
    return EyePair((float(x0), float(y0)), (float(x1), float(y1)), rows[keep], cols[keep])


def eyes_from_landmarks(landmarks: np.ndarray, shape: tuple[int, int]) -> EyePair | None:
    """The eyes of 68 landmarks (``[row, col]``, iBUG order: points 36-41 and 42-47) in a
    frame of ``shape``: their hulls, as :func:`find_eyes` returns them. None when a point
    is missing (NaN)."""
    points = np.asarray(landmarks, dtype=np.float64)
    mask = np.zeros(tuple(shape[:2]), np.uint8)
    for group in ("leye", "reye"):
        eye = points[list(IBUG68_GROUPS[group])]
        if not np.isfinite(eye).all():
            return None
        fill_convex_hull(mask, eye, EYE_CLASS)
    return find_eyes(mask)
