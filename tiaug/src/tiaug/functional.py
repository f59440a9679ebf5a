"""The numpy functional core: each transform's operation, with an explicit generator.

Every function here is pure numpy (plus OpenCV for resampling and blur), imports no
albumentations, never mutates its inputs, and takes a ``numpy.random.Generator`` where it
draws anything. The transform classes are thin wrappers over these; the family modules
(``tiaug.occlusion.functional``, ``tiaug.noise.functional``, ...) hold the building blocks;
the named physical occluders (``glasses``, ``hand``, ``hair``, ``drink``, ``scarf``) come
from :mod:`tiaug.occlusion.physical`.
"""

from tiaug.ambient.functional import (
    ambient_shift,
    apply_background_clutter,
    random_ambient_shift,
    random_background_clutter,
)
from tiaug.blur.functional import gaussian_blur, random_gaussian_blur
from tiaug.export.functional import camera_export
from tiaug.geometric.functional import center_crop_pad, rescaled_shape, resize
from tiaug.noise.functional import add_sensor_noise, quantize
from tiaug.occlusion.functional import (
    apply_label_policy,
    apply_occlusion,
    coverage_map,
    find_eyes,
    occlude,
    sample_occluders,
)
from tiaug.occlusion.physical import drink, glasses, hair, hand, scarf

__all__ = [
    "add_sensor_noise",
    "ambient_shift",
    "apply_background_clutter",
    "apply_label_policy",
    "apply_occlusion",
    "camera_export",
    "center_crop_pad",
    "coverage_map",
    "drink",
    "find_eyes",
    "gaussian_blur",
    "glasses",
    "hair",
    "hand",
    "occlude",
    "quantize",
    "random_ambient_shift",
    "random_background_clutter",
    "random_gaussian_blur",
    "rescaled_shape",
    "resize",
    "sample_occluders",
    "scarf",
]
