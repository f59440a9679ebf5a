"""Thermal images and recordings as sequences of frames, for ``examples.predict``.

An input is one of:

- a 2-D picture that :func:`tiaug.io.read_image` reads (``.npy``, ``.tif``/``.tiff``,
  ``.png``, ``.jpg``, ``.bmp``, raw ``.bin``/``.raw``): one frame;
- a recording: a (T, H, W) ``.npy`` stack, a multi-page TIFF, or a raw file of several frames;
- a folder: its readable picture files, sorted by name, are the frames of a recording.

A recording is either temperatures (``unit == "degC"``: float data, radiometric files, or
integer counts converted by a camera preset's radiometric format, :mod:`tiaug.cameras`) or
relative intensities (``unit == "relative"``: the grey levels of 8/16-bit exports, or
unsigned 8/16-bit data without a camera; other integer data needs a camera). Frames are
read one at a time, so a long recording is never held in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from tiaug import io as tio
from tiaug.cameras import get_camera
from tiaug.io.images import READABLE_SUFFIXES

__all__ = ["Recording", "common_unit", "open_recording"]


@dataclass(frozen=True)
class Recording:
    """Frames of one input, read on demand.

    Attributes:
        path: the file or folder given.
        length: number of frames.
        sources: the file each frame comes from (one entry per frame).
        camera: camera preset converting integer counts, or None.
        stacked: whether the frames are pages of one file (``index`` selects them).
        unit: ``"degC"`` (temperatures) or ``"relative"`` (grey levels), as found on the
            first frame.
    """

    path: Path
    length: int
    sources: tuple[Path, ...]
    camera: str | None = None
    stacked: bool = False
    unit: Literal["degC", "relative"] = "degC"

    @property
    def is_sequence(self) -> bool:
        """Whether this input is a recording (more than one frame)."""
        return self.length > 1

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as float32 (H, W): degC, or grey levels for a relative recording.

        Raises:
            FileNotFoundError, ValueError: the frame cannot be read, or its unit differs
                from the recording's.
        """
        unit, frame = self.read(index)
        if unit != self.unit:
            raise ValueError(
                f"{self.sources[index]}: frame {index} is {unit}, the recording's first "
                f"frame {self.unit}"
            )
        return frame

    def read(self, index: int) -> tuple[Literal["degC", "relative"], np.ndarray]:
        """``(unit, frame)`` of frame ``index`` (float32 (H, W))."""
        source = self.sources[index]
        if self.stacked and source.suffix.lower() == ".npy":
            return _npy_frame(source, index, self.camera)
        image = tio.read_image(source, camera=self.camera, index=index if self.stacked else 0)
        return image.unit, image.pixels.astype(np.float32)


def _npy_frame(
    path: Path, index: int, camera: str | None
) -> tuple[Literal["degC", "relative"], np.ndarray]:
    """Frame ``index`` of a (T, H, W) ``.npy`` stack: float data is degC, integer counts are
    converted with a camera, unsigned 8/16-bit data without one is relative grey levels (as
    :func:`tiaug.io.read_image` reads a single frame)."""
    frame = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False)[index])
    unit: Literal["degC", "relative"] = "degC"
    if np.issubdtype(frame.dtype, np.integer):
        if camera is not None:
            frame = get_camera(camera).counts_to_celsius(frame)
        elif frame.dtype in (np.uint8, np.uint16):
            unit = "relative"
        else:
            raise ValueError(
                f"{path}: {frame.dtype} values are neither degC (float) nor 8/16-bit grey "
                "levels; give --camera to convert counts"
            )
    elif not np.issubdtype(frame.dtype, np.floating):
        raise ValueError(f"{path}: holds {frame.dtype} values, not temperatures or grey levels")
    if not np.isfinite(frame).all():
        raise ValueError(f"{path}: frame {index} holds NaN or infinite values")
    return unit, np.ascontiguousarray(frame, dtype=np.float32)


def _frame_count(path: Path, camera: str | None) -> tuple[int, bool]:
    """(frames, whether they are pages of the file): T of a (T, H, W) ``.npy`` stack, the
    pages of a TIFF, the frames of a raw file; (1, False) for a single image."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            shape = np.load(path, mmap_mode="r", allow_pickle=False).shape
        except (ValueError, OSError, EOFError) as error:
            raise ValueError(f"{path}: not a readable .npy array ({error})") from None
        if len(shape) == 2 or (len(shape) == 3 and shape[2] == 1):
            return 1, False
        if len(shape) != 3:
            raise ValueError(
                f"{path}: expected an (H, W) image or a (T, H, W) recording, got shape {shape}"
            )
        return shape[0], True
    if suffix in (".tif", ".tiff"):
        import tifffile

        try:
            with tifffile.TiffFile(path) as tif:
                return len(tif.pages), True
        except tifffile.TiffFileError as error:
            raise ValueError(f"{path}: not a readable TIFF ({error})") from None
    if suffix in (".bin", ".raw"):
        if camera is None:
            raise ValueError(f"{path}: a raw frame file needs --camera (frame shape, count type)")
        cam = get_camera(camera)
        frame_bytes = cam.height * cam.width * np.dtype(cam.count_dtype).itemsize
        return max(1, path.stat().st_size // frame_bytes), True
    return 1, False


def open_recording(path: str | Path, camera: str | None = None) -> Recording:
    """The frames of an image file, a recording file or a folder of frames.

    The first frame is read (a file that cannot be read fails here) and gives the unit.

    Raises:
        FileNotFoundError: no such file or folder.
        ValueError: unreadable file, wrong shape, a folder without pictures.
    """
    path = Path(path)
    if camera is not None:
        get_camera(camera)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in READABLE_SUFFIXES)
        if not files:
            raise ValueError(
                f"{path}: no picture files ({', '.join(READABLE_SUFFIXES)}) in this folder"
            )
        recording = Recording(path, len(files), tuple(files), camera)
    elif path.is_file():
        length, stacked = _frame_count(path, camera)
        recording = Recording(path, length, (path,) * length, camera, stacked)
    else:
        raise FileNotFoundError(2, "No such file or folder", str(path))
    if recording.length < 1:
        raise ValueError(f"{path}: holds no frames")
    unit, _ = recording.read(0)
    return dataclasses.replace(recording, unit=unit)


def common_unit(recordings: Sequence[Recording]) -> Literal["degC", "relative"]:
    """The unit all ``recordings`` share ("degC" when there are none).

    Raises:
        ValueError: they mix temperatures and relative grey levels.
    """
    units = {recording.unit for recording in recordings}
    if len(units) > 1:
        raise ValueError(
            "the inputs mix temperatures (degC) and relative grey levels (8-bit exports): "
            "predict them in separate runs"
        )
    return units.pop() if units else "degC"
