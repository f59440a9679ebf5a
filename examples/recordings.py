"""Thermal images and recordings as sequences of degC frames, for ``examples.predict``.

An input is one of:

- a 2-D temperature map that :func:`tiaug.io.read_thermal` reads (``.npy``, ``.tif``/``.tiff``,
  ``.png``, raw ``.bin``/``.raw``): one frame;
- a recording: a (T, H, W) ``.npy`` stack, a multi-page TIFF, or a raw file of several frames;
- a folder: its readable image files, sorted by name, are the frames of a recording.

Integer counts are converted to degC with a camera preset's radiometric format
(:mod:`tiaug.cameras`); without one they are refused. Frames are read one at a time, so a
long recording is never held in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tiaug import io as tio
from tiaug.cameras import get_camera

__all__ = ["Recording", "open_recording"]


@dataclass(frozen=True)
class Recording:
    """Frames of one input, read on demand.

    Attributes:
        path: the file or folder given.
        length: number of frames.
        sources: the file each frame comes from (one entry per frame).
        camera: camera preset converting integer counts, or None.
        stacked: whether the frames are pages of one file (``index`` selects them).
    """

    path: Path
    length: int
    sources: tuple[Path, ...]
    camera: str | None = None
    stacked: bool = False

    @property
    def is_sequence(self) -> bool:
        """Whether this input is a recording (more than one frame)."""
        return self.length > 1

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as float32 (H, W) degC.

        Raises:
            FileNotFoundError, ValueError: the frame cannot be read as temperatures.
        """
        source = self.sources[index]
        if self.stacked and source.suffix.lower() == ".npy":
            return _npy_frame(source, index, self.camera)
        return tio.read_thermal(source, camera=self.camera, index=index if self.stacked else 0)


def _npy_frame(path: Path, index: int, camera: str | None) -> np.ndarray:
    """Frame ``index`` of a (T, H, W) ``.npy`` stack in degC (integer counts need a camera)."""
    frame = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False)[index])
    if np.issubdtype(frame.dtype, np.integer):
        if camera is None:
            raise ValueError(
                f"{path}: holds integer counts (dtype {frame.dtype}) and nothing says how to "
                "convert them; give --camera"
            )
        frame = get_camera(camera).counts_to_celsius(frame)
    elif not np.issubdtype(frame.dtype, np.floating):
        raise ValueError(f"{path}: holds {frame.dtype} values, not temperatures or counts")
    if not np.isfinite(frame).all():
        raise ValueError(f"{path}: frame {index} holds NaN or infinite values")
    return np.ascontiguousarray(frame, dtype=np.float32)


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

    The first frame is read, so a file that cannot be read as temperatures fails here.

    Raises:
        FileNotFoundError: no such file or folder.
        ValueError: unreadable file, wrong shape, integer counts without a camera, a folder
            without images.
    """
    path = Path(path)
    if camera is not None:
        get_camera(camera)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in tio.IMAGE_SUFFIXES)
        if not files:
            raise ValueError(
                f"{path}: no image files ({', '.join(tio.IMAGE_SUFFIXES)}) in this folder"
            )
        recording = Recording(path, len(files), tuple(files), camera)
    elif path.is_file():
        length, stacked = _frame_count(path, camera)
        recording = Recording(path, length, (path,) * length, camera, stacked)
    else:
        raise FileNotFoundError(2, "No such file or folder", str(path))
    if recording.length < 1:
        raise ValueError(f"{path}: holds no frames")
    recording.frame(0)
    return recording
