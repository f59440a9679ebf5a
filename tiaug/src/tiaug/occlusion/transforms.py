"""``ThermalOcclusion``: synthetic occluding objects with thermal properties (albumentations)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from albumentations.core.transforms_interface import BaseTransformInitSchema, DualTransform
from albumentations.core.type_definitions import ALL_TARGETS
from pydantic import Field, model_validator

from tiaug._base import ThermalTransform, first_image
from tiaug._checks import (
    check_fraction,
    check_mask,
    finite_fill_value,
    nan_pixels,
    per_channel,
    to_temperature_map,
)
from tiaug.occlusion import functional as focc

__all__ = ["ThermalOcclusion"]

FloatRange = tuple[float, float]
IntRange = tuple[int, int]
Configuration = Literal["single", "joined", "independent"]
Shape = Literal["polygon", "stroke", "ellipse"]

_ARG_NAMES = (
    "configurations",
    "configuration_weights",
    "num_independent",
    "shapes",
    "shape_weights",
    "size",
    "num_vertices",
    "irregularity",
    "spikiness",
    "stroke_width",
    "stroke_points",
    "ellipse_aspect",
    "bar_width",
    "joined_separation",
    "joined_tilt",
    "temperature_mode",
    "temperature",
    "emissivity",
    "reflected_temperature",
    "texture",
    "texture_kind",
    "edge_softness",
    "placement",
    "placement_classes",
    "label_policy",
    "ignore_index",
    "max_hidden",
)
#: Lengths given as fractions of the image's short side.
_FRACTIONS = ("size", "stroke_width", "bar_width")
#: A pixel whose temperature moved by less than this (degC) counts as unchanged: its label
#: is kept whatever the label policy.
_UNCHANGED = 1e-4


class ThermalOcclusion(ThermalTransform, DualTransform):
    """Synthesise occluding objects (glasses, cups, hands, hair...) on a temperature map.

    Implements the occlusion step of TiAug (Joshi et al., BMVC 2022) with the reference
    recipe as defaults (relative temperatures, hard edges, amodal labels, configurations
    single / joined / independent with weights 0.34 / 0.33 / 0.33) but with sizes relative
    to the image and centres that can fall anywhere in the frame (the reference only drew
    them in [0.1, 0.9] x min(H, W)). Beyond the reference: absolute temperatures in degC,
    emissivity mixing, smooth texture, soft (thermally blurred) edges, mask-aware placement
    and label policies.

    Each object has a shape, a size, a temperature, a position and belongs to a
    configuration. All ranges are ``(low, high)`` and sampled uniformly per object
    (integer ranges inclusively).

    Args:
        configurations: configurations to draw from: ``"single"`` (one object),
            ``"joined"`` (two mirrored shapes of the same kind joined by a bar, roughly
            horizontal: reads like glasses) and ``"independent"`` (several objects).
        configuration_weights: relative weights of ``configurations`` (same length);
            ``None`` = equal. Default: the reference's (0.34, 0.33, 0.33).
        num_independent: number of objects in the ``"independent"`` configuration
            (reference: 2).
        shapes: shapes to draw from: ``"polygon"`` (random star polygon; 2 vertices = the
            reference's thick line of ``stroke_width``), ``"stroke"`` (thick polyline) and
            ``"ellipse"``. Default: the reference's polygons only.
        shape_weights: relative weights of ``shapes``; ``None`` = equal.
        size: mean radius of a shape, fraction of the image's short side (reference:
            10..24 px at 256 px, i.e. (0.04, 0.094)). A stroke is ``2 * radius`` long.
        num_vertices: polygon vertex count range (>= 2), or one range per object of the
            ``"independent"`` configuration (the last one repeats for further objects).
            Default ``((2, 9), (2, 99))``: the reference's 3..9-vertex polygons or thick
            lines, the second independent shape with up to 99 vertices.
        irregularity: spread of a polygon's angular steps, 0 (regular) .. 1.
        spikiness: relative spread of a polygon's vertex radii (>= 0; radii are clipped to
            0.2 .. 2 mean radii).
        stroke_width: stroke thickness, fraction of the short side (reference: 2..10 %).
        stroke_points: number of points of a stroke polyline (>= 2).
        ellipse_aspect: minor / major axis ratio of an ellipse, in (0, 1].
        bar_width: thickness of the bar joining a ``"joined"`` pair, fraction of the short
            side.
        joined_separation: distance between the two centres of a ``"joined"`` pair, in mean
            radii (2 = touching circles).
        joined_tilt: tilt of a ``"joined"`` pair from the horizontal, degrees, in
            [-90, 90].
        temperature_mode: ``"relative"`` (to the scene, as the reference),
            ``"absolute"`` (degC) or ``"ambient"`` (degC above the room temperature seen in
            the frame: objects that follow an ambient shift).
        temperature: occluder temperature. ``"relative"``: ``(below, above)`` in units of
            the scene's range R = max - min; T ~ U(min - below * R, max + above * R)
            (reference: (1, 1)). ``"absolute"``: a degC range ``(lo, hi)``, e.g. (20, 26)
            glasses near ambient, (40, 60) a hot cup, (5, 15) a cold drink.
            ``"ambient"``: degC above the room ``(lo, hi)``.
            ``None``: (1, 1) relative, (20, 26) degC absolute, (0, 4) ambient.
        emissivity: emissivity range in (0, 1]; apparent temperature
            ``e * T + (1 - e) * T_reflected`` (1 = no mixing, the reference).
        reflected_temperature: T_reflected in degC; ``None`` = the scene's median
            (estimated on a regular subsample of about 4096 pixels).
        texture: amplitude (degC) of the object's internal texture: offsets uniform in
            [-a, a] (reference: a ~ U(0, 0.1)).
        texture_kind: ``"uniform"`` (independent per pixel, as the reference) or
            ``"smooth"`` (low-frequency: random control points every 8 pixels, bilinear).
        edge_softness: sigma in pixels of the Gaussian thermal blur of the boundary;
            0 = hard edges (reference).
        placement: ``"anywhere"`` (centres uniform over the whole frame), ``"mask"``
            (centres on pixels of ``placement_classes`` of the mask, when one is passed;
            otherwise, or when those classes are absent, anywhere) or ``"eyes"`` (a
            ``"joined"`` pair centred between the two eyes of the mask, with their
            separation and tilt, each shape grown to cover its eye; else like ``"mask"``).
            For ``"joined"`` the middle of the pair is placed.
        placement_classes: classes aimed at by ``"mask"`` placement (default: mouth, eyes,
            eyebrows, nose of the Thermal Face Database's 0..5 labels).
        label_policy: ``"keep"`` (amodal, mask unchanged: the reference), ``"background"``
            (covered pixels become 0) or ``"ignore"`` (covered pixels become
            ``ignore_index``). A pixel is covered where the object's alpha is >= 0.5 and its
            temperature changed (an occluder invisible against the scene changes no label).
        ignore_index: label of ignored pixels for ``"ignore"``.
        max_hidden: under ``"background"`` / ``"ignore"``, a class more than this fraction
            covered is dropped whole (all its pixels get the policy's label).
        p: probability of applying the transform.

    Objects are drawn from the image (the first frame of ``images``/``volume``, the first
    channel of an HxWxC image) and drawn alike on every frame and channel. NaN pixels stay NaN;
    relative temperatures and the scene median come from the finite pixels.

    Targets:
        image, mask, images, masks, volume, mask3d, keypoints, bboxes (keypoints and boxes
        unchanged: amodal)

    Image types:
        float32/float64 degC maps, HxW or HxWxC; float32 out. Masks: integer label maps HxW
        or HxWxC (the label policy applies to each channel).
    """

    _targets = ALL_TARGETS

    class InitSchema(BaseTransformInitSchema):
        configurations: tuple[Configuration, ...] = Field(min_length=1)
        configuration_weights: tuple[float, ...] | None
        num_independent: IntRange
        shapes: tuple[Shape, ...] = Field(min_length=1)
        shape_weights: tuple[float, ...] | None
        size: FloatRange
        num_vertices: IntRange | tuple[IntRange, ...]
        irregularity: FloatRange
        spikiness: FloatRange
        stroke_width: FloatRange
        stroke_points: IntRange
        ellipse_aspect: FloatRange
        bar_width: FloatRange
        joined_separation: FloatRange
        joined_tilt: FloatRange
        temperature_mode: Literal["relative", "absolute", "ambient"]
        temperature: FloatRange | None
        emissivity: FloatRange
        reflected_temperature: float | None
        texture: FloatRange
        texture_kind: Literal["uniform", "smooth"]
        edge_softness: FloatRange
        placement: Literal["anywhere", "mask", "eyes"]
        placement_classes: tuple[int, ...] = Field(min_length=1)
        label_policy: Literal["keep", "background", "ignore"]
        ignore_index: int
        max_hidden: float = Field(ge=0.0, le=1.0)

        @model_validator(mode="after")
        def _validate(self) -> ThermalOcclusion.InitSchema:
            for name in _FRACTIONS:
                check_fraction(name, getattr(self, name))
            # one set of rules, shared with the functional API; a TypeError would only be
            # warned about by albumentations (and the defaults used): make it a ValueError
            try:
                focc.OcclusionConfig(**{name: getattr(self, name) for name in _ARG_NAMES})
            except TypeError as error:
                raise ValueError(str(error)) from error
            return self

    def __init__(
        self,
        configurations: tuple[Configuration, ...] = ("single", "joined", "independent"),
        configuration_weights: tuple[float, ...] | None = (0.34, 0.33, 0.33),
        num_independent: IntRange = (2, 2),
        shapes: tuple[Shape, ...] = ("polygon",),
        shape_weights: tuple[float, ...] | None = None,
        size: FloatRange = (0.04, 0.094),
        num_vertices: IntRange | tuple[IntRange, ...] = ((2, 9), (2, 99)),
        irregularity: FloatRange = (0.0, 1.0),
        spikiness: FloatRange = (0.0, 1.0),
        stroke_width: FloatRange = (0.02, 0.10),
        stroke_points: IntRange = (2, 4),
        ellipse_aspect: FloatRange = (0.5, 1.0),
        bar_width: FloatRange = (0.02, 0.05),
        joined_separation: FloatRange = (2.2, 3.0),
        joined_tilt: FloatRange = (-15.0, 15.0),
        temperature_mode: Literal["relative", "absolute", "ambient"] = "relative",
        temperature: FloatRange | None = None,
        emissivity: FloatRange = (1.0, 1.0),
        reflected_temperature: float | None = None,
        texture: FloatRange = (0.0, 0.1),
        texture_kind: Literal["uniform", "smooth"] = "uniform",
        edge_softness: FloatRange = (0.0, 0.0),
        placement: Literal["anywhere", "mask", "eyes"] = "anywhere",
        placement_classes: tuple[int, ...] = (2, 3, 4, 5),
        label_policy: Literal["keep", "background", "ignore"] = "keep",
        ignore_index: int = 255,
        max_hidden: float = 0.5,
        p: float = 0.5,
    ):
        super().__init__(p=p)
        self.configurations = configurations
        self.configuration_weights = configuration_weights
        self.num_independent = num_independent
        self.shapes = shapes
        self.shape_weights = shape_weights
        self.size = size
        self.num_vertices = num_vertices
        self.irregularity = irregularity
        self.spikiness = spikiness
        self.stroke_width = stroke_width
        self.stroke_points = stroke_points
        self.ellipse_aspect = ellipse_aspect
        self.bar_width = bar_width
        self.joined_separation = joined_separation
        self.joined_tilt = joined_tilt
        self.temperature_mode = temperature_mode
        self.temperature = temperature
        self.emissivity = emissivity
        self.reflected_temperature = reflected_temperature
        self.texture = texture
        self.texture_kind = texture_kind
        self.edge_softness = edge_softness
        self.placement = placement
        self.placement_classes = placement_classes
        self.label_policy = label_policy
        self.ignore_index = ignore_index
        self.max_hidden = max_hidden

    def config(self) -> focc.OcclusionConfig:
        """The transform's current arguments as a validated :class:`OcclusionConfig`.

        Rebuilt (and re-validated) only when an argument attribute has changed since the
        last call.
        """
        values = tuple(getattr(self, name) for name in _ARG_NAMES)
        cached = self.__dict__.get("_config_cache")
        if cached is None or cached[0] != values:
            cached = (values, focc.OcclusionConfig(**dict(zip(_ARG_NAMES, values, strict=True))))
            self.__dict__["_config_cache"] = cached
        return cached[1]

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        image = first_image(data)
        plane = to_temperature_map(image[..., 0] if image.ndim == 3 else image)
        bad = nan_pixels(plane)
        scene = plane if bad is None else np.where(bad, np.float32(finite_fill_value(plane)), plane)
        mask = None
        reads_mask = self.placement != "anywhere" or self.temperature_mode == "ambient"
        if reads_mask and data.get("mask") is not None:
            labels = np.asarray(data["mask"])
            mask = check_mask(labels[..., 0] if labels.ndim == 3 else labels, plane.shape)
        occluders = focc._sample(rng, scene, mask, self.config())
        if self.label_policy == "keep" or not occluders:
            return {"occluders": occluders, "coverage": None}
        changed = np.abs(focc.apply_occlusion(plane, occluders) - plane) > _UNCHANGED
        return {"occluders": occluders, "coverage": focc.coverage_map(occluders, shape) & changed}

    def apply(self, img: np.ndarray, occluders: list[focc.Occluder], **params: Any) -> np.ndarray:
        return per_channel(lambda plane: focc.apply_occlusion(plane, occluders), img)

    def apply_to_mask(
        self, mask: np.ndarray, coverage: np.ndarray | None, **params: Any
    ) -> np.ndarray:
        if coverage is None:
            return mask
        return per_channel(
            lambda labels: focc.apply_label_policy(
                labels, coverage, self.label_policy, self.ignore_index, self.max_hidden
            ),
            mask,
        )

    def apply_to_keypoints(self, keypoints: np.ndarray, **params: Any) -> np.ndarray:
        return keypoints

    def apply_to_bboxes(self, bboxes: np.ndarray, **params: Any) -> np.ndarray:
        return bboxes
