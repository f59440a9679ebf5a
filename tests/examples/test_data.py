"""Data sources, augmentation determinism, samplers and the bad-input errors."""

import ctypes
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from examples.data import (
    FaceCropSource,
    SegmentationDataset,
    ShardSampler,
    TrainSampler,
    UsageError,
    batch_bytes,
    face_box,
    minmax_normalize,
    one_thread_workers,
    open_data,
    shm_prefetch,
)
from tiaug.classes import IBUG68_GROUPS
from tiaug.io import write_mask, write_thermal

SIZE = (48, 64)


def _write_pairs(root: Path, split: str, count: int, shape=SIZE, label_shape=None) -> None:
    (root / split / "image").mkdir(parents=True)
    (root / split / "label").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        write_thermal(root / split / "image" / f"{i:03d}.npy", 20 + 10 * rng.random(shape))
        mask = rng.integers(0, 6, size=label_shape or shape, dtype=np.uint8)
        write_mask(root / split / "label" / f"{i:03d}.png", mask)


def _write_tfd(root: Path, subject: str, with_landmarks: bool = True) -> None:
    root.mkdir(parents=True, exist_ok=True)
    image = np.full((768, 1024), 25000.0, dtype=np.float32)  # milli-degC
    image[200:600, 350:700] = 34000.0
    np.save(root / f"{subject}_01.npy", image)
    if not with_landmarks:
        return
    rng = np.random.default_rng(1)
    centre = np.array([400.0, 512.0])
    points = centre + rng.uniform(-150, 150, size=(68, 2))
    labels = [{"label": name, "mask": list(idx)} for name, idx in IBUG68_GROUPS.items()]
    ljson = {"landmarks": {"points": points.tolist()}, "labels": labels}
    (root / f"{subject}_01.ljson").write_text(json.dumps(ljson))


def test_minmax_normalize_maps_to_minus_one_one() -> None:
    image = np.array([[20.0, 25.0], [30.0, 22.5]], dtype=np.float32)
    out = minmax_normalize(image)
    assert out.dtype == np.float32
    assert out.min() == -1.0
    assert out.max() == 1.0
    assert out[0, 1] == pytest.approx(0.0)
    assert not minmax_normalize(np.full((3, 3), 7.0)).any()


def test_augmentation_is_a_function_of_seed_epoch_and_index() -> None:
    train, _ = open_data("synthetic", SIZE, num_train=4, num_val=2, seed=0)
    dataset = SegmentationDataset(train, SIZE, "samcl", seed=5)
    image, mask = dataset[(0, 1)]
    assert image.shape == (1, *SIZE)
    assert image.dtype == torch.float32
    assert mask.shape == SIZE
    assert mask.dtype == torch.uint8  # a sixth of int64's bytes to the device
    assert image.min() >= -1.0
    assert image.max() <= 1.0
    dataset[(3, 2)]  # other draws in between do not matter
    again, again_mask = dataset[(0, 1)]
    assert torch.equal(image, again)
    assert torch.equal(mask, again_mask)
    assert not torch.equal(image, dataset[(1, 1)][0])
    other_seed = SegmentationDataset(train, SIZE, "samcl", seed=6)
    assert not torch.equal(image, other_seed[(0, 1)][0])


def test_unaugmented_samples_are_the_normalised_source() -> None:
    train, _ = open_data("synthetic", SIZE, num_train=2, num_val=2, seed=0)
    image, mask = SegmentationDataset(train, SIZE, "none")[0]
    source_image, source_mask = train[0]
    assert np.allclose(image[0].numpy(), minmax_normalize(source_image))
    assert np.array_equal(mask.numpy(), source_mask)


def test_train_sampler_resumes_and_shards() -> None:
    stream = iter(TrainSampler(10, seed=3))
    keys = [next(stream) for _ in range(25)]
    assert sorted(index for epoch, index in keys if epoch == 0) == list(range(10))
    assert [e for e, _ in keys] == [0] * 10 + [1] * 10 + [2] * 5
    resumed = iter(TrainSampler(10, seed=3, start=13))
    assert [next(resumed) for _ in range(12)] == keys[13:]
    shards = [iter(TrainSampler(10, seed=3, rank=r, world_size=2)) for r in range(2)]
    first_epoch = [next(s)[1] for s in shards for _ in range(5)]
    assert sorted(first_epoch) == list(range(10))


def test_shard_sampler_covers_each_image_once() -> None:
    shards = [list(ShardSampler(7, rank, 3)) for rank in range(3)]
    assert sorted(i for shard in shards for i in shard) == list(range(7))


def test_tiaug_folder_is_read(tmp_path: Path) -> None:
    _write_pairs(tmp_path, "train", 3)
    _write_pairs(tmp_path, "val", 2, shape=(24, 32))
    train, val = open_data(str(tmp_path), SIZE)
    assert (len(train), len(val)) == (3, 2)
    image, mask = SegmentationDataset(val, SIZE, "none")[1]
    assert image.shape == (1, *SIZE)
    assert mask.shape == SIZE


def test_tfd_folder_is_split_by_subject(tmp_path: Path) -> None:
    _write_tfd(tmp_path, "sub001")
    _write_tfd(tmp_path, "sub002")
    _write_tfd(tmp_path, "sub007")  # a validation subject of the paper
    train, val = open_data(str(tmp_path), (64, 80))
    assert (len(train), len(val)) == (2, 1)
    image, mask = val[0]
    assert image.shape == (64, 80)
    assert 33.0 < image.max() < 35.0  # milli-degC read as degC
    assert set(np.unique(mask)) <= set(range(6))
    assert (mask > 0).any()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "does not exist"),
        (lambda root: root.mkdir(), "no images found"),
        (lambda root: (root / "train" / "image").mkdir(parents=True), "no such folder"),
        (
            lambda root: (_write_pairs(root, "train", 2), _write_pairs(root, "val", 0)),
            "no images",
        ),
        (
            lambda root: (
                _write_pairs(root, "train", 2),
                _write_pairs(root, "val", 2),
                (root / "val" / "label" / "001.png").unlink(),
            ),
            "1 image without a label",
        ),
        (
            lambda root: (_write_pairs(root, "train", 2, label_shape=(10, 10)),),
            "differs from its label",
        ),
        (lambda root: _write_tfd(root, "sub001", with_landmarks=False), "1 image without a .ljson"),
        (lambda root: _write_tfd(root, "sub001"), "no validation images"),
    ],
)
def test_bad_data_folders_give_one_line_errors(tmp_path: Path, make, message: str) -> None:
    root = tmp_path / "data"
    make(root)
    with pytest.raises(UsageError, match=message) as error:
        open_data(str(root), SIZE)
    assert "\n" not in str(error.value)


def test_face_box_grows_to_the_aspect_and_stays_inside() -> None:
    mask = np.zeros((100, 200), np.uint8)
    mask[40:60, 10:30] = 1  # a 20x20 face near the left edge
    top, left, rows, cols = face_box(mask, margin=0.5, aspect=0.5)
    assert (rows, cols) == (40, 80)  # 20 px + 2 x 10 px margin, widened to rows/cols 0.5
    assert (top, left) == (30, 0)  # centred on the face, shifted inside the frame
    assert face_box(np.zeros((10, 12), np.uint8), 0.1, 1.0) == (0, 0, 10, 12)
    with pytest.raises(ValueError, match="margin must be >= 0"):
        face_box(mask, -0.1, 1.0)


def test_face_crop_source_fills_the_frame_with_the_face() -> None:
    _, val = open_data("synthetic", (48, 60), num_train=2, num_val=2, seed=0, face_crop=0.1)
    assert isinstance(val, FaceCropSource)
    image, mask = val[0]
    assert image.shape == mask.shape == (48, 60)
    assert image.dtype == np.float32
    assert 0.3 < (mask > 0).mean() < 0.7  # the face covers a third to two thirds of the crop
    assert set(np.unique(mask)) == set(range(6))
    assert val[0][0] is image  # crops are kept


class _Threads(torch.utils.data.Dataset):
    """One item: the OpenCV, torch and OpenBLAS thread counts of the process reading it."""

    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int) -> list[int]:
        import cv2

        counts = [cv2.getNumThreads(), torch.get_num_threads()]
        for line in Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1]
            if "openblas" in path.rsplit("/", 1)[-1].lower():
                library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)
                names = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_")
                names += ("scipy_openblas_get_num_threads",)
                getter = next(getattr(library, n) for n in names if hasattr(library, n))
                counts.append(getter())
        return counts


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="reads /proc (Linux)")
def test_workers_run_one_thread_per_library() -> None:
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(2)  # what a 2-core machine gives; workers inherit it
    cv2.GaussianBlur(np.zeros((2000, 2000), np.float32), (31, 31), 5)  # OpenCV's pool runs
    try:
        plain = next(iter(DataLoader(_Threads(), None, num_workers=1, timeout=300)))
        init = one_thread_workers(1)  # a worker changing OpenCV's count now would never start
        loader = DataLoader(_Threads(), None, num_workers=1, worker_init_fn=init, timeout=300)
        capped = next(iter(loader))
    finally:
        cv2.setNumThreads(before)
    assert plain[0] == 2  # without the cap, OpenCV keeps the parent's threads
    assert len(capped) >= 3  # numpy's OpenBLAS at least
    assert capped == [1] * len(capped)
    assert one_thread_workers(0) is None


def test_prefetch_fits_in_shared_memory(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    assert batch_bytes((256, 320), 16) == 16 * 256 * 320 * 5  # float32 image + uint8 mask
    assert shm_prefetch(0, 10**6, shm=tmp_path) is None
    assert shm_prefetch(8, 1000, shm=tmp_path) == 4
    assert shm_prefetch(2, free // 2 // 7, shm=tmp_path) == 3  # 3.5 batches per worker fit
    assert shm_prefetch(4, 10**6, shm=tmp_path / "none") == 4  # no /dev/shm: no limit known
    with pytest.raises(UsageError, match=r"DataLoader workers need .* MiB .*--shm-size") as error:
        shm_prefetch(8, free // 8, loaders=2, shm=tmp_path)
    assert "\n" not in str(error.value)


def test_train_sampler_reshuffles_every_epoch() -> None:
    stream = iter(TrainSampler(10, seed=3))
    epochs = [tuple(next(stream)[1] for _ in range(10)) for _ in range(3)]
    assert all(sorted(epoch) == list(range(10)) for epoch in epochs)
    assert len(set(epochs)) == 3  # a new order each epoch, not the first one repeated


def test_train_sampler_resumes_every_rank_of_two() -> None:
    # start counts this rank's keys (iteration x per-rank batch): 5 per epoch on 2 ranks
    for rank in range(2):
        stream = iter(TrainSampler(10, seed=3, rank=rank, world_size=2))
        keys = [next(stream) for _ in range(15)]
        assert [e for e, _ in keys] == [0] * 5 + [1] * 5 + [2] * 5
        for start in (3, 5, 7):
            resumed = iter(TrainSampler(10, seed=3, rank=rank, world_size=2, start=start))
            assert [next(resumed) for _ in range(15 - start)] == keys[start:], (rank, start)


@pytest.mark.parametrize("transpose", [False, True])
def test_face_box_puts_the_margin_on_both_sides_of_both_axes(transpose: bool) -> None:
    mask = np.zeros((200, 200), np.uint8)
    mask[80:100, 60:140] = 1  # a 20x80 face (80x20 transposed), far from the edges
    if transpose:
        mask = np.ascontiguousarray(mask.T)
    top, left, rows, cols = face_box(mask, margin=0.25, aspect=1.0)
    # the long side (80 px) grows by 20 px on each side to 120; the square takes it
    assert (rows, cols) == (120, 120)
    assert (top, left) == ((40, 30) if transpose else (30, 40))
    face_rows, face_cols = np.nonzero(mask)
    for start, size, face in ((top, rows, face_rows), (left, cols, face_cols)):
        side = face.max() - face.min() + 1
        assert face.min() - start >= 0.25 * side
        assert start + size - 1 - face.max() >= 0.25 * side
