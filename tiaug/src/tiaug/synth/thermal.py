"""Temperature rendering of a synthetic face: smooth physiological fields, hair, noise.

The scene is painted back to front on a degC canvas: wall (about ambient, gradient, faint
warm halo of the person), clothing, neck, ears, head skin (forehead warmer than cheeks,
chin, temples, cooler silhouette edges), facial features (warm periorbital regions and inner
canthi, eyes, nose tip and wings, lips, eyebrow hair up to 2 degC below the skin over the
labelled brow hull), hair (ambient +
3..8 degC, strands, an optional fringe over forehead and eyebrows, optional long hair over
the ears; at least 0.5 degC below the forehead skin: it insulates), optional vignetting,
optical blur and Gaussian sensor noise of sigma = NETD.

Every layer has soft edges, and several boundaries of the label map are thermally invisible
(the jaw hull's top edge across the cheeks, the chin over a warm neck, brows under a
fringe) while warm unlabelled skin (forehead, neck, ears) surrounds the face: temperature alone does
not segment the classes. Figures follow docs/physics.md ("Skin and scene"). The features'
contrasts with the skin around them are the person's own (:class:`Physiology`): they span
what people, breathing and rooms give, both signs where physics allows both, so that no
single contrast marks a feature.
Smooth fields are computed on a 4x coarser grid and upsampled, which keeps a 256x320 sample
in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from tiaug.blur.functional import gaussian_blur
from tiaug.synth.face import AXIS_DEPTH, FaceShape, Pose, surface_depth

__all__ = ["Physiology", "random_physiology", "render"]

_COARSE = 4  # smooth fields are computed on a grid this many times coarser
_HAIR_BELOW_SKIN = 0.5  # degC: hair stays at least this much below the forehead skin


@dataclass(frozen=True)
class Physiology:
    """Temperatures (degC) of one synthetic person and scene."""

    ambient: float
    wall: float
    forehead: float
    periorbital: float
    canthus: float
    cheeks: float
    nose_tip: float
    lips: float
    chin: float
    ears: float
    neck: float
    hair: float
    clothing: float
    #: eye surface (cornea, lids) against the periorbital skin: tear evaporation and blinks
    #: cool it by up to 1.5 degC, or it reads like the warm skin around it
    eye_surface: float
    #: the closed mouth's line between the lips against the lips: a warm cavity, or cooled by
    #: breath
    lip_seam: float
    #: eyebrow hair below the skin: dense brows insulate up to 2 degC, sparse ones nothing
    eyebrow_depth: float


def _in_range(
    rng: np.random.Generator, low: float, high: float, state: float, spread: float
) -> float:
    """A value in [low, high] following the person's thermal ``state`` (0 cool .. 1 warm)."""
    t = np.clip(state + rng.normal(0.0, spread), 0.0, 1.0)
    return float(low + (high - low) * t)


def random_physiology(ambient: float, *, rng: np.random.Generator) -> Physiology:
    """Draw region temperatures: the skin regions follow the person's thermal state, which
    the room sets (a cool room cools them), the wall, hair and clothing the room itself.

    The nose tip and the lips are drawn against the cheeks, uniformly whatever the room: the
    nose from 4.5 degC colder (as stress or a cold room make it) to 1 degC warmer (as in a
    warm room or car), the lips from 1 degC colder (moist, cooled by mouth breathing) to
    1.5 degC warmer.
    """
    state = float(np.clip(0.5 + 0.25 * (ambient - 23.0) / 3.0 + rng.normal(0.0, 0.2), 0.0, 1.0))
    periorbital = _in_range(rng, 34.0, 35.0, state, 0.2)
    canthus = max(_in_range(rng, 34.3, 35.5, state, 0.2), periorbital + 0.15)
    cheeks = _in_range(rng, 32.0, 33.5, state, 0.25)
    return Physiology(
        ambient=ambient,
        wall=ambient + float(rng.uniform(-0.5, 0.8)),
        forehead=_in_range(rng, 33.4, 34.5, state, 0.2),
        periorbital=periorbital,
        canthus=canthus,
        cheeks=cheeks,
        nose_tip=cheeks + float(rng.uniform(-4.5, 1.0)),
        lips=cheeks + float(rng.uniform(-1.0, 1.5)),
        chin=_in_range(rng, 32.5, 33.5, state, 0.25),
        ears=_in_range(rng, 28.0, 32.0, state, 0.3),
        neck=_in_range(rng, 33.0, 34.5, state, 0.25),
        hair=ambient + float(rng.uniform(3.0, 8.0)),
        clothing=ambient + float(rng.uniform(2.5, 8.0)),
        eye_surface=float(rng.uniform(-1.5, 0.5)),
        lip_seam=float(rng.uniform(-1.0, 1.0)),
        eyebrow_depth=float(rng.uniform(0.0, 2.0)),
    )


# ----------------------------------------------------------------------------------------
# raster helpers


@lru_cache(maxsize=16)
def _grid(height: int, width: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (rows, cols) of a grid ``step`` times coarser, in full-res px."""
    h, w = -(-height // step), -(-width // step)
    rows = ((np.arange(h, dtype=np.float32) + 0.5) * (height / h) - 0.5)[:, None]
    cols = ((np.arange(w, dtype=np.float32) + 0.5) * (width / w) - 0.5)[None, :]
    rows, cols = np.broadcast_arrays(rows, cols)
    rows.flags.writeable = False
    cols.flags.writeable = False
    return rows, cols


def _fill(shape: tuple[int, int], polygons: list[np.ndarray]) -> np.ndarray:
    """float32 0/1 map of filled polygons given as ``(k, 2)`` [row, col] arrays."""
    canvas = np.zeros(shape, dtype=np.uint8)
    shift = 4
    for polygon in polygons:  # one call each: fillPoly would XOR overlapping polygons
        pts = np.round(polygon[:, ::-1] * (1 << shift)).astype(np.int32)
        cv2.fillPoly(canvas, [pts], 1, lineType=cv2.LINE_8, shift=shift)
    return canvas.astype(np.float32)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; large sigmas run on a reduced copy (the result is smooth anyway)."""
    if sigma <= 0.3:
        return image
    if sigma <= 4.0:
        return gaussian_blur(image, sigma, border="nearest")
    factor = int(min(2 ** np.floor(np.log2(sigma / 2.0)), max(1, min(image.shape) // 8)))
    h, w = image.shape
    small = cv2.resize(
        image, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA
    )
    small = gaussian_blur(small, sigma / factor, border="nearest")
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _upsample(field: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    return cv2.resize(field, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def _downsample(field: np.ndarray, coarse: tuple[int, int]) -> np.ndarray:
    return cv2.resize(field, (coarse[1], coarse[0]), interpolation=cv2.INTER_AREA)


def _lowfreq(
    rng: np.random.Generator, shape: tuple[int, int], cells: int, amplitude: float
) -> np.ndarray:
    """Smooth random field (about ``cells`` bumps across), std about ``amplitude``."""
    h, w = shape
    ch = max(2, round(cells * h / max(h, w)) + 1)
    cw = max(2, round(cells * w / max(h, w)) + 1)
    knots = rng.standard_normal((ch, cw)).astype(np.float32) * np.float32(amplitude)
    return cv2.resize(knots, (w, h), interpolation=cv2.INTER_CUBIC)


def _blend(canvas: np.ndarray, alpha: np.ndarray, target: np.ndarray | float) -> None:
    """canvas <- canvas + alpha * (target - canvas), in place."""
    canvas += alpha * (target - canvas)


def _window(shape: tuple[int, int], centre: np.ndarray, radius: float):
    r0 = max(int(centre[0] - radius), 0)
    r1 = min(int(centre[0] + radius) + 2, shape[0])
    c0 = max(int(centre[1] - radius), 0)
    c1 = min(int(centre[1] + radius) + 2, shape[1])
    return r0, r1, c0, c1


def _blob(
    canvas: np.ndarray,
    centre: np.ndarray,
    sigma_u: float,
    sigma_v: float,
    angle: float,
    target: float | None = None,
    strength: float = 1.0,
    delta: float = 0.0,
) -> None:
    """Rotated Gaussian bump at ``centre`` [row, col]; sigmas in px along the face axes.

    With ``target``: blend towards it with weight ``strength * bump``; else add
    ``delta * bump``.
    """
    sigma_u, sigma_v = max(sigma_u, 0.6), max(sigma_v, 0.6)
    r0, r1, c0, c1 = _window(canvas.shape, centre, 3.0 * max(sigma_u, sigma_v))
    if r1 <= r0 or c1 <= c0:
        return
    dr = np.arange(r0, r1, dtype=np.float32)[:, None] - np.float32(centre[0])
    dc = np.arange(c0, c1, dtype=np.float32)[None, :] - np.float32(centre[1])
    ca, sa = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    a = (dc * ca + dr * sa) / np.float32(sigma_u)
    b = (-dc * sa + dr * ca) / np.float32(sigma_v)
    bump = np.exp(np.float32(-0.5) * (a * a + b * b))
    view = canvas[r0:r1, c0:c1]
    if target is None:
        view += np.float32(delta) * bump
    else:
        view += np.float32(strength) * bump * (np.float32(target) - view)


def _ellipse(
    pose: Pose, cu: float, cv: float, au: float, av: float, z: float, n: int = 40
) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return pose.project(cu + au * np.cos(t), cv + av * np.sin(t), np.full(n, z))


# ----------------------------------------------------------------------------------------
# the scene


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _torso(
    rng: np.random.Generator, pose: Pose, neck_half: float, neck_base: float
) -> tuple[np.ndarray, np.ndarray]:
    """Image polygons of the neck (flaring into the trapezius) and the clothed shoulders."""
    depth = -AXIS_DEPTH + 0.35
    v = np.linspace(0.3, neck_base + 1.6, 14)
    flare = neck_half * (0.97 + rng.uniform(0.25, 0.55) * _smoothstep((v - neck_base + 0.4) / 0.7))
    neck = pose.project(np.concatenate([-flare, flare[::-1]]), np.concatenate([v, v[::-1]]),
                        np.full(2 * v.size, depth))  # fmt: skip

    shoulder = rng.uniform(2.3, 3.3)
    slope = rng.uniform(0.45, 1.0)
    dip = rng.uniform(0.0, 0.7)  # neckline depth below the neck base
    start = neck_half * rng.uniform(1.05, 1.3)
    x = np.linspace(0.0, 1.0, 12)
    side_u = start + (shoulder - start) * x
    side_v = neck_base + 0.1 + slope * (0.35 * x + 0.65 * x**3)
    arm_u = shoulder * np.array([1.07, 1.1])
    arm_v = side_v[-1] + np.array([0.45, 8.0])
    collar_u = np.linspace(-start, start, 9)
    collar_v = neck_base + 0.1 + dip * (1.0 - (collar_u / start) ** 2)
    u = np.concatenate([collar_u, side_u[1:], arm_u, -arm_u[::-1], -side_u[::-1][:-1]])
    v = np.concatenate([collar_v, side_v[1:], arm_v, arm_v[::-1], side_v[::-1][:-1]])
    body = pose.project(u, v, np.full(u.size, -AXIS_DEPTH))
    return neck, body


@dataclass(frozen=True)
class _Outlines:
    """Image polygons of the head, neck, body and ears, and the skull's face-frame ellipse."""

    skull_cv: float
    skull_au: float
    skull_av: float
    skull: np.ndarray
    jaw_out: np.ndarray
    neck_half: float
    neck: np.ndarray
    body: np.ndarray
    ear_h: float
    ear_w: float
    ears: list[np.ndarray]


def _outlines(
    rng: np.random.Generator, face: FaceShape, pose: Pose, landmarks: np.ndarray
) -> _Outlines:
    """Draw the silhouettes: skull ellipse, jaw hull (just past the points), torso, ears."""
    skull_cv = rng.uniform(-0.45, -0.30)
    skull_au = rng.uniform(1.02, 1.10)
    skull_av = rng.uniform(1.45, 1.70)
    skull = _ellipse(pose, 0.0, skull_cv, skull_au, skull_av, -AXIS_DEPTH, 48)
    jaw = landmarks[0:17]
    jaw_centre = jaw.mean(axis=0)
    neck_half = rng.uniform(0.52, 0.70)
    neck_base = face.chin + rng.uniform(0.45, 0.95)
    neck, body = _torso(rng, pose, neck_half, neck_base)
    ear_v = rng.uniform(0.05, 0.30)
    ear_h = rng.uniform(0.30, 0.42)
    ear_w = rng.uniform(0.13, 0.22)
    ear_u = skull_au * 0.97 + ear_w * 0.45
    ears = [_ellipse(pose, side * ear_u, ear_v, ear_w, ear_h, -AXIS_DEPTH - 0.1, 24)
            for side in (-1.0, 1.0)]  # fmt: skip
    return _Outlines(skull_cv, skull_au, skull_av, skull, jaw_centre + (jaw - jaw_centre) * 1.02,
                     neck_half, neck, body, ear_h, ear_w, ears)  # fmt: skip


def _wall(
    rng: np.random.Generator, shape: tuple[int, int], pose: Pose, outlines: _Outlines,
    phys: Physiology,
) -> np.ndarray:  # fmt: skip
    """The background canvas: ambient gradient, smooth variations, the person's warm halo."""
    height, width = shape
    coarse_rows, coarse_cols = _grid(height, width, _COARSE)
    gy, gx = rng.uniform(-0.6, 0.6, 2)
    wall = (
        np.float32(phys.wall)
        + np.float32(gx) * (coarse_cols / np.float32(width) - 0.5)
        + np.float32(gy) * (coarse_rows / np.float32(height) - 0.5)
        + _lowfreq(rng, coarse_rows.shape, 4, rng.uniform(0.03, 0.2))
    ).astype(np.float32)
    polygons = (outlines.skull, outlines.jaw_out, outlines.neck, outlines.body)
    person = _fill(coarse_rows.shape, [p / _COARSE for p in polygons])
    wall += np.float32(rng.uniform(0.0, 0.6)) * _blur(person, 0.35 * pose.scale / _COARSE)
    return _upsample(wall, shape)


def _face_frame(pose: Pose, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Face-frame coordinates (u, v) of the coarse grid, and the midline's u after yaw."""
    u_c, v_c = pose.to_face(*_grid(*shape, _COARSE))
    return u_c, v_c, pose.rotate(0.0, 0.4, surface_depth(0.0))[0]


def _neck_clothing_ears(
    rng: np.random.Generator, canvas: np.ndarray, pose: Pose, outlines: _Outlines,
    phys: Physiology,
) -> None:  # fmt: skip
    """Paint the neck (cooler at its sides), the clothing over its base, and the ears."""
    shape = canvas.shape
    u_c, _, u_mid = _face_frame(pose, shape)
    lateral = np.minimum(((u_c - u_mid) / (outlines.neck_half * 1.2)) ** 2, 1.5)
    cooling = np.float32(rng.uniform(0.4, 1.2))
    neck_field = (np.float32(phys.neck) - cooling * lateral).astype(np.float32)
    neck_field += _lowfreq(rng, u_c.shape, 5, 0.1)
    _blend(canvas, _blur(_fill(shape, [outlines.neck]), 1.2), _upsample(neck_field, shape))

    cloth = _lowfreq(rng, u_c.shape, 7, rng.uniform(0.3, 0.9)) + np.float32(phys.clothing)
    _blend(canvas, _blur(_fill(shape, [outlines.body]), 1.0), _upsample(cloth, shape))

    _blend(canvas, _blur(_fill(shape, outlines.ears), 0.8), np.float32(phys.ears))
    for ear in outlines.ears:  # the concha (inner ear) is warmer than the rim
        _blob(canvas, ear.mean(axis=0), outlines.ear_w * 0.35 * pose.scale,
              outlines.ear_h * 0.45 * pose.scale, pose.roll,
              target=phys.ears + rng.uniform(1.0, 2.5), strength=0.8)  # fmt: skip


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _head_skin(
    rng: np.random.Generator, canvas: np.ndarray, face: FaceShape, pose: Pose,
    outlines: _Outlines, phys: Physiology,
) -> None:  # fmt: skip
    """Paint the head's skin: forehead, cheeks, chin, midline and temples, cool silhouette."""
    shape = canvas.shape
    u_c, v_c, u_mid = _face_frame(pose, shape)
    head = _fill(shape, [outlines.skull, outlines.jaw_out])
    # ~0.5 at the silhouette, 1 deep inside; the neck counts as inside (no edge at the chin)
    inside = np.maximum(_downsample(head, u_c.shape), _fill(u_c.shape, [outlines.neck / _COARSE]))
    interior = _blur(inside, 0.22 * pose.scale / _COARSE)
    forehead_band = _sigmoid((-0.15 - v_c) / 0.12)
    chin_band = _sigmoid((v_c - (face.chin - 0.35)) / 0.12)
    mid = (np.exp(-(((u_c - u_mid) / 0.45) ** 2)) * _sigmoid((v_c + 0.25) / 0.1)
           * (1.0 - chin_band))  # fmt: skip
    temple = sum(
        np.exp(-(((u_c - side * 0.78) ** 2) + (v_c + 0.55) ** 2) / 0.05) for side in (-1.0, 1.0)
    )
    skin = (
        phys.cheeks
        + (phys.forehead - phys.cheeks) * forehead_band
        + (phys.chin - phys.cheeks) * chin_band * (1.0 - forehead_band)
        + rng.uniform(0.2, 0.7) * mid
        + rng.uniform(0.1, 0.6) * temple
        - rng.uniform(1.0, 2.4) * np.clip(1.0 - interior, 0.0, 0.5)
    ).astype(np.float32)
    skin += _lowfreq(rng, u_c.shape, 6, rng.uniform(0.05, 0.18))
    skin += _lowfreq(rng, u_c.shape, 16, rng.uniform(0.04, 0.12))
    _blend(canvas, _blur(head, 0.7), _upsample(skin, shape))


def _camera(rng: np.random.Generator, canvas: np.ndarray, netd: float) -> np.ndarray:
    """The camera's share: optional vignetting, optical blur, Gaussian noise of sigma NETD."""
    height, width = canvas.shape
    if rng.random() < 0.6:
        coarse_rows, coarse_cols = _grid(height, width, _COARSE)
        radius2 = ((coarse_rows - height / 2) ** 2 + (coarse_cols - width / 2) ** 2) / (
            (height / 2) ** 2 + (width / 2) ** 2
        )
        vignette = (np.float32(rng.uniform(-0.8, 0.3)) * radius2).astype(np.float32)
        canvas += _upsample(vignette, canvas.shape)
    canvas = gaussian_blur(canvas, rng.uniform(0.5, 0.9), border="nearest")
    canvas += rng.standard_normal(canvas.shape, dtype=np.float32) * np.float32(netd)
    return canvas


def render(
    shape: tuple[int, int],
    face: FaceShape,
    pose: Pose,
    landmarks: np.ndarray,
    phys: Physiology,
    netd: float,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Render the float32 degC image of ``face`` seen with ``pose``, back to front.

    ``landmarks`` are the anatomical (un-jittered) ``(68, 2)`` [row, col] image points.
    """
    outlines = _outlines(rng, face, pose, landmarks)
    canvas = _wall(rng, shape, pose, outlines, phys)
    _neck_clothing_ears(rng, canvas, pose, outlines, phys)
    _head_skin(rng, canvas, face, pose, outlines, phys)
    _features(rng, canvas, face, pose, landmarks, phys)
    _hair(rng, canvas, face, pose, phys, outlines)
    return _camera(rng, canvas, netd)


def _features(
    rng: np.random.Generator,
    canvas: np.ndarray,
    face: FaceShape,
    pose: Pose,
    pts: np.ndarray,
    phys: Physiology,
) -> None:
    s = pose.scale
    angle = pose.roll

    # Cheeks: lateral cheek areas a little cooler still.
    for side in (-1.0, 1.0):
        centre = pose.project(side * 0.6, 0.55, surface_depth(0.6))[0]
        _blob(canvas, centre, 0.22 * s, 0.25 * s, angle, delta=-rng.uniform(0.0, 0.6))

    # Periorbital regions, inner canthi, eyes.
    for inner_idx, eye in ((39, pts[36:42]), (42, pts[42:48])):
        centre = eye.mean(axis=0)
        inner = pts[inner_idx]
        medial = centre + 0.3 * (inner - centre)
        _blob(canvas, medial, 0.26 * s, 0.16 * s, angle, target=phys.periorbital, strength=0.85)
        towards_nose = (pts[27] - inner) * 0.12
        _blob(canvas, inner + towards_nose, 0.06 * s, 0.05 * s, angle,
              target=phys.canthus, strength=0.95)  # fmt: skip
        # the eye opening: the eye surface against the periorbital skin, lids blur it
        eye_alpha = _blur_local(canvas.shape, eye, 0.6)
        if eye_alpha is not None:
            (r0, r1, c0, c1), a = eye_alpha
            view = canvas[r0:r1, c0:c1]
            view += 0.8 * a * (np.float32(phys.periorbital + phys.eye_surface) - view)
    _blob(canvas, 0.5 * (pts[27] + pts[28]), 0.1 * s, 0.12 * s, angle,
          target=phys.periorbital - rng.uniform(0.1, 0.5), strength=0.7)  # fmt: skip

    _eyebrows(rng, canvas, pose, pts, phys.eyebrow_depth)

    # Nose: cooling grows from the bridge to the tip; cold wings; warm or cool nostrils.
    cold = phys.nose_tip
    for k, weight in ((28, 0.15), (29, 0.4), (30, 0.75)):
        _blob(canvas, pts[k], 0.11 * s, 0.1 * s, angle, target=cold, strength=weight)
    tip = 0.65 * pts[30] + 0.35 * pts[33]
    _blob(canvas, tip, face.nose_width * 0.55 * s, 0.12 * s, angle, target=cold, strength=0.9)
    for k in (31, 35):
        _blob(canvas, pts[k], 0.07 * s, 0.07 * s, angle, target=cold + rng.uniform(0.0, 1.0),
              strength=0.7)  # fmt: skip
    for k in (31, 35):  # the groove between nose wing and cheek is warm
        outward = (pts[k] - pts[33]) * 0.6
        _blob(canvas, pts[k] + outward, 0.08 * s, 0.14 * s, angle, delta=rng.uniform(0.1, 0.6))
    breath = rng.uniform(-1.0, 1.5)
    below = pose.project(0.0, 0.04, 0.0)[0] - pose.project(0.0, 0.0, 0.0)[0]
    for k in (32, 34):
        _blob(canvas, pts[k] + below, 0.05 * s, 0.035 * s, angle, delta=breath)

    # Mouth: the lips, a warmer or cooler line between them, or an open mouth, warm.
    lips = _blur_local(canvas.shape, pts[48:60], 0.04 * s + 0.6)
    if lips is not None:
        (r0, r1, c0, c1), a = lips
        view = canvas[r0:r1, c0:c1]
        view += 0.85 * a * (np.float32(phys.lips) - view)
    if face.mouth_open > 0.0:
        inner = _blur_local(canvas.shape, pts[60:68], 0.6)
        if inner is not None:
            (r0, r1, c0, c1), a = inner
            view = canvas[r0:r1, c0:c1]
            view += 0.9 * a * (np.float32(rng.uniform(34.5, 36.0)) - view)
    else:
        line = np.zeros(canvas.shape, dtype=np.float32)
        seam = np.round(pts[60:65][:, ::-1] * 16).astype(np.int32)
        cv2.polylines(line, [seam], False, 1.0, thickness=1, lineType=cv2.LINE_AA, shift=4)
        canvas += np.float32(phys.lip_seam) * _blur(line, 0.7)


def _eyebrows(
    rng: np.random.Generator, canvas: np.ndarray, pose: Pose, pts: np.ndarray, depth: float
) -> None:
    """Eyebrow hair: insulation makes it read ``depth`` degC (strands: +-30 %) below the skin.

    The iBUG brow points trace the brow's upper edge; the hair fills their hull (the label's
    region) and a little below it, thickest at the brow's head and thinning to the tail,
    with short strands along the brow and soft edges.
    """
    s = pose.scale
    head = rng.uniform(0.03, 0.06)  # hair below the points at the inner end, half-widths
    tail = rng.uniform(0.0, 0.02)
    down = pose.project(0.0, 1.0, 0.0)[0] - pose.project(0.0, 0.0, 0.0)[0]
    thickness = np.linspace(tail, head, 5)[:, None] * down  # outer (17 / 26) .. inner
    for brow in (pts[17:22], pts[26:21:-1]):
        soft = _blur_local(canvas.shape, np.concatenate([brow, brow + thickness]), 0.01 * s + 0.3)
        if soft is None:
            continue
        (r0, r1, c0, c1), alpha = soft
        strands = gaussian_blur(
            rng.standard_normal(alpha.shape, dtype=np.float32),
            (0.5, max(1.0, 0.04 * s)),
            border="reflect",
        )
        strands *= np.float32(0.3 / max(float(strands.std()), 1e-6))
        canvas[r0:r1, c0:c1] -= np.float32(depth) * alpha * (1.0 + strands)


def _blur_local(
    shape: tuple[int, int], polygon: np.ndarray, sigma: float
) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """Soft (blurred) fill of one polygon inside its padded bounding box."""
    pad = int(3 * sigma) + 2
    r0 = max(int(polygon[:, 0].min()) - pad, 0)
    r1 = min(int(polygon[:, 0].max()) + pad + 1, shape[0])
    c0 = max(int(polygon[:, 1].min()) - pad, 0)
    c1 = min(int(polygon[:, 1].max()) + pad + 1, shape[1])
    if r1 - r0 < 1 or c1 - c0 < 1:
        return None
    canvas = np.zeros((r1 - r0, c1 - c0), dtype=np.uint8)
    pts = np.round((polygon - np.array([r0, c0]))[:, ::-1] * 16).astype(np.int32)
    cv2.fillConvexPoly(canvas, cv2.convexHull(pts), 1, lineType=cv2.LINE_AA, shift=4)
    return (r0, r1, c0, c1), _blur(canvas.astype(np.float32), sigma)


def _hair(
    rng: np.random.Generator,
    canvas: np.ndarray,
    face: FaceShape,
    pose: Pose,
    phys: Physiology,
    outlines: _Outlines,
) -> None:
    """Paint the hair: a scalp cap with a jagged front hairline and optional fringe, and
    optionally long hair over the ears."""
    bald = rng.random() < 0.08  # (nearly) bald or shaved: a thin layer, little insulation
    density = rng.uniform(0.15, 0.4) if bald else rng.uniform(0.7, 1.0)
    cap, au, side_bottom = _scalp(rng, pose, outlines)
    polygons = [cap]
    if rng.random() < 0.3:  # long hair falling beside the face, over the ears
        polygons += _long_hair(rng, face, pose, au, side_bottom)
    _paint_hair(rng, canvas, pose.scale, phys, density, polygons)


def _scalp(
    rng: np.random.Generator, pose: Pose, outlines: _Outlines
) -> tuple[np.ndarray, float, float]:
    """The hair cap's image polygon, its half-width (face units) and its sides' bottom v."""
    au = outlines.skull_au + rng.uniform(0.03, 0.18)
    av = outlines.skull_av + rng.uniform(0.05, 0.35)
    hairline_top = rng.uniform(-1.3, -0.8)
    side_bottom = rng.uniform(-0.15, 0.2)
    power = rng.uniform(2.5, 6.0)

    # Outer boundary: over the crown from one side's bottom to the other (silhouette depth).
    cos_end = np.clip((outlines.skull_cv - side_bottom) / av, -0.95, 0.95)
    t_end = float(np.arccos(cos_end))
    t = np.linspace(-t_end, t_end, 40)
    outer = pose.project(au * np.sin(t), outlines.skull_cv - av * np.cos(t),
                         np.full(t.shape, -AXIS_DEPTH))  # fmt: skip

    # Front hairline (on the face surface), jagged, with an optional fringe.
    n = 64
    u = np.linspace(au * np.sin(t_end), -au * np.sin(t_end), n)
    reach = np.clip(np.abs(u) / (au * np.sin(t_end)), 0.0, 1.0)
    line = hairline_top + (side_bottom - hairline_top) * reach**power
    line += rng.normal(0.0, 0.015, n) + 0.03 * _noise1d(rng, n, 8)
    if rng.random() < 0.4:  # a fringe
        depth = rng.uniform(-0.5, 0.02)  # 0 reaches the eye line
        centre = rng.uniform(-0.5, 0.5)
        half_width = rng.uniform(0.3, 0.9)
        w = np.clip(1.0 - ((u - centre) / half_width) ** 2, 0.0, 1.0) ** 0.5
        tips = np.abs(rng.normal(0.0, 0.05, n)) + 0.04 * _noise1d(rng, n, 12)
        line = np.maximum(line, line + w * (depth + tips - line))
    z = surface_depth(np.clip(u / au, -1, 1)) * 0.9 + 0.05
    return np.concatenate([outer, pose.project(u, line, z)]), au, side_bottom


def _long_hair(
    rng: np.random.Generator, face: FaceShape, pose: Pose, au: float, side_bottom: float
) -> list[np.ndarray]:
    """Image polygons of long hair on both sides, from the cap's sides to about the chin."""
    bottom = face.chin + rng.uniform(-0.2, 1.8)
    top = side_bottom - 1.0
    polygons = []
    for side in (-1.0, 1.0):
        vv = np.linspace(top, bottom, 10)
        t = (vv - top) / (bottom - top)
        inner = rng.uniform(0.82, 1.0) + 0.08 * t + 0.02 * _noise1d(rng, 10, 4)
        outer = au - 0.05 + rng.uniform(0.05, 0.3) * t + 0.03 * _noise1d(rng, 10, 4)
        tips_u = np.linspace(outer[-1], inner[-1], 7)
        tips_v = bottom + np.abs(rng.normal(0.0, 0.12, 7))
        uu = side * np.concatenate([inner, tips_u[::-1], outer[::-1]])
        vv = np.concatenate([vv, tips_v[::-1], vv[::-1]])
        polygons.append(pose.project(uu, vv, np.full(uu.size, -AXIS_DEPTH + 0.1)))
    return polygons


def _paint_hair(
    rng: np.random.Generator, canvas: np.ndarray, scale: float, phys: Physiology,
    density: float, polygons: list[np.ndarray],
) -> None:  # fmt: skip
    """Blend the hair polygons in: strands along the fall, warmer where hair lies on skin,
    never warmer than the forehead skin it insulates."""
    shape = canvas.shape
    mask = _fill(shape, polygons)
    rows = np.nonzero(mask.any(axis=1))[0]
    cols = np.nonzero(mask.any(axis=0))[0]
    if rows.size == 0:
        return
    pad = 6
    r0, r1 = max(rows[0] - pad, 0), min(rows[-1] + pad + 1, shape[0])
    c0, c1 = max(cols[0] - pad, 0), min(cols[-1] + pad + 1, shape[1])
    local = mask[r0:r1, c0:c1]
    alpha = _blur(local, rng.uniform(0.6, 1.4)) * np.float32(density)
    # Strands: noise stretched along the hair's fall (down the image: gravity).
    noise = rng.standard_normal(local.shape, dtype=np.float32)
    strands = gaussian_blur(noise, (max(1.5, 0.1 * scale), 0.6), border="reflect")
    strands *= np.float32(rng.uniform(0.5, 1.3) / max(float(strands.std()), 1e-6))
    # Hair lying on skin (fringe, hairline) is warmer than the hair's outer surface.
    edge = _blur(local, 0.12 * scale + 1.0)
    near_skin = np.clip(2.0 * (1.0 - edge), 0.0, 1.0) * local
    temperature = np.float32(phys.hair) + strands + np.float32(rng.uniform(0.5, 2.5)) * near_skin
    # an insulating layer never reads warmer than the skin it covers (docs/physics.md)
    np.minimum(temperature, np.float32(phys.forehead - _HAIR_BELOW_SKIN), out=temperature)
    view = canvas[r0:r1, c0:c1]
    view += alpha * (temperature - view)


def _noise1d(rng: np.random.Generator, n: int, knots: int) -> np.ndarray:
    values = rng.standard_normal(knots + 1)
    return np.interp(np.linspace(0, knots, n), np.arange(knots + 1), values)
