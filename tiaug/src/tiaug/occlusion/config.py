"""``OcclusionConfig``: the one definition of the occluder parameters, their defaults and
their rules, in four groups.

:class:`~tiaug.occlusion.shapes.ShapeConfig` (what an object looks like),
:class:`TemperatureConfig` (how warm it looks), :class:`PlacementConfig` (how many, how
arranged, where) and :class:`LabelConfig` (what becomes of the labels under it) each define
their parameters: fields, type hints, defaults, rules and the ``Attributes`` of their
docstrings. :class:`OcclusionConfig` holds one of each and takes their parameters as flat
keyword arguments; :class:`tiaug.ThermalOcclusion` derives its constructor, its
albumentations schema and its documented arguments from the groups, in :data:`GROUPS`
order, and the functional sampler (:func:`~tiaug.occlusion.functional.sample_occluders`)
hands each step its own group. No albumentations.
"""

from __future__ import annotations

import math
import operator
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

from tiaug._checks import check_range
from tiaug.occlusion.rules import (
    FloatRange,
    IntRange,
    check_choices,
    check_one_of,
    check_ranges,
    check_weights,
    is_label,
)
from tiaug.occlusion.shapes import ShapeConfig

__all__ = [
    "CONFIGURATIONS",
    "DEFAULT_TEMPERATURE",
    "FRACTIONS",
    "GROUPS",
    "LABEL_POLICIES",
    "OPTION_NAMES",
    "PLACEMENTS",
    "REFERENCE_CONFIGURATION_WEIGHTS",
    "TEMPERATURE_MODES",
    "TEXTURE_KINDS",
    "Configuration",
    "FloatRange",
    "IntRange",
    "LabelConfig",
    "LabelPolicy",
    "OcclusionConfig",
    "Placement",
    "PlacementConfig",
    "ShapeConfig",
    "TemperatureConfig",
    "TemperatureMode",
    "TextureKind",
    "check_label_policy",
]

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


def check_label_policy(policy: str) -> str:
    """Raise ``ValueError`` unless ``policy`` is one of :data:`LABEL_POLICIES`."""
    return check_one_of("label_policy", policy, LABEL_POLICIES)


def _temperature_range(mode: str, value: Any) -> FloatRange:
    """One temperature range of ``mode``, checked (see ``TemperatureConfig.temperature``)."""
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
class TemperatureConfig:
    """How warm an object looks: its temperature, emissivity, texture, noise and edges.

    Attributes:
        temperature_mode: ``"relative"`` (to the scene, as the reference),
            ``"absolute"`` (degC) or ``"ambient"`` (degC above the room temperature seen in
            the frame: objects that follow an ambient shift).
        temperature: occluder temperature. ``"relative"``: ``(below, above)`` in units of
            the scene's range R = max - min; T ~ U(min - below * R, max + above * R)
            (reference: (1, 1)). ``"absolute"``: a degC range ``(lo, hi)``, e.g. (20, 26)
            glasses near ambient, (40, 60) a hot cup, (5, 15) a cold drink.
            ``"ambient"``: degC above the room ``(lo, hi)``
            (:func:`tiaug.core.estimate_ambient`, with the mask when given).
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
            std the frame shows (:func:`tiaug.core.estimate_noise`), so that a
            real object, seen by the same camera as the rest of the frame, is as noisy as
            its surroundings (an object without noise, or with a per-pixel texture louder
            than the camera's, is found by its noise level alone). ``False``: the
            reference's noiseless objects. Pixels at the soft edge mix both and carry
            down to 0.71 times the noise (alpha 0.5).
        edge_softness: sigma in pixels of the Gaussian thermal blur of the boundary;
            0 = hard edges (reference).
    """

    temperature_mode: TemperatureMode = "relative"
    temperature: FloatRange | tuple[FloatRange, ...] | None = None
    emissivity: FloatRange = (1.0, 1.0)
    reflected_temperature: float | None = None
    texture: FloatRange = (0.0, 0.1)
    texture_kind: TextureKind = "uniform"
    carry_noise: bool = False
    edge_softness: FloatRange = (0.0, 0.0)
    # normalised form, filled in by __post_init__: the temperature ranges objects draw from
    temperature_ranges: tuple[FloatRange, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_ranges(
            self,
            {
                "emissivity": (0.0, 1.0, True),
                "texture": (0.0, None, False),
                "edge_softness": (0.0, None, False),
            },
        )
        self._check_temperatures()
        check_one_of("texture_kind", self.texture_kind, TEXTURE_KINDS)

    def _check_temperatures(self) -> None:
        mode = check_one_of("temperature_mode", self.temperature_mode, TEMPERATURE_MODES)
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


def _placement_classes(value: Any) -> tuple[int, ...]:
    """``value`` (one label or several) as a non-empty tuple of labels >= 0."""
    classes = tuple((value,) if is_label(value) else value)
    if not classes or not all(is_label(c) and c >= 0 for c in classes):
        raise ValueError(
            f"placement_classes must be a non-empty sequence of labels >= 0, got {classes!r}"
        )
    return tuple(int(c) for c in classes)


@dataclass(frozen=True)
class PlacementConfig:
    """How many objects, how they are arranged and where they go.

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
        bar_width: thickness of the bar joining a ``"joined"`` pair, fraction of the short
            side.
        joined_separation: distance between the two centres of a ``"joined"`` pair, in mean
            radii (2 = touching circles; with ``"eyes"`` placement the eyes give it).
        joined_tilt: tilt of a ``"joined"`` pair from the horizontal, degrees, in
            [-90, 90] (with ``"eyes"`` placement the eyes give it).
        placement: ``"anywhere"`` (centres uniform over the whole frame), ``"mask"``
            (centres on pixels of ``placement_classes`` of the mask, when one is given;
            otherwise, or when those classes are absent, anywhere) or ``"eyes"`` (a
            ``"joined"`` pair centred between the two eyes of the mask (class 3) or, without
            a mask, of 68 landmarks (the transform's 68 keypoints, iBUG order), with their
            separation and tilt, each shape grown to cover its eye; else like ``"mask"``).
            For ``"joined"`` the middle of the pair is placed.
        placement_classes: classes aimed at by ``"mask"`` placement (default: mouth, eyes,
            eyebrows, nose of the Thermal Face Database's 0..5 labels).
    """

    configurations: tuple[Configuration, ...] = CONFIGURATIONS  # type: ignore[assignment]
    configuration_weights: tuple[float, ...] | None = None
    num_independent: IntRange = (2, 2)
    bar_width: FloatRange = (0.02, 0.05)
    joined_separation: FloatRange = (2.2, 3.0)
    joined_tilt: FloatRange = (-15.0, 15.0)
    placement: Placement = "anywhere"
    placement_classes: tuple[int, ...] = (2, 3, 4, 5)

    def __post_init__(self) -> None:
        check_ranges(
            self,
            {
                "bar_width": (0.0, None, True),
                "joined_separation": (0.0, None, False),
                "joined_tilt": (-90.0, 90.0, False),
            },
            {"num_independent": 1},
            ("bar_width",),
        )
        configurations = check_choices("configurations", self.configurations, CONFIGURATIONS)
        object.__setattr__(self, "configurations", configurations)
        weights = self.configuration_weights
        if weights is None:
            weights = tuple(REFERENCE_CONFIGURATION_WEIGHTS[c] for c in configurations)
        weights = check_weights("configuration_weights", weights, len(configurations))
        object.__setattr__(self, "configuration_weights", weights)
        check_one_of("placement", self.placement, PLACEMENTS)
        object.__setattr__(self, "placement_classes", _placement_classes(self.placement_classes))


@dataclass(frozen=True)
class LabelConfig:
    """What becomes of the labels under an object.

    Attributes:
        label_policy: ``"keep"`` (amodal, mask unchanged: the reference), ``"background"``
            (covered pixels become 0) or ``"ignore"`` (covered pixels become
            ``ignore_index``). A pixel is covered where the object's alpha is >= 0.5 (the
            transform also requires that its temperature changed).
        ignore_index: label of ignored pixels for ``"ignore"``.
        max_hidden: under ``"background"`` / ``"ignore"``, a class more than this fraction
            covered is dropped whole (all its pixels get the policy's label), in [0, 1].
    """

    label_policy: LabelPolicy = "keep"
    ignore_index: int = 255
    max_hidden: float = 0.5

    def __post_init__(self) -> None:
        check_label_policy(self.label_policy)
        if not is_label(self.ignore_index):
            raise ValueError(f"ignore_index must be an integer, got {self.ignore_index!r}")
        max_hidden = float(self.max_hidden)
        if not 0.0 <= max_hidden <= 1.0:
            raise ValueError(f"max_hidden must lie in [0, 1], got {max_hidden}")
        object.__setattr__(self, "max_hidden", max_hidden)


@dataclass(frozen=True, init=False)
class OcclusionConfig:
    """Validated parameters of the occluder sampler (and of :class:`tiaug.ThermalOcclusion`).

    Built from the groups' parameters as flat keyword arguments
    (``OcclusionConfig(size=(0.1, 0.2), label_policy="ignore")``, as the transform and the
    recipes of :data:`~tiaug.occlusion.physical.OCCLUDERS` take them); each group receives
    and checks its own. Every parameter also reads flat: ``config.size`` is
    ``config.shape.size``.

    Ranges are ``(low, high)`` pairs sampled uniformly (integers inclusively) per object.
    The defaults are the reference recipe (Joshi et al., BMVC 2022: relative temperatures,
    hard edges, amodal labels), with sizes relative to the image.

    Attributes:
        shape: shapes and sizes, :class:`~tiaug.occlusion.shapes.ShapeConfig` (all a shape
            function receives).
        thermal: temperatures, emissivity, texture, carried noise, soft edges,
            :class:`TemperatureConfig`.
        layout: configurations, joined pairs and placement, :class:`PlacementConfig`.
        labels: label policy, :class:`LabelConfig`.
    """

    shape: ShapeConfig
    thermal: TemperatureConfig
    layout: PlacementConfig
    labels: LabelConfig

    def __init__(self, **options: Any) -> None:
        unknown = [name for name in options if name not in OPTION_NAMES]
        if unknown:
            raise TypeError(
                f"OcclusionConfig.__init__() got an unexpected keyword argument {unknown[0]!r}"
            )
        for attribute, group in GROUPS.items():
            own = {f.name: options[f.name] for f in fields(group) if f.name in options}
            object.__setattr__(self, attribute, group(**own))


#: the groups, in order: attribute of OcclusionConfig -> its dataclass
GROUPS: dict[str, type] = typing.get_type_hints(OcclusionConfig)
#: the parameters, in order: the fields of the groups that their constructors take
OPTION_NAMES: tuple[str, ...] = tuple(
    f.name for group in GROUPS.values() for f in fields(group) if f.init
)


def _read_flat() -> None:
    """``config.<parameter>`` reads ``config.<group>.<parameter>`` (normalised forms too)."""
    for attribute, group in GROUPS.items():
        for f in fields(group):
            path = f"{attribute}.{f.name}"
            setattr(OcclusionConfig, f.name, property(operator.attrgetter(path), doc=path))


_read_flat()
