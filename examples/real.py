"""Real labelled thermal faces as evaluation (and fine-tuning) data for the examples.

A real folder is either frames beside landmark files (``DIR/<sequence>/<frame>.jpg`` +
``<frame>.txt``: YOLO pose, iBUG ``.pts`` or Menpo ``.ljson``, the layout detected from the
number of points or given) or ``DIR/image`` + ``DIR/label`` (:mod:`tiaug.io.labelled`). Masks
are the Thermal Face Database recipe on the landmarks. Pictures without temperatures (8-bit
exports) enter as their grey levels over the format's top level (0..1, float32): the
network's input is each image min-max normalised, so only their order matters, and no
transform mistakes them for degC; training on them (fine-tuning) takes only augmentations
that need no temperatures.

Frames are framed like the run's validation images: a run trained on face crops sees each
real frame cropped around its labelled face with the run's margin; other runs see the whole
frame resized. When the frames' paths say whether the person wears glasses (``NoGlasses``,
``no_glasses``, ``no-glasses`` against ``Glasses``), the set is also split that way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from examples.data import FaceCropSource, Source, UsageError, fit_to_size
from tiaug import io as tio
from tiaug.presets import TEMPERATURE_FREE_PRESETS

__all__ = [
    "GLASSES",
    "NO_DEGC_AUGMENTATIONS",
    "RealSource",
    "glasses_groups",
    "is_real_folder",
    "list_real_frames",
    "open_real_sets",
    "open_real_training",
    "wears_glasses",
]

#: The split of a real set by eyewear: name -> what the frame's path says.
GLASSES = {"glasses": True, "no_glasses": False}
_NO_GLASSES = re.compile(r"no[_-]?glasses", re.IGNORECASE)
_GLASSES = re.compile(r"glasses", re.IGNORECASE)


def wears_glasses(path: Path, root: Path) -> bool | None:
    """True/False when the frame's path below ``root`` says glasses / no glasses, else None."""
    text = str(path.relative_to(root))
    if _NO_GLASSES.search(text):
        return False
    return True if _GLASSES.search(text) else None


def is_real_folder(folder: Path) -> bool:
    """Whether ``folder`` holds real labelled frames (pictures beside landmark files, or
    ``image/`` + ``label/``), and not the Thermal Face Database (``subNNN`` ``.npy`` frames
    beside ``.ljson`` files: read with the paper's crop and split, ``examples.data``)."""
    if (folder / "image").is_dir() and (folder / "label").is_dir():
        return True
    try:
        pairs = tio.list_landmarked_frames(folder)
    except (FileNotFoundError, ValueError):
        return False
    return not all(_tfd_pair(picture, marks) for picture, marks in pairs)


def _tfd_pair(picture: Path, marks: Path) -> bool:
    if (picture.suffix.lower(), marks.suffix.lower()) != (".npy", ".ljson"):
        return False
    try:
        tio.tfd_subject(picture)
    except ValueError:
        return False
    return True


def list_real_frames(folder: str | Path) -> list[tuple[Path, Path]]:
    """The ``(picture, labels)`` pairs of a real folder (landmark files or label maps).

    Raises:
        UsageError: a missing folder, or one without labelled frames.
    """
    root = Path(folder)
    try:
        if (root / "image").is_dir() and (root / "label").is_dir():
            return tio.list_labelled_pairs(root)
        return tio.list_landmarked_frames(root)
    except FileNotFoundError as error:
        raise UsageError(f"{error.filename}: no such folder") from None
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None


class RealSource:
    """Real labelled frames as ``(image float32 (H, W), mask uint8 (H, W))`` pairs.

    Images are degC when the files are radiometric, else the grey levels as fractions of
    their format's top level (0..1). Frames are read on demand (``read_labelled_frame``); a
    bad file raises UsageError naming it. ``unit`` is the first frame's.

    Args:
        pairs: ``(picture, labels)`` paths (:func:`list_real_frames`).
        layout: landmark layout name (default: detected per file).
    """

    def __init__(self, pairs: Sequence[tuple[Path, Path]], layout: str | None = None) -> None:
        self.pairs = list(pairs)
        self.layout = layout
        self.unit = self._read(0).image.unit if self.pairs else "degC"

    def __len__(self) -> int:
        return len(self.pairs)

    def _read(self, index: int) -> tio.LabelledFrame:
        picture, labels = self.pairs[index]
        try:
            return tio.read_labelled_frame(picture, labels, layout=self.layout)
        except (ValueError, ImportError) as error:  # ImportError: an optional reader's extra
            raise UsageError(" ".join(str(error).split())) from None

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        frame = self._read(index)
        pixels = frame.image.pixels
        if frame.image.unit != self.unit:
            raise UsageError(
                f"{self.pairs[index][0]}: {frame.image.unit}, other frames {self.unit}"
            )
        if frame.image.is_temperature:
            return pixels.astype(np.float32), frame.mask
        top = np.float32(np.iinfo(pixels.dtype).max)
        return pixels.astype(np.float32) / top, frame.mask


class _Resized:
    """A source's pairs resized to ``size`` (whole frames, for runs without face crops)."""

    def __init__(self, source: Source, size: tuple[int, int]) -> None:
        self.source, self.size = source, size

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return fit_to_size(*self.source[index], self.size)


def _framed(source: Source, size: tuple[int, int], face_crop: float | None) -> Source:
    if face_crop is None:
        return _Resized(source, size)
    return FaceCropSource(source, size, face_crop)


def glasses_groups(pairs: Sequence[tuple[Path, Path]], root: Path) -> dict[str, list[int]]:
    """Indices of the frames with and without glasses (by path), when both kinds exist."""
    says = [wears_glasses(picture, root) for picture, _ in pairs]
    groups = {
        name: [i for i, s in enumerate(says) if s is value] for name, value in GLASSES.items()
    }
    return groups if all(groups.values()) else {}


class _Subset:
    def __init__(self, source: Source, indices: Sequence[int]) -> None:
        self.source, self.indices = source, list(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return self.source[self.indices[index]]


def open_real_sets(
    folder: str | Path,
    size: tuple[int, int],
    face_crop: float | None,
    *,
    layout: str | None = None,
    name: str = "real",
) -> dict[str, Source]:
    """The evaluation sources of a real folder: ``name`` (every frame) and, when the paths
    say so, ``name_glasses`` and ``name_no_glasses``; framed like a run's validation set.

    Raises:
        UsageError: as :func:`list_real_frames`, or an unknown layout.
    """
    if layout is not None and layout not in tio.LANDMARK_LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; known: {', '.join(tio.LANDMARK_LAYOUTS)}")
    root = Path(folder)
    pairs = list_real_frames(root)
    source = _framed(RealSource(pairs, layout), size, face_crop)
    sets: dict[str, Source] = {name: source}
    for group, indices in glasses_groups(pairs, root).items():
        sets[f"{name}_{group}"] = _Subset(source, indices)
    return sets


#: ``--aug`` choices that need no temperatures (geometry and blur only).
NO_DEGC_AUGMENTATIONS = ("none", *TEMPERATURE_FREE_PRESETS)


def open_real_training(
    data: str | Path,
    val_data: str | Path | None,
    size: tuple[int, int],
    face_crop: float | None,
    aug: str,
    max_frames: int | None = None,
) -> tuple[Source, Source]:
    """(train, validation) sources of a fine-tuning run on real frames, framed alike.

    Args:
        data: real folder of the training frames.
        val_data: real folder of the validation frames (required).
        size: the run's (rows, columns).
        face_crop: the run's face-crop margin (None: whole frames).
        aug: the run's augmentation (frames without temperatures take only
            :data:`NO_DEGC_AUGMENTATIONS`).
        max_frames: use at most this many training frames, evenly spread over the sorted
            frames (None: all).

    Raises:
        UsageError: no ``val_data``, bad folders, ``max_frames`` < 1, an augmentation that
            needs temperatures on frames without them.
    """
    if val_data is None:
        raise UsageError("training on a folder of real frames needs --val-data (another folder)")
    pairs = list_real_frames(data)
    if max_frames is not None and max_frames < len(pairs):
        if max_frames < 1:
            raise UsageError(f"--num-train must be >= 1, got {max_frames}")
        chosen = np.linspace(0, len(pairs) - 1, max_frames).round().astype(int)
        pairs = [pairs[i] for i in chosen]
    train = RealSource(pairs)
    if train.unit == "relative" and aug not in NO_DEGC_AUGMENTATIONS:
        raise UsageError(
            f"--aug {aug} needs temperatures; {data} holds relative grey levels: use --aug "
            f"{', '.join(NO_DEGC_AUGMENTATIONS)}"
        )
    val = open_real_sets(val_data, size, face_crop)["real"]
    return _framed(train, size, face_crop), val
