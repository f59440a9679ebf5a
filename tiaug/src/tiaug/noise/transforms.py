"""``SensorNoise``: thermal camera noise calibrated in degC (albumentations-compatible)."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import ImageOnlyTransform

from tiaug._base import ThermalTransform
from tiaug._checks import check_range, per_channel
from tiaug._random import draw_range
from tiaug.cameras import Camera
from tiaug.core.signature import converted, declare_arguments
from tiaug.noise import functional as fnoise
from tiaug.noise.terms import NOISE_TERMS, fixed_pattern, term_options

__all__ = ["SensorNoise"]

Level = float | tuple[float, float]
_NETD = float | tuple[float, float] | str
_GRID = float | tuple[float, float] | str | None


def _level_range(name: str, value: Level) -> tuple[float, float]:
    """A noise level (number or (low, high)) as a checked (low, high) range in degC."""
    return check_range(name, value, 0.0, scalar=True)


def _camera_netd(value: Any) -> Any:
    """A :class:`Camera` (a user's own, not a preset) becomes its NETD."""
    return value.netd if isinstance(value, Camera) else value


def _camera_grid(value: Any) -> Any:
    """A :class:`Camera` becomes its count grid ``(step, offset)``."""
    return fnoise.resolve_quantization(value) if isinstance(value, Camera) else value


def _check(self: Any) -> None:
    """The rules of SensorNoise's arguments (its dataclass's ``__post_init__``)."""
    if isinstance(self.netd, str):
        fnoise.resolve_netd(self.netd)  # unknown camera -> ValueError listing names
    else:
        _level_range("netd", self.netd)
    for name in NOISE_TERMS:
        _level_range(name, getattr(self, name))
    for name in term_options():
        check_range(name, getattr(self, name), 0.0, scalar=True)
    fnoise.resolve_quantization(self.quantization)


def _arguments_doc() -> str:
    """The docstring of SensorNoise's arguments: the temporal noise, each term's level, the
    quantisation, the terms' options."""
    levels = [f"{name}: {term.doc}, number or (low, high)." for name, term in NOISE_TERMS.items()]
    options = [f"{name}: {doc}" for name, doc in term_options().items()]
    entries = [
        "netd: temporal noise level in degC (see above): number, (low, high), or a camera\n"
        "        (preset name or :class:`~tiaug.Camera`: its NETD).",
        'mode: ``"gaussian"`` or ``"uniform"``.',
        *levels,
        "quantization: ``None``, a count step in degC, ``(step, offset)``, or a camera.",
        *options,
    ]
    return "SensorNoise's arguments.\n\nAttributes:\n" + "".join(f"    {e}\n" for e in entries)


#: SensorNoise's arguments: netd, mode, one level per term of NOISE_TERMS, quantization, the
#: terms' options (a registered term brings its own)
_Arguments = dataclasses.make_dataclass(
    "_Arguments",
    [
        (
            "netd",
            float | tuple[float, float] | str | Camera,
            dataclasses.field(default=(0.03, 0.1), metadata=converted(_camera_netd, _NETD)),
        ),
        ("mode", Literal["gaussian", "uniform"], dataclasses.field(default="gaussian")),
        *((name, Level, dataclasses.field(default=0.0)) for name in NOISE_TERMS),
        (
            "quantization",
            float | tuple[float, float] | str | Camera | None,
            dataclasses.field(default=None, metadata=converted(_camera_grid, _GRID)),
        ),
        *((name, float, dataclasses.field(default=0.0)) for name in term_options()),
    ],
    namespace={"__post_init__": _check, "__doc__": _arguments_doc()},
    frozen=True,
)


class SensorNoise(ThermalTransform, ImageOnlyTransform):
    """Thermal camera noise in degC: temporal (NETD), fixed-pattern, stripes, quantisation.

    Per image: ``T_out = Q(T + n_temporal + n_fixed + r[row] + c[column])``.

    - Temporal noise. ``mode="gaussian"``: per-pixel Gaussian with std = NETD, NETD drawn
      per image from ``netd`` (a number, a (low, high) range, or a camera preset name:
      that camera's NETD). ``mode="uniform"``: the reference recipe: per image an amplitude
      ``a ~ U(netd)``, per pixel ``a * (u - 0.5)`` with ``u ~ U[0, 1)`` (std
      ``a / sqrt(12)``; the reference uses ``netd=(0.0, 0.1)``, about 3.5x weaker than
      Gaussian noise with sigma = NETD).
    - Fixed-pattern noise: per-pixel offsets of std ``fixed_pattern`` degC (drawn per
      image from the range); independent per pixel by default, spatially correlated over
      ``fixed_pattern_scale`` pixels if > 0. A fresh pattern is drawn for every image; the
      frames of one ``images``/``volume`` input share one pattern (it is fixed per camera).
    - Stripes: per-row offsets of std ``row_noise`` and per-column offsets of std
      ``column_noise`` (degC, drawn per image from the ranges), neighbouring rows/columns
      correlated over ``stripe_scale`` pixels if > 0.
    - Quantisation, last: rounding to the camera's count grid ``offset + step * k``;
      ``quantization`` is a step in degC (offset 0), a ``(step, offset)`` pair, or a camera
      (preset name or :class:`~tiaug.Camera`: its count step and offset), ``None`` for none.

    A term registered in :data:`~tiaug.noise.terms.NOISE_TERMS` adds its level (std in degC,
    number or (low, high), drawn per image; 0 = off) and its options to the arguments.

    Args:
        {arguments}

    NaN pixels stay NaN. The channels of an HxWxC image are views of one scene: they get the
    same noise.

    Targets:
        image, images, volume, volumes (masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC; float32 out.
    """

    InitSchema, __init__, __doc__ = declare_arguments(_Arguments, __doc__, p=0.5)

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        netd = draw_range(rng, fnoise.resolve_netd(self.netd))
        levels = {
            name: draw_range(rng, _level_range(name, getattr(self, name))) for name in NOISE_TERMS
        }
        return {"netd": netd, **levels, "seed": int(rng.integers(0, 2**63 - 1))}

    def _noise_kwargs(self, netd: float, levels: dict[str, float]) -> dict[str, Any]:
        """Keyword arguments of :func:`~tiaug.noise.functional.add_sensor_noise` (but ``rng``)."""
        return {
            "netd": netd,
            "mode": self.mode,
            "quantization": fnoise.resolve_quantization(self.quantization),
            **levels,
            **self._options(),
        }

    def _options(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in term_options()}

    def apply(self, img: np.ndarray, netd: float, seed: int, **params: Any) -> np.ndarray:
        kwargs = self._noise_kwargs(netd, {name: params[name] for name in NOISE_TERMS})
        return per_channel(
            lambda plane: fnoise.add_sensor_noise(plane, **kwargs, rng=np.random.default_rng(seed)),
            img,
        )

    def apply_to_images(self, images: np.ndarray, **params: Any) -> np.ndarray:
        # The frames of one sequence: fresh temporal noise and stripes, one fixed pattern.
        return self.apply_to_volumes(images[None], **params)[0]

    def apply_to_volumes(
        self, volumes: np.ndarray, netd: float, seed: int, **params: Any
    ) -> np.ndarray:
        # Sequences of one call: one camera (one fixed pattern), each its own temporal noise.
        rng = np.random.default_rng(seed)
        levels = {name: params[name] for name in NOISE_TERMS}
        pattern = None
        if volumes.shape[0] * volumes.shape[1]:  # frames to share it
            pattern = fixed_pattern(volumes.shape[2:4], levels, self._options(), rng=rng)
        moving = {name: level for name, level in levels.items() if not NOISE_TERMS[name].fixed}
        kwargs = self._noise_kwargs(netd, moving)
        sequences = [self._sequence(volume, pattern, kwargs, rng) for volume in volumes]
        return np.stack(sequences) if sequences else volumes.astype(np.float32)

    @staticmethod
    def _sequence(
        images: np.ndarray,
        pattern: np.ndarray | None,
        kwargs: dict[str, Any],
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Noisy frames of ``images`` (N, H, W[, C]), each from a seed drawn from ``rng``."""

        def noisy(frame: np.ndarray) -> np.ndarray:
            frame_seed = int(rng.integers(0, 2**63 - 1))  # channels of a frame: same noise
            return per_channel(
                lambda plane: fnoise.add_sensor_noise(
                    plane, pattern=pattern, **kwargs, rng=np.random.default_rng(frame_seed)
                ),
                frame,
            )

        frames = [noisy(frame) for frame in images]
        return np.stack(frames) if frames else images.astype(np.float32)
