"""tiaug: thermal (LWIR) image augmentation, albumentations-compatible, numpy only.

Images are float32 temperature maps in degC (HxW or HxWx1), masks integer label maps.

``import tiaug`` is light: it imports neither albumentations (which imports torch when torch
is installed) nor OpenCV. Each public name is loaded on first use (``tiaug.ThermalOcclusion``
imports albumentations then). A transform class registers itself with albumentations when its
module is imported, so before ``A.from_dict`` / ``A.load`` of a saved pipeline that uses tiaug
transforms, ``import tiaug.transforms`` (or touch any tiaug transform). When albumentations is
already imported, ``import tiaug`` registers them itself.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from tiaug._optional import import_transforms

__version__ = "0.3.0"

# tiaug is used on offline lab machines: skip albumentations' online update check unless the
# user asked for it (NO_ALBUMENTATIONS_UPDATE=0).
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

#: public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "AmbientShift": "tiaug.ambient.transforms",
    "BackgroundClutter": "tiaug.ambient.transforms",
    "CAMERAS": "tiaug.cameras",
    "CLASS_NAMES": "tiaug.classes",
    "Camera": "tiaug.cameras",
    "CameraExport": "tiaug.export.transforms",
    "CenterCropPad": "tiaug.geometric.transforms",
    "PRESETS": "tiaug.presets",
    "RandomRescale": "tiaug.geometric.transforms",
    "SensorNoise": "tiaug.noise.transforms",
    "SynthFace": "tiaug.synth.generator",
    "SyntheticFaces": "tiaug.synth.generator",
    "ThermalBlur": "tiaug.blur.transforms",
    "ThermalOcclusion": "tiaug.occlusion.transforms",
    "TiAug": "tiaug.presets",
    "build_preset": "tiaug.presets",
    "get_camera": "tiaug.cameras",
    "list_cameras": "tiaug.cameras",
    "read_mask": "tiaug.io",
    "read_thermal": "tiaug.io",
    "synth_face": "tiaug.synth.generator",
    "worker_init_fn": "tiaug.workers",
    "write_dataset": "tiaug.synth.dataset",
}
_SUBMODULES = ("functional", "io", "synth", "transforms")

__all__ = [
    "CAMERAS",
    "CLASS_NAMES",
    "PRESETS",
    "AmbientShift",
    "BackgroundClutter",
    "Camera",
    "CameraExport",
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
    "transforms",
    "worker_init_fn",
    "write_dataset",
]

if TYPE_CHECKING:
    from tiaug import functional, io, synth, transforms
    from tiaug.ambient.transforms import AmbientShift, BackgroundClutter
    from tiaug.blur.transforms import ThermalBlur
    from tiaug.cameras import CAMERAS, Camera, get_camera, list_cameras
    from tiaug.classes import CLASS_NAMES
    from tiaug.export.transforms import CameraExport
    from tiaug.geometric.transforms import CenterCropPad, RandomRescale
    from tiaug.io import read_mask, read_thermal
    from tiaug.noise.transforms import SensorNoise
    from tiaug.occlusion.transforms import ThermalOcclusion
    from tiaug.presets import PRESETS, TiAug, build_preset
    from tiaug.synth.dataset import write_dataset
    from tiaug.synth.generator import SyntheticFaces, SynthFace, synth_face
    from tiaug.workers import worker_init_fn


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    if name in _SUBMODULES:
        return import_transforms(f"tiaug.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tiaug' has no attribute {name!r}")
    value = getattr(import_transforms(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if sys.modules.get("albumentations") is not None:
    # albumentations (and torch, when installed) is loaded already: registering the transforms
    # now costs little and lets A.from_dict find them without an extra import.
    importlib.import_module("tiaug.transforms")
