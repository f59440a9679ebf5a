"""Synthetic occluders with thermal properties (glasses, cups, hands, hair...)."""

from tiaug.occlusion.functional import (
    Occluder,
    OcclusionConfig,
    apply_label_policy,
    apply_occlusion,
    coverage_map,
    occlude,
    sample_occluders,
)
from tiaug.occlusion.transforms import ThermalOcclusion

__all__ = [
    "Occluder",
    "OcclusionConfig",
    "ThermalOcclusion",
    "apply_label_policy",
    "apply_occlusion",
    "coverage_map",
    "occlude",
    "sample_occluders",
]
