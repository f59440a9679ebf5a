"""Atomic checkpoints that load with ``torch.load(weights_only=True)``, RNG states, and the
trained network of a checkpoint."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from examples.config import TrainConfig

__all__ = [
    "get_rng_state",
    "load_checkpoint",
    "load_trained_model",
    "load_trained_state",
    "save_checkpoint",
    "set_rng_state",
]


def save_checkpoint(state: dict[str, Any], path: str | Path) -> Path:
    """Write ``state`` with ``torch.save`` atomically: a killed write leaves no corrupt file.

    The data go to a temporary file in the same folder, which is flushed, fsync'ed and then
    renamed over ``path`` (``os.replace`` is atomic on POSIX and Windows).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(handle, "wb") as file:
            os.chmod(temporary, 0o666 & ~umask)
            torch.save(state, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return path


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint with ``weights_only=True`` (tensors and plain Python types only)."""
    return torch.load(Path(path), map_location=map_location, weights_only=True)


def load_trained_state(path: str | Path) -> tuple[dict[str, Any], nn.Module, TrainConfig]:
    """A ``best.pt``/``last.pt`` written by ``examples.train``: its state, its network (on
    the CPU, weights loaded) and the run's :class:`~examples.config.TrainConfig`.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not such a checkpoint (one line saying why).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "No such checkpoint", str(path))
    not_ours = f"{path}: not a checkpoint written by examples.train"
    try:
        state = load_checkpoint(path)
    except Exception as error:  # torch.load raises many types for a file it cannot read
        raise ValueError(f"{not_ours} ({type(error).__name__})") from None
    if not isinstance(state, dict) or not {"config", "model"} <= set(state):
        raise ValueError(f"{not_ours} (no 'config' and 'model' entries)")
    try:
        config = TrainConfig.from_dict(state["config"])
        model = config.build_model()
        model.load_state_dict(state["model"])
    except (TypeError, KeyError, ValueError, RuntimeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{not_ours} ({reason})") from None
    return state, model, config


def load_trained_model(
    path: str | Path, device: str | torch.device = "cpu"
) -> tuple[nn.Module, TrainConfig]:
    """The network of a checkpoint of ``examples.train`` in eval mode on ``device``, and the
    run's config (:func:`load_trained_state`, whose errors it raises)."""
    _, model, config = load_trained_state(path)
    return model.to(device).eval(), config


def get_rng_state() -> dict[str, Any]:
    """Global RNG states (torch CPU, current CUDA device, numpy, Python) as tensors/plain types."""
    numpy_state = np.random.get_state()  # noqa: NPY002
    assert isinstance(numpy_state, tuple)  # the legacy form
    kind, keys, position, has_gauss, cached = numpy_state
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() else None,
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), position, has_gauss, cached],
        "python": random.getstate(),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the states returned by :func:`get_rng_state`."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])
    kind, keys, position, has_gauss, cached = state["numpy"]
    numpy_state = (kind, keys.numpy().astype(np.uint32), position, has_gauss, cached)
    np.random.set_state(numpy_state)  # noqa: NPY002
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
