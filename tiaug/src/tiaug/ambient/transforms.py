"""``AmbientShift`` and ``BackgroundClutter``: scene changes that break the lab histogram.

Lab images have a bimodal histogram: a warm face over a flat background near ambient.
``AmbientShift`` moves the background relative to the skin (another room temperature);
``BackgroundClutter`` adds warm/cold smooth objects and gradients behind the person.
Both change the image only; they read the label map (``mask``), when the pipeline is
given one, to know where the skin is, and return it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    from albumentations.core.transforms_interface import ImageOnlyTransform

from tiaug._base import ThermalTransform, frame
from tiaug._checks import as_range, check_fraction, check_range, nan_guard, per_channel
from tiaug._random import draw_range
from tiaug.ambient import functional as fambient
from tiaug.core.signature import declare_arguments

__all__ = ["AmbientShift", "BackgroundClutter"]


def _mask_from(data: dict[str, Any]) -> np.ndarray | None:
    """The call's label map (the first channel of an HxWxC mask), or None."""
    mask = data.get("mask")
    if mask is None:
        return None
    labels = np.asarray(mask)
    return labels[..., 0] if labels.ndim == 3 else labels


def _check_couplings(couplings: tuple[float, ...] | dict[int, float]) -> None:
    """At least one class, classes >= 0, couplings in [0, 1]."""
    values = list(couplings.values()) if isinstance(couplings, dict) else list(couplings)
    if not values:
        raise ValueError("couplings must name at least one class")
    if isinstance(couplings, dict) and min(couplings) < 0:
        raise ValueError(f"coupling classes must be >= 0, got {sorted(couplings)}")
    if not all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"couplings must lie in [0, 1], got {couplings}")


@dataclass(frozen=True)
class _ShiftArguments:
    """AmbientShift's arguments.

    Attributes:
        delta: change of the room temperature in degC: number or (low, high).
        couplings: coupling per class, a sequence indexed by class or ``{class: coupling}``,
            values in [0, 1].
        spread: relative change of the skin temperatures' spread per degC of cooling, >= 0,
            with ``spread * max|delta| < 1``.
        smoothing: blur in pixels of the class coupling map (and of the skin weight).
        unmasked: ``"thermal"`` or ``"threshold"``: the model used when no mask is given.
        core_temperature: body core temperature (degC) of the ``"thermal"`` model.
        ignore_index: ignored label (treated as background), or ``None``.
    """

    delta: float | tuple[float, float] = (-8.0, 8.0)
    couplings: tuple[float, ...] | dict[int, float] = fambient.DEFAULT_COUPLINGS
    spread: float = 0.0
    smoothing: float = 2.0
    unmasked: Literal["thermal", "threshold"] = "thermal"
    core_temperature: float = 37.0
    ignore_index: int | None = 255

    def __post_init__(self) -> None:
        low, high = check_range("delta", self.delta, scalar=True)
        _check_couplings(self.couplings)
        if not np.isfinite(self.spread) or self.spread < 0:
            raise ValueError(f"spread must be >= 0 (per degC), got {self.spread}")
        if self.spread * max(abs(low), abs(high)) >= 1.0:
            raise ValueError(
                f"spread * max|delta| must be < 1 (the skin contrast factor "
                f"1 - spread * delta must stay positive), got {self.spread} * "
                f"{max(abs(low), abs(high))}"
            )
        if not np.isfinite(self.smoothing) or self.smoothing < 0:
            raise ValueError(f"smoothing must be a number of pixels >= 0, got {self.smoothing}")
        if not np.isfinite(self.core_temperature):
            raise ValueError(f"core_temperature must be finite, got {self.core_temperature}")


class AmbientShift(ThermalTransform, ImageOnlyTransform):
    """Change the room temperature: background by ``delta``, skin by less, region by region.

    Per image ``delta ~ U(delta)`` degC and ``T_out = T + k(x) delta`` (+ an optional
    contrast term), where the coupling ``k`` is the fraction of the ambient change a pixel
    follows:

    - with a label map passed to the pipeline as ``mask``: one coupling per class
      (``couplings``, default background 1.0, face 0.25, mouth 0.15, eyes 0.1, eyebrows
      0.25, nose 0.6: approximate values to tune), blurred over ``smoothing`` pixels so that
      no label edge appears in the image. Labels not listed (extra skin classes) take the
      face coupling; ``ignore_index`` (padding) takes the background coupling.
    - without one, ``unmasked="thermal"`` (default): a heat balance between body core
      (``core_temperature``) and room: ``k = clip((T_core - T) / (T_core - T_amb), 0, 1)``
      per pixel, ``T_amb`` the mean of the Otsu-cold class. Cold extremities follow the
      room more than the warm canthi, the wall follows it fully.
      ``unmasked="threshold"``: Otsu split, face coupling on the warm side, background
      coupling on the cold side, blurred.

    A cooler room spreads the face's temperatures (the nose cools most), a warmer one
    narrows them. ``spread`` adds a contrast change of the skin around its mean, by the
    factor ``1 - spread * delta``.

    The label map is read, never changed (this is an image-only transform: the pipeline hands
    every target to the parameter sampler). NaN pixels stay NaN and never spread (they take
    the finite median while the couplings are computed).

    Args:
        {arguments}

    Targets:
        image, images, volume, volumes (reads ``mask`` when given, its first channel for an
        HxWxC mask; masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC (channels alike); float32 out.
    """

    InitSchema, __init__, __doc__ = declare_arguments(_ShiftArguments, __doc__, p=0.5)

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        return {"delta": draw_range(rng, as_range(self.delta)), "labels": _mask_from(data)}

    def apply(
        self, img: np.ndarray, delta: float, labels: np.ndarray | None = None, **params: Any
    ) -> np.ndarray:
        def shift(plane: np.ndarray) -> np.ndarray:
            return fambient.ambient_shift(
                plane,
                delta,
                labels,
                couplings=self.couplings,
                spread=self.spread,
                smoothing=self.smoothing,
                unmasked=self.unmasked,
                core_temperature=self.core_temperature,
                ignore_index=self.ignore_index,
            )

        return per_channel(lambda plane: nan_guard(shift, plane), img)


@dataclass(frozen=True)
class _ClutterArguments:
    """BackgroundClutter's arguments.

    Attributes:
        num_blobs: (low, high) number of blobs, integers >= 0.
        blob_temperature: (low, high) blob peak in degC (negative: colder than the scene).
        blob_size: (low, high) blob sigma along its major axis, fraction of the short side
            in (0, 1].
        blob_aspect: (low, high) minor/major axis ratio in (0, 1].
        gradient: (low, high) peak-to-peak degC of the linear background ramp, >= 0.
        smoothing: softness in pixels of the person/background boundary.
        ignore_index: ignored label (treated as background), or ``None``.
    """

    num_blobs: tuple[int, int] = (1, 3)
    blob_temperature: tuple[float, float] = (-8.0, 12.0)
    blob_size: tuple[float, float] = (0.05, 0.3)
    blob_aspect: tuple[float, float] = (0.3, 1.0)
    gradient: tuple[float, float] = (0.0, 3.0)
    smoothing: float = 1.0
    ignore_index: int | None = 255

    def __post_init__(self) -> None:
        check_range("num_blobs", self.num_blobs, 0, 64)
        check_range("blob_temperature", self.blob_temperature)
        check_range("blob_size", self.blob_size)
        check_fraction("blob_size", self.blob_size)
        low, _ = check_range("blob_aspect", self.blob_aspect, 0.0, 1.0)
        if low <= 0:
            raise ValueError(f"blob_aspect must be > 0, got {self.blob_aspect}")
        check_range("gradient", self.gradient, 0.0)
        if not np.isfinite(self.smoothing) or self.smoothing < 0:
            raise ValueError(f"smoothing must be a number of pixels >= 0, got {self.smoothing}")


class BackgroundClutter(ThermalTransform, ImageOnlyTransform):
    """Warm and cold smooth objects and a gradient in the background only.

    Breaks the flat near-ambient background of lab images: radiators, windows, lamps,
    other people out of focus, a wall warmed on one side. Per image: ``num_blobs`` elliptical
    Gaussian blobs (peak ``blob_temperature`` degC relative to the scene, size =
    ``blob_size`` x the short side, minor/major axis ratio ``blob_aspect``, random
    orientation, centres uniform over the frame) plus a linear ramp of ``gradient`` degC
    peak-to-peak in a random direction. The field is added where the background shows:
    the wall, the pixels at most 1 degC warmer than the room's temperature estimated from
    the frame and, when the pipeline is given a ``mask``, labelled 0 (or ``ignore_index``);
    skin, hair and clothing, warmer than the room, are spared like the face; the boundary is
    softened over ``smoothing`` pixels. The person stays in front of the clutter: pixels of
    the person away from the boundary are unchanged. The label map is read, never changed.
    NaN pixels stay NaN.

    Args:
        {arguments}

    Targets:
        image, images, volume, volumes (reads ``mask`` when given, its first channel for an
        HxWxC mask; masks, keypoints, bboxes pass unchanged)

    Image types:
        float32/float64 degC maps, HxW or HxWxC (channels alike); float32 out.
    """

    InitSchema, __init__, __doc__ = declare_arguments(_ClutterArguments, __doc__, p=0.5)

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        clutter = fambient.sample_clutter(
            frame(shape),
            num_blobs=self.num_blobs,
            blob_temperature=self.blob_temperature,
            blob_size=self.blob_size,
            blob_aspect=self.blob_aspect,
            gradient=self.gradient,
            rng=rng,
        )
        return {**clutter, "labels": _mask_from(data)}

    def apply(
        self,
        img: np.ndarray,
        blobs: list[tuple[float, ...]],
        gradient: tuple[float, float],
        labels: np.ndarray | None = None,
        **params: Any,
    ) -> np.ndarray:
        field = fambient.render_clutter(img.shape[:2], blobs, gradient)

        def clutter(plane: np.ndarray) -> np.ndarray:
            weight = fambient.background_weight(
                plane, labels, smoothing=self.smoothing, ignore_index=self.ignore_index
            )
            return fambient.apply_background_clutter(plane, field, weight)

        return per_channel(lambda plane: nan_guard(clutter, plane), img)
