"""``ThermalOcclusion``: synthetic occluding objects with thermal properties (albumentations).

Its parameters are :class:`~tiaug.occlusion.config.OcclusionConfig`'s: the constructor's
signature, the albumentations schema and the documented arguments derive from the
config's groups (fields, type hints, defaults, ``Attributes`` sections) through
:func:`tiaug.core.signature.declare_arguments`, never restated.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import DualTransform
    from albumentations.core.type_definitions import ALL_TARGETS

from tiaug._base import ThermalTransform, first_image
from tiaug._checks import check_mask, finite_fill_value, nan_pixels, per_channel, to_temperature_map
from tiaug.core.signature import declare_arguments
from tiaug.occlusion import functional as focc
from tiaug.occlusion.config import GROUPS, OPTION_NAMES, OcclusionConfig

__all__ = ["ThermalOcclusion"]

#: the transform's argument attributes, as one tuple (in OPTION_NAMES order)
_OPTION_VALUES = operator.attrgetter(*OPTION_NAMES)

#: A pixel whose temperature moved by less than this (degC) counts as unchanged: its label
#: is kept whatever the label policy.
_UNCHANGED = 1e-4
#: keypoints read as face landmarks by ``"eyes"`` placement without a mask (iBUG 68)
_LANDMARKS = 68


def _landmark_eyes(data: dict[str, Any], shape: tuple[int, int]) -> focc.EyePair | None:
    """The eyes of the call's 68 landmarks (keypoints in iBUG order), when there are 68."""
    keypoints = data.get("keypoints")
    if keypoints is None or len(keypoints) != _LANDMARKS:
        return None
    points = np.asarray(keypoints, dtype=np.float64)[:, :2]  # albumentations: (x, y)
    return focc.eyes_from_landmarks(points[:, ::-1], shape)


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
        {arguments}

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

    InitSchema, __init__, __doc__ = declare_arguments(
        tuple(GROUPS.values()), __doc__, p=0.5, check=OcclusionConfig, keyword_only=True
    )

    def config(self) -> OcclusionConfig:
        """The transform's current arguments as a validated :class:`OcclusionConfig`.

        Rebuilt (and re-validated) only when an argument attribute has changed since the
        last call.
        """
        values = _OPTION_VALUES(self)
        cached = self.__dict__.get("_config_cache")
        if cached is None or cached[0] != values:
            cached = (values, OcclusionConfig(**dict(zip(OPTION_NAMES, values, strict=True))))
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
        eyes = (
            _landmark_eyes(data, plane.shape) if self.placement == "eyes" and mask is None else None
        )
        occluders = focc.sample_occluders(scene, mask, self.config(), eyes=eyes, rng=rng)
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
