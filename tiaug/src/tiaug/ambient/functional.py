"""Room-temperature changes and background clutter for degC temperature maps.

Pure numpy (+ OpenCV for Gaussian blurs and resizing), explicit ``numpy.random.Generator``
for every draw. Images are HxW or HxWx1 float32 degC maps, masks HxW (or HxWx1) integer label
maps with the classes 0 background, 1 face, 2 mouth, 3 eyes, 4 eyebrows, 5 nose. Results are
new float32 arrays with the image's layout. The room's estimators (:func:`estimate_ambient`,
:func:`otsu_threshold`) live in :mod:`tiaug.core.estimators` and are re-exported here.

Ambient model. A change ``delta`` of the room temperature moves each pixel by
``k(x) * delta``: the background (a wall near ambient) by ``delta`` (k = 1), skin by less,
depending on how strongly the region is coupled to the room rather than to the body core.
Extremities (nose first) follow the room most, the warm inner canthi least, so a cooler
room spreads the face's temperatures and a warmer one narrows them. ``k`` comes from

- a label map: one coupling per class (:data:`DEFAULT_COUPLINGS`). Each class keeps its
  coupling up to its border; the map is blurred over a few pixels so that no hard label
  edge appears in the image, with the transition placed outside the class, in its larger
  labelled neighbour, so that small classes (eyes, eyebrows) keep their coupling. Background-
  labelled pixels warmer than the room (neck, ears, hair: skin the labels do not name)
  couple between the wall and the face according to their temperature: at the room
  temperature like the background class, at the face's mean like the face class;
- or, without labels, ``"thermal"``: a steady-state heat balance. A skin pixel sits between
  the core ``T_core`` and the ambient ``T_amb`` as ``T = T_core - r (T_core - T_amb)``, so
  ``dT / dT_amb = r = (T_core - T) / (T_core - T_amb)``, clipped to [0, 1]; ``T_amb`` is the
  mean of the cold (Otsu) class. With ``T_core`` = 37 and ``T_amb`` = 22 degC this gives
  k = 0.1 at 35.5 degC (canthi), 0.2 at 34 (forehead), 0.47 at 30 (a cold nose), 1 on the
  wall: close to the per-class defaults, and per pixel;
- or ``"threshold"``: an Otsu split of the temperature histogram, the warm side taking the
  face coupling, the cold side the background coupling, blurred like the class map.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import cv2
import numpy as np

from tiaug._checks import check_mask, restore_shape, to_temperature_map
from tiaug._random import draw_uniform
from tiaug.core import estimate_ambient, gaussian_blur, gaussian_kernel_radius, otsu_threshold

__all__ = [
    "DEFAULT_COUPLINGS",
    "Couplings",
    "ambient_shift",
    "apply_background_clutter",
    "background_weight",
    "class_coupling_map",
    "coupling_map",
    "coupling_table",
    "estimate_ambient",
    "masked_coupling_map",
    "otsu_threshold",
    "random_ambient_shift",
    "random_background_clutter",
    "render_clutter",
    "sample_clutter",
    "skin_weight",
    "smooth",
    "thermal_coupling_map",
]

#: Approximate per-class couplings (fraction of the ambient change a region follows), indexed
#: by class: background 1.0, face 0.25, mouth 0.15, eyes 0.1, eyebrows 0.25, nose 0.6.
#: Defaults a user can change, not measured truths (docs/physics.md: extremities cool most, nose
#: first; the periorbital region is the warmest and most stable).
DEFAULT_COUPLINGS: tuple[float, ...] = (1.0, 0.25, 0.15, 0.1, 0.25, 0.6)

Couplings = Sequence[float] | Mapping[int, float]
UnmaskedModel = Literal["thermal", "threshold"]

_BACKGROUND, _FACE = 0, 1
_MIN_CONTRAST = 1.0  # degC: lower bound of T_core - T_amb (and T_skin - T_amb)
_WALL_BAND = 1.0  # degC above the room still taken as wall (noise, faint gradients)
_RING = 2.5  # transition ring of a class, in blur sigmas: where the blur's kernel ends


def _coupling_of(couplings: Couplings, label: int, fallback: float) -> float:
    if isinstance(couplings, Mapping):
        value = couplings.get(label, couplings.get(str(label), fallback))  # type: ignore[call-overload]
        return float(value)
    return float(couplings[label]) if label < len(couplings) else fallback


def coupling_table(
    couplings: Couplings = DEFAULT_COUPLINGS,
    ignore_index: int | None = 255,
    size: int | None = None,
) -> np.ndarray:
    """Look-up table label -> coupling (float32).

    Rules: a class listed in ``couplings`` gets its value; background (0) defaults to 1.0 and
    face (1) to 0.25 when not listed; any other unlisted label (an extra skin class such as
    ears or neck, or labels >= ``len(couplings)``) gets the face coupling; ``ignore_index``
    (padding) gets the background coupling.

    Args:
        couplings: sequence indexed by class, or mapping ``{class: coupling}``.
        ignore_index: label of ignored pixels, or ``None``.
        size: table length (default: large enough for every listed class and
            ``ignore_index``).
    """
    background = _coupling_of(couplings, _BACKGROUND, DEFAULT_COUPLINGS[_BACKGROUND])
    face = _coupling_of(couplings, _FACE, DEFAULT_COUPLINGS[_FACE])
    listed = [int(k) for k in couplings] if isinstance(couplings, Mapping) else []
    n = len(couplings) if not isinstance(couplings, Mapping) else max(listed, default=-1) + 1
    if size is None:
        size = max(n, (ignore_index + 1) if ignore_index is not None else 0, 2)
    table = np.full(size, face, dtype=np.float32)
    for label in range(min(n, size)):
        table[label] = _coupling_of(couplings, label, face)
    table[_BACKGROUND] = background
    if ignore_index is not None and 0 <= ignore_index < size:
        table[ignore_index] = background
    return table


@functools.lru_cache(maxsize=16)
def _frozen_table(couplings: tuple[float, ...], ignore_index: int | None) -> np.ndarray:
    table = coupling_table(couplings, ignore_index)
    table.flags.writeable = False
    return table


def _table_of(couplings: Couplings, ignore_index: int | None) -> np.ndarray:
    """:func:`coupling_table`, built once per tuple of couplings (read-only)."""
    if isinstance(couplings, tuple):
        return _frozen_table(couplings, ignore_index)
    return coupling_table(couplings, ignore_index)


def class_coupling_map(
    mask: np.ndarray,
    couplings: Couplings = DEFAULT_COUPLINGS,
    ignore_index: int | None = 255,
) -> np.ndarray:
    """Per-pixel coupling from a label map (hard edges; see :func:`coupling_table`).

    Negative labels are treated like ``ignore_index`` (background coupling).
    """
    labels = np.asarray(mask)
    if labels.ndim == 3 and labels.shape[2] == 1:
        labels = labels[..., 0]
    if labels.size == 0:
        return np.zeros(labels.shape, dtype=np.float32)
    if labels.dtype == np.uint8:
        table = coupling_table(couplings, ignore_index, size=256)
        return cv2.LUT(labels, table[None, :]) if labels.flags.c_contiguous else table[labels]
    low, high = int(labels.min()), int(labels.max())
    if low >= 0 and high < 1 << 16:
        return np.take(coupling_table(couplings, ignore_index, size=high + 1), labels)
    # Huge or negative labels: listed classes, then the fallbacks.
    table = coupling_table(couplings, ignore_index)
    background = table[_BACKGROUND]
    out = np.full(labels.shape, table[_FACE], dtype=np.float32)
    inside = (labels >= 0) & (labels < table.size)
    out[inside] = table[labels[inside]]
    out[labels < 0] = background
    if ignore_index is not None:
        out[labels == ignore_index] = background
    return out


def smooth(field: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur (sigma in pixels, borders repeated) whose kernel ends at the class rings
    (2.5 sigma, :func:`masked_coupling_map`); returns ``field`` if sigma is 0."""
    if sigma <= 0:
        return field
    return gaussian_blur(field, sigma, truncate=_RING, border="nearest")


def thermal_coupling_map(
    image: np.ndarray,
    *,
    core_temperature: float = 37.0,
    ambient: float | None = None,
) -> np.ndarray:
    """Heat-balance coupling ``clip((T_core - T) / (T_core - T_amb), 0, 1)`` (float32, HxW).

    Args:
        image: HxW or HxWx1 degC map.
        core_temperature: body core temperature (degC).
        ambient: room temperature (degC); default: :func:`estimate_ambient` (the median of
            the pixels colder than the Otsu threshold: the wall). ``T_core - T_amb`` is kept
            >= 1 degC.
    """
    plane = to_temperature_map(image)
    if ambient is None:
        ambient = estimate_ambient(plane)
    scale = 1.0 / max(core_temperature - ambient, _MIN_CONTRAST)
    out = np.subtract(np.float32(core_temperature), plane, dtype=np.float32)
    out *= np.float32(scale)
    np.clip(out, 0.0, 1.0, out=out)
    return out


def _labelled(labels: np.ndarray, ignore_index: int | None) -> np.ndarray:
    """Pixels of a named class: label > 0 other than ``ignore_index`` (bool, HxW)."""
    labelled = labels > _BACKGROUND
    if ignore_index is not None and ignore_index > _BACKGROUND:
        labelled &= labels != ignore_index
    return labelled


def _bounding_box(inside: np.ndarray, pad: int) -> tuple[slice, slice] | None:
    """Rows and columns of the box around ``inside``, grown by ``pad`` pixels; None if empty."""
    if inside.size == 0:
        return None
    left, top, width, height = cv2.boundingRect(inside.view(np.uint8))
    if width == 0:
        return None
    rows, cols = inside.shape
    return (
        slice(max(top - pad, 0), min(top + height + pad, rows)),
        slice(max(left - pad, 0), min(left + width + pad, cols)),
    )


def _skin_line(
    plane: np.ndarray, labels: np.ndarray, labelled: np.ndarray, box: tuple[slice, slice]
) -> tuple[float, float]:
    """``(T_wall, 1 / (T_face - T_wall))`` of the skin weight ``clip((T - T_wall) * scale, 0, 1)``.

    ``T_wall``: the room (:func:`estimate_ambient`) + 1 degC; ``T_face``: the mean of the face
    class, or of every labelled class when there is no face class (all inside ``box``).
    """
    wall = estimate_ambient(plane, labels) + _WALL_BAND
    face = labels[box] == _FACE
    if not face.any():
        face = np.ascontiguousarray(labelled[box])
    skin = float(cv2.mean(np.ascontiguousarray(plane[box]), mask=face.view(np.uint8))[0])
    return wall, 1.0 / max(skin - wall, _MIN_CONTRAST)


def _weight(plane: np.ndarray, wall: float, scale: float) -> np.ndarray:
    """``clip((T - T_wall) * scale, 0, 1)`` as a new float32 array."""
    weight = np.subtract(plane, np.float32(wall), dtype=np.float32)
    weight *= np.float32(scale)
    np.clip(weight, 0.0, 1.0, out=weight)
    return weight


def skin_weight(
    image: np.ndarray, mask: np.ndarray, *, ignore_index: int | None = 255
) -> np.ndarray:
    """How much each background-labelled pixel is skin, from its temperature (HxW float32).

    ``w = clip((T - T_wall) / (T_face - T_wall), 0, 1)`` on background-labelled pixels, 0 on
    labelled ones: ``T_wall = T_amb + 1`` degC (``T_amb`` from :func:`estimate_ambient`;
    the degree above it absorbs noise and faint gradients), ``T_face`` the mean of the
    face class (of every labelled class when there is no face class). Unlabelled skin
    (neck, ears, forehead at face temperature) gets 1, the wall 0, hair in between.
    """
    plane = to_temperature_map(image)
    labels = check_mask(mask, plane.shape)
    labelled = _labelled(labels, ignore_index)
    background = labels == _BACKGROUND
    box = _bounding_box(labelled, 0)
    if box is None or not background.any():
        return np.zeros(plane.shape, dtype=np.float32)
    weight = _weight(plane, *_skin_line(plane, labels, labelled, box))
    weight *= background
    return weight


def _size_ranks(
    labels: np.ndarray, ignore_index: int | None
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The labelled classes (label > 0, not ``ignore_index``), largest first, the map of their
    ranks (1 = the largest class, 0 = unlabelled or ignored pixels) and the labelled pixels."""
    if labels.dtype == np.uint8:
        labels = np.ascontiguousarray(labels)
        counts = cv2.calcHist([labels], [0], None, [256], [0, 256]).ravel()
        counts[_BACKGROUND] = 0
        if ignore_index is not None and 0 <= ignore_index < 256:
            counts[ignore_index] = 0
        present = np.flatnonzero(counts)
        classes = present[np.argsort(-counts[present], kind="stable")]
        lut = np.zeros(256, dtype=np.uint8)
        lut[classes] = np.arange(1, classes.size + 1)
        rank = cv2.LUT(labels, lut)
        return classes.tolist(), rank, rank > 0
    labelled = _labelled(labels, ignore_index)
    present, inverse, counts = np.unique(labels[labelled], return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    rank_of = np.empty(present.size, dtype=np.float32)  # cv2.dilate: uint8, uint16 or float32
    rank_of[order] = np.arange(1, present.size + 1)
    rank = np.zeros(labels.shape, dtype=np.float32)
    rank[labelled] = rank_of[inverse.ravel()]
    return present[order].tolist(), rank, labelled


def _lookup(values: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``values[rank]`` (float32), by OpenCV's table look-up for uint8 ranks."""
    if rank.dtype == np.uint8:
        table = np.zeros(256, dtype=np.float32)
        table[: values.size] = values
        return cv2.LUT(rank, table)
    return values[rank.astype(np.intp)]


@functools.lru_cache(maxsize=8)
def _disk(radius: int) -> np.ndarray:
    """Structuring element: the disk of ``radius`` pixels."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _paint_classes(
    k: np.ndarray,
    labels: np.ndarray,
    plane: np.ndarray,
    table: np.ndarray,
    ignore_index: int | None,
    radius: int,
    skin: tuple[float, float],
) -> None:
    """Paint each labelled class's coupling on ``k`` (in place), and on a ring of ``radius``
    pixels around it.

    A ring covers larger labelled classes, and unlabelled skin in proportion to its skin
    weight (never the wall: no halo); where rings meet, the smallest class wins. A later
    blur then leaves a small class its own value and moves the transition into its larger
    neighbour (eyes into the face). One grey dilation of the classes' size ranks does it.
    """
    classes, rank, labelled = _size_ranks(labels, ignore_index)
    values = np.array(
        [0.0] + [table[c] if c < table.size else table[_FACE] for c in classes], np.float32
    )
    if radius == 0:
        np.copyto(k, _lookup(values, rank), where=labelled)
        return
    nearest = cv2.dilate(rank, _disk(radius))  # >= rank: a class's own rank where no smaller
    ring = _lookup(values, nearest)
    np.copyto(k, ring, where=labelled)
    blend = _weight(plane, *skin)
    blend *= (nearest > rank) & (labels == _BACKGROUND)
    blend *= ring - k
    k += blend


def masked_coupling_map(
    image: np.ndarray,
    mask: np.ndarray,
    couplings: Couplings = DEFAULT_COUPLINGS,
    *,
    smoothing: float = 2.0,
    ignore_index: int | None = 255,
) -> np.ndarray:
    """Per-pixel coupling ``k`` from a label map (HxW float32).

    - Each class takes its coupling (:func:`coupling_table`) and keeps it up to its border:
      before the blur of ``smoothing`` pixels, the class's value is painted on a ring as
      wide as the blur's kernel reaches (2.5 ``smoothing`` pixels, rounded) around it (over
      larger labelled classes and unlabelled skin),
      so the transition lies in the neighbour and a small class (eyes, eyebrows) is not
      blended away.
    - Background-labelled pixels take ``k_bg + (k_face - k_bg) w`` with the skin weight
      ``w`` of :func:`skin_weight`: the wall couples like the background class, unlabelled
      skin (neck, ears, forehead) like the face, hair in between.
    - ``ignore_index`` and negative labels take the background class's coupling.

    Costs about two blurs of the frame: the background formula is one pass over the frame,
    the classes and their rings are painted inside the labelled pixels' bounding box.
    """
    plane = to_temperature_map(image)
    labels = check_mask(mask, plane.shape)
    table = _table_of(couplings, ignore_index)
    k_bg, k_face = float(table[_BACKGROUND]), float(table[_FACE])
    labelled = _labelled(labels, ignore_index)
    radius = gaussian_kernel_radius(smoothing, _RING) if smoothing > 0 else 0
    box = _bounding_box(labelled, radius)
    if box is None:  # no labelled class, so no skin either: the background coupling
        return np.full(plane.shape, k_bg, dtype=np.float32)
    skin = _skin_line(plane, labels, labelled, box)
    # k_bg + (k_face - k_bg) * clip((T - T_wall) * scale, 0, 1), as one clipped line in T
    slope = (k_face - k_bg) * skin[1]
    k = np.multiply(plane, np.float32(slope), dtype=np.float32)
    k += np.float32(k_bg - slope * skin[0])
    np.clip(k, min(k_bg, k_face), max(k_bg, k_face), out=k)
    other = labels == ignore_index if ignore_index is not None else None
    if labels.dtype.kind == "i":  # signed labels: negative ones count as ignored
        other = labels < 0 if other is None else other | (labels < 0)
    if other is not None and other.any():
        k[other] = k_bg
    _paint_classes(k[box], labels[box], plane[box], table, ignore_index, radius, skin)
    return smooth(k, smoothing)


def coupling_map(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    couplings: Couplings = DEFAULT_COUPLINGS,
    unmasked: UnmaskedModel = "thermal",
    smoothing: float = 2.0,
    core_temperature: float = 37.0,
    ignore_index: int | None = 255,
) -> np.ndarray:
    """The per-pixel fraction ``k`` of an ambient change that each pixel follows (HxW float32).

    With ``mask``: :func:`masked_coupling_map` (class couplings, warm unlabelled skin,
    blurred by ``smoothing`` pixels). Without: the
    ``unmasked`` model, ``"thermal"`` (heat balance, no blur needed: it is as smooth as the
    image) or ``"threshold"`` (Otsu split, face coupling on the warm side, blurred).
    """
    plane = to_temperature_map(image)
    if mask is not None:
        return masked_coupling_map(
            plane, mask, couplings, smoothing=smoothing, ignore_index=ignore_index
        )
    if unmasked == "thermal":
        return thermal_coupling_map(plane, core_temperature=core_temperature)
    if unmasked == "threshold":
        table = coupling_table(couplings, ignore_index)
        warm = plane > otsu_threshold(plane)
        k = np.where(warm, table[_FACE], table[_BACKGROUND]).astype(np.float32)
        return smooth(k, smoothing)
    raise ValueError(f"unmasked must be 'thermal' or 'threshold', got {unmasked!r}")


def _skin_indicator(
    plane: np.ndarray, mask: np.ndarray | None, ignore_index: int | None
) -> np.ndarray:
    """Hard skin indicator (bool) from labels, or from the Otsu split without labels."""
    if mask is not None:
        labels = check_mask(mask, plane.shape)
        skin = labels > 0
        if ignore_index is not None:
            skin &= labels != ignore_index
        return skin
    return plane > otsu_threshold(plane)


def ambient_shift(
    image: np.ndarray,
    delta: float,
    mask: np.ndarray | None = None,
    *,
    couplings: Couplings = DEFAULT_COUPLINGS,
    spread: float = 0.0,
    smoothing: float = 2.0,
    unmasked: UnmaskedModel = "thermal",
    core_temperature: float = 37.0,
    ignore_index: int | None = 255,
) -> np.ndarray:
    """Change the room temperature by ``delta`` degC.

    ``T_out = T + k(x) delta + w(x) (s - 1) (T - mean_skin)``, with ``k`` from
    :func:`coupling_map`, ``s = 1 - spread * delta`` (cooler room, ``delta < 0``: more
    spread) and ``w`` the skin indicator blurred by ``smoothing`` pixels (labels > 0 other
    than ``ignore_index``, or the Otsu warm side without labels). ``spread = 0`` skips the
    contrast term.

    Args:
        image: HxW or HxWx1 degC map.
        delta: change of the room temperature (degC).
        mask: optional HxW label map aligned with ``image``.
        couplings: per-class couplings (sequence by class or ``{class: coupling}``); see
            :func:`coupling_table` for unlisted and ignored labels.
        spread: relative change of the skin temperatures' spread around their mean per degC
            of cooling (>= 0, and ``spread * |delta| < 1``).
        smoothing: blur (pixels) of the class coupling map and of the skin weight.
        unmasked: model used without ``mask``: ``"thermal"`` or ``"threshold"``.
        core_temperature: body core temperature of the ``"thermal"`` model (degC).
        ignore_index: ignored label (treated as background), or ``None``.

    Returns:
        A new float32 array with the layout of ``image``.
    """
    plane = to_temperature_map(image)
    k = coupling_map(
        plane,
        mask,
        couplings=couplings,
        unmasked=unmasked,
        smoothing=smoothing,
        core_temperature=core_temperature,
        ignore_index=ignore_index,
    )
    out = cv2.scaleAdd(k, float(delta), np.ascontiguousarray(plane), dst=k)  # k delta + T
    scale = 1.0 - spread * delta
    if spread != 0.0 and delta != 0.0:
        if scale <= 0:
            raise ValueError(f"spread * delta must be < 1, got {spread} * {delta}")
        skin = _skin_indicator(plane, mask, ignore_index)
        if skin.any():
            mean = float(plane[skin].mean(dtype=np.float64))
            weight = smooth(skin.astype(np.float32), smoothing)
            weight *= np.float32(scale - 1.0)
            out += weight * (plane - np.float32(mean))
    return restore_shape(out, image)


def random_ambient_shift(
    image: np.ndarray,
    delta: tuple[float, float] = (-8.0, 8.0),
    mask: np.ndarray | None = None,
    *,
    rng: np.random.Generator,
    **kwargs: Any,
) -> np.ndarray:
    """:func:`ambient_shift` with ``delta ~ U(delta[0], delta[1])`` drawn from ``rng``."""
    return ambient_shift(image, draw_uniform(rng, delta[0], delta[1]), mask, **kwargs)


# --------------------------------------------------------------------------- clutter

_CLUTTER_GRID = 4  # the smooth clutter field is rendered at 1/4 resolution, then resized


def background_weight(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    smoothing: float = 1.0,
    ignore_index: int | None = 255,
) -> np.ndarray:
    """Where the background shows: 1 on background, 0 on the person (HxW float32).

    The background is the wall: pixels at most 1 degC warmer than the room
    (:func:`estimate_ambient`, the same wall band as :func:`skin_weight`), so the person's
    skin, hair and clothing, warmer than the room, stay in front. With ``mask`` the labelled
    classes (label > 0 other than ``ignore_index``) are the person too. Blurred by
    ``smoothing`` pixels so that the boundary stays soft.
    """
    plane = to_temperature_map(image)
    room = estimate_ambient(plane, mask, ignore_index=ignore_index)
    background = plane <= np.float32(room + _WALL_BAND)
    if mask is not None:
        background &= ~_skin_indicator(plane, mask, ignore_index)
    return smooth(background.astype(np.float32), smoothing)


def sample_clutter(
    shape: tuple[int, int],
    *,
    rng: np.random.Generator,
    num_blobs: tuple[int, int] = (1, 3),
    blob_temperature: tuple[float, float] = (-8.0, 12.0),
    blob_size: tuple[float, float] = (0.05, 0.3),
    blob_aspect: tuple[float, float] = (0.3, 1.0),
    gradient: tuple[float, float] = (0.0, 3.0),
) -> dict[str, Any]:
    """Draw the parameters of a background clutter field (JSON-friendly plain numbers).

    Returns a dict with ``blobs``: a list of ``(row, col, sigma_major, sigma_minor, angle,
    amplitude)`` (pixels, radians, degC), and ``gradient``: ``(angle, peak_to_peak)``.
    Blob centres are uniform over the frame; sizes are fractions of the short side.
    """
    rows, cols = int(shape[0]), int(shape[1])
    short = min(rows, cols)
    count = int(rng.integers(num_blobs[0], num_blobs[1] + 1))
    blobs = []
    for _ in range(count):
        major = draw_uniform(rng, *blob_size) * short
        minor = major * draw_uniform(rng, *blob_aspect)
        blobs.append(
            (
                draw_uniform(rng, 0, rows),
                draw_uniform(rng, 0, cols),
                max(major, 0.5),
                max(minor, 0.5),
                draw_uniform(rng, 0, np.pi),
                draw_uniform(rng, *blob_temperature),
            )
        )
    return {
        "blobs": blobs,
        "gradient": (draw_uniform(rng, 0, 2 * np.pi), draw_uniform(rng, *gradient)),
    }


def render_clutter(
    shape: tuple[int, int],
    blobs: Sequence[Sequence[float]],
    gradient: Sequence[float] = (0.0, 0.0),
) -> np.ndarray:
    """The clutter temperature field (degC offsets, HxW float32).

    Each blob is an elliptical Gaussian ``amplitude * exp(-d^2 / 2)`` (``d``: Mahalanobis
    distance with the blob's sigmas and angle); the gradient is a linear ramp of
    ``peak_to_peak`` degC across the frame in direction ``angle``, zero-mean over the
    frame. The field is smooth, so it is evaluated on a grid 4x coarser and resized
    bilinearly.
    """
    rows, cols = int(shape[0]), int(shape[1])
    grid_rows = max(2, -(-rows // _CLUTTER_GRID))
    grid_cols = max(2, -(-cols // _CLUTTER_GRID))
    # coordinates (pixels of the full frame) of the coarse samples, matching cv2.resize
    y = (np.arange(grid_rows, dtype=np.float32) + 0.5) * (rows / grid_rows) - 0.5
    x = (np.arange(grid_cols, dtype=np.float32) + 0.5) * (cols / grid_cols) - 0.5
    yy, xx = y[:, None], x[None, :]
    field = np.zeros((grid_rows, grid_cols), dtype=np.float32)
    angle, peak_to_peak = float(gradient[0]), float(gradient[1])
    if peak_to_peak != 0.0:
        # projection on the direction, scaled so that the frame spans peak_to_peak
        c, s = np.cos(angle), np.sin(angle)
        span = abs(c) * (cols - 1) + abs(s) * (rows - 1)
        ramp = (xx - (cols - 1) / 2) * np.float32(c) + (yy - (rows - 1) / 2) * np.float32(s)
        field += ramp * np.float32(peak_to_peak / max(span, 1.0))
    for row, col, major, minor, theta, amplitude in blobs:
        c, s = np.float32(np.cos(theta)), np.float32(np.sin(theta))
        dy, dx = yy - np.float32(row), xx - np.float32(col)
        u = dx * c + dy * s
        u /= np.float32(major)
        v = dy * c - dx * s
        v /= np.float32(minor)
        u *= u
        v *= v
        u += v  # d^2, then amplitude * exp(-d^2 / 2) in the same buffer
        u *= np.float32(-0.5)
        np.exp(u, out=u)
        u *= np.float32(amplitude)
        field += u
    if (grid_rows, grid_cols) == (rows, cols):
        return field
    return cv2.resize(field, (cols, rows), interpolation=cv2.INTER_LINEAR)


def apply_background_clutter(
    image: np.ndarray, field: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """``T + weight * field``: clutter added where the background shows (new float32 array)."""
    plane = to_temperature_map(image)
    out = field * weight
    out += plane
    return restore_shape(out, image)


def random_background_clutter(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    rng: np.random.Generator,
    smoothing: float = 1.0,
    ignore_index: int | None = 255,
    **sample_kwargs: Any,
) -> np.ndarray:
    """Add random warm/cold blobs and a gradient to the background (see :func:`sample_clutter`)."""
    plane = to_temperature_map(image)
    params = sample_clutter(plane.shape, **sample_kwargs, rng=rng)
    field = render_clutter(plane.shape, params["blobs"], params["gradient"])
    weight = background_weight(plane, mask, smoothing=smoothing, ignore_index=ignore_index)
    return restore_shape(apply_background_clutter(plane, field, weight), image)
