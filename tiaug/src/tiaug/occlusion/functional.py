"""Synthetic thermal occluders: sampling (placement, rasterisation, joined pairs) and the
functional API of the family.

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
frame, which keeps a call well under a millisecond on 256x320 images. Each step receives its
own group of the :class:`OcclusionConfig`: the shape functions
(:mod:`~tiaug.occlusion.shapes`) the shape parameters, the temperature field
(:mod:`~tiaug.occlusion.thermal`) the temperature parameters, the label policy
(:mod:`~tiaug.occlusion.labels`) the label parameters. The public names of those modules,
of :mod:`~tiaug.occlusion.occluder` and :mod:`~tiaug.occlusion.eyes` are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from tiaug._checks import check_mask, to_temperature_map
from tiaug._random import draw_range
from tiaug.core import gaussian_blur
from tiaug.occlusion.config import (
    CONFIGURATIONS,
    LABEL_POLICIES,
    PLACEMENTS,
    TEMPERATURE_MODES,
    TEXTURE_KINDS,
    LabelConfig,
    OcclusionConfig,
    PlacementConfig,
    TemperatureConfig,
)
from tiaug.occlusion.eyes import EYE_CLASS, EyePair, eyes_from_landmarks, find_eyes
from tiaug.occlusion.labels import apply_label_policy
from tiaug.occlusion.occluder import Occluder, apply_occlusion, coverage_map
from tiaug.occlusion.shapes import (
    SHAPE_FUNCTIONS,
    SHAPES,
    ShapeConfig,
    ellipse_outline,
    polyline,
    randint,
    star_polygon,
)
from tiaug.occlusion.thermal import Scene, scene_reference, temperature_field

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
    "LabelConfig",
    "Occluder",
    "OcclusionConfig",
    "PlacementConfig",
    "ShapeConfig",
    "TemperatureConfig",
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

_SUBPIXEL_BITS = 4  # cv2 drawing precision: 1/16 pixel
_SUBPIXEL = float(1 << _SUBPIXEL_BITS)
_PLACEMENT_TRIES = 256  # rejection-sampling draws before scanning the whole mask
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


def _make_occluder(
    rng: np.random.Generator,
    parts: list[tuple[np.ndarray, int]],
    centre: tuple[float, float],
    frame: tuple[int, int],
    kind: str,
    configuration: str,
    thermal: TemperatureConfig,
    scene: Scene,
) -> Occluder | None:
    """Rasterise ``parts`` (image coordinates) in their box; blur; draw the temperature."""
    rows, cols = frame
    sigma = draw_range(rng, thermal.edge_softness)
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
    temperature = temperature_field(rng, alpha.shape, thermal, scene)
    return Occluder(r0, c0, np.ascontiguousarray(alpha), temperature, centre, kind, configuration)


def _shift(
    parts: list[tuple[np.ndarray, int]], centre: tuple[float, float]
) -> list[tuple[np.ndarray, int]]:
    offset = np.array([centre[1], centre[0]])
    return [(points + offset, thickness) for points, thickness in parts]


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
    scene: Scene,
    eyes: EyePair | None,
) -> Occluder | None:
    """Two mirrored shapes joined by a bar: centred on the eyes, or placed like one shape."""
    short, layout, shape_cfg = min(frame), cfg.layout, cfg.shape
    if layout.placement != "eyes":
        eyes = None
    elif eyes is None and mask is not None:
        eyes = find_eyes(mask)
    placement_mask = mask if layout.placement != "anywhere" else None
    kind = _pick(rng, shape_cfg.shapes, shape_cfg.shape_weights)
    radius = draw_range(rng, shape_cfg.size) * short
    if eyes is None:
        centre = _centre(rng, frame, placement_mask, layout.placement_classes)
    else:
        centre = (0.5 * (eyes.left[1] + eyes.right[1]), 0.5 * (eyes.left[0] + eyes.right[0]))
    vertices = shape_cfg.vertex_ranges[0]
    kind, shape = SHAPE_FUNCTIONS[kind](radius, short, vertices, shape_cfg, rng=rng)
    half = 0.5 * draw_range(rng, layout.joined_separation) * radius
    tilt = math.radians(draw_range(rng, layout.joined_tilt))
    bar = max(1, round(draw_range(rng, layout.bar_width) * short))
    if eyes is not None:
        parts = _cover_eyes(shape, eyes, bar)
    else:
        ux, uy = math.cos(tilt), math.sin(tilt)  # axis of the pair (x to the right, y down)
        cx, cy = centre[1], centre[0]
        left_c = np.array([cx - half * ux, cy - half * uy])
        right_c = np.array([cx + half * ux, cy + half * uy])
        parts = _pair_parts(shape, left_c, right_c, bar)
    return _make_occluder(rng, parts, centre, frame, kind, "joined", cfg.thermal, scene)


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
    short, layout, shape_cfg = min(frame), cfg.layout, cfg.shape
    scene = scene_reference(image, mask, cfg.thermal)
    placement_mask = mask if layout.placement != "anywhere" else None
    configuration = _pick(rng, layout.configurations, layout.configuration_weights)
    if configuration == "joined":
        occluder = _joined(rng, frame, mask, cfg, scene, eyes)
        return [occluder] if occluder is not None else []
    occluders: list[Occluder] = []
    ranges = shape_cfg.vertex_ranges
    count = 1 if configuration == "single" else randint(rng, layout.num_independent)
    for index in range(count):
        kind = _pick(rng, shape_cfg.shapes, shape_cfg.shape_weights)
        radius = draw_range(rng, shape_cfg.size) * short
        centre = _centre(rng, frame, placement_mask, layout.placement_classes)
        vertices = ranges[min(index, len(ranges) - 1)]
        kind, parts = SHAPE_FUNCTIONS[kind](radius, short, vertices, shape_cfg, rng=rng)
        parts = _shift(parts, centre)
        occluder = _make_occluder(
            rng, parts, centre, frame, kind, configuration, cfg.thermal, scene
        )
        if occluder is not None:
            occluders.append(occluder)
    return occluders


def _config(config: OcclusionConfig | None, options: Mapping[str, object]) -> OcclusionConfig:
    """``config``, or one built from the keyword ``options`` (not both)."""
    if config is None:
        return OcclusionConfig(**options)
    if options:
        raise ValueError("give either config or keyword options, not both")
    return config


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
    config = _config(config, options)
    plane = to_temperature_map(image)
    plane_mask = None if mask is None else check_mask(mask, plane.shape)
    return _sample(rng, plane, plane_mask, config, eyes)


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
    config = _config(config, options)
    occluders = sample_occluders(image, mask, config, rng=rng)
    out = apply_occlusion(image, occluders)
    if mask is None:
        return out, None
    coverage = coverage_map(occluders, np.shape(image))
    policy = config.labels
    labels = apply_label_policy(
        mask, coverage, policy.label_policy, policy.ignore_index, policy.max_hidden
    )
    return out, labels
