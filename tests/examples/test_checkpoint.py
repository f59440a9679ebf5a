"""Atomic checkpoints, weights_only loading and RNG states."""

import random
from pathlib import Path

import numpy as np
import pytest
import torch

from examples import checkpoint
from examples.checkpoint import get_rng_state, load_checkpoint, save_checkpoint, set_rng_state


def test_roundtrip_with_rng_state_under_weights_only(tmp_path: Path) -> None:
    state = {"iteration": 3, "weights": torch.arange(4.0), "rng": get_rng_state()}
    path = save_checkpoint(state, tmp_path / "sub" / "last.pt")
    loaded = load_checkpoint(path)
    assert loaded["iteration"] == 3
    assert torch.equal(loaded["weights"], state["weights"])
    set_rng_state(loaded["rng"])
    assert [p.name for p in path.parent.iterdir()] == ["last.pt"]


def test_rng_state_restores_every_generator() -> None:
    state = get_rng_state()
    first = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    set_rng_state(state)
    second = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    assert torch.equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])
    assert first[2] == second[2]


def test_interrupted_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    path = save_checkpoint({"version": 1}, tmp_path / "last.pt")

    def crash(obj, file) -> None:
        file.write(b"partial data")
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"version": 2}, path)
    monkeypatch.undo()
    assert load_checkpoint(path)["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_loading_refuses_arbitrary_objects(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"object": Path("x")}, path)
    with pytest.raises(Exception, match="weights_only"):
        load_checkpoint(path)
