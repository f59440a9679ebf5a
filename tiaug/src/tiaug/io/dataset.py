"""The ``OUTDIR/{train,val}/{image,label}`` layout (written by :func:`tiaug.write_dataset`)."""

from __future__ import annotations

from pathlib import Path

from tiaug.io._files import plural
from tiaug.io.masks import MASK_SUFFIXES

__all__ = ["DATASET_IMAGE_SUFFIXES", "list_dataset_pairs"]

#: image suffixes of the layout (labels: :data:`tiaug.io.masks.MASK_SUFFIXES`)
DATASET_IMAGE_SUFFIXES = (".npy", ".tif", ".tiff", ".png")


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
        p for p in image_dir.iterdir() if p.is_file() and p.suffix.lower() in DATASET_IMAGE_SUFFIXES
    )
    if not images:
        raise ValueError(f"{image_dir}: no images (.npy, .tif, .tiff or .png)")
    pairs, missing = [], []
    for image in images:
        label = next(
            (
                label_dir / (image.stem + s)
                for s in MASK_SUFFIXES
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
            f"{image_dir}: {plural(len(missing), 'image')} without a label in {label_dir} "
            f"(e.g. {', '.join(missing[:3])})"
        )
    return pairs
