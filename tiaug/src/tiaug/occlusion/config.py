"""``OcclusionConfig``: the one definition of the occluder parameters, their defaults and
their rules.

:class:`tiaug.ThermalOcclusion` derives its constructor, its albumentations schema and its
documented arguments from this dataclass (its fields, type hints, defaults and the
``Attributes`` section below), and the functional sampler
(:func:`~tiaug.occlusion.functional.sample_occluders`) takes it as is. No albumentations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

import numpy as np

from tiaug._checks import check_fraction, check_int_range, check_range
from tiaug.occlusion.shapes import SHAPE_FUNCTIONS

__all__ = [
    "CONFIGURATIONS",
    "DEFAULT_TEMPERATURE",
    "FRACTIONS",
    "LABEL_POLICIES",
    "OPTION_NAMES",
    "PLACEMENTS",
    "REFERENCE_CONFIGURATION_WEIGHTS",
    "TEMPERATURE_MODES",
    "TEXTURE_KINDS",
    "Configuration",
    "FloatRange",
    "IntRange",
    "LabelPolicy",
    "OcclusionConfig",
    "Placement",
    "TemperatureMode",
    "TextureKind",
    "check_label_policy",
]

FloatRange = tuple[float, float]
IntRange = tuple[int, int]
Configuration = Literal["single", "joined", "independent"]
TemperatureMode = Literal["relative", "absolute", "ambient"]
TextureKind = Literal["uniform", "smooth"]
Placement = Literal["anywhere", "mask", "eyes"]
LabelPolicy = Literal["keep", "background", "ignore"]

CONFIGURATIONS: tuple[str, ...] = get_args(Configuration)
#: the reference recipe's weight of each configuration (``configuration_weights=None``)
REFERENCE_CONFIGURATION_WEIGHTS: dict[str, float] = {
    "single": 0.34,
    "joined": 0.33,
    "independent": 0.33,
}
TEMPERATURE_MODES: tuple[str, ...] = get_args(TemperatureMode)
TEXTURE_KINDS: tuple[str, ...] = get_args(TextureKind)
PLACEMENTS: tuple[str, ...] = get_args(Placement)
LABEL_POLICIES: tuple[str, ...] = get_args(LabelPolicy)

#: default occluder temperature range per mode: scene ranges beyond [min, max] ("relative",
#: the reference's U(min - range, max + range)), degC ("absolute": objects near a 20-26 degC
#: room) or degC above the room seen in the frame ("ambient").
DEFAULT_TEMPERATURE = {"relative": (1.0, 1.0), "absolute": (20.0, 26.0), "ambient": (0.0, 4.0)}

#: lengths given as fractions of the image's short side: values above 1 look like pixels
FRACTIONS = ("size", "stroke_width", "bar_width")
#: float ranges: name -> (lowest value, highest value, lowest value excluded)
_FLOAT_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "size": (0.0, None, True),
    "irregularity": (0.0, 1.0, False),
    "spikiness": (0.0, None, False),
    "stroke_width": (0.0, None, True),
    "ellipse_aspect": (0.0, 1.0, True),
    "bar_width": (0.0, None, True),
    "joined_separation": (0.0, None, False),
    "joined_tilt": (-90.0, 90.0, False),
    "emissivity": (0.0, 1.0, True),
    "texture": (0.0, None, False),
    "edge_softness": (0.0, None, False),
}
#: integer ranges: name -> lowest value
_INT_RANGES = {"num_independent": 1, "stroke_points": 2}


def _choices(name: str, values: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must name at least one of {tuple(allowed)}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {name} {unknown}; choose from {tuple(allowed)}")
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
            "pass None for the default weights"
        )
    if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"{name} must be non-negative with a positive sum, got {weights}")
    total = sum(weights)
    return tuple(w / total for w in weights)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose from {allowed}")
    return value


def check_label_policy(policy: str) -> str:
    """Raise ``ValueError`` unless ``policy`` is one of :data:`LABEL_POLICIES`."""
    return _one_of("label_policy", policy, LABEL_POLICIES)


def _is_label(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _temperature_range(mode: str, value: Any) -> FloatRange:
    """One temperature range of ``mode``, checked (see ``OcclusionConfig.temperature``)."""
    if mode == "relative":
        # (below, above): extensions beyond the scene's [min, max], not an ordered pair
        below, above = check_range("temperature", value, ordered=False)
        if below + above < -1.0:
            raise ValueError(
                "relative temperature (below, above) must satisfy below + above >= -1 "
                f"(a non-empty interval), got {(below, above)}"
            )
        return below, above
    return check_range("temperature", value, -273.15 if mode == "absolute" else None)


@dataclass(frozen=True)
class OcclusionConfig:
    """Validated parameters of the occluder sampler (and of :class:`tiaug.ThermalOcclusion`).

    Ranges are ``(low, high)`` pairs sampled uniformly (integers inclusively) per object.
    The defaults are the reference recipe (Joshi et al., BMVC 2022: relative temperatures,
    hard edges, amodal labels), with sizes relative to the image.

    Attributes:
        configurations: configurations to draw from: ``"single"`` (one object),
            ``"joined"`` (two mirrored shapes of the same kind joined by a bar, roughly
            horizontal: reads like glasses) and ``"independent"`` (several objects).
        configuration_weights: relative weights of ``configurations`` (same length);
            ``None`` (the default): the reference's weights of the chosen configurations
            (:data:`REFERENCE_CONFIGURATION_WEIGHTS`: single 0.34, joined 0.33, independent
            0.33), so ``configurations=("single",)`` alone works.
        num_independent: number of objects in the ``"independent"`` configuration
            (reference: 2).
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
        bar_width: thickness of the bar joining a ``"joined"`` pair, fraction of the short
            side.
        joined_separation: distance between the two centres of a ``"joined"`` pair, in mean
            radii (2 = touching circles; with ``"eyes"`` placement the eyes give it).
        joined_tilt: tilt of a ``"joined"`` pair from the horizontal, degrees, in
            [-90, 90] (with ``"eyes"`` placement the eyes give it).
        temperature_mode: ``"relative"`` (to the scene, as the reference),
            ``"absolute"`` (degC) or ``"ambient"`` (degC above the room temperature seen in
            the frame: objects that follow an ambient shift).
        temperature: occluder temperature. ``"relative"``: ``(below, above)`` in units of
            the scene's range R = max - min; T ~ U(min - below * R, max + above * R)
            (reference: (1, 1)). ``"absolute"``: a degC range ``(lo, hi)``, e.g. (20, 26)
            glasses near ambient, (40, 60) a hot cup, (5, 15) a cold drink.
            ``"ambient"``: degC above the room ``(lo, hi)``
            (:func:`tiaug.ambient.functional.estimate_ambient`, with the mask when given).
            ``None``: (1, 1) relative, (20, 26) degC absolute, (0, 4) ambient. Several
            ranges, ``((5, 15), (40, 60))``: each object draws one of them (equally
            likely), then a temperature in it (a drink is cold or hot, never lukewarm).
        emissivity: emissivity range in (0, 1]; apparent temperature
            ``e * T + (1 - e) * T_reflected`` (1 = no mixing, the reference).
        reflected_temperature: T_reflected in degC; ``None`` = the scene's median
            (estimated on a regular subsample of about 4096 pixels).
        texture: amplitude (degC) of the object's internal texture: offsets uniform in
            [-a, a] (reference: a ~ U(0, 0.1)).
        texture_kind: ``"uniform"`` (independent per pixel, as the reference) or
            ``"smooth"`` (low-frequency: random control points every 8 pixels, bilinear).
        carry_noise: give the object the frame's own per-pixel noise: Gaussian, with the
            std the frame shows (:func:`tiaug.noise.functional.estimate_noise`), so that a
            real object, seen by the same camera as the rest of the frame, is as noisy as
            its surroundings (an object without noise, or with a per-pixel texture louder
            than the camera's, is found by its noise level alone). ``False``: the
            reference's noiseless objects. Pixels at the soft edge mix both and carry
            down to 0.71 times the noise (alpha 0.5).
        edge_softness: sigma in pixels of the Gaussian thermal blur of the boundary;
            0 = hard edges (reference).
        placement: ``"anywhere"`` (centres uniform over the whole frame), ``"mask"``
            (centres on pixels of ``placement_classes`` of the mask, when one is given;
            otherwise, or when those classes are absent, anywhere) or ``"eyes"`` (a
            ``"joined"`` pair centred between the two eyes of the mask (class 3) or, without
            a mask, of 68 landmarks (the transform's 68 keypoints, iBUG order), with their
            separation and tilt, each shape grown to cover its eye; else like ``"mask"``).
            For ``"joined"`` the middle of the pair is placed.
        placement_classes: classes aimed at by ``"mask"`` placement (default: mouth, eyes,
            eyebrows, nose of the Thermal Face Database's 0..5 labels).
        label_policy: ``"keep"`` (amodal, mask unchanged: the reference), ``"background"``
            (covered pixels become 0) or ``"ignore"`` (covered pixels become
            ``ignore_index``). A pixel is covered where the object's alpha is >= 0.5 (the
            transform also requires that its temperature changed).
        ignore_index: label of ignored pixels for ``"ignore"``.
        max_hidden: under ``"background"`` / ``"ignore"``, a class more than this fraction
            covered is dropped whole (all its pixels get the policy's label), in [0, 1].
    """

    configurations: tuple[Configuration, ...] = CONFIGURATIONS  # type: ignore[assignment]
    configuration_weights: tuple[float, ...] | None = None
    num_independent: IntRange = (2, 2)
    shapes: tuple[str, ...] = ("polygon",)
    shape_weights: tuple[float, ...] | None = None
    size: FloatRange = (0.04, 0.094)
    num_vertices: IntRange | tuple[IntRange, ...] = ((2, 9), (2, 99))
    irregularity: FloatRange = (0.0, 1.0)
    spikiness: FloatRange = (0.0, 1.0)
    stroke_width: FloatRange = (0.02, 0.10)
    stroke_points: IntRange = (2, 4)
    ellipse_aspect: FloatRange = (0.5, 1.0)
    bar_width: FloatRange = (0.02, 0.05)
    joined_separation: FloatRange = (2.2, 3.0)
    joined_tilt: FloatRange = (-15.0, 15.0)
    temperature_mode: TemperatureMode = "relative"
    temperature: FloatRange | tuple[FloatRange, ...] | None = None
    emissivity: FloatRange = (1.0, 1.0)
    reflected_temperature: float | None = None
    texture: FloatRange = (0.0, 0.1)
    texture_kind: TextureKind = "uniform"
    carry_noise: bool = False
    edge_softness: FloatRange = (0.0, 0.0)
    placement: Placement = "anywhere"
    placement_classes: tuple[int, ...] = (2, 3, 4, 5)
    label_policy: LabelPolicy = "keep"
    ignore_index: int = 255
    max_hidden: float = 0.5
    # normalised forms, filled in by __post_init__
    vertex_ranges: tuple[IntRange, ...] = field(init=False, repr=False)
    temperature_ranges: tuple[FloatRange, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name, (low, high, open_low) in _FLOAT_RANGES.items():
            put(self, name, check_range(name, getattr(self, name), low, high, open_low=open_low))
        for name in FRACTIONS:
            check_fraction(name, getattr(self, name))
        for name, lowest in _INT_RANGES.items():
            put(self, name, check_int_range(name, getattr(self, name), lowest))
        for name, allowed in (("configurations", CONFIGURATIONS), ("shapes", SHAPE_FUNCTIONS)):
            put(self, name, _choices(name, getattr(self, name), tuple(allowed)))
        if self.configuration_weights is None:
            weights = tuple(REFERENCE_CONFIGURATION_WEIGHTS[c] for c in self.configurations)
            put(self, "configuration_weights", weights)
        for name, choices in (
            ("configuration_weights", "configurations"),
            ("shape_weights", "shapes"),
        ):
            put(self, name, _weights(name, getattr(self, name), len(getattr(self, choices))))
        self._check_vertices()
        self._check_temperatures()
        _one_of("texture_kind", self.texture_kind, TEXTURE_KINDS)
        _one_of("placement", self.placement, PLACEMENTS)
        check_label_policy(self.label_policy)
        self._check_labels()

    def _check_vertices(self) -> None:
        nv: Any = self.num_vertices
        if isinstance(nv, Sequence) and nv and all(isinstance(v, Sequence) for v in nv):
            ranges = tuple(check_int_range("num_vertices", v, 2) for v in nv)
            object.__setattr__(self, "num_vertices", ranges)
        else:
            ranges = (check_int_range("num_vertices", nv, 2),)
            object.__setattr__(self, "num_vertices", ranges[0])
        object.__setattr__(self, "vertex_ranges", ranges)

    def _check_temperatures(self) -> None:
        mode = _one_of("temperature_mode", self.temperature_mode, TEMPERATURE_MODES)
        given: Any = self.temperature
        ranges: tuple[FloatRange, ...]
        if given is None:
            ranges = (DEFAULT_TEMPERATURE[mode],)
        elif isinstance(given, Sequence) and given and all(isinstance(t, Sequence) for t in given):
            ranges = tuple(_temperature_range(mode, t) for t in given)
            object.__setattr__(self, "temperature", ranges)
        else:
            ranges = (_temperature_range(mode, given),)
            object.__setattr__(self, "temperature", ranges[0])
        object.__setattr__(self, "temperature_ranges", ranges)
        if self.reflected_temperature is not None:
            t_ref = float(self.reflected_temperature)
            if not math.isfinite(t_ref) or t_ref < -273.15:
                raise ValueError(f"reflected_temperature must be a finite degC value, got {t_ref}")
            object.__setattr__(self, "reflected_temperature", t_ref)

    def _check_labels(self) -> None:
        classes = self.placement_classes
        if _is_label(classes):
            classes = (classes,)  # type: ignore[assignment]
        classes = tuple(classes)
        if not classes or not all(_is_label(c) and c >= 0 for c in classes):
            raise ValueError(
                f"placement_classes must be a non-empty sequence of labels >= 0, got {classes!r}"
            )
        object.__setattr__(self, "placement_classes", tuple(int(c) for c in classes))
        if not _is_label(self.ignore_index):
            raise ValueError(f"ignore_index must be an integer, got {self.ignore_index!r}")
        max_hidden = float(self.max_hidden)
        if not 0.0 <= max_hidden <= 1.0:
            raise ValueError(f"max_hidden must lie in [0, 1], got {max_hidden}")
        object.__setattr__(self, "max_hidden", max_hidden)


#: the parameters, in order: the fields of OcclusionConfig that its constructor takes
OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(OcclusionConfig) if f.init)
