"""examples.minimal_loop: the README's tiaug + SAMCLLoss snippet runs as a plain loop."""

import math
from pathlib import Path

import torch

from examples import minimal_loop


def test_batches_are_normalised_augmented_faces() -> None:
    images, labels = next(minimal_loop.batches((32, 40), batch=3, seed=0))
    assert images.shape == (3, 1, 32, 40)
    assert images.dtype == torch.float32
    assert labels.shape == (3, 32, 40)
    assert labels.dtype == torch.int64
    assert images.amin() >= -1
    assert images.amax() <= 1
    assert set(labels.unique().tolist()) <= {0, 1, 2, 3, 4, 5, 255}


def test_the_loop_trains_reproducibly() -> None:
    first = minimal_loop.train_loop(iters=3, size=(32, 40), batch=2, seed=0)
    assert len(first) == 3
    assert all(math.isfinite(loss) and loss > 0 for loss in first)
    assert minimal_loop.train_loop(iters=3, size=(32, 40), batch=2, seed=0) == first
    assert minimal_loop.train_loop(iters=3, size=(32, 40), batch=2, seed=1) != first


def test_command_line_prints_mean_losses(capsys) -> None:
    assert minimal_loop.main(["--iters", "2"]) == 0
    assert capsys.readouterr().out.startswith("steps 1-2: mean loss ")


def test_it_stays_minimal() -> None:
    assert len(Path(minimal_loop.__file__).read_text().splitlines()) < 80
