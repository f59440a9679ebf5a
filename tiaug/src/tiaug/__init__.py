"""tiaug: thermal (LWIR) image augmentation, albumentations-compatible, numpy only.

Images are float32 temperature maps in degC (HxW or HxWx1), masks integer label maps.
Importing tiaug registers its transforms with albumentations, so ``A.from_dict`` and
``A.load`` restore saved pipelines that use them.
"""

import os

# tiaug is used on offline lab machines: skip albumentations' online update check unless the
# user asked for it (NO_ALBUMENTATIONS_UPDATE=0).
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

from tiaug import functional, io, synth
from tiaug.ambient import AmbientShift, BackgroundClutter
from tiaug.blur import ThermalBlur
from tiaug.cameras import CAMERAS, Camera, get_camera, list_cameras
from tiaug.classes import CLASS_NAMES
from tiaug.geometric import CenterCropPad, RandomRescale
from tiaug.io import read_mask, read_thermal
from tiaug.noise import SensorNoise
from tiaug.occlusion import ThermalOcclusion
from tiaug.presets import PRESETS, TiAug, build_preset
from tiaug.synth import SyntheticFaces, SynthFace, synth_face, write_dataset

__all__ = [
    "CAMERAS",
    "CLASS_NAMES",
    "PRESETS",
    "AmbientShift",
    "BackgroundClutter",
    "Camera",
    "CenterCropPad",
    "RandomRescale",
    "SensorNoise",
    "SynthFace",
    "SyntheticFaces",
    "ThermalBlur",
    "ThermalOcclusion",
    "TiAug",
    "build_preset",
    "functional",
    "get_camera",
    "io",
    "list_cameras",
    "read_mask",
    "read_thermal",
    "synth",
    "synth_face",
    "write_dataset",
]
__version__ = "0.1.0"
