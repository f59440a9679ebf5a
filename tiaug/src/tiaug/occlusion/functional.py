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
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import cv2
import numpy as np

from tiaug._checks import check_mask, restore_shape, to_temperature_map
from tiaug.ambient.functional import estimate_ambient
from tiaug.classes import CLASS_NAMES, IBUG68_GROUPS, fill_convex_hull

__all__ = [
    "CONFIGURATIONS",
    "EYE_CLASS",
    "LABEL_POLICIES",
    "PLACEMENTS",
    "SHAPES",
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

CONFIGURATIONS = ("single", "joined", "independent")
SHAPES = ("polygon", "stroke", "ellipse")
TEMPERATURE_MODES = ("relative", "absolute", "ambient")
TEXTURE_KINDS = ("uniform", "smooth")
PLACEMENTS = ("anywhere", "mask", "eyes")
LABEL_POLICIES = ("keep", "background", "ignore")

#: default occluder temperature range per mode: scene ranges beyond [min, max] ("relative",
#: the reference's U(min - range, max + range)), degC ("absolute": objects near a 20-26 degC
#: room) or degC above the room seen in the frame ("ambient").
DEFAULT_TEMPERATURE = {"relative": (1.0, 1.0), "absolute": (20.0, 26.0), "ambient": (0.0, 4.0)}

#: label of the eyes in the six face classes (``"eyes"`` placement)
EYE_CLASS = CLASS_NAMES.index("eyes")

_SUBPIXEL_BITS = 4  # cv2 drawing precision: 1/16 pixel
_SUBPIXEL = float(1 << _SUBPIXEL_BITS)
_PLACEMENT_TRIES = 256  # rejection-sampling draws before scanning the whole mask
_MEDIAN_SAMPLES = 4096  # pixels used to estimate the scene median (reflected temperature)
_MAX_STROKE_TURN = math.pi / 3  # largest turn between two stroke segments (radians)
_SMOOTH_CELL = 8.0  # pixels per control point of the "smooth" texture (correlation length)
_RADIUS_CLIP = (0.2, 2.0)  # star-polygon vertex radii, in mean radii
_LENS_GROWTH = 1.15  # factor by which a lens grows until it covers its eye
_LENS_STEPS = 12  # at most 1.15 ** 12 = 5.4 times the drawn size


# --------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------
def _pair(
    name: str,
    value: Sequence[float],
    low: float | None = None,
    high: float | None = None,
    *,
    open_low: bool = False,
    ordered: bool = True,
) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of numbers, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{name} must be finite, got {(lo, hi)}")
    if ordered and lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {(lo, hi)}")
    if low is not None and (lo < low or (open_low and lo <= low)):
        bound = ">" if open_low else ">="
        raise ValueError(f"{name} values must be {bound} {low}, got {(lo, hi)}")
    if high is not None and hi > high:
        raise ValueError(f"{name} values must be <= {high}, got {(lo, hi)}")
    return lo, hi


def _int_pair(name: str, value: Sequence[int], low: int) -> tuple[int, int]:
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of integers, got {value!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)):
        raise ValueError(f"{name} must hold integers, got {value!r}")
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {(lo, hi)}")
    if lo < low:
        raise ValueError(f"{name} values must be >= {low}, got {(lo, hi)}")
    return lo, hi


def _choices(name: str, values: Sequence[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must name at least one of {allowed}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {name} {unknown}; choose from {allowed}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {values}")
    return values


def _weights(name: str, weights: Sequence[float] | None, count: int) -> tuple[float, ...]:
    if weights is None:
        return (1.0 / count,) * count
    weights = tuple(float(w) for w in weights)
    if len(weights) != count:
        raise ValueError(
            f"{name} needs {count} values (one per choice), got {len(weights)}; "
            "pass None for equal weights"
        )
    if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"{name} must be non-negative with a positive sum, got {weights}")
    total = sum(weights)
    return tuple(w / total for w in weights)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose from {allowed}")
    return value


@dataclass(frozen=True)
class OcclusionConfig:
    """Validated parameters of the occluder sampler (see :class:`tiaug.ThermalOcclusion`).

    Ranges are ``(low, high)`` pairs sampled uniformly (integers inclusively) per object.

    Attributes:
        configurations: drawn from ``"single"`` (one object), ``"joined"`` (two mirrored
            shapes of the same kind joined by a bar, like glasses) and ``"independent"``
            (several unrelated objects).
        configuration_weights: relative weights of ``configurations``.
        num_independent: number of objects of the ``"independent"`` configuration.
        shapes: drawn from ``"polygon"`` (random star polygon; with 2 vertices a thick
            line of ``stroke_width``, as in the reference), ``"stroke"`` (thick polyline)
            and ``"ellipse"``.
        shape_weights: relative weights of ``shapes``; ``None`` for equal weights.
        size: mean radius of a shape, fraction of the image's short side.
        num_vertices: polygon vertex count range (>= 2; 2 = a thick line), or one range
            per object of the ``"independent"`` configuration (the last one repeats), e.g.
            ``((2, 9), (2, 99))``: the reference's recipe (the default).
        irregularity: spread of the polygon's angular steps, 0 (regular) .. 1.
        spikiness: relative spread of the polygon's vertex radii (>= 0); radii are clipped
            to 0.2 .. 2 mean radii.
        stroke_width: stroke thickness, fraction of the short side.
        stroke_points: number of points of a stroke's polyline (2 = straight bar).
        ellipse_aspect: minor / major axis ratio of an ellipse, in (0, 1].
        bar_width: thickness of the bar of a ``"joined"`` pair, fraction of the short side.
        joined_separation: distance between the centres of a ``"joined"`` pair, in mean radii
            (with ``"eyes"`` placement the eyes give it).
        joined_tilt: tilt of a ``"joined"`` pair from the horizontal, degrees (with
            ``"eyes"`` placement the eyes give it).
        temperature_mode: ``"relative"``, ``"absolute"`` or ``"ambient"``.
        temperature: ``"relative"``: ``(below, above)``, T ~ U(min - below * range,
            max + above * range) of the scene; ``"absolute"``: a degC range ``(lo, hi)``;
            ``"ambient"``: degC ``(lo, hi)`` above the room temperature seen in the frame
            (:func:`tiaug.ambient.functional.estimate_ambient`, with the mask when given).
            ``None``: ``(1, 1)`` (relative, the reference), ``(20, 26)`` degC (absolute)
            or ``(0, 4)`` degC above the room (ambient).
        emissivity: e in (0, 1]; apparent T = e * T_obj + (1 - e) * T_reflected.
        reflected_temperature: T_reflected in degC; ``None``: the scene median.
        texture: amplitude (degC) of the internal texture: offsets lie in [-a, a].
        texture_kind: ``"uniform"`` (per-pixel white noise, as the reference) or
            ``"smooth"`` (low-frequency, control points every 8 pixels, bilinear).
        edge_softness: sigma (pixels) of the Gaussian thermal blur of the boundary;
            0 = hard edges (reference).
        placement: ``"anywhere"`` (centres uniform over the whole frame), ``"mask"``
            (centres on pixels of ``placement_classes`` of the mask; falls back to
            anywhere without a mask or when none of those classes is present) or
            ``"eyes"``: a ``"joined"`` pair is centred between the two eyes of the mask
            (class 3; :func:`find_eyes`), its separation and tilt those of the eyes, each
            shape grown until it covers its eye; other configurations, or a mask without
            two eyes, fall back to ``"mask"`` placement.
        placement_classes: mask classes that ``"mask"`` placement aims at.
        label_policy: ``"keep"`` (amodal, labels unchanged), ``"background"`` (covered
            pixels become 0) or ``"ignore"`` (covered pixels become ``ignore_index``).
        ignore_index: label of ignored pixels for ``"ignore"``.
        max_hidden: under ``"background"`` / ``"ignore"``, a class with more than this
            fraction of its pixels covered is dropped whole.
    """

    configurations: tuple[str, ...] = CONFIGURATIONS
    configuration_weights: tuple[float, ...] | None = (0.34, 0.33, 0.33)
    num_independent: tuple[int, int] = (2, 2)
    shapes: tuple[str, ...] = ("polygon",)
    shape_weights: tuple[float, ...] | None = None
    size: tuple[float, float] = (0.04, 0.094)
    num_vertices: tuple[int, int] | tuple[tuple[int, int], ...] = ((2, 9), (2, 99))
    irregularity: tuple[float, float] = (0.0, 1.0)
    spikiness: tuple[float, float] = (0.0, 1.0)
    stroke_width: tuple[float, float] = (0.02, 0.10)
    stroke_points: tuple[int, int] = (2, 4)
    ellipse_aspect: tuple[float, float] = (0.5, 1.0)
    bar_width: tuple[float, float] = (0.02, 0.05)
    joined_separation: tuple[float, float] = (2.2, 3.0)
    joined_tilt: tuple[float, float] = (-15.0, 15.0)
    temperature_mode: str = "relative"
    temperature: tuple[float, float] | None = None
    emissivity: tuple[float, float] = (1.0, 1.0)
    reflected_temperature: float | None = None
    texture: tuple[float, float] = (0.0, 0.1)
    texture_kind: str = "uniform"
    edge_softness: tuple[float, float] = (0.0, 0.0)
    placement: str = "anywhere"
    placement_classes: tuple[int, ...] = (2, 3, 4, 5)
    label_policy: str = "keep"
    ignore_index: int = 255
    max_hidden: float = 0.5
    # normalised forms, filled in by __post_init__
    vertex_ranges: tuple[tuple[int, int], ...] = field(init=False, repr=False)
    temperature_range: tuple[float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "configurations", _choices("configurations", self.configurations, CONFIGURATIONS))
        weights = self.configuration_weights
        put(
            self,
            "configuration_weights",
            _weights("configuration_weights", weights, len(self.configurations)),
        )
        put(self, "num_independent", _int_pair("num_independent", self.num_independent, 1))
        put(self, "shapes", _choices("shapes", self.shapes, SHAPES))
        put(self, "shape_weights", _weights("shape_weights", self.shape_weights, len(self.shapes)))
        put(self, "size", _pair("size", self.size, 0.0, open_low=True))
        nv: Any = self.num_vertices
        if isinstance(nv, Sequence) and nv and all(isinstance(v, Sequence) for v in nv):
            ranges = tuple(_int_pair("num_vertices", v, 2) for v in nv)
            put(self, "num_vertices", ranges)
        else:
            ranges = (_int_pair("num_vertices", nv, 2),)
            put(self, "num_vertices", ranges[0])
        put(self, "vertex_ranges", ranges)
        put(self, "irregularity", _pair("irregularity", self.irregularity, 0.0, 1.0))
        put(self, "spikiness", _pair("spikiness", self.spikiness, 0.0))
        put(self, "stroke_width", _pair("stroke_width", self.stroke_width, 0.0, open_low=True))
        put(self, "stroke_points", _int_pair("stroke_points", self.stroke_points, 2))
        put(
            self,
            "ellipse_aspect",
            _pair("ellipse_aspect", self.ellipse_aspect, 0.0, 1.0, open_low=True),
        )
        put(self, "bar_width", _pair("bar_width", self.bar_width, 0.0, open_low=True))
        put(self, "joined_separation", _pair("joined_separation", self.joined_separation, 0.0))
        put(self, "joined_tilt", _pair("joined_tilt", self.joined_tilt, -90.0, 90.0))
        mode = _one_of("temperature_mode", self.temperature_mode, TEMPERATURE_MODES)
        if self.temperature is None:
            trange = DEFAULT_TEMPERATURE[mode]
        elif mode == "relative":
            # (below, above): extensions beyond the scene's [min, max], not an ordered pair
            below, above = _pair("temperature", self.temperature, ordered=False)
            if below + above < -1.0:
                raise ValueError(
                    "relative temperature (below, above) must satisfy below + above >= -1 "
                    f"(a non-empty interval), got {(below, above)}"
                )
            trange = (below, above)
        elif mode == "ambient":
            trange = _pair("temperature", self.temperature)
        else:
            trange = _pair("temperature", self.temperature, -273.15)
        put(self, "temperature_range", trange)
        put(self, "emissivity", _pair("emissivity", self.emissivity, 0.0, 1.0, open_low=True))
        if self.reflected_temperature is not None:
            t_ref = float(self.reflected_temperature)
            if not math.isfinite(t_ref) or t_ref < -273.15:
                raise ValueError(f"reflected_temperature must be a finite degC value, got {t_ref}")
            put(self, "reflected_temperature", t_ref)
        put(self, "texture", _pair("texture", self.texture, 0.0))
        _one_of("texture_kind", self.texture_kind, TEXTURE_KINDS)
        put(self, "edge_softness", _pair("edge_softness", self.edge_softness, 0.0))
        _one_of("placement", self.placement, PLACEMENTS)
        classes = self.placement_classes
        if isinstance(classes, (int, np.integer)):
            classes = (classes,)
        classes = tuple(classes)
        if not classes or not all(
            isinstance(c, (int, np.integer)) and not isinstance(c, bool) and c >= 0 for c in classes
        ):
            raise ValueError(
                f"placement_classes must be a non-empty sequence of labels >= 0, got {classes!r}"
            )
        put(self, "placement_classes", tuple(int(c) for c in classes))
        _one_of("label_policy", self.label_policy, LABEL_POLICIES)
        if isinstance(self.ignore_index, bool) or not isinstance(
            self.ignore_index, (int, np.integer)
        ):
            raise ValueError(f"ignore_index must be an integer, got {self.ignore_index!r}")
        max_hidden = float(self.max_hidden)
        if not 0.0 <= max_hidden <= 1.0:
            raise ValueError(f"max_hidden must lie in [0, 1], got {max_hidden}")
        put(self, "max_hidden", max_hidden)


# --------------------------------------------------------------------------------------
# shapes (offsets in pixels around the shape's centre, columns (x) first as OpenCV wants)
# --------------------------------------------------------------------------------------
def star_polygon(
    rng: np.random.Generator,
    num_vertices: int,
    radius: float,
    irregularity: float,
    spikiness: float,
) -> np.ndarray:
    """Random star-shaped polygon around the origin.

    Vertices are taken in angular order (so the polygon is simple). The ``num_vertices``
    angular steps are ``2 pi / n * (1 + irregularity * u)``, ``u ~ U(-1, 1)``, rescaled to a
    full turn; the radii are ``radius * clip(1 + spikiness * z, 0.2, 2)``, ``z ~ N(0, 1)``.

    Args:
        rng: random generator.
        num_vertices: number of vertices, >= 3.
        radius: mean radius in pixels.
        irregularity: 0 (equal angular steps) .. 1.
        spikiness: relative spread of the radii, >= 0.

    Returns:
        ``(num_vertices, 2)`` float64 array of ``(x, y)`` offsets in pixels.
    """
    steps = 1.0 + irregularity * rng.uniform(-1.0, 1.0, num_vertices)
    angles = np.cumsum(steps) * (2.0 * np.pi / steps.sum()) + rng.uniform(0.0, 2.0 * np.pi)
    radii = radius * np.clip(1.0 + spikiness * rng.standard_normal(num_vertices), *_RADIUS_CLIP)
    return np.stack((radii * np.cos(angles), radii * np.sin(angles)), axis=1)


def polyline(
    rng: np.random.Generator, num_points: int, length: float, max_turn: float = _MAX_STROKE_TURN
) -> np.ndarray:
    """Random open polyline of total ``length`` pixels, centred on the origin.

    The direction starts uniformly at random and turns by ``U(-max_turn, max_turn)``
    radians at each inner point; segments have equal lengths.

    Returns:
        ``(num_points, 2)`` float64 array of ``(x, y)`` offsets in pixels.
    """
    segments = num_points - 1
    turns = rng.uniform(-max_turn, max_turn, segments)
    turns[0] = rng.uniform(0.0, 2.0 * np.pi)
    heading = np.cumsum(turns)
    step = length / segments
    points = np.zeros((num_points, 2))
    points[1:, 0] = np.cumsum(step * np.cos(heading))
    points[1:, 1] = np.cumsum(step * np.sin(heading))
    return points - 0.5 * (points.min(axis=0) + points.max(axis=0))


def ellipse_outline(semi_major: float, semi_minor: float, angle: float) -> np.ndarray:
    """Polygon approximating an ellipse (rotation ``angle`` radians), centred on the origin.

    The vertex count grows with the size so that the outline stays within 1/8 pixel.

    Returns:
        ``(n, 2)`` float64 array of ``(x, y)`` offsets in pixels.
    """
    count = int(min(256, max(16, math.ceil(2.0 * math.pi * math.sqrt(max(semi_major, 1.0))))))
    t = np.arange(count) * (2.0 * np.pi / count)
    x, y = semi_major * np.cos(t), semi_minor * np.sin(t)
    c, s = math.cos(angle), math.sin(angle)
    return np.stack((c * x - s * y, s * x + c * y), axis=1)


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
        fixed = np.rint((points - shift) * _SUBPIXEL).astype(np.int32)
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


def _pick(rng: np.random.Generator, choices: tuple[str, ...], weights: tuple[float, ...]) -> str:
    u = rng.random()
    acc = 0.0
    for choice, weight in zip(choices, weights, strict=True):
        acc += weight
        if u < acc:
            return choice
    return choices[-1]


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return lo if lo == hi else lo + (hi - lo) * rng.random()


def _randint(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    return lo if lo == hi else int(rng.integers(lo, hi + 1))


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


def _shape_parts(
    rng: np.random.Generator,
    kind: str,
    radius: float,
    short: int,
    vertices: tuple[int, int],
    cfg: OcclusionConfig,
) -> tuple[str, list[tuple[np.ndarray, int]]]:
    """The drawn kind (a 2-vertex polygon is a ``"line"``) and the parts ``(offsets,
    thickness)`` of one shape centred on the origin."""
    if kind == "polygon":
        count = _randint(rng, vertices)
        points = star_polygon(
            rng, count, radius, _uniform(rng, cfg.irregularity), _uniform(rng, cfg.spikiness)
        )
        if count == 2:  # the reference's thick line
            return "line", [(points, max(1, round(_uniform(rng, cfg.stroke_width) * short)))]
        return kind, [(points, 0)]
    if kind == "stroke":
        width = max(1, round(_uniform(rng, cfg.stroke_width) * short))
        return kind, [(polyline(rng, _randint(rng, cfg.stroke_points), 2.0 * radius), width)]
    aspect = _uniform(rng, cfg.ellipse_aspect)
    root = math.sqrt(aspect)
    return kind, [(ellipse_outline(radius / root, radius * root, rng.uniform(0.0, np.pi)), 0)]


def _extent(parts: Sequence[tuple[np.ndarray, int]]) -> tuple[float, float, float, float]:
    """``(xmin, ymin, xmax, ymax)`` of the parts, thickness included."""
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for points, thickness in parts:
        half = 0.5 * thickness + 1.0
        (px0, py0), (px1, py1) = points.min(axis=0).tolist(), points.max(axis=0).tolist()
        x0, y0 = min(x0, px0 - half), min(y0, py0 - half)
        x1, y1 = max(x1, px1 + half), max(y1, py1 + half)
    return x0, y0, x1, y1


class _Scene(NamedTuple):
    """What occluder temperatures refer to: the frame's range, reflections, the room."""

    t_min: float
    t_max: float
    t_ref: float | None
    ambient: float


def _scene_reference(image: np.ndarray, mask: np.ndarray | None, cfg: OcclusionConfig) -> _Scene:
    """Scene (min, max) for relative temperatures, the reflected and the room temperature."""
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
    return _Scene(t_min, t_max, t_ref, ambient)


def _temperature_field(
    rng: np.random.Generator, shape: tuple[int, int], cfg: OcclusionConfig, scene: _Scene
) -> np.ndarray:
    """Apparent temperature (degC) over an object's box: mixing + texture."""
    lo, hi = cfg.temperature_range
    if cfg.temperature_mode == "relative":
        span = scene.t_max - scene.t_min
        lo, hi = scene.t_min - lo * span, scene.t_max + hi * span
    elif cfg.temperature_mode == "ambient":
        lo, hi = scene.ambient + lo, scene.ambient + hi
    t_obj = _uniform(rng, (lo, hi))
    e = _uniform(rng, cfg.emissivity)
    if e < 1.0 and scene.t_ref is not None:
        t_obj = e * t_obj + (1.0 - e) * scene.t_ref
    amplitude = _uniform(rng, cfg.texture)
    if amplitude <= 0.0:
        return np.full(shape, t_obj, np.float32)
    noise: np.ndarray
    if cfg.texture_kind == "uniform":
        noise = rng.random(shape, dtype=np.float32)
    else:
        grid = (
            max(2, math.ceil(shape[0] / _SMOOTH_CELL) + 1),
            max(2, math.ceil(shape[1] / _SMOOTH_CELL) + 1),
        )
        noise = cv2.resize(
            rng.random(grid, dtype=np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR
        )
    # noise in [0, 1] -> offsets in [-amplitude, amplitude]
    noise *= np.float32(2.0 * amplitude)
    noise += np.float32(t_obj - amplitude)
    return noise


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
    sigma = _uniform(rng, cfg.edge_softness)
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
        alpha = cv2.GaussianBlur(alpha, (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)
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
    kind = _pick(rng, cfg.shapes, _weights_of(cfg.shape_weights))
    radius = _uniform(rng, cfg.size) * short
    if eyes is None:
        centre = _centre(rng, frame, placement_mask, cfg.placement_classes)
    else:
        centre = (0.5 * (eyes.left[1] + eyes.right[1]), 0.5 * (eyes.left[0] + eyes.right[0]))
    kind, shape = _shape_parts(rng, kind, radius, short, cfg.vertex_ranges[0], cfg)
    half = 0.5 * _uniform(rng, cfg.joined_separation) * radius
    tilt = math.radians(_uniform(rng, cfg.joined_tilt))
    bar = max(1, round(_uniform(rng, cfg.bar_width) * short))
    if eyes is not None:
        parts = _cover_eyes(shape, eyes, bar)
    else:
        ux, uy = math.cos(tilt), math.sin(tilt)  # axis of the pair (x to the right, y down)
        cx, cy = centre[1], centre[0]
        left_c = np.array([cx - half * ux, cy - half * uy])
        right_c = np.array([cx + half * ux, cy + half * uy])
        parts = _pair_parts(shape, left_c, right_c, bar)
    return _make_occluder(rng, parts, centre, frame, kind, "joined", cfg, scene)


def _weights_of(weights: tuple[float, ...] | None) -> tuple[float, ...]:
    assert weights is not None  # OcclusionConfig fills in equal weights
    return weights


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
    configuration = _pick(rng, cfg.configurations, _weights_of(cfg.configuration_weights))
    if configuration == "joined":
        occluder = _joined(rng, frame, mask, cfg, scene, eyes)
        return [occluder] if occluder is not None else []
    occluders: list[Occluder] = []
    ranges = cfg.vertex_ranges
    count = 1 if configuration == "single" else _randint(rng, cfg.num_independent)
    for index in range(count):
        kind = _pick(rng, cfg.shapes, _weights_of(cfg.shape_weights))
        radius = _uniform(rng, cfg.size) * short
        centre = _centre(rng, frame, placement_mask, cfg.placement_classes)
        vertices = ranges[min(index, len(ranges) - 1)]
        kind, parts = _shape_parts(rng, kind, radius, short, vertices, cfg)
        parts = _shift(parts, centre)
        occluder = _make_occluder(rng, parts, centre, frame, kind, configuration, cfg, scene)
        if occluder is not None:
            occluders.append(occluder)
    return occluders


def sample_occluders(
    rng: np.random.Generator,
    image: np.ndarray,
    mask: np.ndarray | None = None,
    config: OcclusionConfig | None = None,
    *,
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
        ignore_index: label for ``"ignore"``; must fit the mask's dtype.
        max_hidden: a class with more than this fraction of its pixels covered is dropped
            whole (all its pixels get the policy's label). Applies to every class but the
            policy's own label.

    Returns:
        the updated label map (a new array unless ``policy == "keep"``), same dtype and
        layout as ``mask``.
    """
    _one_of("label_policy", policy, LABEL_POLICIES)
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
            if label == value:
                continue
            selected = plane == label
            if count > max_hidden * np.count_nonzero(selected):
                out[selected] = value
    return restore_shape(out, labels)


def occlude(
    rng: np.random.Generator,
    image: np.ndarray,
    mask: np.ndarray | None = None,
    config: OcclusionConfig | None = None,
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
    occluders = sample_occluders(rng, image, mask, config)
    out = apply_occlusion(image, occluders)
    if mask is None:
        return out, None
    coverage = coverage_map(occluders, np.shape(image))
    labels = apply_label_policy(
        mask, coverage, config.label_policy, config.ignore_index, config.max_hidden
    )
    return out, labels
