"""``SensorNoise``: thermal camera noise calibrated in degC (albumentations-compatible)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import BaseTransformInitSchema, ImageOnlyTransform
    from pydantic import field_validator, model_validator

from tiaug._base import ThermalTransform
from tiaug._checks import check_range, per_channel
from tiaug._random import draw_range
from tiaug.cameras import Camera
from tiaug.noise import functional as fnoise

__all__ = ["SensorNoise"]

Level = float | tuple[float, float]


def _level_range(name: str, value: Level) -> tuple[float, float]:
    """A noise level (number or (low, high)) as a checked (low, high) range in degC."""
    return check_range(name, value, 0.0, scalar=True)


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

    Args:
        netd: temporal noise level in degC (see above): number, (low, high), or a camera
            (preset name or :class:`~tiaug.Camera`: its NETD).
        mode: ``"gaussian"`` or ``"uniform"``.
        fixed_pattern: std of the fixed-pattern offsets (degC), number or (low, high).
        row_noise: std of the per-row offsets (degC), number or (low, high).
        column_noise: std of the per-column offsets (degC), number or (low, high).
        quantization: ``None``, a count step in degC, ``(step, offset)``, or a camera.
        fixed_pattern_scale: correlation length of the fixed pattern in pixels (0: white).
        stripe_scale: correlation length between neighbouring rows/columns in pixels.
        p: probability of applying the transform.

    NaN pixels stay NaN. The channels of an HxWxC image are views of one scene: they get the
    same noise.

    Targets:
        image, images, volume, volumes (masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC; float32 out.
    """

    class InitSchema(BaseTransformInitSchema):
        netd: float | tuple[float, float] | str
        mode: Literal["gaussian", "uniform"]
        fixed_pattern: float | tuple[float, float]
        row_noise: float | tuple[float, float]
        column_noise: float | tuple[float, float]
        quantization: float | tuple[float, float] | str | None
        fixed_pattern_scale: float
        stripe_scale: float

        @field_validator("netd", mode="before")
        @classmethod
        def _camera_netd(cls, value: Any) -> Any:
            """A :class:`Camera` (a user's own, not a preset) becomes its NETD."""
            return value.netd if isinstance(value, Camera) else value

        @field_validator("quantization", mode="before")
        @classmethod
        def _camera_grid(cls, value: Any) -> Any:
            """A :class:`Camera` becomes its count grid ``(step, offset)``."""
            return fnoise.resolve_quantization(value) if isinstance(value, Camera) else value

        @model_validator(mode="after")
        def _validate(self) -> SensorNoise.InitSchema:
            if isinstance(self.netd, str):
                fnoise.resolve_netd(self.netd)  # unknown camera -> ValueError listing names
            else:
                _level_range("netd", self.netd)
            for name in ("fixed_pattern", "row_noise", "column_noise"):
                _level_range(name, getattr(self, name))
            for name in ("fixed_pattern_scale", "stripe_scale"):
                check_range(name, getattr(self, name), 0.0, scalar=True)
            fnoise.resolve_quantization(self.quantization)
            return self

    def __init__(
        self,
        netd: float | tuple[float, float] | str | Camera = (0.03, 0.1),
        mode: Literal["gaussian", "uniform"] = "gaussian",
        fixed_pattern: float | tuple[float, float] = 0.0,
        row_noise: float | tuple[float, float] = 0.0,
        column_noise: float | tuple[float, float] = 0.0,
        quantization: float | tuple[float, float] | str | Camera | None = None,
        fixed_pattern_scale: float = 0.0,
        stripe_scale: float = 0.0,
        p: float = 0.5,
    ):
        super().__init__(p=p)
        self.netd = netd
        self.mode = mode
        self.fixed_pattern = fixed_pattern
        self.row_noise = row_noise
        self.column_noise = column_noise
        self.quantization = quantization
        self.fixed_pattern_scale = fixed_pattern_scale
        self.stripe_scale = stripe_scale

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        return {
            "netd": draw_range(rng, fnoise.resolve_netd(self.netd)),
            "fixed_pattern": draw_range(rng, _level_range("fixed_pattern", self.fixed_pattern)),
            "row_noise": draw_range(rng, _level_range("row_noise", self.row_noise)),
            "column_noise": draw_range(rng, _level_range("column_noise", self.column_noise)),
            "seed": int(rng.integers(0, 2**63 - 1)),
        }

    def _noise_kwargs(self, netd: float, row_noise: float, column_noise: float) -> dict[str, Any]:
        return {
            "netd": netd,
            "mode": self.mode,
            "fixed_pattern_scale": self.fixed_pattern_scale,
            "row_noise": row_noise,
            "column_noise": column_noise,
            "stripe_scale": self.stripe_scale,
            "quantization": fnoise.resolve_quantization(self.quantization),
        }

    def apply(
        self,
        img: np.ndarray,
        netd: float,
        fixed_pattern: float,
        row_noise: float,
        column_noise: float,
        seed: int,
        **params: Any,
    ) -> np.ndarray:
        kwargs = self._noise_kwargs(netd, row_noise, column_noise)
        return per_channel(
            lambda plane: fnoise.add_sensor_noise(
                plane,
                fixed_pattern=fixed_pattern,
                **kwargs,
                rng=np.random.default_rng(seed),
            ),
            img,
        )

    def apply_to_images(self, images: np.ndarray, **params: Any) -> np.ndarray:
        # The frames of one sequence: fresh temporal noise and stripes, one fixed pattern.
        return self.apply_to_volumes(images[None], **params)[0]

    def apply_to_volumes(
        self,
        volumes: np.ndarray,
        netd: float,
        fixed_pattern: float,
        row_noise: float,
        column_noise: float,
        seed: int,
        **params: Any,
    ) -> np.ndarray:
        # Sequences of one call: one camera (one fixed pattern), each its own temporal noise.
        rng = np.random.default_rng(seed)
        frames = volumes.shape[0] * volumes.shape[1]
        pattern = self._pattern(volumes.shape[2:4], fixed_pattern, frames, rng)
        kwargs = self._noise_kwargs(netd, row_noise, column_noise)
        sequences = [self._sequence(volume, pattern, kwargs, rng) for volume in volumes]
        return np.stack(sequences) if sequences else volumes.astype(np.float32)

    def _pattern(
        self, frame: tuple[int, ...], level: float, count: int, rng: np.random.Generator
    ) -> np.ndarray | None:
        """The fixed pattern shared by the ``count`` frames of a call (None when off or
        without frames)."""
        if level <= 0 or count == 0:
            return None
        return fnoise.fixed_pattern_noise(
            (int(frame[0]), int(frame[1])), level, scale=self.fixed_pattern_scale, rng=rng
        )

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
