"""Write synthetic faces to disk in the layout the examples read.

Layout (the same as the Thermal Face Database derivative)::

    OUTDIR/meta.json
    OUTDIR/train/image/synth_000000.npy   float32 HxW, degC
    OUTDIR/train/label/synth_000000.png   uint8 HxW labels 0..5, 8-bit single-channel PNG
    OUTDIR/val/image/...                  the last round(n * val_fraction) samples
    OUTDIR/val/label/...

Sample ``i`` is ``SyntheticFaces(n, seed, size)[i]`` (seeded by ``SeedSequence([seed, i])``)
and is named ``synth_{i:06d}``, so a dataset can be regenerated or extended sample by sample.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tiaug.classes import CLASS_NAMES
from tiaug.io import write_mask, write_thermal
from tiaug.synth.generator import SYNTH_VERSION, SyntheticFaces

__all__ = ["WrittenSample", "write_dataset"]

_PREFIX = "synth_"


@dataclass(frozen=True)
class WrittenSample:
    """One sample written by :func:`write_dataset`."""

    index: int
    split: str
    image_path: Path
    label_path: Path


def _split_sizes(n: int, val_fraction: float) -> tuple[int, int]:
    n_val = math.floor(n * val_fraction + 0.5)
    return n - n_val, n_val


def write_dataset(
    outdir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    size: tuple[int, int] = (256, 320),
    val_fraction: float = 0.2,
    *,
    ambient: float | tuple[float, float] = (20.0, 26.0),
    netd: float | tuple[float, float] = (0.03, 0.07),
    overwrite: bool = False,
    progress: Callable[[WrittenSample], object] | None = None,
) -> list[WrittenSample]:
    """Write ``n`` synthetic faces under ``outdir``; return what was written, in order.

    The arguments are checked before anything on disk changes. ``progress`` is called with
    each :class:`WrittenSample` once its two files are on disk (for a progress bar).
    ``meta.json`` is written last, once every sample is on disk: a folder without it was
    interrupted.

    Args:
        outdir: output folder (created if needed).
        n: number of samples (>= 1).
        seed: non-negative int; sample ``i`` depends only on ``(seed, i)`` and ``size``.
        size: ``(height, width)`` in pixels.
        val_fraction: fraction in [0, 1] of the samples (the last ones, rounded) put in
            ``val``; the others go to ``train``.
        ambient: as :func:`tiaug.synth.synth_face`.
        netd: as :func:`tiaug.synth.synth_face`.
        overwrite: allow an ``outdir`` that already holds a dataset; its ``synth_*`` files
            and ``meta.json`` are removed first. Without it such a folder is refused.
        progress: optional callback, called after each sample.

    Raises:
        ValueError: bad arguments, or ``outdir`` already holds a dataset and not
            ``overwrite``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if not 0.0 <= float(val_fraction) <= 1.0:
        raise ValueError(f"val_fraction must lie in [0, 1], got {val_fraction!r}")
    faces = SyntheticFaces(n, seed, size, ambient=ambient, netd=netd)  # checks the rest
    root = Path(outdir)
    if root.exists() and not root.is_dir():
        raise ValueError(f"{root}: exists and is not a folder")
    folders = {
        split: (root / split / "image", root / split / "label") for split in ("train", "val")
    }
    old = [root / "meta.json"] if (root / "meta.json").exists() else []
    for image_dir, label_dir in folders.values():
        for folder in (image_dir, label_dir):
            if folder.is_dir():
                old += sorted(folder.glob(f"{_PREFIX}*"))
    if old and not overwrite:
        raise ValueError(
            f"{root}: already holds a dataset ({len(old)} files such as {old[0].name}); "
            "choose an empty folder or pass overwrite=True"
        )
    for path in old:
        path.unlink()
    try:
        for image_dir, label_dir in folders.values():
            image_dir.mkdir(parents=True, exist_ok=True)
            label_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"{root}: cannot create the dataset's folders ({error.strerror})"
        ) from None
    n_train, n_val = _split_sizes(n, float(val_fraction))
    written = [_write_sample(faces, index, folders, n_train, progress) for index in range(n)]
    meta = _meta(faces, n_train, n_val, float(val_fraction))
    (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return written


def _write_sample(
    faces: SyntheticFaces,
    index: int,
    folders: dict[str, tuple[Path, Path]],
    n_train: int,
    progress: Callable[[WrittenSample], object] | None,
) -> WrittenSample:
    """Generate sample ``index`` and write its image and label; then tell ``progress``."""
    split = "train" if index < n_train else "val"
    image_dir, label_dir = folders[split]
    face, name = faces[index], f"{_PREFIX}{index:06d}"
    sample = WrittenSample(
        index,
        split,
        write_thermal(image_dir / f"{name}.npy", face.image),
        write_mask(label_dir / f"{name}.png", face.mask),
    )
    if progress is not None:
        progress(sample)
    return sample


def _meta(faces: SyntheticFaces, n_train: int, n_val: int, val_fraction: float) -> dict:
    """``meta.json``: how the dataset was generated, and its layout."""
    return {
        "generator": "tiaug.synth",
        "generator_version": SYNTH_VERSION,
        "tiaug_version": _tiaug_version(),
        "seed": faces.seed,
        "size": list(faces.size),
        "n": n_train + n_val,
        "n_train": n_train,
        "n_val": n_val,
        "val_fraction": val_fraction,
        "ambient_degC": list(faces.ambient),
        "netd_degC": list(faces.netd),
        "image_unit": "degC",
        "image_format": "npy float32 HxW",
        "label_format": "png uint8 HxW",
        "class_names": list(CLASS_NAMES),
        "sample_seed": "numpy.random.SeedSequence([seed, index])",
        "names": f"{_PREFIX}{{index:06d}}",
    }


def _tiaug_version() -> str:
    from tiaug import __version__

    return __version__
