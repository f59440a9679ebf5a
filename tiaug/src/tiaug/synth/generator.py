"""Procedural thermal faces: :func:`synth_face` and the indexable :class:`SyntheticFaces`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from tiaug._checks import check_range
from tiaug._random import draw_range
from tiaug.classes import landmarks_to_mask
from tiaug.synth.face import Pose, random_face
from tiaug.synth.thermal import random_physiology, render

__all__ = [
    "MODELLED_ROOM",
    "SYNTH_VERSION",
    "SeedLike",
    "SynthFace",
    "SyntheticFaces",
    "synth_face",
]

#: Version of the generator's output: bumped whenever a seed gives different samples.
SYNTH_VERSION = 4

SeedLike = int | np.random.Generator | np.random.SeedSequence | None


@dataclass(frozen=True, eq=False)
class SynthFace:
    """One synthetic thermal face.

    Attributes:
        image: ``float32`` HxW temperatures in degC.
        mask: ``uint8`` HxW labels: 0 background, 1 face, 2 mouth, 3 eyes, 4 eyebrows,
            5 nose (:data:`tiaug.classes.CLASS_NAMES`), built from ``landmarks`` with the
            Thermal Face Database recipe (:func:`tiaug.classes.landmarks_to_mask`).
        landmarks: ``(68, 2)`` float64 ``[row, col]`` points in the standard 68-point
            order; they carry a little annotation noise relative to the rendered anatomy.
        ambient: room (air) temperature of the scene, degC.
        netd: sensor noise sigma added to ``image``, degC.
    """

    image: np.ndarray
    mask: np.ndarray
    landmarks: np.ndarray
    ambient: float
    netd: float


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an int, a numpy Generator or SeedSequence, got {seed!r}")
    if seed is None or isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or SeedSequence, got {seed!r}")


def _check_size(size: Sequence[int]) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (height, width) in pixels, got {size!r}") from None
    if height < 8 or width < 8:
        raise ValueError(f"size must be at least 8x8 pixels (height, width), got {size!r}")
    return height, width


#: room temperatures (degC) over which the synthetic face's temperatures follow the room
#: (:func:`tiaug.synth.thermal.random_physiology`); beyond, they stay as at the nearer end
MODELLED_ROOM = (17.0, 29.0)


def _check_ambient(ambient: float | tuple[float, float]) -> tuple[float, float]:
    """The ambient range, checked; a warning when it leaves the modelled rooms."""
    low, high = check_range("ambient", ambient, -10.0, 45.0, scalar=True)
    if low < MODELLED_ROOM[0] or high > MODELLED_ROOM[1]:
        warnings.warn(
            f"ambient {low:g}..{high:g} degC leaves the rooms the synthetic face models "
            f"({MODELLED_ROOM[0]:g}-{MODELLED_ROOM[1]:g} degC): beyond them the face keeps "
            "the temperatures of the nearer end while the background follows the room",
            UserWarning,
            stacklevel=3,
        )
    return low, high


def synth_face(
    seed: SeedLike = None,
    size: tuple[int, int] = (256, 320),
    *,
    ambient: float | tuple[float, float] = (20.0, 26.0),
    netd: float | tuple[float, float] = (0.03, 0.07),
) -> SynthFace:
    """Generate one synthetic thermal face with its six-class mask.

    A random 68-point face (shape, proportions, a head turned aside by up to 34 degrees and
    tilted up or down by up to 11, roll, scale, position) is drawn; its label map is built
    from the landmark hulls exactly as for the Thermal Face Database; the temperature image
    is rendered from smooth physiological fields (see :mod:`tiaug.synth.thermal`), blurred
    and given Gaussian noise of sigma = NETD.

    Args:
        seed: int, ``numpy.random.Generator`` (used and advanced), ``SeedSequence`` or
            ``None`` (fresh entropy). The same int gives the same sample.
        size: ``(height, width)`` in pixels, each at least 8.
        ambient: room temperature in degC, or a ``(low, high)`` range drawn uniformly;
            within [-10, 45]. The region temperatures of docs/physics.md hold for 20-26 degC;
            the face follows the room between about 17 and 29 degC and stays as in such a
            room beyond (a UserWarning says so).
        netd: sensor noise sigma in degC, or a ``(low, high)`` range; within [0, 1].

    Returns:
        A :class:`SynthFace`.
    """
    height, width = _check_size(size)
    ambient_range = _check_ambient(ambient)
    netd_range = check_range("netd", netd, 0.0, 1.0, scalar=True)
    rng = _rng(seed)
    room = draw_range(rng, ambient_range)
    noise = draw_range(rng, netd_range)

    face = random_face(rng=rng)
    base = min(height, 0.8 * width)
    scale = rng.uniform(0.15, 0.24) * base
    pose = Pose(
        centre=(rng.uniform(0.36, 0.48) * height, (0.5 + rng.uniform(-0.12, 0.12)) * width),
        scale=float(scale),
        roll=float(np.clip(rng.normal(0.0, 0.09), -0.25, 0.25)),
        yaw=float(np.clip(rng.normal(0.0, 0.3), -0.6, 0.6)),  # looking aside, up to 34 deg
        pitch=float(np.clip(rng.normal(0.0, 0.08), -0.2, 0.2)),  # a camera above or below
    )
    anatomy = pose.project(face.u, face.v, face.z)
    # Annotators miss the anatomy by a little: per point and per group.
    annotated = anatomy + rng.normal(0.0, 0.012 * scale, anatomy.shape)
    for start, stop in ((0, 17), (17, 22), (22, 27), (27, 36), (36, 42), (42, 48), (48, 68)):
        annotated[start:stop] += rng.normal(0.0, 0.01 * scale, 2)
    mask = landmarks_to_mask(annotated, (height, width))
    physiology = random_physiology(room, rng=rng)
    image = render((height, width), face, pose, anatomy, physiology, noise, rng=rng)
    return SynthFace(image, mask, annotated, room, noise)


class SyntheticFaces(Sequence[SynthFace]):
    """A fixed-length, indexable collection of synthetic faces.

    Item ``i`` is ``synth_face(SeedSequence([seed, i]), size, ...)``: the same for a given
    ``(seed, i)`` whatever the length and the order of access, so it can back a PyTorch
    ``Dataset`` (``__getitem__`` + ``__len__``) in any number of workers.

    Args:
        length: number of samples.
        seed: non-negative int.
        size: ``(height, width)`` in pixels.
        ambient: as :func:`synth_face`.
        netd: as :func:`synth_face`.
    """

    def __init__(
        self,
        length: int,
        seed: int = 0,
        size: tuple[int, int] = (256, 320),
        *,
        ambient: float | tuple[float, float] = (20.0, 26.0),
        netd: float | tuple[float, float] = (0.03, 0.07),
    ) -> None:
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"length must be a non-negative int, got {length!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.length = int(length)
        self.seed = int(seed)
        self.size = _check_size(size)
        self.ambient = _check_ambient(ambient)
        self.netd = check_range("netd", netd, 0.0, 1.0, scalar=True)

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> SynthFace: ...

    @overload
    def __getitem__(self, index: slice) -> list[SynthFace]: ...

    def __getitem__(self, index: int | slice) -> SynthFace | list[SynthFace]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"indices must be integers or slices, not {type(index).__name__}")
        position = int(index) + self.length if index < 0 else int(index)
        if not 0 <= position < self.length:
            raise IndexError(f"index {index} out of range for {self.length} synthetic faces")
        return synth_face(
            np.random.SeedSequence([self.seed, position]),
            self.size,
            ambient=self.ambient,
            netd=self.netd,
        )

    def __repr__(self) -> str:
        return (
            f"SyntheticFaces(length={self.length}, seed={self.seed}, size={self.size}, "
            f"ambient={self.ambient}, netd={self.netd})"
        )
