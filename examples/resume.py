"""A run's checkpoint: what ``last.pt`` and ``best.pt`` hold, and how a run resumes from one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from examples.checkpoint import get_rng_state, load_checkpoint, set_rng_state
from examples.config import TrainConfig, applies, current_keys, resume_keys
from examples.data import UsageError
from examples.distributed import all_gather_objects
from examples.run import Run, seed_rank_streams

__all__ = [
    "checkpoint_state",
    "differences",
    "restore_rng",
    "resume",
    "resume_path",
]


def _amp_name(dtype: torch.dtype | None) -> str:
    """The ``--amp`` value that forces ``dtype`` ("bf16", "fp16" or "off")."""
    return {torch.bfloat16: "bf16", torch.float16: "fp16", None: "off"}[dtype]


def checkpoint_state(run: Run) -> dict[str, Any]:
    """Everything :func:`resume` needs to continue the run exactly (``last.pt``, ``best.pt``).

    ``amp`` is the autocast dtype the run resolved (:func:`_amp_name`); ``rng`` holds every
    rank's random states, in rank order. Every rank calls it (the states are gathered).
    """
    return {
        "iteration": run.iteration,
        "config": run.config.to_dict(),
        "amp": _amp_name(run.amp_dtype),
        "model": run.task.model.state_dict(),
        "criterion": run.task.criterion.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict(),
        "scaler": run.scaler.state_dict(),
        "rng": all_gather_objects(get_rng_state()),
        "best_miou": run.best_miou,
        "best_iteration": run.best_iteration,
        "elapsed_s": run.train_time(),
        "world_size": run.context.world_size,
    }


def resume_path(config: TrainConfig) -> Path | None:
    """The checkpoint ``config.resume`` names ("auto": OUT/last.pt), or None.

    Raises:
        UsageError: no such file.
    """
    if config.resume is None:
        return None
    path = Path(config.out) / "last.pt" if config.resume == "auto" else Path(config.resume)
    if not path.is_file():
        raise UsageError(f"--resume: no checkpoint {path}")
    return path


def differences(state: dict[str, Any], run: Run) -> list[str]:
    """The options of :func:`~examples.config.resume_keys` that apply to the run's loss, and
    the autocast dtype, in which the run differs from the checkpoint ``state``."""
    saved, keys, loss = current_keys(state["config"]), resume_keys(), run.config.loss
    found = [
        f"{key} {saved.get(key)!r} != {value!r}"
        for key, value in run.config.to_dict().items()
        if key in keys and applies(key, loss) and key in saved and saved[key] != value
    ]  # a key not saved: an older checkpoint
    amp = _amp_name(run.amp_dtype)
    if state.get("amp", amp) != amp:  # checkpoints from before "amp" was saved: not checked
        found.append(f"amp {state['amp']!r} != {amp!r}")
    return found


def resume(run: Run, path: Path) -> None:
    """Continue ``run`` from the checkpoint at ``path`` (weights, optimiser, RNG, progress).

    Raises:
        UsageError: the checkpoint was written by a run with other options.
    """
    state = load_checkpoint(path)  # on the CPU: RNG states must stay there
    found = differences(state, run)
    if found:
        raise UsageError(f"{path} was written by another run: {'; '.join(found)}")
    run.task.model.load_state_dict(state["model"])
    run.task.criterion.load_state_dict(state["criterion"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.scaler.load_state_dict(state["scaler"])
    restore_rng(state["rng"], run)
    run.iteration, run.elapsed_s = state["iteration"], state["elapsed_s"]
    run.best_miou, run.best_iteration = state["best_miou"], state["best_iteration"]


def restore_rng(states: list[dict[str, Any]] | dict[str, Any], run: Run) -> None:
    """This rank's random states from a checkpoint's ``rng``: its own when the checkpoint
    holds one per rank of this run, else (another world size, or a checkpoint from before
    ``rng`` was a list: one state) the first, reseeded per rank like a fresh run."""
    context = run.context
    if isinstance(states, list) and len(states) == context.world_size:
        set_rng_state(states[context.rank])
        return
    set_rng_state(states[0] if isinstance(states, list) else states)
    seed_rank_streams(run.config, context)
