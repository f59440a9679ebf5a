"""Shared set-up of the examples tests."""

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tiaug import io as tio
from tiaug.synth import synth_face


@pytest.fixture(autouse=True, scope="module")
def _share_the_cores() -> Iterator[None]:
    """Under pytest-xdist, give each worker its share of torch's threads while these tests run.

    Oversubscribed OpenMP threads make the small training steps here many times slower; the
    count is restored afterwards (other packages' tests, e.g. compiled kernels, keep theirs).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, before // workers))
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Path:
    """A real checkpoint of examples.train: a tiny U-Net, 32x40, two iterations."""
    from examples.config import TrainConfig
    from examples.train import train

    out = tmp_path_factory.mktemp("run")
    config = TrainConfig(
        base_width=4, size=(32, 40), iters=2, batch=2, workers=0, num_train=4, num_val=2,
        val_every=2, ckpt_every=2, log_every=2, overlays=0, device="cpu", out=str(out),
    )  # fmt: skip
    train(config)
    return out / "last.pt"


#: Sequences of :func:`real_folder`: one without and one with glasses (by name).
REAL_SEQUENCES = ("1_Man_NoGlasses_Normal", "1_Man_Glasses1_Yawning")


@pytest.fixture(scope="session")
def real_folder(tmp_path_factory) -> Path:
    """A folder laid out like the real development set: per sequence, 8-bit JPEG frames
    (synthetic faces mapped linearly to grey levels) beside SF-TL54 YOLO pose labels."""
    root = tmp_path_factory.mktemp("real")
    layout = tio.LANDMARK_LAYOUTS["sftl54"]
    for number, sequence in enumerate(REAL_SEQUENCES):
        (root / sequence).mkdir()
        for frame in range(2):
            face = synth_face(10 * number + frame, (120, 160))
            levels = np.clip((face.image - 20.0) * 15.0, 0, 255).astype(np.uint8)
            assert cv2.imwrite(str(root / sequence / f"Imag_{frame:05d}.jpg"), levels)
            points = layout.from_68(face.landmarks)
            path = root / sequence / f"Imag_{frame:05d}.txt"
            tio.write_landmarks(path, points, face.image.shape, np.full(len(points), 0.99))
    return root
