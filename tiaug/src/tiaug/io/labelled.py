"""Real labelled thermal faces: a picture, its landmarks and the six-class mask they give.

Two folder layouts are read:

- frames beside landmark files: ``DIR/<sequence>/<frame>.<image>`` with
  ``DIR/<sequence>/<frame>.txt`` (YOLO pose), ``.pts`` (iBUG) or ``.ljson`` (Menpo) of the
  same stem, at any depth (:func:`list_landmarked_frames`);
- ``DIR/image/`` + ``DIR/label/`` (label maps of the same stem; :func:`list_labelled_pairs`).

The mask of a landmarked frame is the Thermal Face Database recipe
(:func:`tiaug.classes.landmarks_to_mask`) on the frame's layout
(:data:`tiaug.classes.LANDMARK_LAYOUTS`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tiaug.classes import LandmarkLayout, landmarks_to_mask
from tiaug.io._files import image_label_pairs
from tiaug.io.images import READABLE_SUFFIXES, ThermalImage, read_image
from tiaug.io.landmarks import LANDMARK_SUFFIXES, Landmarks, read_landmarks
from tiaug.io.masks import MASK_SUFFIXES, read_mask

__all__ = [
    "LabelledFrame",
    "list_labelled_pairs",
    "list_landmarked_frames",
    "read_labelled_frame",
]

#: Picture suffixes of labelled folders (no raw .bin/.raw: those need a camera).
_FRAME_SUFFIXES = tuple(s for s in READABLE_SUFFIXES if s not in (".bin", ".raw"))


@dataclass(frozen=True, eq=False)
class LabelledFrame:
    """One labelled frame.

    Attributes:
        image: the picture (degC or relative intensities).
        mask: uint8 HxW six-class labels.
        landmarks: the landmarks the mask was built from (None for a label-map pair).
    """

    image: ThermalImage
    mask: np.ndarray
    landmarks: Landmarks | None = None


def _check_folder(folder: str | Path) -> Path:
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(2, "No such folder", str(root))
    return root


def _partner(image: Path, folder: Path, suffixes: tuple[str, ...]) -> Path | None:
    return next(
        (folder / (image.stem + s) for s in suffixes if (folder / (image.stem + s)).is_file()), None
    )


def list_landmarked_frames(folder: str | Path) -> list[tuple[Path, Path]]:
    """Sorted ``(picture, landmark file)`` pairs under ``folder`` (searched recursively).

    A picture's landmark file has its stem and a suffix in
    :data:`tiaug.io.landmarks.LANDMARK_SUFFIXES`, in the same folder; pictures without one
    are skipped. Linked folders are followed.

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ValueError: no picture with a landmark file.
    """
    root = _check_folder(folder)
    pictures = sorted(
        Path(top) / name
        for top, _, names in os.walk(root, followlinks=True)
        for name in names
        if Path(name).suffix.lower() in _FRAME_SUFFIXES
    )
    pairs = [(p, _partner(p, p.parent, LANDMARK_SUFFIXES)) for p in pictures]
    found = [(p, mark) for p, mark in pairs if mark is not None]
    if not found:
        raise ValueError(
            f"{root}: no pictures with a landmark file of the same name "
            f"({', '.join(LANDMARK_SUFFIXES)})"
        )
    return found


def list_labelled_pairs(folder: str | Path) -> list[tuple[Path, Path]]:
    """Sorted ``(picture, label map)`` pairs of ``folder/image`` and ``folder/label``.

    Raises:
        FileNotFoundError: a folder is missing.
        ValueError: no pictures, or pictures without a label map (the message names some).
    """
    root = _check_folder(folder)
    return image_label_pairs(
        root / "image", root / "label", _FRAME_SUFFIXES, MASK_SUFFIXES, "picture"
    )


def read_labelled_frame(
    picture: str | Path,
    labels: str | Path,
    *,
    layout: str | LandmarkLayout | None = None,
    palette: str | None = None,
) -> LabelledFrame:
    """Read a picture and its labels: a landmark file (the mask is built) or a label map.

    Args:
        picture: the frame (:func:`tiaug.io.read_image`).
        labels: a landmark file (``.txt``, ``.pts``, ``.ljson``) or a label map (``.png``,
            ``.npy``, ``.tif``) of the picture's shape.
        layout: the landmark layout (default: detected from the number of points).
        palette: the palette of a colour picture (default: detected).

    Raises:
        FileNotFoundError: a file does not exist.
        ValueError: as the readers, or landmarks that do not make a mask (the message names
            the file).
    """
    image = read_image(picture, palette=palette)
    labels = Path(labels)
    if labels.suffix.lower() not in LANDMARK_SUFFIXES:
        return LabelledFrame(image, read_mask(labels, like=image.pixels))
    marks = read_landmarks(labels, image_shape=image.pixels.shape, layout=layout)
    try:
        mask = landmarks_to_mask(marks.points, image.pixels.shape, marks.layout)
    except ValueError as error:
        raise ValueError(f"{labels}: {error}") from None
    return LabelledFrame(image, mask, marks)
