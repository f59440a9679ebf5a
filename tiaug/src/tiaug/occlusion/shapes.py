"""Occluder shapes: their parameters (:class:`ShapeConfig`) and one function per shape, in
the registry :data:`SHAPE_FUNCTIONS`.

A shape function draws one shape centred on the origin from the shape parameters alone and
returns the drawn kind and its parts ``(offsets, thickness)``: ``offsets`` an ``(n, 2)``
array of ``(x, y)`` pixels, ``thickness`` 0 for a filled polygon or the width in pixels of
an open polyline. Adding a shape is one function and one registry entry;
:class:`ShapeConfig` accepts exactly the registered names. Pure numpy, explicit generators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from tiaug._checks import check_int_range
from tiaug._random import draw_range, draw_uniform
from tiaug.occlusion.rules import FloatRange, IntRange, check_choices, check_ranges, check_weights

__all__ = [
    "SHAPES",
    "SHAPE_FUNCTIONS",
    "Parts",
    "ShapeConfig",
    "ShapeFunction",
    "draw_ellipse",
    "draw_polygon",
    "draw_stroke",
    "ellipse_outline",
    "polyline",
    "randint",
    "star_polygon",
    "uniform",
]

#: ``(offsets, thickness)`` pairs of one shape (see the module docstring)
Parts = list[tuple[np.ndarray, int]]


_MAX_STROKE_TURN = math.pi / 3  # largest turn between two stroke segments (radians)
_RADIUS_CLIP = (0.2, 2.0)  # star-polygon vertex radii, in mean radii
#: float ranges: name -> (lowest value, highest value, lowest value excluded)
_FLOAT_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "size": (0.0, None, True),
    "irregularity": (0.0, 1.0, False),
    "spikiness": (0.0, None, False),
    "stroke_width": (0.0, None, True),
    "ellipse_aspect": (0.0, 1.0, True),
}


@dataclass(frozen=True)
class ShapeConfig:
    """What an occluder looks like: its shape and its size (what a shape function receives).

    Attributes:
        shapes: shapes to draw from, names of
            :data:`~tiaug.occlusion.shapes.SHAPE_FUNCTIONS`: ``"polygon"`` (random star
            polygon; 2 vertices = the reference's thick line of ``stroke_width``),
            ``"stroke"`` (thick polyline) and ``"ellipse"``. Default: the reference's
            polygons only.
        shape_weights: relative weights of ``shapes``; ``None`` = equal.
        size: mean radius of a shape, fraction of the image's short side in (0, 1]
            (reference: 10..24 px at 256 px, i.e. (0.04, 0.094)). A stroke is
            ``2 * radius`` long.
        num_vertices: polygon vertex count range (>= 2), or one range per object of the
            ``"independent"`` configuration (the last one repeats for further objects).
            Default ``((2, 9), (2, 99))``: the reference's 3..9-vertex polygons or thick
            lines, the second independent shape with up to 99 vertices.
        irregularity: spread of a polygon's angular steps, 0 (regular) .. 1.
        spikiness: relative spread of a polygon's vertex radii (>= 0; radii are clipped to
            0.2 .. 2 mean radii).
        stroke_width: stroke thickness, fraction of the short side (reference: 2..10 %).
        stroke_points: number of points of a stroke polyline (>= 2; 2 = straight bar).
        ellipse_aspect: minor / major axis ratio of an ellipse, in (0, 1].
    """

    shapes: tuple[str, ...] = ("polygon",)
    shape_weights: tuple[float, ...] | None = None
    size: FloatRange = (0.04, 0.094)
    num_vertices: IntRange | tuple[IntRange, ...] = ((2, 9), (2, 99))
    irregularity: FloatRange = (0.0, 1.0)
    spikiness: FloatRange = (0.0, 1.0)
    stroke_width: FloatRange = (0.02, 0.10)
    stroke_points: IntRange = (2, 4)
    ellipse_aspect: FloatRange = (0.5, 1.0)
    # normalised form, filled in by __post_init__: one vertex range per object
    vertex_ranges: tuple[IntRange, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_ranges(self, _FLOAT_RANGES, {"stroke_points": 2}, ("size", "stroke_width"))
        shapes = check_choices("shapes", self.shapes, tuple(SHAPE_FUNCTIONS))
        object.__setattr__(self, "shapes", shapes)
        weights = check_weights("shape_weights", self.shape_weights, len(shapes))
        object.__setattr__(self, "shape_weights", weights)
        nv: Any = self.num_vertices
        if isinstance(nv, Sequence) and nv and all(isinstance(v, Sequence) for v in nv):
            ranges = tuple(check_int_range("num_vertices", v, 2) for v in nv)
            object.__setattr__(self, "num_vertices", ranges)
        else:
            ranges = (check_int_range("num_vertices", nv, 2),)
            object.__setattr__(self, "num_vertices", ranges[0])
        object.__setattr__(self, "vertex_ranges", ranges)


class ShapeFunction(Protocol):
    """``(radius, short_side, vertex_range, shape_config, *, rng) -> (kind, parts)``; radius
    and short side in pixels."""

    def __call__(
        self,
        radius: float,
        short: int,
        vertices: tuple[int, int],
        cfg: ShapeConfig,
        *,
        rng: np.random.Generator,
    ) -> tuple[str, Parts]: ...


#: ``U(low, high)`` from ``rng`` (``low`` itself, drawing nothing, when they are equal), for
#: shape functions: :func:`tiaug._random.draw_range`.
uniform = draw_range


def randint(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    """An integer in ``[low, high]`` from ``rng`` (``low`` itself when they are equal)."""
    lo, hi = bounds
    return lo if lo == hi else int(rng.integers(lo, hi + 1))


def star_polygon(
    num_vertices: int,
    radius: float,
    irregularity: float,
    spikiness: float,
    *,
    rng: np.random.Generator,
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
    steps = rng.uniform(-1.0, 1.0, num_vertices)
    steps *= irregularity
    steps += 1.0
    angles = np.cumsum(steps)
    angles *= 2.0 * math.pi / float(steps.sum())
    angles += draw_uniform(rng, 0.0, 2.0 * math.pi)
    radii = rng.standard_normal(num_vertices)
    radii *= spikiness
    radii += 1.0
    np.minimum(np.maximum(radii, _RADIUS_CLIP[0], out=radii), _RADIUS_CLIP[1], out=radii)
    radii *= radius
    points = np.empty((num_vertices, 2))
    np.multiply(radii, np.cos(angles), out=points[:, 0])
    np.multiply(radii, np.sin(angles), out=points[:, 1])
    return points


def polyline(
    num_points: int, length: float, max_turn: float = _MAX_STROKE_TURN, *, rng: np.random.Generator
) -> np.ndarray:
    """Random open polyline of total ``length`` pixels, centred on the origin.

    The direction starts uniformly at random and turns by ``U(-max_turn, max_turn)``
    radians at each inner point; segments have equal lengths.

    Returns:
        ``(num_points, 2)`` float64 array of ``(x, y)`` offsets in pixels.
    """
    segments = num_points - 1
    turns = rng.uniform(-max_turn, max_turn, segments)
    turns[0] = draw_uniform(rng, 0.0, 2.0 * np.pi)
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


def _width(rng: np.random.Generator, short: int, cfg: ShapeConfig) -> int:
    """A stroke width in pixels (at least 1) from ``cfg.stroke_width`` (fractions)."""
    return max(1, round(draw_range(rng, cfg.stroke_width) * short))


def draw_polygon(
    radius: float,
    short: int,
    vertices: tuple[int, int],
    cfg: ShapeConfig,
    *,
    rng: np.random.Generator,
) -> tuple[str, Parts]:
    """A star polygon of ``vertices`` vertices; with 2 vertices the reference's thick line."""
    count = randint(rng, vertices)
    points = star_polygon(
        count,
        radius,
        draw_range(rng, cfg.irregularity),
        draw_range(rng, cfg.spikiness),
        rng=rng,
    )
    if count == 2:
        return "line", [(points, _width(rng, short, cfg))]
    return "polygon", [(points, 0)]


def draw_stroke(
    radius: float,
    short: int,
    vertices: tuple[int, int],
    cfg: ShapeConfig,
    *,
    rng: np.random.Generator,
) -> tuple[str, Parts]:
    """A thick polyline of ``cfg.stroke_points`` points, ``2 * radius`` long."""
    width = _width(rng, short, cfg)
    return "stroke", [(polyline(randint(rng, cfg.stroke_points), 2.0 * radius, rng=rng), width)]


def draw_ellipse(
    radius: float,
    short: int,
    vertices: tuple[int, int],
    cfg: ShapeConfig,
    *,
    rng: np.random.Generator,
) -> tuple[str, Parts]:
    """An ellipse of mean radius ``radius`` (geometric mean of its semi-axes)."""
    root = math.sqrt(draw_range(rng, cfg.ellipse_aspect))
    outline = ellipse_outline(radius / root, radius * root, draw_uniform(rng, 0.0, np.pi))
    return "ellipse", [(outline, 0)]


#: name -> shape function: the shapes ``ShapeConfig.shapes`` may name
SHAPE_FUNCTIONS: dict[str, ShapeFunction] = {
    "polygon": draw_polygon,
    "stroke": draw_stroke,
    "ellipse": draw_ellipse,
}
#: the built-in shape names
SHAPES: tuple[str, ...] = tuple(SHAPE_FUNCTIONS)
