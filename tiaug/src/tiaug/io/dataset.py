"""The ``OUTDIR/{train,val}/{image,label}`` layout (written by :func:`tiaug.write_dataset`)."""

from __future__ import annotations

from pathlib import Path

from tiaug.io._files import image_label_pairs
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
    return image_label_pairs(
        base / "image", base / "label", DATASET_IMAGE_SUFFIXES, MASK_SUFFIXES, "image"
    )
