"""Face geometry of the synthetic generator: a random 68-point landmark set and a head pose.

Coordinates are first built in a *face frame* measured in face half-widths: ``u`` to the
image right, ``v`` down, origin at the middle of the eye line; each point also has a depth
``z`` (towards the camera) on a head modelled as an elliptic cylinder whose axis lies
``AXIS_DEPTH`` behind the eye plane. :class:`Pose` turns face-frame points into image
``[row, col]`` pixels: a yaw and a pitch about that axis (so the features slide towards one
side while the head's outline stays), then roll, scale and translation.

The 68 points follow the standard iBUG / 300-W order (see :mod:`tiaug.classes`): jaw 0-16,
eyebrows 17-21 (image left) and 22-26, nose bridge 27-30, nose bottom 31-35, eyes 36-41
(image left) and 42-47, outer mouth 48-59, inner mouth 60-67. The proportions are written
here from general facial anthropometry (adult norms as in Farkas, "Anthropometry of the Head
and Face", 1994), not taken from a landmark template: in units of the distance between the
eye centres (about 6.3 cm), an eye fissure about 0.4 wide, the subnasale about 0.8 and the
mouth about 1.15 below the eye line, the chin about 1.9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["AXIS_DEPTH", "FaceShape", "Pose", "random_face", "surface_depth"]

#: Depth of the head's vertical rotation axis behind the eye plane, in face half-widths.
AXIS_DEPTH = 0.7
#: Depth of the face's front (nose bridge plane) in front of that axis.
_FRONT_DEPTH = 1.15


def surface_depth(u: ArrayLike) -> np.ndarray:
    """Depth of the head surface at lateral position ``u`` (face half-widths)."""
    x = np.asarray(u, dtype=np.float64)
    return _FRONT_DEPTH * np.sqrt(np.clip(1.0 - x * x, 0.0, None)) - AXIS_DEPTH


@dataclass(frozen=True)
class Pose:
    """Similarity transform plus yaw/pitch about the head axis, face frame -> image pixels.

    Attributes:
        centre: ``(row, col)`` of the face frame's origin (middle of the eye line) in pixels.
        scale: pixels per face half-width.
        roll: in-plane rotation, radians (positive turns the face clockwise on screen).
        yaw: rotation about the vertical head axis, radians.
        pitch: rotation about the horizontal axis, radians.
    """

    centre: tuple[float, float]
    scale: float
    roll: float
    yaw: float
    pitch: float

    def rotate(self, u: ArrayLike, v: ArrayLike, z: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Yaw and pitch only: face-frame (u, v, z) -> projected face-frame (u, v)."""
        zz = np.asarray(z, dtype=np.float64) + AXIS_DEPTH
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        cy, sy = np.cos(self.yaw), np.sin(self.yaw)
        u1 = u * cy + zz * sy
        z1 = -u * sy + zz * cy
        cp, sp = np.cos(self.pitch), np.sin(self.pitch)
        v1 = v * cp - z1 * sp + _FRONT_DEPTH * sp  # the face front keeps v at pitch 0
        return u1, v1

    def to_image(self, u: ArrayLike, v: ArrayLike) -> np.ndarray:
        """Projected face-frame (u, v) -> ``(n, 2)`` image ``[row, col]`` (roll, scale, shift)."""
        cr, sr = np.cos(self.roll), np.sin(self.roll)
        u = np.atleast_1d(np.asarray(u, dtype=np.float64))
        v = np.atleast_1d(np.asarray(v, dtype=np.float64))
        col = self.centre[1] + self.scale * (u * cr - v * sr)
        row = self.centre[0] + self.scale * (u * sr + v * cr)
        return np.stack([row, col], axis=-1)

    def project(self, u: ArrayLike, v: ArrayLike, z: ArrayLike) -> np.ndarray:
        """Face-frame (u, v, z) -> ``(n, 2)`` image ``[row, col]``."""
        return self.to_image(*self.rotate(u, v, z))

    def to_face(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Image (rows, cols) -> projected face-frame (u, v): inverse of :meth:`to_image`."""
        cr, sr = np.cos(self.roll), np.sin(self.roll)
        dr = (rows - self.centre[0]) / self.scale
        dc = (cols - self.centre[1]) / self.scale
        return dc * cr + dr * sr, -dc * sr + dr * cr


@dataclass(frozen=True)
class FaceShape:
    """A random face: 68 face-frame points, their depths and a few anatomical parameters."""

    u: np.ndarray  # (68,) lateral, face half-widths
    v: np.ndarray  # (68,) vertical, face half-widths, down
    z: np.ndarray  # (68,) depth towards the camera
    jaw_top: float  # v of the jaw line's top points (about eye level)
    chin: float  # v of the chin
    nose_width: float  # half-width of the nose wings
    mouth_open: float  # gap between the lips (0 = closed)


def _arc(
    u0: float, u1: float, v0: float, v1: float, height: float, n: int, peak: float
) -> tuple[np.ndarray, np.ndarray]:
    """n points from (u0, v0) to (u1, v1) bulging up by ``height`` around fraction ``peak``."""
    t = np.linspace(0.0, 1.0, n)
    warped = np.where(t < peak, 0.5 * t / peak, 0.5 + 0.5 * (t - peak) / (1.0 - peak))
    return u0 + (u1 - u0) * t, v0 + (v1 - v0) * t - height * np.sin(np.pi * warped)


def _eyes(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, z_extra: np.ndarray) -> None:
    """Fill the eyes 36..47: centres at +-sep on the eye line (v = 0), canthal tilt raises
    the outer corners."""
    sep = rng.uniform(0.40, 0.50)
    width = rng.uniform(0.32, 0.42)
    upper = rng.uniform(0.045, 0.075) * (rng.uniform(0.4, 1.0) if rng.random() < 0.15 else 1.0)
    lower = upper * rng.uniform(0.6, 0.9)
    tilt = rng.uniform(-0.04, 0.12)
    # image-left eye 36..41: outer corner, upper outer, upper inner, inner corner, lower inner,
    # lower outer; image-right eye 42..47 mirrors it: inner corner first.
    fractions = np.array([0.0, 1 / 3, 2 / 3, 1.0, 2 / 3, 1 / 3])
    lids = np.array([0.0, -upper, -upper * 0.95, 0.0, lower * 0.95, lower])
    for side, start in ((-1.0, 36), (1.0, 42)):
        jitter = rng.normal(0.0, 0.008, 6)
        along = fractions * width  # from the outer corner inwards
        lateral = side * (sep + width / 2 - along)
        corner_lift = -tilt * width * (1.0 - fractions)  # outer corner higher
        if side < 0:
            idx = np.arange(start, start + 6)
            u[idx] = lateral
            v[idx] = lids + corner_lift + jitter
        else:  # 42 inner corner, 43 upper inner, 44 upper outer, 45 outer, 46 lower outer, 47
            order = np.array([3, 2, 1, 0, 5, 4])
            u[start : start + 6] = lateral[order]
            v[start : start + 6] = (lids + corner_lift + jitter)[order]
    z_extra[36:48] = -0.04


def _eyebrows(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, z_extra: np.ndarray) -> None:
    """Fill the eyebrows: 17 (outer) .. 21 (inner) on the image left; 22 (inner) .. 26
    (outer) mirrored."""
    inner = rng.uniform(0.10, 0.19)
    length = rng.uniform(0.55, 0.72)
    brow_inner_v = rng.uniform(-0.34, -0.20)
    brow_outer_v = brow_inner_v + rng.uniform(-0.03, 0.09)
    arch = rng.uniform(0.04, 0.11)
    peak = rng.uniform(0.3, 0.5)
    for side in (-1.0, 1.0):
        bu, bv = _arc(
            side * (inner + length),
            side * inner,
            brow_outer_v + rng.normal(0, 0.015),
            brow_inner_v + rng.normal(0, 0.015),
            arch * rng.uniform(0.85, 1.15),
            5,
            peak,
        )
        if side < 0:
            u[17:22], v[17:22] = bu, bv
        else:
            u[22:27], v[22:27] = bu[::-1], bv[::-1]
    z_extra[17:27] = 0.04


def _nose(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, z_extra: np.ndarray) -> float:
    """Fill the nose: bridge 27..30 from between the eyes to the tip, bottom 31..35 left to
    right. Returns the nose's half-width (face units)."""
    top = rng.uniform(-0.10, 0.0)
    tip = rng.uniform(0.44, 0.62)
    u[27:31] = rng.normal(0, 0.01, 4)
    v[27:31] = np.linspace(top, tip, 4)
    nose_width = rng.uniform(0.17, 0.26)
    drop = rng.uniform(0.09, 0.16)
    wing = drop * rng.uniform(0.35, 0.7)
    u[31:36] = nose_width * np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) + rng.normal(0, 0.01, 5)
    v[31:36] = tip + np.array([wing, 0.5 * (wing + drop), drop, 0.5 * (wing + drop), wing])
    z_extra[27:31] = [0.10, 0.20, 0.30, 0.40]
    z_extra[31:36] = [0.12, 0.20, 0.24, 0.20, 0.12]
    return nose_width


def _mouth(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, z_extra: np.ndarray) -> float:
    """Fill the mouth: outer 48 (left corner) .. 54 (right corner) over the upper lip, back
    under it; inner 60..67. Returns the lips' opening (face units, 0 when closed)."""
    half = rng.uniform(0.30, 0.45)
    centre = v[33] + rng.uniform(0.32, 0.44)
    upper_lip = rng.uniform(0.06, 0.11)
    lower_lip = rng.uniform(0.08, 0.15)
    corners = rng.uniform(-0.07, 0.03)  # negative: corners raised (smile)
    bow = rng.uniform(0.0, 0.025)
    gap = 0.0 if rng.random() < 0.75 else rng.uniform(0.03, 0.22)
    upper_u = half * np.array([-1.0, -0.65, -0.3, 0.0, 0.3, 0.65, 1.0])
    shape_up = (1.0 - (upper_u / half) ** 2).clip(0) ** 0.6
    upper_v = centre + corners * (upper_u / half) ** 2 - upper_lip * shape_up
    upper_v[[2, 4]] -= bow
    lower_u = half * np.array([0.6, 0.3, 0.0, -0.3, -0.6])
    shape_lo = (1.0 - (lower_u / half) ** 2).clip(0) ** 0.8
    lower_v = centre + gap + corners * (lower_u / half) ** 2 + lower_lip * shape_lo
    u[48:55], v[48:55] = upper_u, upper_v
    u[55:60], v[55:60] = lower_u, lower_v
    inner_half = half * rng.uniform(0.75, 0.88)
    inner_u = inner_half * np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 0.5, 0.0, -0.5])
    profile = (1.0 - (inner_u / inner_half) ** 2).clip(0) ** 0.7
    sag = centre + corners * (inner_u / inner_half) ** 2
    u[60:68] = inner_u
    v[60:65] = sag[0:5] - 0.01 * profile[0:5]
    v[65:68] = sag[5:8] + gap * profile[5:8]
    z_extra[48:68] = 0.08
    return gap


def _jaw(
    rng: np.random.Generator, u: np.ndarray, v: np.ndarray, z_extra: np.ndarray
) -> tuple[float, float]:
    """Fill the jaw 0..16: a superellipse from the image-left side at about eye level round
    the chin. Returns the jaw's top and the chin's v (face units)."""
    jaw_top = rng.uniform(-0.02, 0.13)
    chin = max(v[57] + rng.uniform(0.35, 0.55), jaw_top + 1.3)
    halfwidth = 1.0
    power = rng.uniform(0.72, 1.0)
    theta = np.linspace(0.0, np.pi, 17)
    cos, sin = np.cos(theta), np.sin(theta)
    u[0:17] = -halfwidth * np.sign(cos) * np.abs(cos) ** power
    v[0:17] = jaw_top + (chin - jaw_top) * np.abs(sin) ** power
    u[0:17] *= 1.0 + rng.normal(0, 0.012, 17)
    v[0:17] += rng.normal(0, 0.012, 17)
    z_extra[0:17] = 0.0
    return jaw_top, chin


def random_face(*, rng: np.random.Generator) -> FaceShape:
    """Draw a face shape: jaw, brows, eyes, nose and mouth proportions with variation.

    The parts are drawn in landmark order of dependence (the mouth hangs below the nose, the
    chin below the mouth); coordinates are face-frame units (u across, v down, z depth).
    """
    u, v, z_extra = np.zeros(68), np.zeros(68), np.zeros(68)
    _eyes(rng, u, v, z_extra)
    _eyebrows(rng, u, v, z_extra)
    nose_width = _nose(rng, u, v, z_extra)
    gap = _mouth(rng, u, v, z_extra)
    jaw_top, chin = _jaw(rng, u, v, z_extra)
    u += rng.normal(0.0, 0.006, 68)  # small asymmetry everywhere
    v += rng.normal(0.0, 0.006, 68)
    z = surface_depth(np.clip(u, -1.0, 1.0)) + z_extra
    return FaceShape(u, v, z, float(jaw_top), float(chin), float(nose_width), float(gap))
