"""Readers and writers for thermal images, label maps and the Thermal Face Database.

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

Errors are ``FileNotFoundError`` (missing file) or ``ValueError`` with a message naming the
file and the problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np

from tiaug._checks import check_finite, check_mask
from tiaug.cameras import Camera, get_camera
from tiaug.classes import (
    CLASS_NAMES,
    IBUG68_GROUPS,
    TFD_MASK_ORDER,
    landmarks_to_mask,
)

__all__ = [
    "CLASS_NAMES",
    "IBUG68_GROUPS",
    "IMAGE_SUFFIXES",
    "TFD_MASK_ORDER",
    "TFD_VAL_SUBJECTS",
    "landmarks_to_mask",
    "list_dataset_pairs",
    "list_tfd_pairs",
    "read_mask",
    "read_tfd_landmarks",
    "read_tfd_pair",
    "read_thermal",
    "split_tfd_by_subject",
    "tfd_crop_resize",
    "tfd_subject",
    "write_mask",
    "write_thermal",
]

#: Suffixes :func:`read_thermal` understands.
IMAGE_SUFFIXES = (".npy", ".tif", ".tiff", ".png", ".bin", ".raw")
_MASK_SUFFIXES = (".png", ".npy", ".tif", ".tiff")
_DATASET_IMAGE_SUFFIXES = (".npy", ".tif", ".tiff", ".png")

#: Validation subjects of the paper's Thermal Face Database split (METHOD.md, section 4).
TFD_VAL_SUBJECTS: tuple[str, ...] = (
    "sub007", "sub009", "sub011", "sub012", "sub013", "sub017", "sub021", "sub023",
    "sub052", "sub061", "sub068", "sub069", "sub075", "sub085", "sub090", "sub091",
)  # fmt: skip

_ABSOLUTE_ZERO = -273.15
_MAX_PLAUSIBLE_DEGC = 1000.0  # float maps above this are taken as unconverted counts


def _existing_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if not path.is_file():
        raise ValueError(f"{path}: not a file")
    return path


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


def _to_celsius(
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


def _as_2d(array: np.ndarray, path: Path) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f"{path}: expected a single-channel HxW image, got an array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{path}: empty image of shape {array.shape}")
    return array


def _load_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(
                f"{path}: holds pickled Python objects; refusing to load it "
                "(only plain numeric arrays are read, allow_pickle=False)"
            ) from None
        raise ValueError(f"{path}: not a readable .npy array ({error})") from None
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npy array ({error})") from None
    if not isinstance(array, np.ndarray):  # an .npz archive
        array.close()
        raise ValueError(f"{path}: an .npz archive, not a single .npy array")
    return array


def _load_tiff(path: Path, index: int) -> np.ndarray:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            pages = len(tif.pages)
            if not -pages <= index < pages:
                raise ValueError(f"{path}: page index {index} out of range (file has {pages})")
            return tif.pages[index].asarray()
    except tifffile.TiffFileError as error:
        raise ValueError(f"{path}: not a readable TIFF ({error})") from None


def _load_png(path: Path) -> np.ndarray:
    data = np.fromfile(path, dtype=np.uint8)
    array = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if array is None:
        raise ValueError(f"{path}: not a readable PNG")
    if array.ndim == 3 and array.shape[2] > 1:
        raise ValueError(
            f"{path}: has {array.shape[2]} colour channels; a radiometric image or a label "
            "map has one"
        )
    return array


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
        path: ``.npy``, ``.tif``/``.tiff``, ``.png`` or raw ``.bin``/``.raw`` file.
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
        ValueError: unknown suffix or camera, pickled or unreadable data, NaN/inf values,
            not a single-channel 2-D image, integer counts without a conversion, an 8-bit
            PNG/TIFF without an explicit scale/offset, a raw file whose size is not a multiple
            of the frame size, values below absolute zero or implausibly large float values.
    """
    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(
            f"{path}: unknown suffix {path.suffix!r}; readable: {', '.join(IMAGE_SUFFIXES)}"
        )
    if camera is not None:
        get_camera(camera)  # unknown names fail here, whatever the format
    conversion = _conversion(camera, scale, offset)
    explicit = scale is not None or offset is not None
    if suffix == ".npy":
        array = _as_2d(_load_npy(path), path)
        if np.issubdtype(array.dtype, np.floating) and not explicit:
            conversion = None  # float .npy is degC as it is; a camera's count format is moot
        result = _to_celsius(array, path, conversion)
    elif suffix in (".tif", ".tiff"):
        array = _as_2d(_load_tiff(path, index), path)
        if np.issubdtype(array.dtype, np.floating) and not explicit:
            conversion = None
        result = _to_celsius(array, path, conversion, allow_8bit=explicit)
    elif suffix == ".png":
        array = _as_2d(_load_png(path), path)
        result = _to_celsius(array, path, conversion, allow_8bit=explicit)
    else:
        array = _load_bin(path, camera, shape, dtype, index)
        result = _to_celsius(array, path, conversion)
    if shape is not None and result.shape != tuple(int(v) for v in shape):
        raise ValueError(f"{path}: image shape {result.shape} differs from shape={tuple(shape)}")
    return result


def read_mask(path: str | Path, *, like: np.ndarray | None = None) -> np.ndarray:
    """Read a label map (``.png``, ``.npy`` or ``.tif``) as a 2-D ``uint8`` array.

    Args:
        path: label file: single-channel integer labels 0..255.
        like: when given, an image (HxW or HxWx1) whose shape the labels must match.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown suffix, multi-channel or non-integer data, labels outside 0..255,
            a shape different from ``like``'s.
    """
    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix not in _MASK_SUFFIXES:
        raise ValueError(
            f"{path}: unknown label suffix {path.suffix!r}; readable: {', '.join(_MASK_SUFFIXES)}"
        )
    if suffix == ".png":
        array = _load_png(path)
    elif suffix == ".npy":
        array = _load_npy(path)
    else:
        array = _load_tiff(path, 0)
    array = _as_2d(array, path)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{path}: labels must be integers, got dtype {array.dtype}")
    low, high = int(array.min()), int(array.max())
    if low < 0 or high > 255:
        raise ValueError(f"{path}: labels must lie in 0..255, got {low}..{high}")
    mask = array.astype(np.uint8)
    if like is not None:
        check_mask(mask, np.shape(like), name=str(path))
    return np.ascontiguousarray(mask)


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


def write_mask(path: str | Path, mask: np.ndarray) -> Path:
    """Write a label map (integers 0..255) as an 8-bit single-channel PNG; returns the path."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: write_mask writes .png, not {path.suffix!r}")
    array = np.asarray(mask)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"mask must be an integer HxW array, got shape {array.shape}, {array.dtype}"
        )
    if array.size and (int(array.min()) < 0 or int(array.max()) > 255):
        raise ValueError("mask labels must lie in 0..255")
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(array, dtype=np.uint8))
    if not ok:
        raise ValueError(f"{path}: PNG encoding failed")
    encoded.tofile(path)
    return path


# ----------------------------------------------------------------------------------------
# Thermal Face Database (Kopaczka et al. 2019)


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
    path = _existing_file(ljson_path)
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
    from tiaug._checks import to_temperature_map

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


def _count(number: int, noun: str) -> str:
    """``"1 image"``, ``"3 images"``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


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
            f"{root}: {_count(len(missing), 'image')} without a .ljson landmark file next to it "
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


# ----------------------------------------------------------------------------------------
# The OUTDIR/{train,val}/{image,label} layout (written by tiaug.synth.write_dataset)


def list_dataset_pairs(root: str | Path, split: str) -> list[tuple[Path, Path]]:
    """Sorted ``(image, label)`` pairs of ``root/split/image`` and ``root/split/label``.

    Images are ``.npy`` (degC), ``.tif``/``.tiff`` or ``.png`` files; the label of
    ``image/<name>.<ext>`` is ``label/<name>.png`` (or ``.npy``/``.tif``). Labels without an
    image are ignored.

    Raises:
        FileNotFoundError: the split folder or its ``image``/``label`` folder is missing.
        ValueError: no images, or images without a label (the message names some).
    """
    base = Path(root) / split
    image_dir, label_dir = base / "image", base / "label"
    for folder in (image_dir, label_dir):
        if not folder.is_dir():
            raise FileNotFoundError(2, "No such folder", str(folder))
    images = sorted(
        p
        for p in image_dir.iterdir()
        if p.is_file() and p.suffix.lower() in _DATASET_IMAGE_SUFFIXES
    )
    if not images:
        raise ValueError(f"{image_dir}: no images (.npy, .tif, .tiff or .png)")
    pairs, missing = [], []
    for image in images:
        label = next(
            (
                label_dir / (image.stem + s)
                for s in _MASK_SUFFIXES
                if (label_dir / (image.stem + s)).is_file()
            ),
            None,
        )
        if label is None:
            missing.append(image.name)
        else:
            pairs.append((image, label))
    if missing:
        raise ValueError(
            f"{image_dir}: {_count(len(missing), 'image')} without a label in {label_dir} "
            f"(e.g. {', '.join(missing[:3])})"
        )
    return pairs
