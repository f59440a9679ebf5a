"""Datasets for the examples: synthetic faces, ``tiaug synth`` folders, the Thermal Face Database.

Every source yields ``(image, mask)`` pairs: float32 degC (H, W) and uint8 labels (H, W).
:class:`SegmentationDataset` brings them to the training size, applies a TiAug preset,
then min-max normalises each image to [-1, 1] (after augmentation, as in the paper).

Randomness: the augmentation of a sample is a pure function of ``(seed, epoch, index)``:
the pipeline is reseeded for every sample (:func:`sample_seed`). Results therefore do not
depend on the number of DataLoader workers or ranks, no two workers share a stream, and a
resumed run sees exactly the samples of an uninterrupted one.
"""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset, DistributedSampler, Sampler

from examples.config import AUGMENTATIONS, IGNORE_INDEX, NUM_CLASSES, TrainConfig
from tiaug import io as tio
from tiaug.presets import TiAug

__all__ = [
    "FACE_CROP_SOURCE_SIZE",
    "FaceCropSource",
    "FolderSource",
    "SegmentationDataset",
    "ShardSampler",
    "Source",
    "SyntheticSource",
    "TFDSource",
    "TrainSampler",
    "UsageError",
    "batch_bytes",
    "cap_blas_threads",
    "face_box",
    "fit_to_size",
    "make_output_folder",
    "minmax_normalize",
    "one_thread_workers",
    "open_data",
    "open_run_data",
    "sample_seed",
    "shm_prefetch",
    "worker_init_fn",
]

#: (rows, columns) at which synthetic faces are generated when they are cropped around the
#: face (``face_crop``): the generator's native size.
FACE_CROP_SOURCE_SIZE = (256, 320)


class UsageError(Exception):
    """A user mistake (bad data folder, unknown name): reported as one line, exit status 2."""


def make_output_folder(path: str | os.PathLike[str], option: str) -> Path:
    """Create the output folder of ``option`` (``--out``...) before any work is done.

    Raises:
        UsageError: it cannot be created or written (one line naming the option).
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(f"{option} {folder}: cannot write there ({error.strerror})") from None
    return folder


class Source(Protocol):
    """A sequence of ``(image degC float32 (H, W), mask uint8 (H, W))`` pairs."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]: ...


def sample_seed(*keys: int) -> int:
    """A 32-bit seed derived from integer keys (e.g. base seed, epoch, index) by SeedSequence."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1)[0])


def minmax_normalize(image: np.ndarray) -> np.ndarray:
    """Per-image min-max scaling to [-1, 1] (a constant image becomes all zeros)."""
    image = np.asarray(image, dtype=np.float32)
    low, high = float(image.min()), float(image.max())
    if high <= low:
        return np.zeros_like(image)
    return ((image - low) * (2.0 / (high - low)) - 1.0).astype(np.float32)


def fit_to_size(
    image: np.ndarray, mask: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Resize an image (area when shrinking, else bilinear) and its mask (nearest) to ``size``."""
    if image.shape[:2] == tuple(size):
        return image, mask
    rows, cols = size
    shrinking = rows <= image.shape[0] and cols <= image.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    image = cv2.resize(image, (cols, rows), interpolation=interpolation)
    mask = cv2.resize(mask, (cols, rows), interpolation=cv2.INTER_NEAREST)
    return image, mask


def face_box(
    mask: np.ndarray, margin: float, aspect: float, ignore_index: int = 255
) -> tuple[int, int, int, int]:
    """``(top, left, rows, columns)`` of a crop around the labelled face, inside the mask.

    The box of the labelled pixels (neither background nor ``ignore_index``) grows by
    ``margin`` x its side on every side, then along one axis to the ``aspect`` (rows /
    columns), and is shifted (then clipped) to lie inside the frame. Without labelled
    pixels, the whole frame.
    """
    if margin < 0 or aspect <= 0:
        raise ValueError(f"margin must be >= 0 and aspect > 0, got {margin}, {aspect}")
    height, width = mask.shape[:2]
    rows, cols = np.nonzero((mask != 0) & (mask != ignore_index))
    if rows.size == 0:
        return 0, 0, height, width
    box_h = (rows.max() - rows.min() + 1) * (1 + 2 * margin)
    box_w = (cols.max() - cols.min() + 1) * (1 + 2 * margin)
    box_h, box_w = max(box_h, box_w * aspect), max(box_w, box_h / aspect)
    box_h, box_w = min(round(box_h), height), min(round(box_w), width)
    centre_r, centre_c = (rows.max() + rows.min()) / 2, (cols.max() + cols.min()) / 2
    top = int(np.clip(round(centre_r - box_h / 2), 0, height - box_h))
    left = int(np.clip(round(centre_c - box_w / 2), 0, width - box_w))
    return top, left, box_h, box_w


class FaceCropSource:
    """Another source's pairs cropped around the face (:func:`face_box`) and resized to ``size``.

    The role of the paper's fixed 768x960 centre crop of the Thermal Face Database, for
    sources whose faces are small in the frame (synthetic faces, ``tiaug synth`` folders).
    Crops are kept in memory once made (rows x columns x 5 bytes per pair).

    Args:
        source: the uncropped pairs.
        size: (rows, columns) after the crop and resize; its aspect is the crop's.
        margin: margin around the face's box, as a fraction of its side.
        ignore_index: label of unlabelled pixels.
    """

    def __init__(
        self, source: Source, size: tuple[int, int], margin: float, ignore_index: int = 255
    ) -> None:
        if margin < 0:
            raise UsageError(f"the face crop margin must be >= 0, got {margin}")
        self.source = source
        self.size = (int(size[0]), int(size[1]))
        self.margin = margin
        self.ignore_index = ignore_index
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if index not in self._cache:
            image, mask = self.source[index]
            top, left, rows, cols = face_box(
                mask, self.margin, self.size[0] / self.size[1], self.ignore_index
            )
            window = (slice(top, top + rows), slice(left, left + cols))
            self._cache[index] = fit_to_size(
                np.ascontiguousarray(image[window]), np.ascontiguousarray(mask[window]), self.size
            )
        return self._cache[index]


class SyntheticSource:
    """In-memory synthetic thermal faces (:class:`tiaug.synth.SyntheticFaces`), made on demand.

    Args:
        length: number of faces.
        seed: seed of the set (face ``i`` is the same for a given seed and size).
        size: (rows, columns) of the faces.
    """

    def __init__(self, length: int, seed: int, size: tuple[int, int]) -> None:
        from tiaug.synth import SyntheticFaces

        self.faces = SyntheticFaces(length, seed=seed, size=size)

    def __len__(self) -> int:
        return len(self.faces)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        face = self.faces[index]
        return face.image.astype(np.float32, copy=False), face.mask.astype(np.uint8, copy=False)


def _header_shape(path: Path) -> tuple[int, ...]:
    """The (rows, columns) of an image or label file, reading only its header when possible."""
    if path.suffix.lower() == ".npy":
        return tuple(np.load(path, mmap_mode="r", allow_pickle=False).shape[:2])
    if path.suffix.lower() == ".png":
        from PIL import Image

        with Image.open(path) as picture:
            return picture.size[1], picture.size[0]
    return tio.read_thermal(path).shape


class FolderSource:
    """Image/label pairs of ``ROOT/SPLIT/{image,label}`` (the layout ``tiaug synth`` writes).

    Images and labels are checked for equal shapes when the source is made (headers only);
    labels must lie in 0..num_classes-1 or equal ``ignore_index`` (checked on reading).
    Pairs come back at their stored size (:class:`SegmentationDataset` resizes them).

    Args:
        pairs: ``(image, label)`` paths, e.g. from :func:`tiaug.io.list_dataset_pairs`.
        num_classes: number of classes.
        ignore_index: label of unlabelled pixels.

    Raises:
        UsageError: an image and its label differ in shape.
    """

    def __init__(
        self,
        pairs: Sequence[tuple[Path, Path]],
        num_classes: int = 6,
        ignore_index: int = 255,
    ) -> None:
        for image, label in pairs:
            image_shape, label_shape = _header_shape(image), _header_shape(label)
            if image_shape != label_shape:
                raise UsageError(
                    f"{image}: image shape {image_shape} differs from its label's "
                    f"{label_shape} ({label})"
                )
        self.pairs = list(pairs)
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        image_path, label_path = self.pairs[index]
        image = tio.read_thermal(image_path)
        mask = tio.read_mask(label_path, like=image)
        bad = (mask >= self.num_classes) & (mask != self.ignore_index)
        if bad.any():
            raise ValueError(
                f"{label_path}: labels {sorted(set(np.unique(mask[bad]).tolist()))} are neither "
                f"classes 0..{self.num_classes - 1} nor the ignore index {self.ignore_index}"
            )
        return image, mask


class TFDSource:
    """Thermal Face Database pairs: milli-degC ``.npy`` + Menpo ``.ljson`` landmarks.

    Each image is read, its six-class mask painted from the landmarks, then centre-cropped
    to 768x960 and resized to ``size`` (:func:`tiaug.io.tfd_crop_resize`).

    Args:
        pairs: ``(image.npy, landmarks.ljson)`` paths.
        size: (rows, columns) after the crop and resize.

    Raises:
        UsageError: an image is smaller than the 768x960 crop.
    """

    crop = (768, 960)

    def __init__(self, pairs: Sequence[tuple[Path, Path]], size: tuple[int, int]) -> None:
        for image, _ in pairs:
            shape = _header_shape(image)
            if len(shape) != 2 or shape[0] < self.crop[0] or shape[1] < self.crop[1]:
                raise UsageError(
                    f"{image}: image shape {shape} is not a 2-D map of at least "
                    f"{self.crop[0]}x{self.crop[1]} (the Thermal Face Database crop)"
                )
        self.pairs = list(pairs)
        self.size = (int(size[0]), int(size[1]))

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        image, mask = tio.read_tfd_pair(*self.pairs[index])
        cropped, labels = tio.tfd_crop_resize(image, mask, crop=self.crop, size=self.size)
        assert labels is not None  # a mask was given
        return cropped, labels


def open_data(
    data: str,
    size: tuple[int, int],
    *,
    num_train: int = 2000,
    num_val: int = 200,
    seed: int = 0,
    num_classes: int = 6,
    ignore_index: int = 255,
    face_crop: float | None = None,
) -> tuple[Source, Source]:
    """The (train, validation) sources named by ``data``.

    Args:
        data: ``"synthetic"`` (faces made in memory), a folder written by ``tiaug synth``
            (``train/`` and ``val/`` with ``image/`` and ``label/``), or a Thermal Face
            Database folder of ``.npy`` + ``.ljson`` files (split by subject, docs/method.md).
        size: (rows, columns) of the samples.
        num_train: synthetic training faces.
        num_val: synthetic validation faces.
        seed: seed of the synthetic sets (validation uses a different stream).
        num_classes: number of classes (folder labels are checked against it).
        ignore_index: label of unlabelled pixels.
        face_crop: margin of a crop around each face (:class:`FaceCropSource`) for synthetic
            and folder data: synthetic faces are then generated at
            :data:`FACE_CROP_SOURCE_SIZE`. The Thermal Face Database keeps the paper's
            centre crop. None: no face crop.

    Raises:
        UsageError: missing folder, no images, images without labels, mismatched shapes,
            an empty split.
    """
    if data == "synthetic":
        if num_train < 1 or num_val < 1:
            raise UsageError(
                f"synthetic data needs >= 1 image per split, got {num_train}, {num_val}"
            )
        made = size if face_crop is None else FACE_CROP_SOURCE_SIZE
        return _cropped(
            SyntheticSource(num_train, sample_seed(seed, 0), made),
            SyntheticSource(num_val, sample_seed(seed, 1), made),
            size,
            face_crop,
            ignore_index,
        )
    root = Path(data)
    if not root.is_dir():
        raise UsageError(f"data folder {root} does not exist (or give --data synthetic)")
    try:
        if (root / "train").is_dir() or (root / "val").is_dir():
            train: Source = FolderSource(
                tio.list_dataset_pairs(root, "train"), num_classes, ignore_index
            )
            val: Source = FolderSource(
                tio.list_dataset_pairs(root, "val"), num_classes, ignore_index
            )
        elif next(root.rglob("*.npy"), None) is not None or next(root.rglob("*.ljson"), None):
            train_pairs, val_pairs = tio.split_tfd_by_subject(tio.list_tfd_pairs(root))
            for name, pairs in (("training", train_pairs), ("validation", val_pairs)):
                if not pairs:
                    raise UsageError(
                        f"{root}: no {name} images after the split by subject "
                        f"(validation subjects: {', '.join(tio.TFD_VAL_SUBJECTS)})"
                    )
            return TFDSource(train_pairs, size), TFDSource(val_pairs, size)
        else:
            raise UsageError(
                f"{root}: no images found (expected train/ and val/ folders written by "
                "`tiaug synth`, or Thermal Face Database .npy + .ljson files; a folder of "
                "real labelled frames trains with --val-data)"
            )
    except FileNotFoundError as error:
        raise UsageError(f"{error.filename}: no such folder or file") from None
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None
    return _cropped(train, val, size, face_crop, ignore_index)


def open_run_data(
    config: TrainConfig,
    *,
    data: str | None = None,
    num_val: int | None = None,
    size: tuple[int, int] | None = None,
) -> tuple[Source, Source]:
    """:func:`open_data` of a run: its data, size, seed and face crop, unless overridden
    (``data``, ``num_val``, ``size``: e.g. another validation set for a trained network).
    A run with ``val_data`` trains on a folder of real frames (:mod:`examples.real`)."""
    if config.val_data is not None and data is None:
        from examples.real import open_real_training  # examples.real builds on this module

        return open_real_training(
            config.data, config.val_data, size or config.size, config.face_crop, config.aug,
            config.num_train,
        )  # fmt: skip
    return open_data(
        data or config.data,
        size or config.size,
        num_train=config.num_train,
        num_val=num_val or config.num_val,
        seed=config.seed,
        num_classes=NUM_CLASSES,
        ignore_index=IGNORE_INDEX,
        face_crop=config.face_crop,
    )


def _cropped(
    train: Source, val: Source, size: tuple[int, int], margin: float | None, ignore_index: int
) -> tuple[Source, Source]:
    if margin is None:
        return train, val
    return (
        FaceCropSource(train, size, margin, ignore_index),
        FaceCropSource(val, size, margin, ignore_index),
    )


class SegmentationDataset(Dataset):
    """Samples of a source, optionally augmented, as tensors ready for the network.

    Items are ``(image (1, H, W) float32 in [-1, 1], mask (H, W) uint8)``: masks travel to
    the device as bytes and become int64 there (the losses' label type). A key is an
    index or an ``(epoch, index)`` pair (from :class:`TrainSampler`); with an augmentation,
    the pipeline is reseeded with ``sample_seed(seed, epoch, index)`` before each sample.

    Args:
        source: the ``(image, mask)`` pairs.
        size: (rows, columns) of the samples.
        aug: "none" or a TiAug preset (:data:`examples.config.AUGMENTATIONS`).
        seed: base seed of the augmentation.
        ignore_index: label of padded pixels.
        pipeline: a TiAug pipeline to use instead of the ``aug`` preset.
    """

    def __init__(
        self,
        source: Source,
        size: tuple[int, int],
        aug: str = "none",
        seed: int = 0,
        ignore_index: int = 255,
        *,
        pipeline: TiAug | None = None,
    ) -> None:
        if aug not in AUGMENTATIONS:
            raise UsageError(f"unknown augmentation {aug!r}; known: {', '.join(AUGMENTATIONS)}")
        self.source = source
        self.size = (int(size[0]), int(size[1]))
        self.seed = seed
        self.transform = pipeline
        if pipeline is None and aug != "none":
            self.transform = TiAug(aug, self.size, ignore_index=ignore_index, seed=seed)

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        epoch, index = (0, key) if isinstance(key, int) else key
        image, mask = self.source[index]
        image, mask = fit_to_size(image, mask, self.size)
        if self.transform is not None:
            self.transform.set_random_seed(sample_seed(self.seed, epoch, index))
            out = self.transform(image=image, mask=mask)
            image, mask = out["image"], out["mask"]
        image = minmax_normalize(image)
        return torch.from_numpy(image[None].copy()), torch.from_numpy(mask.astype(np.uint8))


class TrainSampler(Sampler[tuple[int, int]]):
    """An endless, resumable stream of ``(epoch, index)`` keys for iteration-based training.

    Each epoch is a :class:`~torch.utils.data.DistributedSampler` shuffle (seeded by
    ``seed`` and the epoch) of which this rank takes its shard; the stream starts after the
    ``start`` keys this rank already consumed (iteration x per-rank batch when resuming).

    Args:
        length: dataset size.
        seed: shuffle seed (the same on every rank).
        rank: this process's rank.
        world_size: number of ranks.
        start: keys to skip.
    """

    def __init__(
        self, length: int, seed: int, rank: int = 0, world_size: int = 1, start: int = 0
    ) -> None:
        self.length = length
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.start = start

    def __len__(self) -> int:
        return 2**62

    def __iter__(self) -> Iterator[tuple[int, int]]:
        per_epoch = math.ceil(self.length / self.world_size)
        epoch, offset = divmod(self.start, per_epoch)
        while True:
            sampler: DistributedSampler[int] = DistributedSampler(
                range(self.length),  # type: ignore[arg-type]  # any sized sequence works
                num_replicas=self.world_size,
                rank=self.rank,
                shuffle=True,
                seed=self.seed,
            )
            sampler.set_epoch(epoch)
            for index in list(sampler)[offset:]:
                yield epoch, index
            epoch, offset = epoch + 1, 0


class ShardSampler(Sampler[int]):
    """This rank's share of an evaluation set: indices ``rank, rank + world_size, ...``.

    Unlike ``DistributedSampler`` nothing is padded, so summed counts cover each image once.
    """

    def __init__(self, length: int, rank: int = 0, world_size: int = 1) -> None:
        self.indices = list(range(rank, length, world_size))

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)


#: OpenBLAS entry points that set the thread count (OpenCV's build, numpy's scipy-openblas).
_BLAS_SETTERS = (
    "openblas_set_num_threads",
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
)


def cap_blas_threads(count: int) -> int:
    """Set every OpenBLAS already loaded in this process (numpy's, OpenCV's) to ``count``
    threads; returns how many were set (0 without ``/proc/self/maps``, i.e. off Linux)."""
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return 0
    lines = maps.read_text().splitlines()
    paths = {line.split()[-1] for line in lines if "openblas" in line.rsplit("/", 1)[-1].lower()}
    done = 0
    for path in sorted(paths):
        library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)  # the loaded copy, never a new one
        setter = next((getattr(library, n) for n in _BLAS_SETTERS if hasattr(library, n)), None)
        if setter is not None:
            setter(count)
            done += 1
    return done


def worker_init_fn(worker_id: int) -> None:
    """``DataLoader(worker_init_fn=...)``: one torch and one BLAS thread in the worker (use
    :func:`one_thread_workers`, which also limits OpenCV).

    The augmentation needs no reseeding here (unlike ``tiaug.worker_init_fn``'s):
    :class:`SegmentationDataset` reseeds its pipeline for every sample from
    ``(seed, epoch, index)``, whichever worker draws it.
    """
    torch.set_num_threads(1)
    cap_blas_threads(1)


def one_thread_workers(workers: int) -> Callable[[int], None] | None:
    """The ``worker_init_fn`` of a DataLoader with ``workers`` workers (None without any), after
    setting this process's OpenCV to one thread.

    Each worker then runs one OpenCV, one BLAS and one torch thread; otherwise each keeps one
    per core in each library (8 workers on 16 cores: over 100 threads). OpenCV's count is set
    here, before the fork: set inside a worker whose parent has run OpenCV's thread pool, it
    waits forever for the parent's pool threads. A process with workers augments nothing
    itself, so it loses nothing.
    """
    if workers == 0:
        return None
    cv2.setNumThreads(1)
    return worker_init_fn


def batch_bytes(size: tuple[int, int], batch: int) -> int:
    """Bytes of a batch of :class:`SegmentationDataset` samples of ``size`` (rows, columns):
    float32 images and uint8 masks, 5 bytes per pixel."""
    return batch * size[0] * size[1] * 5


def shm_prefetch(
    workers: int,
    batch_bytes: int,
    *,
    loaders: int = 1,
    wanted: int = 4,
    shm: Path = Path("/dev/shm"),
) -> int | None:
    """The ``prefetch_factor`` of a DataLoader whose ``workers`` send batches of ``batch_bytes``
    through shared memory: ``wanted``, or fewer so that ``loaders`` such loaders (on this
    machine, all ranks) hold at most half of ``shm``'s free space. None without workers;
    ``wanted`` without a ``shm`` folder (not Linux).

    Raises:
        UsageError: not even one batch per worker fits.
    """
    if workers == 0:
        return None
    if not shm.is_dir():
        return wanted
    free = shutil.disk_usage(shm).free
    per_batch = loaders * workers * batch_bytes
    if free // 2 < per_batch:
        raise UsageError(
            f"{shm} has {free / 2**20:.0f} MiB free, {loaders * workers} DataLoader workers need "
            f"{2 * per_batch / 2**20:.0f} MiB (one batch each, half the space): give more shared "
            "memory (docker --shm-size) or lower --workers or --batch"
        )
    return min(wanted, free // 2 // per_batch)
