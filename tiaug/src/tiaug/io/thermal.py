"""Temperature maps: read any supported file as degC, write degC maps.

Temperatures come back as 2-D ``float32`` arrays in degC. Raw integer counts are converted
with an explicit ``scale``/``offset`` (``T = counts * scale + offset``) or a camera preset
(:mod:`tiaug.cameras`). Formats, chosen by the file suffix:

- ``.npy``: float arrays are degC as they are; integer arrays are counts. Loaded with
  ``allow_pickle=False`` always: a file holding Python objects is refused.
- ``.tif`` / ``.tiff``: float pages are degC, 16-bit (or 32-bit) integer pages are counts.
- ``.png``: 16-bit counts; 8-bit PNGs are not radiometric and are refused unless an explicit
  ``scale``/``offset`` says how to read them.
- ``.bin`` / ``.raw``: headerless frames, little-endian; frame shape and count type from a
  camera preset (e.g. ``"flir-a65"``: 640x512 uint16, ``T = counts x 0.04 - 273.15``) or from
  ``shape``/``dtype``. A file may hold several frames: ``index`` picks one.
- ``.jpg`` / ``.jpeg``: FLIR radiometric JPEGs, converted with the calibration the file
  carries (:mod:`tiaug.io.flir`, needs the optional ``flyr``: ``pip install 'tiaug[flir]'``).

Errors are ``FileNotFoundError`` (missing file) or ``ValueError`` with a message naming the
file and the problem (``ModuleNotFoundError`` with an install hint for a missing extra).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tiaug._checks import check_finite
from tiaug.cameras import Camera, get_camera
from tiaug.io._files import as_2d, existing_file, load_npy, load_png, load_tiff
from tiaug.io.flir import FLIR_SUFFIXES, read_flir_jpeg

__all__ = ["IMAGE_SUFFIXES", "read_thermal", "write_thermal"]

#: Suffixes :func:`read_thermal` understands. Not a filter for folder scans: a ``.jpg`` or
#: ``.jpeg`` is read only as a FLIR radiometric JPEG (an ordinary photo raises ValueError, and
#: without ``flyr`` the install hint); dataset layouts
#: (:data:`tiaug.io.dataset.DATASET_IMAGE_SUFFIXES`) list no JPEGs.
IMAGE_SUFFIXES = (".npy", ".tif", ".tiff", ".png", ".bin", ".raw", *FLIR_SUFFIXES)

_ABSOLUTE_ZERO = -273.15
_MAX_PLAUSIBLE_DEGC = 1000.0  # float maps above this are taken as unconverted counts


def _conversion(
    camera: str | Camera | None, scale: float | None, offset: float | None
) -> tuple[float, float] | None:
    """(scale, offset) for counts, or None when nothing says how to convert them.

    An explicit ``scale``/``offset`` wins over the camera's count format.
    """
    if scale is not None or offset is not None:
        scale = 1.0 if scale is None else float(scale)
        offset = 0.0 if offset is None else float(offset)
        if not (np.isfinite(scale) and np.isfinite(offset)) or scale == 0:
            raise ValueError(
                f"scale must be finite and non-zero and offset finite, got {scale}, {offset}"
            )
        return scale, offset
    if camera is not None:
        cam = get_camera(camera)
        if cam.count_step is None:
            raise ValueError(
                f"camera {cam.name!r} has no linear radiometric count format; "
                "give scale= and offset= to convert its counts"
            )
        return float(cam.count_step), float(cam.count_offset)
    return None


def to_celsius(
    array: np.ndarray,
    path: Path,
    conversion: tuple[float, float] | None,
    *,
    allow_8bit: bool = True,
) -> np.ndarray:
    """Turn a loaded 2-D array into float32 degC (checks dtype, conversion, range)."""
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise ValueError(f"{path}: holds {array.dtype} values, not temperatures or counts")
    if np.issubdtype(array.dtype, np.integer):
        if array.dtype.itemsize == 1 and not allow_8bit:
            raise ValueError(
                f"{path}: 8-bit image, not radiometric (a colour-mapped picture holds no "
                "temperatures); give scale= and offset= if its values are linear counts"
            )
        if conversion is None:
            raise ValueError(
                f"{path}: holds integer counts (dtype {array.dtype}) and nothing says how to "
                "convert them; give camera= or scale=/offset= (T = counts * scale + offset)"
            )
    if conversion is None:
        result = array.astype(np.float32)
    else:
        scale, offset = conversion
        result = (array.astype(np.float64) * scale + offset).astype(np.float32)
    check_finite(result, name=str(path))
    low, high = float(result.min()), float(result.max())
    if low < _ABSOLUTE_ZERO - 1e-3:
        raise ValueError(
            f"{path}: values down to {low:.6g} degC lie below absolute zero; "
            "check the scale/offset or camera"
        )
    if conversion is None and high > _MAX_PLAUSIBLE_DEGC:
        raise ValueError(
            f"{path}: values up to {high:.6g} are not plausible degC; give scale=/offset= "
            "(e.g. scale=1e-3 for milli-degC) or camera= to convert them"
        )
    return np.ascontiguousarray(result)


def _load_bin(
    path: Path,
    camera: str | Camera | None,
    shape: tuple[int, int] | None,
    dtype: str | np.dtype | None,
    index: int,
) -> np.ndarray:
    cam = get_camera(camera) if camera is not None else None
    if shape is None:
        if cam is None:
            raise ValueError(
                f"{path}: a raw frame file needs camera= (frame shape and count type) or shape="
            )
        shape = cam.shape
    if dtype is None:
        dtype = cam.count_dtype if cam is not None else "uint16"
    height, width = (int(v) for v in shape)
    if height < 1 or width < 1:
        raise ValueError(f"shape must be (height, width) with positive sizes, got {shape}")
    count_type = np.dtype(dtype).newbyteorder("<")
    frame_bytes = height * width * count_type.itemsize
    size = path.stat().st_size
    if size == 0 or size % frame_bytes:
        raise ValueError(
            f"{path}: {size} bytes is not a whole number of {height}x{width} {count_type.name} "
            f"frames ({frame_bytes} bytes each); check the camera or shape"
        )
    frames = size // frame_bytes
    if not -frames <= index < frames:
        raise ValueError(f"{path}: frame index {index} out of range (file holds {frames})")
    index %= frames
    counts = np.fromfile(path, dtype=count_type, count=height * width, offset=index * frame_bytes)
    return counts.reshape(height, width)


def read_thermal(
    path: str | Path,
    *,
    camera: str | Camera | None = None,
    scale: float | None = None,
    offset: float | None = None,
    shape: tuple[int, int] | None = None,
    dtype: str | np.dtype | None = None,
    index: int = 0,
) -> np.ndarray:
    """Read a temperature map in degC.

    Args:
        path: ``.npy``, ``.tif``/``.tiff``, ``.png``, raw ``.bin``/``.raw`` or FLIR
            radiometric ``.jpg``/``.jpeg`` file (the latter carry their own calibration:
            ``scale``/``offset`` do not apply).
        camera: camera preset name (see ``tiaug.list_cameras()``) or :class:`Camera`: converts
            integer counts with its count format, and gives a raw file's frame shape and type.
        scale: degC per count; with ``offset``, ``T = counts * scale + offset``. Overrides the
            camera's conversion. Also applied to float data when given (e.g. ``1e-3`` for
            milli-degC floats).
        offset: degC at count 0 (default 0 when only ``scale`` is given).
        shape: ``(height, width)`` of a raw frame (overrides the camera's); for other formats
            the image must have this shape when it is given.
        dtype: count type of a raw frame (default: the camera's, else ``uint16``),
            little-endian.
        index: frame of a multi-frame raw file or page of a multi-page TIFF.

    Returns:
        2-D ``float32`` array in degC, C-contiguous.

    Raises:
        FileNotFoundError: the file does not exist.
        ModuleNotFoundError: a FLIR JPEG without ``flyr`` installed (``tiaug[flir]``).
        ValueError: unknown suffix or camera, pickled or unreadable data, NaN/inf values,
            not a single-channel 2-D image, integer counts without a conversion, an 8-bit
            PNG/TIFF without an explicit scale/offset, a raw file whose size is not a multiple
            of the frame size, values below absolute zero or implausibly large float values.
    """
    path = existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(
            f"{path}: unknown suffix {path.suffix!r}; readable: {', '.join(IMAGE_SUFFIXES)}"
        )
    if camera is not None:
        get_camera(camera)  # unknown names fail here, whatever the format
    explicit = scale is not None or offset is not None

    def conversion(array: np.ndarray) -> tuple[float, float] | None:
        """Float data is degC as it is (a camera's count format is moot); counts convert."""
        if np.issubdtype(array.dtype, np.floating) and not explicit:
            return None
        return _conversion(camera, scale, offset)

    if suffix == ".npy":
        array = as_2d(load_npy(path), path)
        result = to_celsius(array, path, conversion(array))
    elif suffix in (".tif", ".tiff"):
        array = as_2d(load_tiff(path, index), path)
        result = to_celsius(array, path, conversion(array), allow_8bit=explicit)
    elif suffix == ".png":
        array = as_2d(load_png(path), path)
        result = to_celsius(array, path, conversion(array), allow_8bit=explicit)
    elif suffix in FLIR_SUFFIXES:
        if explicit:
            raise ValueError(
                f"{path}: a FLIR radiometric JPEG carries its own calibration; "
                "scale= and offset= do not apply"
            )
        result = to_celsius(read_flir_jpeg(path), path, None)
    else:
        array = _load_bin(path, camera, shape, dtype, index)
        result = to_celsius(array, path, conversion(array))
    if shape is not None and result.shape != tuple(int(v) for v in shape):
        raise ValueError(f"{path}: image shape {result.shape} differs from shape={tuple(shape)}")
    return result


def write_thermal(path: str | Path, image: np.ndarray) -> Path:
    """Write a degC map as ``float32`` to ``.npy`` or ``.tif``/``.tiff``; returns the path."""
    path = Path(path)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            f"image must be a numeric HxW array, got shape {array.shape}, {array.dtype}"
        )
    array = np.ascontiguousarray(array, dtype=np.float32)
    check_finite(array)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, array, allow_pickle=False)
    elif suffix in (".tif", ".tiff"):
        import tifffile

        tifffile.imwrite(path, array)
    else:
        raise ValueError(f"{path}: write_thermal writes .npy or .tif/.tiff, not {path.suffix!r}")
    return path
