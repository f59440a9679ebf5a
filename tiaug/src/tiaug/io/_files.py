"""File helpers shared by the readers: existence, loading .npy/.tif/.png, 2-D checks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

__all__ = [
    "as_2d",
    "decode_picture",
    "existing_file",
    "image_label_pairs",
    "load_npy",
    "load_png",
    "load_tiff",
    "plural",
]


def existing_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if not path.is_file():
        raise ValueError(f"{path}: not a file")
    return path


def image_label_pairs(
    image_dir: Path, label_dir: Path, image_suffixes: tuple[str, ...],
    label_suffixes: tuple[str, ...], noun: str,
) -> list[tuple[Path, Path]]:  # fmt: skip
    """Sorted ``(image, label)`` pairs: each file of ``image_dir`` with an image suffix and the
    file of ``label_dir`` with its stem and the first label suffix found.

    Raises:
        FileNotFoundError: a folder is missing.
        ValueError: no images, or images without a label (the message names some, calling
            them ``noun``).
    """
    for folder in (image_dir, label_dir):
        if not folder.is_dir():
            raise FileNotFoundError(2, "No such folder", str(folder))
    images = sorted(
        p for p in image_dir.iterdir() if p.is_file() and p.suffix.lower() in image_suffixes
    )
    if not images:
        raise ValueError(f"{image_dir}: no {noun}s ({', '.join(image_suffixes)})")
    pairs, missing = [], []
    for image in images:
        labels = (label_dir / (image.stem + suffix) for suffix in label_suffixes)
        label = next((path for path in labels if path.is_file()), None)
        if label is None:
            missing.append(image.name)
        else:
            pairs.append((image, label))
    if missing:
        raise ValueError(
            f"{image_dir}: {plural(len(missing), noun)} without a label map in {label_dir} "
            f"(e.g. {', '.join(missing[:3])})"
        )
    return pairs


def as_2d(array: np.ndarray, path: Path) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f"{path}: expected a single-channel HxW image, got an array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{path}: empty image of shape {array.shape}")
    return array


_NPY_MAGIC, _ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"


def load_npy(path: Path) -> np.ndarray:
    try:
        with open(path, "rb") as file:
            head = file.read(len(_NPY_MAGIC))
    except OSError as error:
        raise ValueError(f"{path}: not readable ({error})") from None
    if not (head.startswith(_NPY_MAGIC) or head.startswith(_ZIP_MAGIC)):
        raise ValueError(f"{path}: not a .npy array (no NumPy header)")
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


def load_tiff(path: Path, index: int) -> np.ndarray:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            pages = len(tif.pages)
            if not -pages <= index < pages:
                raise ValueError(f"{path}: page index {index} out of range (file has {pages})")
            return tif.pages[index].asarray()
    except tifffile.TiffFileError as error:
        raise ValueError(f"{path}: not a readable TIFF ({error})") from None


def decode_picture(path: Path) -> np.ndarray:
    """The picture (PNG, JPEG, BMP, ...) as OpenCV decodes it, channels as stored (BGR)."""
    data = np.fromfile(path, dtype=np.uint8)
    array = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if array is None:
        raise ValueError(f"{path}: not a readable {path.suffix.lstrip('.').upper()} picture")
    return array


def load_png(path: Path) -> np.ndarray:
    array = decode_picture(path)
    if array.ndim == 3 and array.shape[2] > 1:
        raise ValueError(
            f"{path}: has {array.shape[2]} colour channels; a radiometric image or a label "
            "map has one"
        )
    return array


def plural(number: int, noun: str) -> str:
    """``"1 image"``, ``"3 images"``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
