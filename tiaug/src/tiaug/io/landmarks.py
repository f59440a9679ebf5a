"""Landmark files: YOLO-pose text, iBUG ``.pts`` and Menpo ``.ljson``, in one reader.

Every reader returns :class:`Landmarks`: ``[row, col]`` pixel coordinates with the centre of
pixel ``(i, j)`` at ``(i, j)`` (Menpo's convention, the one :func:`tiaug.classes.landmarks_to_mask`
uses), the markup's layout (:data:`tiaug.classes.LANDMARK_LAYOUTS`) and, where the file has
them, per-point confidences.

- ``.txt``: YOLO pose, one face per line: ``class cx cy w h`` then ``x y`` or ``x y
  confidence`` per point, every coordinate normalised to [0, 1] by the image width (x) and
  height (y); the image's shape is needed to turn them into pixels. A point marked not
  labelled (confidence 0 at (0, 0)) becomes NaN, so a mask that needs it is refused.
- ``.pts``: iBUG / 300-W, ``version: 1``, ``n_points: N``, ``{``, N lines ``x y``, ``}``;
  1-based pixel coordinates (Menpo's reading: 1 is subtracted).
- ``.ljson``: Menpo landmark JSON of the Thermal Face Database
  (:func:`tiaug.io.tfd.read_tfd_landmarks`).

The layout comes from the number of points (:func:`tiaug.classes.layout_for_points`) unless
given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tiaug.classes import LandmarkLayout, get_layout, layout_for_points
from tiaug.io._files import existing_file
from tiaug.io.tfd import read_tfd_landmarks

__all__ = ["LANDMARK_SUFFIXES", "Landmarks", "read_landmarks", "write_landmarks"]

#: Suffixes :func:`read_landmarks` understands.
LANDMARK_SUFFIXES = (".txt", ".pts", ".ljson")


@dataclass(frozen=True, eq=False)
class Landmarks:
    """The landmarks of one face.

    Attributes:
        points: ``(n, 2)`` float64 ``[row, col]`` pixels (pixel centres at integers).
        layout: the markup the points follow.
        confidence: ``(n,)`` float64 per-point confidences, or None when the file has none.
    """

    points: np.ndarray
    layout: LandmarkLayout
    confidence: np.ndarray | None = None


def _numbers(path: Path, text: str) -> np.ndarray:
    try:
        return np.array(text.split(), dtype=np.float64)
    except ValueError:
        raise ValueError(f"{path}: expected numbers only") from None


def _yolo_point_width(path: Path, values: int, layout: LandmarkLayout | None) -> int:
    """2 (x y) or 3 (x y confidence) values per point, from the layout or the count."""
    if layout is not None:
        for width in (3, 2):
            if values == width * layout.num_points:
                return width
        raise ValueError(
            f"{path}: {values} point values do not fit the {layout.name} layout "
            f"({layout.num_points} points of 2 or 3 values)"
        )
    widths = [w for w in (3, 2) if values % w == 0 and _known_count(values // w)]
    if len(widths) != 1:
        raise ValueError(
            f"{path}: cannot tell the layout of {values} point values (2 or 3 per point); "
            "give the layout"
        )
    return widths[0]


def _known_count(count: int) -> bool:
    try:
        layout_for_points(count)
    except ValueError:
        return False
    return True


def _read_yolo(
    path: Path, image_shape: tuple[int, int] | None, layout: LandmarkLayout | None
) -> Landmarks:
    if image_shape is None:
        raise ValueError(
            f"{path}: YOLO pose coordinates are fractions of the image; give image_shape"
        )
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(lines) != 1:
        raise ValueError(f"{path}: expected one face (one line), found {len(lines)}")
    values = _numbers(path, lines[0])
    if values.size <= 5:
        raise ValueError(f"{path}: a YOLO pose line holds class, box and points; got {values.size}")
    width = _yolo_point_width(path, values.size - 5, layout)
    table = values[5:].reshape(-1, width)
    height, cols = image_shape
    points = np.stack([table[:, 1] * height - 0.5, table[:, 0] * cols - 0.5], axis=1)
    confidence = table[:, 2].copy() if width == 3 else None
    if confidence is not None:  # YOLO's "not labelled": visibility 0 at (0, 0)
        points[(confidence == 0) & (table[:, 0] == 0) & (table[:, 1] == 0)] = np.nan
    return Landmarks(points, layout or layout_for_points(len(points)), confidence)


_PTS = re.compile(r"n_points\s*:\s*(\d+)\s*\{(.*)\}", re.DOTALL)


def _read_pts(path: Path, layout: LandmarkLayout | None) -> Landmarks:
    match = _PTS.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path}: not an iBUG .pts file (n_points: N {{ x y ... }})")
    count, values = int(match[1]), _numbers(path, match[2])
    if values.size != 2 * count:
        raise ValueError(f"{path}: n_points is {count} but {values.size} values follow")
    xy = values.reshape(count, 2) - 1.0  # 1-based pixels
    return Landmarks(xy[:, ::-1].copy(), layout or layout_for_points(count))


def read_landmarks(
    path: str | Path,
    *,
    image_shape: tuple[int, int] | None = None,
    layout: str | LandmarkLayout | None = None,
) -> Landmarks:
    """Read the landmarks of one face from a ``.txt`` (YOLO pose), ``.pts`` or ``.ljson`` file.

    Args:
        path: the landmark file.
        image_shape: ``(rows, columns)`` of the image, needed for YOLO's normalised
            coordinates.
        layout: the markup (a name in :data:`tiaug.classes.LANDMARK_LAYOUTS` or a
            :class:`~tiaug.classes.LandmarkLayout`); default: the one with as many points.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown suffix or layout, a malformed file, a point count that matches
            no layout (or not the given one), several faces in a YOLO file.
    """
    path = existing_file(path)
    chosen = None if layout is None else get_layout(layout)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        found = _read_yolo(path, image_shape, chosen)
    elif suffix == ".pts":
        found = _read_pts(path, chosen)
    elif suffix == ".ljson":
        points, _ = read_tfd_landmarks(path)
        found = Landmarks(points, chosen or layout_for_points(len(points)))
    else:
        raise ValueError(
            f"{path}: unknown landmark suffix {path.suffix!r}; readable: "
            f"{', '.join(LANDMARK_SUFFIXES)}"
        )
    if len(found.points) != found.layout.num_points:
        raise ValueError(
            f"{path}: {len(found.points)} points, the {found.layout.name} layout has "
            f"{found.layout.num_points}"
        )
    return found


def write_landmarks(
    path: str | Path,
    points: np.ndarray,
    image_shape: tuple[int, int],
    confidence: np.ndarray | None = None,
) -> Path:
    """Write one face's ``[row, col]`` pixel points as YOLO pose (``.txt``) or iBUG ``.pts``.

    The YOLO line's box is the points' bounding box (class 0); ``confidence`` (per point)
    adds a third value per point (YOLO only: a ``.pts`` file holds none).
    :func:`read_landmarks` reads the file back.

    Raises:
        ValueError: unknown suffix, points not ``(n, 2)`` finite, confidences of another count
            or for a ``.pts`` file.
    """
    path = Path(path)
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise ValueError(f"points must be finite (n, 2) [row, col] pixels, got {array.shape}")
    if confidence is not None and np.shape(confidence) != (len(array),):
        raise ValueError(f"need one confidence per point ({len(array)})")
    suffix = path.suffix.lower()
    if suffix == ".pts":
        if confidence is not None:
            raise ValueError(f"{path}: a .pts file holds no confidences; write .txt (YOLO pose)")
        rows = [f"{x + 1.0:.3f} {y + 1.0:.3f}" for y, x in array]
        text = "\n".join(["version: 1", f"n_points: {len(array)}", "{", *rows, "}"])
    elif suffix == ".txt":
        height, width = image_shape
        x, y = (array[:, 1] + 0.5) / width, (array[:, 0] + 0.5) / height
        box = [(x.min() + x.max()) / 2, (y.min() + y.max()) / 2, np.ptp(x), np.ptp(y)]
        columns = [x, y] if confidence is None else [x, y, np.asarray(confidence, float)]
        text = " ".join(["0", *(f"{v:.6f}" for v in (*box, *np.stack(columns, 1).ravel()))])
    else:
        raise ValueError(f"{path}: write_landmarks writes .txt (YOLO pose) or .pts, not {suffix!r}")
    path.write_text(text + "\n", encoding="utf-8")
    return path
