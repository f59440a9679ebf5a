"""Synthetic thermal occluders: shapes, rasterisation, sampling, blending, label policies.

Pure numpy (+ OpenCV for filling polygons and blurring small boxes); every random draw comes
from an explicit :class:`numpy.random.Generator`. No albumentations import.

Units:
    * lengths given to :class:`OcclusionConfig` (``size``, ``stroke_width``, ``bar_width``)
      are fractions of the image's short side; ``edge_softness`` is in pixels;
    * temperatures are in degC (``"absolute"`` mode), degC above the room temperature seen
      in the frame (``"ambient"`` mode: objects that follow the room, e.g. after an
      ambient shift) or in units of the scene's temperature range (``"relative"`` mode),
      texture amplitudes in degC;
    * coordinates: ``(row, col)`` with pixel ``(i, j)`` centred at ``(i, j)``, so the frame
      spans ``[-0.5, H - 0.5) x [-0.5, W - 0.5)``.

The work is split in two steps so that a transform can draw once and apply the same draw to
an image and a mask:

1. :func:`sample_occluders` returns a list of :class:`Occluder` (a box, a coverage alpha map
   and an apparent-temperature map, both cropped to the box);
2. :func:`apply_occlusion` blends them into a copy of the image, and
   :func:`coverage_map` + :func:`apply_label_policy` update a label map.

Every object is rasterised inside its own (padded) bounding box only, never on the full
frame, which keeps a call well under a millisecond on 256x320 images.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from tiaug._checks import check_mask, restore_shape, to_temperature_map
from tiaug._random import draw_range
from tiaug.ambient.functional import estimate_ambient
from tiaug.blur.functional import gaussian_blur
from tiaug.classes import CLASS_NAMES, IBUG68_GROUPS, fill_convex_hull
from tiaug.noise.functional import estimate_noise, gaussian_noise
from tiaug.occlusion.config import (
    CONFIGURATIONS,
    LABEL_POLICIES,
    PLACEMENTS,
    TEMPERATURE_MODES,
    TEXTURE_KINDS,
    OcclusionConfig,
    check_label_policy,
)
from tiaug.occlusion.shapes import (
    SHAPE_FUNCTIONS,
    SHAPES,
    ellipse_outline,
    polyline,
    randint,
    star_polygon,
)

__all__ = [
    "CONFIGURATIONS",
    "EYE_CLASS",
    "LABEL_POLICIES",
    "PLACEMENTS",
    "SHAPES",
    "SHAPE_FUNCTIONS",
    "TEMPERATURE_MODES",
    "TEXTURE_KINDS",
    "EyePair",
    "Occluder",
    "OcclusionConfig",
    "apply_label_policy",
    "apply_occlusion",
    "coverage_map",
    "ellipse_outline",
    "eyes_from_landmarks",
    "find_eyes",
    "occlude",
    "polyline",
    "rasterize",
    "sample_occluders",
    "star_polygon",
]

#: label of the eyes in the six face classes (``"eyes"`` placement)
EYE_CLASS = CLASS_NAMES.index("eyes")

_SUBPIXEL_BITS = 4  # cv2 drawing precision: 1/16 pixel
_SUBPIXEL = float(1 << _SUBPIXEL_BITS)
_PLACEMENT_TRIES = 256  # rejection-sampling draws before scanning the whole mask
_MEDIAN_SAMPLES = 4096  # pixels used to estimate the scene median (reflected temperature)
_SMOOTH_CELL = 8.0  # pixels per control point of the "smooth" texture (correlation length)
_LENS_GROWTH = 1.15  # factor by which a lens grows until it covers its eye
_LENS_STEPS = 12  # at most 1.15 ** 12 = 5.4 times the drawn size


# --------------------------------------------------------------------------------------
# shapes (offsets in pixels around the shape's centre, columns (x) first as OpenCV wants)
# --------------------------------------------------------------------------------------
def rasterize(
    parts: Sequence[tuple[np.ndarray, int]], shape: tuple[int, int], origin: tuple[float, float]
) -> np.ndarray:
    """Rasterise filled polygons and thick polylines into a ``shape`` uint8 box.

    Args:
        parts: ``(points, thickness)`` pairs: ``points`` is ``(n, 2)`` ``(x, y)`` in image
            pixels; ``thickness == 0`` fills the polygon, ``> 0`` draws an open polyline of
            that width in pixels (round caps).
        shape: box shape ``(rows, cols)``.
        origin: image coordinates ``(row, col)`` of the box's pixel ``(0, 0)``.

    Returns:
        uint8 array of ``shape`` with 1 inside the parts, 0 outside.
    """
    canvas = np.zeros(shape, np.uint8)
    shift = np.array([origin[1], origin[0]])
    for points, thickness in parts:
        scaled = points - shift
        scaled *= _SUBPIXEL
        fixed = np.rint(scaled, out=scaled).astype(np.int32)
        if thickness <= 0:
            cv2.fillPoly(canvas, [fixed], 1, cv2.LINE_8, _SUBPIXEL_BITS)
        else:
            cv2.polylines(canvas, [fixed], False, 1, int(thickness), cv2.LINE_8, _SUBPIXEL_BITS)
    return canvas


# --------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Occluder:
    """One synthetic object, cropped to its bounding box inside the frame.

    Attributes:
        top: first row of the box in the image.
        left: first column of the box in the image.
        alpha: float32 ``(h, w)`` coverage in [0, 1] (soft edges already applied).
        temperature: float32 ``(h, w)`` apparent temperature in degC.
        center: ``(row, col)`` of the object's centre in image pixels (for a joined pair,
            the middle of the pair).
        kind: ``"polygon"``, ``"line"`` (a 2-vertex polygon), ``"stroke"`` or ``"ellipse"``.
        configuration: the configuration it belongs to.
    """

    top: int
    left: int
    alpha: np.ndarray
    temperature: np.ndarray
    center: tuple[float, float]
    kind: str
    configuration: str

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(top, left, bottom, right)``, bottom/right exclusive."""
        h, w = self.alpha.shape
        return self.top, self.left, self.top + h, self.left + w


def _pick(
    rng: np.random.Generator, choices: tuple[str, ...], weights: tuple[float, ...] | None
) -> str:
    """One of ``choices`` by ``weights`` (normalised; ``None``: equal)."""
    u = rng.random()
    acc = 0.0
    for choice, weight in zip(
        choices, weights or (1.0 / len(choices),) * len(choices), strict=True
    ):
        acc += weight
        if u < acc:
            return choice
    return choices[-1]


def _any_of(values: np.ndarray, classes: tuple[int, ...]) -> np.ndarray:
    hit = values == classes[0]
    for c in classes[1:]:
        hit |= values == c
    return hit


def _centre(
    rng: np.random.Generator,
    shape: tuple[int, int],
    mask: np.ndarray | None,
    classes: tuple[int, ...],
) -> tuple[float, float]:
    """Centre ``(row, col)``: uniform over the frame, or over the pixels of ``classes``."""
    rows, cols = shape
    if mask is not None:
        # rejection sampling (exactly uniform over the class pixels), then a full scan
        flat = mask.reshape(-1)
        tries = rng.integers(0, flat.size, _PLACEMENT_TRIES)
        hits = np.flatnonzero(_any_of(flat[tries], classes))
        index = -1
        if hits.size:
            index = int(tries[hits[0]])
        else:
            candidates = np.flatnonzero(_any_of(flat, classes))
            if candidates.size:
                index = int(candidates[rng.integers(candidates.size)])
        if index >= 0:
            jitter = rng.random(2).tolist()
            return index // cols + jitter[0] - 0.5, index % cols + jitter[1] - 0.5
    u = rng.random(2).tolist()
    return u[0] * rows - 0.5, u[1] * cols - 0.5


def _extent(parts: Sequence[tuple[np.ndarray, int]]) -> tuple[float, float, float, float]:
    """``(xmin, ymin, xmax, ymax)`` of the parts, thickness included."""
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for points, thickness in parts:
        half = 0.5 * thickness + 1.0
        xs, ys = points.T.tolist()  # a few vertices: Python's min/max beat numpy's axis=0
        x0, y0 = min(x0, min(xs) - half), min(y0, min(ys) - half)
        x1, y1 = max(x1, max(xs) + half), max(y1, max(ys) + half)
    return x0, y0, x1, y1


class _Scene(NamedTuple):
    """What occluder temperatures refer to: the frame's range, reflections, the room, and
    the noise (std, degC) an object carries."""

    t_min: float
    t_max: float
    t_ref: float | None
    ambient: float
    noise: float


def _scene_reference(image: np.ndarray, mask: np.ndarray | None, cfg: OcclusionConfig) -> _Scene:
    """Scene (min, max) for relative temperatures, the reflected and the room temperature,
    the frame's noise (with ``carry_noise``)."""
    t_min = t_max = ambient = 0.0
    if cfg.temperature_mode == "relative":
        t_min, t_max = float(image.min()), float(image.max())
        if not (math.isfinite(t_min) and math.isfinite(t_max)):
            raise ValueError("image holds NaN or infinite values")
    elif cfg.temperature_mode == "ambient":
        ambient = estimate_ambient(image, mask)
    t_ref = cfg.reflected_temperature
    if t_ref is None and cfg.emissivity[0] < 1.0:
        flat = image.reshape(-1)
        stride = max(1, flat.size // _MEDIAN_SAMPLES)
        t_ref = float(np.median(flat[::stride]))
        if not math.isfinite(t_ref):
            raise ValueError("image holds NaN or infinite values")
    noise = estimate_noise(image) if cfg.carry_noise else 0.0
    return _Scene(t_min, t_max, t_ref, ambient, noise)


def _temperature_field(
    rng: np.random.Generator, shape: tuple[int, int], cfg: OcclusionConfig, scene: _Scene
) -> np.ndarray:
    """Apparent temperature (degC) over an object's box: mixing + texture + carried noise."""
    ranges = cfg.temperature_ranges
    lo, hi = ranges[0] if len(ranges) == 1 else ranges[int(rng.integers(len(ranges)))]
    if cfg.temperature_mode == "relative":
        span = scene.t_max - scene.t_min
        lo, hi = scene.t_min - lo * span, scene.t_max + hi * span
    elif cfg.temperature_mode == "ambient":
        lo, hi = scene.ambient + lo, scene.ambient + hi
    t_obj = draw_range(rng, (lo, hi))
    e = draw_range(rng, cfg.emissivity)
    if e < 1.0 and scene.t_ref is not None:
        t_obj = e * t_obj + (1.0 - e) * scene.t_ref
    amplitude = draw_range(rng, cfg.texture)
    if amplitude <= 0.0:
        field = np.full(shape, t_obj, np.float32)
    else:
        field = _texture(rng, shape, cfg.texture_kind)
        # texture in [0, 1] -> offsets in [-amplitude, amplitude]
        field *= np.float32(2.0 * amplitude)
        field += np.float32(t_obj - amplitude)
    if scene.noise > 0.0:
        field += gaussian_noise(shape, scene.noise, rng=rng)
    return field


def _texture(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    """Texture values in [0, 1] over an object's box (float32): per pixel or smooth."""
    if kind == "uniform":
        return rng.random(shape, dtype=np.float32)
    grid = (
        max(2, math.ceil(shape[0] / _SMOOTH_CELL) + 1),
        max(2, math.ceil(shape[1] / _SMOOTH_CELL) + 1),
    )
    return cv2.resize(
        rng.random(grid, dtype=np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR
    )


def _make_occluder(
    rng: np.random.Generator,
    parts: list[tuple[np.ndarray, int]],
    centre: tuple[float, float],
    frame: tuple[int, int],
    kind: str,
    configuration: str,
    cfg: OcclusionConfig,
    scene: _Scene,
) -> Occluder | None:
    """Rasterise ``parts`` (image coordinates) in their box; blur; draw the temperature."""
    rows, cols = frame
    sigma = draw_range(rng, cfg.edge_softness)
    pad = math.ceil(4.0 * sigma) + 1 if sigma > 0 else 0
    x0, y0, x1, y1 = _extent(parts)
    # box in pixels, padded for the blur, limited to the frame extended by the padding
    top = max(math.floor(y0) - pad, -pad)
    left = max(math.floor(x0) - pad, -pad)
    bottom = min(math.ceil(y1) + 1 + pad, rows + pad)
    right = min(math.ceil(x1) + 1 + pad, cols + pad)
    if bottom <= top or right <= left:
        return None
    hard = rasterize(parts, (bottom - top, right - left), (top, left))
    alpha: np.ndarray = hard.astype(np.float32)
    if sigma > 0:
        alpha = gaussian_blur(alpha, sigma, border="constant")
        np.clip(alpha, 0.0, 1.0, out=alpha)  # guard against rounding just above 1
    # crop to the frame
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(bottom, rows), min(right, cols)
    if r1 <= r0 or c1 <= c0:
        return None
    alpha = alpha[r0 - top : r1 - top, c0 - left : c1 - left]
    if not alpha.any():
        return None
    temperature = _temperature_field(rng, alpha.shape, cfg, scene)
    return Occluder(r0, c0, np.ascontiguousarray(alpha), temperature, centre, kind, configuration)


def _shift(
    parts: list[tuple[np.ndarray, int]], centre: tuple[float, float]
) -> list[tuple[np.ndarray, int]]:
    offset = np.array([centre[1], centre[0]])
    return [(points + offset, thickness) for points, thickness in parts]


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


def _pair_parts(
    shape: list[tuple[np.ndarray, int]],
    left_c: np.ndarray,
    right_c: np.ndarray,
    bar: int,
    scale: float = 1.0,
) -> list[tuple[np.ndarray, int]]:
    """A shape and its mirror image at two centres, joined by a bar of ``bar`` pixels."""
    parts = [(np.stack((left_c, right_c)), bar)]
    for points, thickness in shape:
        parts.append((points * scale + left_c, thickness))
        mirrored = points * np.array([-scale, scale])  # mirror image, like a pair of lenses
        parts.append((mirrored + right_c, thickness))
    return parts


def _cover_eyes(
    shape: list[tuple[np.ndarray, int]], eyes: EyePair, bar: int
) -> list[tuple[np.ndarray, int]]:
    """Pair parts on the eyes, the shape grown until it covers both eyes (and a pixel more)."""
    top, left = int(eyes.rows.min()) - 1, int(eyes.cols.min()) - 1
    box = np.zeros((int(eyes.rows.max()) - top + 2, int(eyes.cols.max()) - left + 2), np.uint8)
    box[eyes.rows - top, eyes.cols - left] = 1
    rows, cols = np.nonzero(cv2.dilate(box, np.ones((3, 3), np.uint8)))
    left_c, right_c = np.array(eyes.left), np.array(eyes.right)
    scale = 1.0
    for _ in range(_LENS_STEPS):
        parts = _pair_parts(shape, left_c, right_c, bar, scale)
        if rasterize(parts, box.shape, (top, left))[rows, cols].all():
            break
        scale *= _LENS_GROWTH
    return parts


def _joined(
    rng: np.random.Generator,
    frame: tuple[int, int],
    mask: np.ndarray | None,
    cfg: OcclusionConfig,
    scene: _Scene,
    eyes: EyePair | None,
) -> Occluder | None:
    """Two mirrored shapes joined by a bar: centred on the eyes, or placed like one shape."""
    short = min(frame)
    if cfg.placement != "eyes":
        eyes = None
    elif eyes is None and mask is not None:
        eyes = find_eyes(mask)
    placement_mask = mask if cfg.placement != "anywhere" else None
    kind = _pick(rng, cfg.shapes, cfg.shape_weights)
    radius = draw_range(rng, cfg.size) * short
    if eyes is None:
        centre = _centre(rng, frame, placement_mask, cfg.placement_classes)
    else:
        centre = (0.5 * (eyes.left[1] + eyes.right[1]), 0.5 * (eyes.left[0] + eyes.right[0]))
    kind, shape = SHAPE_FUNCTIONS[kind](radius, short, cfg.vertex_ranges[0], cfg, rng=rng)
    half = 0.5 * draw_range(rng, cfg.joined_separation) * radius
    tilt = math.radians(draw_range(rng, cfg.joined_tilt))
    bar = max(1, round(draw_range(rng, cfg.bar_width) * short))
    if eyes is not None:
        parts = _cover_eyes(shape, eyes, bar)
    else:
        ux, uy = math.cos(tilt), math.sin(tilt)  # axis of the pair (x to the right, y down)
        cx, cy = centre[1], centre[0]
        left_c = np.array([cx - half * ux, cy - half * uy])
        right_c = np.array([cx + half * ux, cy + half * uy])
        parts = _pair_parts(shape, left_c, right_c, bar)
    return _make_occluder(rng, parts, centre, frame, kind, "joined", cfg, scene)


def _sample(
    rng: np.random.Generator,
    image: np.ndarray,
    mask: np.ndarray | None,
    cfg: OcclusionConfig,
    eyes: EyePair | None = None,
) -> list[Occluder]:
    """Core sampler: ``image`` is 2-D, ``mask`` 2-D or None, ``cfg`` validated; ``eyes``
    (else found in ``mask``) for ``"eyes"`` placement."""
    frame = (int(image.shape[0]), int(image.shape[1]))
    short = min(frame)
    scene = _scene_reference(image, mask, cfg)
    placement_mask = mask if cfg.placement != "anywhere" else None
    configuration = _pick(rng, cfg.configurations, cfg.configuration_weights)
    if configuration == "joined":
        occluder = _joined(rng, frame, mask, cfg, scene, eyes)
        return [occluder] if occluder is not None else []
    occluders: list[Occluder] = []
    ranges = cfg.vertex_ranges
    count = 1 if configuration == "single" else randint(rng, cfg.num_independent)
    for index in range(count):
        kind = _pick(rng, cfg.shapes, cfg.shape_weights)
        radius = draw_range(rng, cfg.size) * short
        centre = _centre(rng, frame, placement_mask, cfg.placement_classes)
        vertices = ranges[min(index, len(ranges) - 1)]
        kind, parts = SHAPE_FUNCTIONS[kind](radius, short, vertices, cfg, rng=rng)
        parts = _shift(parts, centre)
        occluder = _make_occluder(rng, parts, centre, frame, kind, configuration, cfg, scene)
        if occluder is not None:
            occluders.append(occluder)
    return occluders


def sample_occluders(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    config: OcclusionConfig | None = None,
    *,
    rng: np.random.Generator,
    eyes: EyePair | None = None,
    **options: object,
) -> list[Occluder]:
    """Draw the occluders for one image.

    Args:
        rng: random generator (the only source of randomness).
        image: HxW or HxWx1 temperature map in degC: gives the frame and, in "relative"
            mode, the scene's range (and the median, for emissivity < 1 without a given
            reflected temperature).
        mask: optional HxW (or HxWx1) integer label map, used by ``placement="mask"`` and
            ``"eyes"`` and for the room temperature of ``temperature_mode="ambient"``.
        config: an :class:`OcclusionConfig`; or give its fields as keyword ``options``.
        eyes: the eyes for ``placement="eyes"`` when they do not come from ``mask``, e.g.
            :func:`eyes_from_landmarks`.

    Returns:
        list of :class:`Occluder`, in drawing order (later ones lie on top).
    """
    if config is None:
        config = OcclusionConfig(**options)  # type: ignore[arg-type]
    elif options:
        raise ValueError("give either config or keyword options, not both")
    plane = to_temperature_map(image)
    plane_mask = None if mask is None else check_mask(mask, plane.shape)
    return _sample(rng, plane, plane_mask, config, eyes)


# --------------------------------------------------------------------------------------
# application
# --------------------------------------------------------------------------------------
def apply_occlusion(image: np.ndarray, occluders: Sequence[Occluder]) -> np.ndarray:
    """Blend ``occluders`` into a float32 copy of ``image`` (the input is not modified).

    Each covered pixel becomes ``(1 - alpha) * T_scene + alpha * T_occluder``, objects in
    order (later on top). Returns the layout of the input (HxW or HxWx1).
    """
    out = np.array(to_temperature_map(image), dtype=np.float32, copy=True)
    for occ in occluders:
        h, w = occ.alpha.shape
        region = out[occ.top : occ.top + h, occ.left : occ.left + w]
        region *= 1.0 - occ.alpha
        region += occ.alpha * occ.temperature
    return restore_shape(out, image)


def coverage_map(
    occluders: Sequence[Occluder], shape: tuple[int, ...], threshold: float = 0.5
) -> np.ndarray:
    """Boolean HxW map of the pixels covered by ``occluders`` (alpha >= ``threshold``)."""
    covered = np.zeros(tuple(shape[:2]), bool)
    for occ in occluders:
        h, w = occ.alpha.shape
        covered[occ.top : occ.top + h, occ.left : occ.left + w] |= occ.alpha >= threshold
    return covered


def apply_label_policy(
    mask: np.ndarray,
    coverage: np.ndarray,
    policy: str = "keep",
    ignore_index: int = 255,
    max_hidden: float = 0.5,
) -> np.ndarray:
    """Update a label map for the covered pixels.

    Args:
        mask: HxW (or HxWx1) integer label map; not modified.
        coverage: HxW boolean map of covered pixels (or an alpha map, covered where >= 0.5).
        policy: ``"keep"`` (amodal: the mask is returned unchanged, as the reference does),
            ``"background"`` (covered pixels become 0) or ``"ignore"`` (covered pixels
            become ``ignore_index``).
        ignore_index: label of ignored pixels (padding), and the label ``"ignore"`` gives;
            must fit the mask's dtype for ``"ignore"``.
        max_hidden: a class with more than this fraction of its pixels covered is dropped
            whole (all its pixels get the policy's label). Applies to every class but the
            policy's own label and ``ignore_index`` (uncovered padding stays ignored).

    Returns:
        the updated label map (a new array unless ``policy == "keep"``), same dtype and
        layout as ``mask``.
    """
    check_label_policy(policy)
    if policy == "keep":
        return mask
    labels = np.asarray(mask)
    plane = check_mask(labels, labels.shape[:2])
    covered = np.asarray(coverage)
    if covered.dtype != bool:
        covered = covered >= 0.5
    if covered.shape != plane.shape:
        raise ValueError(f"coverage shape {covered.shape} differs from the mask's {plane.shape}")
    if not 0.0 <= max_hidden <= 1.0:
        raise ValueError(f"max_hidden must lie in [0, 1], got {max_hidden}")
    value = 0 if policy == "background" else int(ignore_index)
    info = np.iinfo(plane.dtype)
    if not info.min <= value <= info.max:
        raise ValueError(f"label {value} does not fit the mask's dtype {plane.dtype}")
    out = plane.copy()
    hidden = plane[covered]
    if hidden.size:
        out[covered] = value
        if hidden.min() >= 0:  # the usual case: bincount is faster than unique
            hidden_counts = np.bincount(hidden)
            classes = np.flatnonzero(hidden_counts)
            hidden_counts = hidden_counts[classes]
        else:
            classes, hidden_counts = np.unique(hidden, return_counts=True)
        for label, count in zip(classes.tolist(), hidden_counts.tolist(), strict=True):
            if label in (value, ignore_index):
                continue
            selected = plane == label
            if count > max_hidden * np.count_nonzero(selected):
                out[selected] = value
    return restore_shape(out, labels)


def occlude(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    config: OcclusionConfig | None = None,
    *,
    rng: np.random.Generator,
    **options: object,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Sample and apply occluders in one call: returns ``(image, mask)`` (mask may be None).

    Takes the same arguments as :func:`sample_occluders`; the label policy of the config
    updates the mask.
    """
    if config is None:
        config = OcclusionConfig(**options)  # type: ignore[arg-type]
    elif options:
        raise ValueError("give either config or keyword options, not both")
    occluders = sample_occluders(image, mask, config, rng=rng)
    out = apply_occlusion(image, occluders)
    if mask is None:
        return out, None
    coverage = coverage_map(occluders, np.shape(image))
    labels = apply_label_policy(
        mask, coverage, config.label_policy, config.ignore_index, config.max_hidden
    )
    return out, labels
