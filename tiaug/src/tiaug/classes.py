"""The six face classes and how a label map is built from 68-point landmarks.

This is the Thermal Face Database recipe (docs/method.md, section 4), shared by the TFD reader
(:mod:`tiaug.io`) and the synthetic face generator (:mod:`tiaug.synth`): the convex hull of
each landmark group is painted in the order chin (face), outer mouth, left eye, right eye,
left eyebrow, right eyebrow, nose (centre + bottom nose points together); later wins.

Landmark points are ``[row, col]`` (y, x) in pixels, the centre of pixel ``(i, j)`` being at
``(i, j)`` (Menpo's convention). A pixel belongs to a hull when its centre lies inside it or
on its boundary.

Group names and indices follow the standard 68-point (iBUG / 300-W) order as the TFD's Menpo
``.ljson`` files label it. "Left" and "right" are taken as in Menpo's ``face_ibug_68``
labelling: the viewer's left, i.e. image left = the subject's right side (points 17-21 are
the eyebrow on the image's left, 36-41 the eye on the image's left). Both eyes paint the same
class, and so do both eyebrows, so this naming does not change a mask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = [
    "BACKGROUND",
    "CLASS_NAMES",
    "EYEBROWS",
    "EYES",
    "FACE",
    "IBUG68_GROUPS",
    "LANDMARK_LAYOUTS",
    "MOUTH",
    "NOSE",
    "NUM_CLASSES",
    "SFTL54_GROUPS",
    "TFD_MASK_ORDER",
    "LandmarkLayout",
    "convex_hull",
    "fill_convex_hull",
    "get_layout",
    "landmarks_to_mask",
    "layout_for_points",
]

CLASS_NAMES: tuple[str, ...] = ("background", "face", "mouth", "eyes", "eyebrows", "nose")
NUM_CLASSES = len(CLASS_NAMES)
BACKGROUND, FACE, MOUTH, EYES, EYEBROWS, NOSE = range(NUM_CLASSES)

#: Point indices of each group of the standard 68-point markup, under the TFD's group names.
IBUG68_GROUPS: dict[str, tuple[int, ...]] = {
    "chin": tuple(range(0, 17)),
    "leyebrow": tuple(range(17, 22)),
    "reyebrow": tuple(range(22, 27)),
    "centernose": tuple(range(27, 31)),
    "bottomnose": tuple(range(31, 36)),
    "leye": tuple(range(36, 42)),
    "reye": tuple(range(42, 48)),
    "outermouth": tuple(range(48, 60)),
    "innermouth": tuple(range(60, 68)),
}

#: SF-TL54 (54 points): the 68-point markup's points 1-48 (jaw, eyebrows, nose, eyes), then
#: the mouth as 49 left corner, 50 top of the upper lip, 51 right corner, 52 bottom of the
#: lower lip (the outer mouth) and 53, 54 the inner upper and lower lip (1-based).
SFTL54_GROUPS: dict[str, tuple[int, ...]] = {
    **{name: IBUG68_GROUPS[name] for name in list(IBUG68_GROUPS)[:7]},
    "outermouth": tuple(range(48, 52)),
    "innermouth": (52, 53),
}


@dataclass(frozen=True)
class LandmarkLayout:
    """A landmark markup: its number of points and the point indices of each group.

    Group names are the Thermal Face Database's (``chin``, ``leyebrow``, ``reyebrow``,
    ``centernose``, ``bottomnose``, ``leye``, ``reye``, ``outermouth``, ``innermouth``), so
    :data:`TFD_MASK_ORDER` builds the six-class mask of any layout. ``from_ibug68`` gives,
    for each of the layout's points, the 68-point markup's point it is (how synthetic faces,
    drawn in that markup, are written in this layout).
    """

    name: str
    num_points: int
    groups: Mapping[str, tuple[int, ...]]
    description: str
    from_ibug68: tuple[int, ...]

    def from_68(self, points: np.ndarray) -> np.ndarray:
        """This layout's ``(num_points, 2)`` points taken from a 68-point set."""
        return np.asarray(points)[list(self.from_ibug68)]


#: Landmark layouts by name; a new markup is one entry (its groups under the TFD's names).
LANDMARK_LAYOUTS: MappingProxyType[str, LandmarkLayout] = MappingProxyType(
    {
        "ibug68": LandmarkLayout(
            "ibug68",
            68,
            IBUG68_GROUPS,
            "iBUG / 300-W 68 points (Thermal Face Database)",
            tuple(range(68)),
        ),
        "sftl54": LandmarkLayout(
            "sftl54",
            54,
            SFTL54_GROUPS,
            "SF-TL54: iBUG points 1-48 and a 6-point mouth",
            (*range(48), 48, 51, 54, 57, 62, 66),  # corners, lip middles, inner lips
        ),
    }
)


def get_layout(layout: str | LandmarkLayout) -> LandmarkLayout:
    """The layout named ``layout`` (or ``layout`` itself).

    Raises:
        ValueError: unknown name (the message lists the known ones).
    """
    if isinstance(layout, LandmarkLayout):
        return layout
    try:
        return LANDMARK_LAYOUTS[layout]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown landmark layout {layout!r}; known: {', '.join(LANDMARK_LAYOUTS)}"
        ) from None


def layout_for_points(count: int) -> LandmarkLayout:
    """The one registered layout with ``count`` points.

    Raises:
        ValueError: no layout, or several, have that many points (give the layout by name).
    """
    found = [layout for layout in LANDMARK_LAYOUTS.values() if layout.num_points == count]
    if len(found) != 1:
        known = ", ".join(f"{v.name} ({v.num_points})" for v in LANDMARK_LAYOUTS.values())
        what = "no" if not found else "more than one"
        raise ValueError(
            f"{what} landmark layout has {count} points (known: {known}); give the layout"
        )
    return found[0]


#: (class, groups whose points form one hull), painted in this order; later wins.
TFD_MASK_ORDER: tuple[tuple[int, tuple[str, ...]], ...] = (
    (FACE, ("chin",)),
    (MOUTH, ("outermouth",)),
    (EYES, ("leye",)),
    (EYES, ("reye",)),
    (EYEBROWS, ("leyebrow",)),
    (EYEBROWS, ("reyebrow",)),
    (NOSE, ("centernose", "bottomnose")),
)

_TOLERANCE = 1e-6  # pixels: centres this close outside a hull edge still count as inside


def fill_convex_hull(mask: np.ndarray, points: np.ndarray, value: int) -> None:
    """Set to ``value`` (in place) the pixels of ``mask`` whose centres lie in the hull.

    Args:
        mask: 2-D array to paint.
        points: ``(k, 2)`` array of ``[row, col]`` points; the hull of all of them is painted.
            Points may lie outside the image (the hull is clipped).
        value: label to write.

    A degenerate hull (all points on a line) paints the pixel centres on that segment only.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if pts.shape[0] == 0:
        return
    if not np.isfinite(pts).all():
        raise ValueError("landmark points must be finite (got NaN or infinite coordinates)")
    height, width = mask.shape
    r0 = max(int(np.ceil(pts[:, 0].min() - _TOLERANCE)), 0)
    r1 = min(int(np.floor(pts[:, 0].max() + _TOLERANCE)), height - 1)
    c0 = max(int(np.ceil(pts[:, 1].min() - _TOLERANCE)), 0)
    c1 = min(int(np.floor(pts[:, 1].max() + _TOLERANCE)), width - 1)
    if r1 < r0 or c1 < c0:
        return
    hull = convex_hull(pts[:, ::-1])  # vertices (x = col, y = row), counter-clockwise
    rows = np.arange(r0, r1 + 1, dtype=np.float64)
    cols = np.arange(c0, c1 + 1, dtype=np.float64)
    # A convex hull meets each pixel row in one interval [low, high] of columns: intersect
    # the half-planes "signed distance to edge >= -tolerance", each linear in the column.
    low = np.full(rows.shape, -np.inf)
    high = np.full(rows.shape, np.inf)
    x, y = hull[:, 0], hull[:, 1]
    if hull.shape[0] >= 3:
        xn, yn = np.roll(x, -1), np.roll(y, -1)
        sign = 1.0 if float(np.sum(x * yn - xn * y)) >= 0 else -1.0
        dx, dy = sign * (xn - x), sign * (yn - y)
        # distance * length = dx * (row - y) - dy * (col - x): inside when a - b * col >= 0
        a = (
            dx[:, None] * (rows[None, :] - y[:, None])
            + (dy * x + _TOLERANCE * np.hypot(dx, dy))[:, None]
        )
        b = dy[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = a / b
        high = np.min(np.where(b > 0, bound, np.inf), axis=0)
        low = np.max(np.where(b < 0, bound, -np.inf), axis=0)
        low = np.where(np.any((b == 0) & (a < 0), axis=0), np.inf, low)
    else:  # one point or a segment: the centres lying on it
        if hull.shape[0] == 1:
            on_row = np.abs(rows - y[0]) <= _TOLERANCE
            low = np.where(on_row, x[0] - _TOLERANCE, np.inf)
            high = np.where(on_row, x[0] + _TOLERANCE, -np.inf)
        else:
            (xa, ya), (xb, yb) = hull
            if abs(yb - ya) <= _TOLERANCE:  # horizontal
                on_row = np.abs(rows - 0.5 * (ya + yb)) <= _TOLERANCE
                low = np.where(on_row, min(xa, xb) - _TOLERANCE, np.inf)
                high = np.where(on_row, max(xa, xb) + _TOLERANCE, -np.inf)
            else:
                t = (rows - ya) / (yb - ya)
                xc = xa + t * (xb - xa)
                ok = (t >= -_TOLERANCE) & (t <= 1 + _TOLERANCE)
                if abs(xb - xa) <= _TOLERANCE:
                    low = np.where(ok, xc - _TOLERANCE, np.inf)
                    high = np.where(ok, xc + _TOLERANCE, -np.inf)
                else:  # a slanted segment passes through centres only where xc is whole
                    whole = ok & (np.abs(xc - np.round(xc)) <= _TOLERANCE)
                    low = np.where(whole, np.round(xc), np.inf)
                    high = np.where(whole, np.round(xc), -np.inf)
    inside = (cols[None, :] >= low[:, None] - 1e-9) & (cols[None, :] <= high[:, None] + 1e-9)
    mask[r0 : r1 + 1, c0 : c1 + 1][inside] = value


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Vertices of the convex hull of ``(k, 2)`` points, in order (Andrew's monotone chain).

    Collinear points on the hull's edges are dropped; exact float64 arithmetic, no rounding.
    """
    unique = sorted({(float(a), float(b)) for a, b in np.asarray(points, dtype=np.float64)})
    if len(unique) <= 2:
        return np.array(unique, dtype=np.float64).reshape(-1, 2)

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for point in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    upper: list[tuple[float, float]] = []
    for point in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    return np.array(lower[:-1] + upper[:-1], dtype=np.float64)


def landmarks_to_mask(
    points: np.ndarray,
    shape: tuple[int, int],
    groups: Mapping[str, Sequence[int]] | str | LandmarkLayout = IBUG68_GROUPS,
    order: Sequence[tuple[int, Sequence[str]]] = TFD_MASK_ORDER,
) -> np.ndarray:
    """Build the six-class label map from landmarks, as for the Thermal Face Database masks.

    Args:
        points: ``(n, 2)`` landmark coordinates ``[row, col]`` in pixels (n = 68 for the
            standard markup).
        shape: ``(height, width)`` of the label map.
        groups: point indices of each named group, or a landmark layout (its name in
            :data:`LANDMARK_LAYOUTS`, e.g. ``"sftl54"``, or a :class:`LandmarkLayout`);
            default: the standard 68-point groups.
        order: ``(class, group names)`` pairs; the hull of the union of the named groups'
            points is painted with ``class``, in this order, later wins. Default: chin = face,
            outer mouth, left eye, right eye, left eyebrow, right eyebrow, centre + bottom
            nose = nose.

    Returns:
        ``uint8`` array of ``shape`` with labels 0..5 (0 where no hull covers a pixel).

    Raises:
        ValueError: if ``points`` is not ``(n, 2)`` or holds NaN/inf among the used points,
            a group named in ``order`` is missing from ``groups``, an index is out of range,
            or the layout is unknown.
    """
    if isinstance(groups, (str, LandmarkLayout)):
        groups = get_layout(groups).groups
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"landmark points must have shape (n, 2) as [row, col], got {pts.shape}")
    if len(shape) != 2 or min(int(shape[0]), int(shape[1])) < 1:
        raise ValueError(f"shape must be (height, width) with positive sizes, got {shape}")
    missing = sorted({name for _, names in order for name in names} - set(groups))
    if missing:
        raise ValueError(f"landmark groups {missing} are missing; groups present: {sorted(groups)}")
    mask = np.zeros((int(shape[0]), int(shape[1])), dtype=np.uint8)
    for value, names in order:
        indices = [int(i) for name in names for i in groups[name]]
        bad = [i for i in indices if not 0 <= i < pts.shape[0]]
        if bad:
            raise ValueError(
                f"groups {list(names)} refer to points {bad} but only {pts.shape[0]} points exist"
            )
        group = pts[indices]
        if not np.isfinite(group).all():
            raise ValueError(f"landmark groups {list(names)} hold NaN or infinite points")
        fill_convex_hull(mask, group, value)
    return mask
