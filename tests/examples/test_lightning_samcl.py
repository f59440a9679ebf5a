"""examples.lightning_samcl: two Lightning training steps with SAMCLLoss."""

import math
import warnings

import pytest
import torch

pytest.importorskip("lightning")

from examples import lightning_samcl
from samcl_loss.samcl import UNTRAINED_CHECK_CALLS


def test_two_training_steps_train_the_model_and_the_auxiliary_network() -> None:
    initial = lightning_samcl.SAMCLSegmenter(seed=0)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="SAMCLLoss")
        module, metrics = lightning_samcl.train(iters=2, size=(32, 40), batch=2, seed=0)
    expected = {"loss", "base", "contrastive", "scale0", "scale1", "scale2", "scale3"}
    assert set(metrics) == {f"train/{k}" for k in expected} | {"val/loss"}
    assert all(math.isfinite(v) for v in metrics.values())
    for part in ("model", "criterion"):
        before = getattr(initial, part).state_dict()
        after = getattr(module, part).state_dict()
        changed = [
            k for k, v in after.items() if torch.is_tensor(v) and not torch.equal(v, before[k])
        ]
        assert any(k.endswith("weight") for k in changed), part
    # Two training calls updated the batch-norm statistics; validation (eval) did not.
    tracked = module.criterion.auxiliary.down1[1].num_batches_tracked
    assert tracked.item() == 2


class ModelOnly(lightning_samcl.SAMCLSegmenter):
    """The mistake the loss warns about: the optimizer gets the network's parameters only."""

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.model.parameters(), lr=0.01)


def test_an_optimizer_without_the_loss_parameters_is_warned_about() -> None:
    with pytest.warns(UserWarning, match="give criterion.parameters"):
        lightning_samcl.train(
            iters=UNTRAINED_CHECK_CALLS + 1, size=(24, 30), batch=1, module=ModelOnly()
        )
