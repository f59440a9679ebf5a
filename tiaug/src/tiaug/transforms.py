"""Every tiaug transform class and the ``TiAug`` pipeline, in one import.

Importing this module imports albumentations and registers the classes with it, so that
``A.from_dict`` / ``A.load`` restore saved pipelines that use them. The registry key of a
class is its defining module and name (e.g. ``tiaug.occlusion.transforms.ThermalOcclusion``),
which stays stable whatever module re-exports it.
"""

from tiaug.ambient.transforms import AmbientShift, BackgroundClutter
from tiaug.blur.transforms import ThermalBlur
from tiaug.export.transforms import CameraExport
from tiaug.geometric.transforms import CenterCropPad, RandomRescale
from tiaug.noise.transforms import SensorNoise
from tiaug.occlusion.transforms import ThermalOcclusion
from tiaug.presets import TiAug

__all__ = [
    "AmbientShift",
    "BackgroundClutter",
    "CameraExport",
    "CenterCropPad",
    "RandomRescale",
    "SensorNoise",
    "ThermalBlur",
    "ThermalOcclusion",
    "TiAug",
]
