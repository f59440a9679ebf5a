"""Synthetic occluders with thermal properties (glasses, cups, hands, hair...)."""

from typing import TYPE_CHECKING

from tiaug._optional import lazy_transforms
from tiaug.occlusion.functional import (
    EyePair,
    Occluder,
    OcclusionConfig,
    apply_label_policy,
    apply_occlusion,
    coverage_map,
    eyes_from_landmarks,
    find_eyes,
    occlude,
    sample_occluders,
)
from tiaug.occlusion.physical import (
    OCCLUDERS,
    drink,
    glasses,
    hair,
    hand,
    occluder_config,
    scarf,
)

__all__ = [
    "OCCLUDERS",
    "EyePair",
    "Occluder",
    "OcclusionConfig",
    "ThermalOcclusion",
    "apply_label_policy",
    "apply_occlusion",
    "coverage_map",
    "drink",
    "eyes_from_landmarks",
    "find_eyes",
    "glasses",
    "hair",
    "hand",
    "occlude",
    "occluder_config",
    "sample_occluders",
    "scarf",
]

if TYPE_CHECKING:
    from tiaug.occlusion.transforms import ThermalOcclusion


__getattr__ = lazy_transforms(__name__, ("ThermalOcclusion",))
