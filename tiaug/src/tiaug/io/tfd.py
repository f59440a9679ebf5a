"""The Thermal Face Database (Kopaczka et al. 2019): images, landmarks, masks, the split."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np

from tiaug._checks import check_mask, to_temperature_map
from tiaug.classes import landmarks_to_mask
from tiaug.io._files import existing_file, plural
from tiaug.io.thermal import read_thermal

__all__ = [
    "TFD_VAL_SUBJECTS",
    "list_tfd_pairs",
    "read_tfd_landmarks",
    "read_tfd_pair",
    "split_tfd_by_subject",
    "tfd_crop_resize",
    "tfd_subject",
]

#: Validation subjects of the paper's Thermal Face Database split (docs/method.md, section 4).
TFD_VAL_SUBJECTS: tuple[str, ...] = (
    "sub007", "sub009", "sub011", "sub012", "sub013", "sub017", "sub021", "sub023",
    "sub052", "sub061", "sub068", "sub069", "sub075", "sub085", "sub090", "sub091",
)  # fmt: skip


def read_tfd_landmarks(ljson_path: str | Path) -> tuple[np.ndarray, dict[str, tuple[int, ...]]]:
    """Read a Menpo landmark JSON (``.ljson``) file of the Thermal Face Database.

    The file looks like ``{"landmarks": {"points": [[row, col], ...]}, "labels":
    [{"label": "chin", "mask": [0, ..., 16]}, ...]}`` (Menpo's version 2 layout).

    Returns:
        ``(points, groups)``: ``(n, 2)`` float64 ``[row, col]`` (missing points, ``null`` in
        the file, become NaN) and the point indices of each labelled group.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: not JSON, or not the layout above.
    """
    path = existing_file(ljson_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON landmark file ({error})") from None
    try:
        raw_points = data["landmarks"]["points"]
        labels = data["labels"]
    except (KeyError, TypeError):
        raise ValueError(
            f"{path}: expected Menpo landmark JSON with 'landmarks': {{'points': ...}} and "
            "'labels': [...]"
        ) from None
    try:
        points = np.array(
            [[np.nan, np.nan] if p is None or None in p else p for p in raw_points],
            dtype=np.float64,
        )
    except (TypeError, ValueError):
        raise ValueError(f"{path}: landmark points must be [row, col] number pairs") from None
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{path}: landmark points must be [row, col] pairs, got {points.shape}")
    groups: dict[str, tuple[int, ...]] = {}
    for entry in labels:
        try:
            name, indices = str(entry["label"]), tuple(int(i) for i in entry["mask"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"{path}: each label needs 'label' and an integer 'mask' list"
            ) from None
        bad = [i for i in indices if not 0 <= i < len(points)]
        if bad:
            raise ValueError(f"{path}: group {name!r} refers to missing points {bad}")
        groups[name] = indices
    return points, groups


def read_tfd_pair(
    npy_path: str | Path, ljson_path: str | Path | None = None, *, scale: float = 1e-3
) -> tuple[np.ndarray, np.ndarray]:
    """Read a Thermal Face Database image and build its six-class mask from the landmarks.

    Args:
        npy_path: ``<base>.npy`` temperatures; multiplied by ``scale`` (the files hold
            milli-degC, hence the default ``1e-3``; pass ``1.0`` for degC files).
        ljson_path: landmark file; default ``<base>.ljson`` next to the image.
        scale: degC per stored unit.

    Returns:
        ``(image, mask)``: float32 degC HxW and uint8 labels HxW built by
        :func:`tiaug.classes.landmarks_to_mask` (hulls painted chin, outer mouth, left eye,
        right eye, left eyebrow, right eyebrow, centre + bottom nose; later wins).

    Raises:
        FileNotFoundError: the image or the landmark file does not exist.
        ValueError: as :func:`read_thermal` and :func:`read_tfd_landmarks`, or a group the
            mask needs is missing or holds missing points.
    """
    npy_path = Path(npy_path)
    ljson = npy_path.with_suffix(".ljson") if ljson_path is None else Path(ljson_path)
    if npy_path.suffix.lower() != ".npy":
        raise ValueError(f"{npy_path}: a Thermal Face Database image is a .npy file")
    image = read_thermal(npy_path, scale=scale)
    points, groups = read_tfd_landmarks(ljson)
    try:
        mask = landmarks_to_mask(points, image.shape, groups)
    except ValueError as error:
        raise ValueError(f"{ljson}: {error}") from None
    return image, mask


def _centre_nearest(length: int, size: int) -> np.ndarray:
    """Source indices of a centre-aligned nearest-neighbour resize from length to size."""
    return np.minimum(((np.arange(size) + 0.5) * (length / size)).astype(np.int64), length - 1)


def tfd_crop_resize(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    crop: tuple[int, int] = (768, 960),
    size: tuple[int, int] = (256, 320),
) -> tuple[np.ndarray, np.ndarray | None]:
    """The paper's preprocessing: centre crop ``crop`` (H, W), then resize to ``size`` (H, W).

    The image is resized with area averaging when shrinking (bilinear when enlarging); the
    mask with centre-aligned nearest neighbour (each output pixel takes the label at its
    centre's position, e.g. input pixels 1, 4, 7, ... for a 3x reduction).

    Returns:
        ``(image, mask)`` (``mask`` is ``None`` when none was given).

    Raises:
        ValueError: the image is smaller than ``crop``, shapes disagree, bad sizes.
    """
    temperature = to_temperature_map(image)
    crop_h, crop_w = (int(v) for v in crop)
    out_h, out_w = (int(v) for v in size)
    if min(crop_h, crop_w, out_h, out_w) < 1:
        raise ValueError(f"crop and size must be positive (H, W), got {crop} and {size}")
    height, width = temperature.shape
    if crop_h > height or crop_w > width:
        raise ValueError(f"image of shape {(height, width)} is smaller than the crop {crop}")
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    cropped = temperature[top : top + crop_h, left : left + crop_w]
    shrinking = out_h <= crop_h and out_w <= crop_w
    resized = cv2.resize(
        np.ascontiguousarray(cropped), (out_w, out_h),
        interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR,
    )  # fmt: skip
    if mask is None:
        return resized.astype(np.float32, copy=False), None
    labels = check_mask(mask, temperature.shape)
    labels = labels[top : top + crop_h, left : left + crop_w]
    rows, cols = _centre_nearest(crop_h, out_h), _centre_nearest(crop_w, out_w)
    return resized.astype(np.float32, copy=False), np.ascontiguousarray(labels[np.ix_(rows, cols)])


def list_tfd_pairs(folder: str | Path, *, strict: bool = True) -> list[tuple[Path, Path]]:
    """Sorted ``(image.npy, landmarks.ljson)`` pairs under ``folder`` (searched recursively).

    Args:
        folder: the database folder.
        strict: raise when an image has no ``.ljson`` next to it (else skip it).

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ValueError: no ``.npy`` images found, or (strict) images without landmarks.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(2, "No such folder", str(root))
    images = sorted(root.rglob("*.npy"))
    if not images:
        raise ValueError(f"{root}: no .npy images found")
    pairs = [(image, image.with_suffix(".ljson")) for image in images]
    missing = [image for image, ljson in pairs if not ljson.is_file()]
    if missing and strict:
        shown = ", ".join(str(p) for p in missing[:3])
        raise ValueError(
            f"{root}: {plural(len(missing), 'image')} without a .ljson landmark file next to it "
            f"(e.g. {shown})"
        )
    return [(image, ljson) for image, ljson in pairs if ljson.is_file()]


_SUBJECT = re.compile(r"(?<![a-z0-9])sub(\d{3})(?!\d)", re.IGNORECASE)


def tfd_subject(path: str | Path) -> str:
    """The subject id ``subNNN`` (lower case) in a Thermal Face Database file name.

    Assumes file names carry the subject as ``sub`` + three digits at the start or after a
    non-alphanumeric separator, e.g. ``sub007_01_neutral.npy`` -> ``"sub007"``. Only the
    file name is looked at, not its folders.

    Raises:
        ValueError: the name holds no such id, or more than one different id.
    """
    name = Path(path).name
    found = {f"sub{m}" for m in _SUBJECT.findall(name)}
    if len(found) != 1:
        what = "no subject id" if not found else f"several subject ids {sorted(found)}"
        raise ValueError(
            f"{name}: {what}; Thermal Face Database names are expected to hold one "
            "'subNNN' part (e.g. sub007_01.npy)"
        )
    return found.pop()


def split_tfd_by_subject(
    paths: Iterable[str | Path | Sequence[str | Path]],
    val_subjects: Sequence[str] = TFD_VAL_SUBJECTS,
) -> tuple[list, list]:
    """Split files (or ``(image, landmarks)`` pairs) into (train, val) by subject.

    The subject is read from the image's file name by :func:`tfd_subject` (for a pair, from
    its first element). Order is kept. ``val_subjects`` defaults to the paper's 16 subjects.

    Raises:
        ValueError: a name without a ``subNNN`` id.
    """
    chosen = {s.lower() for s in val_subjects}
    train: list = []
    val: list = []
    for item in paths:
        first = item if isinstance(item, (str, Path)) else item[0]
        (val if tfd_subject(first) in chosen else train).append(item)
    return train, val
