"""Ready TiAug pipelines: the paper's recipe, its baseline and physics-based extensions."""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    import albumentations as A

from tiaug._arguments import check_arguments
from tiaug._base import ALBUMENTATIONS_X, LINE_STREAMS
from tiaug._preset_names import PRESETS, TEMPERATURE_FREE_PRESETS
from tiaug.ambient.transforms import AmbientShift, BackgroundClutter
from tiaug.blur.transforms import ThermalBlur
from tiaug.cameras import Camera, get_camera
from tiaug.export.transforms import CameraExport
from tiaug.geometric.transforms import CenterCropPad, RandomRescale
from tiaug.noise.transforms import SensorNoise
from tiaug.occlusion.physical import OCCLUDERS
from tiaug.occlusion.transforms import ThermalOcclusion

__all__ = [
    "PRESETS",
    "TEMPERATURE_FREE_PRESETS",
    "UPRIGHT_ROLL",
    "Choice",
    "Parts",
    "TiAug",
    "build_preset",
    "preset_parts",
]

#: Head roll of people in front of a camera (degrees either way): heads stay upright.
UPRIGHT_ROLL = 30.0
#: the ``A.Compose`` arguments TiAug passes on (all but the transforms and the seed)
_COMPOSE_ARGUMENTS = tuple(
    name for name in inspect.signature(A.Compose).parameters if name not in ("transforms", "seed")
)


def _rotate(angles: tuple[float, float]) -> A.Rotate:
    """``A.Rotate`` on degC data, edges replicated, labels nearest, on either line.

    Images are rotated bicubically (the reference) on albumentations 2.0.8, bilinearly on
    AlbumentationsX, which clips bicubic float32 output to [0, 1] (and names the angle range
    ``angle_range`` instead of ``limit``).
    """
    common: dict[str, Any] = {
        "mask_interpolation": cv2.INTER_NEAREST,
        "border_mode": cv2.BORDER_REPLICATE,
        "p": 1.0,
    }
    if ALBUMENTATIONS_X:
        return A.Rotate(angle_range=angles, interpolation=cv2.INTER_LINEAR, **common)
    return A.Rotate(limit=angles, interpolation=cv2.INTER_CUBIC, **common)


#: A preset's parts by name, in the order they apply: transforms, or a :class:`Choice`.
Parts = dict[str, "A.BasicTransform | Choice"]


@dataclass(frozen=True)
class Choice:
    """A named group of parts of which one applies, with probability ``p`` (an ``A.OneOf`` of
    the parts, in order, by their own probabilities)."""

    parts: Mapping[str, A.BasicTransform]
    p: float

    def build(self) -> A.OneOf:
        """The group as an ``A.OneOf``."""
        return A.OneOf(list(self.parts.values()), p=self.p)


def _geometry_head() -> Parts:
    """Flips and a full-circle rotation (see :func:`_rotate`)."""
    return {
        "hflip": A.HorizontalFlip(p=0.5),
        "vflip": A.VerticalFlip(p=0.5),
        "rotate": _rotate((0.0, 360.0)),
    }


def _upright_head() -> Parts:
    """A mirror image and a head roll within :data:`UPRIGHT_ROLL`: faces as cameras see them."""
    return {"hflip": A.HorizontalFlip(p=0.5), "rotate": _rotate((-UPRIGHT_ROLL, UPRIGHT_ROLL))}


def _blur() -> Parts:
    """The optics: a Gaussian blur of sigma 1-1.2 px."""
    return {"blur": ThermalBlur(sigma=(1.0, 1.2), p=0.5)}


def _geometry_tail(size: tuple[int, int], ignore_index: int) -> Parts:
    """Rescale 0.5-2.0 with aspect 0.9-1.1, then centre crop/pad (labels padded as ignored)."""
    return {
        "rescale": RandomRescale(scale=(0.5, 2.0), aspect=(0.9, 1.1), p=1.0),
        "crop": CenterCropPad(size=size, fill="midrange", fill_mask=ignore_index),
    }


def _scene() -> Parts:
    """The scene's physics: ambient shift, background clutter and, one at a time, the
    occluders of the real world (:mod:`tiaug.occlusion.physical`: glasses on the eyes, hands,
    hair, drinks) and the reference's."""
    kinds = ("glasses", "hand", "hair", "drink")
    occluders = {name: ThermalOcclusion(**OCCLUDERS[name], p=1.0) for name in kinds}
    occluders["reference_occluder"] = ThermalOcclusion(p=1.0)
    return {
        "ambient": AmbientShift(p=0.5),
        "clutter": BackgroundClutter(p=0.5),
        "occluders": Choice(occluders, p=0.7),
    }


def _camera_noise(camera: str | Camera | None) -> SensorNoise:
    """Gaussian NETD noise with fixed-pattern and stripe noise (a camera's when given)."""
    if camera is None:
        return SensorNoise(
            netd=(0.02, 0.1),
            mode="gaussian",
            fixed_pattern=(0.0, 0.1),
            row_noise=(0.0, 0.05),
            column_noise=(0.0, 0.05),
            p=0.8,
        )
    preset = get_camera(camera)  # a preset is passed by name, a user's Camera as itself
    return SensorNoise(
        netd=camera,
        mode="gaussian",
        fixed_pattern=(0.0, 3.0 * preset.netd),
        row_noise=(0.0, preset.netd),
        column_noise=(0.0, preset.netd),
        quantization=camera if preset.radiometric else None,
        p=1.0,
    )


def _baseline(size: tuple[int, int], ignore_index: int, camera: str | Camera | None) -> Parts:
    return {**_geometry_head(), **_blur(), **_geometry_tail(size, ignore_index)}


def _upright(size: tuple[int, int], ignore_index: int, camera: str | Camera | None) -> Parts:
    return {**_upright_head(), **_blur(), **_geometry_tail(size, ignore_index)}


def _samcl(size: tuple[int, int], ignore_index: int, camera: str | Camera | None) -> Parts:
    return {
        **_geometry_head(),
        **_blur(),
        "noise": SensorNoise(netd=(0.0, 0.1), mode="uniform", p=0.5),
        "occlusion": ThermalOcclusion(p=0.5),
        **_geometry_tail(size, ignore_index),
    }


def _unconstrained(size: tuple[int, int], ignore_index: int, camera: str | Camera | None) -> Parts:
    return {
        **_geometry_head(),
        **_scene(),
        **_blur(),
        **_geometry_tail(size, ignore_index),
        "camera_noise": _camera_noise(camera),
    }


def _wild(size: tuple[int, int], ignore_index: int, camera: str | Camera | None) -> Parts:
    return {
        **_upright_head(),
        **_scene(),
        **_blur(),
        "camera_noise": _camera_noise(camera),
        "export": CameraExport(p=0.5),
        **_geometry_tail(size, ignore_index),
    }


#: The parts of each preset of :data:`PRESETS`, from (size, ignore_index, camera).
_BUILDERS: dict[str, Callable[[tuple[int, int], int, str | Camera | None], Parts]] = {
    "baseline": _baseline,
    "samcl": _samcl,
    "unconstrained": _unconstrained,
    "upright": _upright,
    "wild": _wild,
}


def preset_parts(
    preset: str = "samcl",
    size: tuple[int, int] = (256, 320),
    *,
    ignore_index: int = 255,
    camera: str | Camera | None = None,
) -> Parts:
    """The parts of a TiAug preset by name, in the order they apply.

    Presets (part names in brackets):
        ``"samcl"``: the reference recipe (docs/method.md section 1): flips (0.5 each), rotation
        0-360 (1.0), blur sigma 1-1.2 px (0.5), uniform noise of amplitude U(0, 0.1) degC
        (0.5), reference occlusion (0.5), rescale 0.5-2.0 with aspect 0.9-1.1 (1.0),
        centre crop/pad to ``size`` [hflip, vflip, rotate, blur, noise, occlusion, rescale,
        crop].
        ``"baseline"``: the same without noise and occlusion (the paper's control).
        ``"upright"``: the baseline's blur, rescale and crop with faces kept upright: a
        mirror image and a head roll of at most :data:`UPRIGHT_ROLL` degrees (no vertical
        flip or full turn) [hflip, rotate, blur, rescale, crop].
        ``"unconstrained"``: flips and rotation, then the scene physics (ambient shift,
        background clutter, real-world occluders), optics (blur), geometry, and last the
        sensor: Gaussian NETD noise, fixed-pattern and stripe noise (and quantisation to
        the count step when ``camera`` is given) [hflip, vflip, rotate, ambient, clutter,
        occluders, blur, rescale, crop, camera_noise]; ``occluders`` is a :class:`Choice`
        of glasses, hand, hair, drink and reference_occluder.
        ``"wild"``: for recordings in the wild, as a camera records them: a mirror image and
        a head roll of at most :data:`UPRIGHT_ROLL` degrees (people hold their heads
        upright; no vertical flip or full turn), the scene parts of ``"unconstrained"``,
        optics, the sensor's noise, then the camera's 8-bit export
        (:class:`~tiaug.CameraExport`: automatic gain, JPEG) before the rescale and crop
        [hflip, rotate, ambient, clutter, occluders, blur, camera_noise, export, rescale,
        crop].

    Args:
        preset: one of :data:`PRESETS`.
        size: output (rows, columns) in pixels.
        ignore_index: label of padded pixels.
        camera: camera (preset name or :class:`~tiaug.Camera`) for the sensor noise of
            ``"unconstrained"`` and ``"wild"``.

    Raises:
        ValueError: unknown preset or camera.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; known presets: {', '.join(PRESETS)}")
    if camera is not None:
        get_camera(camera)
    return _BUILDERS[preset](size, ignore_index, camera)


def build_preset(
    preset: str = "samcl",
    size: tuple[int, int] = (256, 320),
    *,
    ignore_index: int = 255,
    camera: str | Camera | None = None,
) -> list[A.BasicTransform | A.BaseCompose]:
    """The transforms of a TiAug preset, in order: :func:`preset_parts`, a :class:`Choice`
    as an ``A.OneOf``.

    Raises:
        ValueError: unknown preset or camera.
    """
    parts = preset_parts(preset, size, ignore_index=ignore_index, camera=camera)
    return [part.build() if isinstance(part, Choice) else part for part in parts.values()]


class TiAug(LINE_STREAMS, A.Compose):
    """A ready albumentations pipeline for thermal segmentation (an ``A.Compose``).

    Images are float32 degC maps (HxW or HxWx1), masks integer label maps; the output is
    ``size`` with padded labels set to ``ignore_index``.

    Unlike ``A.Compose``, which gives every child the same seed (so two sibling flips with
    p=0.5 always flip together), all transforms here draw from one shared stream seeded by
    ``seed``; :meth:`set_random_seed` keeps that property. In a PyTorch DataLoader every
    worker and every epoch draws its own stream, from ``seed`` and PyTorch's worker seed (a
    loader with a seeded ``generator`` repeats its run; :mod:`tiaug.workers`).

    Args:
        preset: one of :data:`PRESETS` (see :func:`build_preset`).
        size: output (rows, columns) in pixels.
        ignore_index: label of padded pixels.
        camera: camera preset for the sensor noise of "unconstrained" and "wild".
        seed: seed of the pipeline's random stream (``None``: fresh entropy).
        transforms: explicit transforms instead of a preset (used by ``A.from_dict``).
        **compose_kwargs: other ``A.Compose`` arguments.

    Example:
        >>> pipeline = TiAug("samcl", size=(256, 320), seed=0)
        >>> out = pipeline(image=temperature, mask=labels)
    """

    def __init__(
        self,
        preset: str = "samcl",
        size: tuple[int, int] = (256, 320),
        *,
        ignore_index: int = 255,
        camera: str | Camera | None = None,
        seed: int | None = None,
        transforms: list[Any] | None = None,
        **compose_kwargs: Any,
    ):
        own = ("preset", "size", "ignore_index", "camera", "seed", "transforms")
        check_arguments("TiAug", (*own, *_COMPOSE_ARGUMENTS), own[:2], (), compose_kwargs)
        if transforms is None:
            transforms = build_preset(preset, size, ignore_index=ignore_index, camera=camera)
        super().__init__(transforms, seed=seed, **compose_kwargs)

    if not ALBUMENTATIONS_X:  # AlbumentationsX already draws every child from one stream

        def set_random_seed(self, seed: int | None) -> None:
            """Reseed the pipeline: one stream shared by every transform, in order."""
            self.seed = seed
            self.set_random_state(np.random.default_rng(seed), random.Random(seed))
