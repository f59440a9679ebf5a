"""Integrations: MMSegmentation's calling convention, the untrained-auxiliary warning,
DDP on CPU with two gloo processes."""

import re
import warnings

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from samcl_loss import SAMCLLoss
from samcl_loss import samcl as samcl_module
from samcl_loss.mmseg import MMSegSAMCLLoss


def _batch(seed=0, n=2, c=4, h=24, w=30):
    g = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, c, h, w, generator=g)).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[:, :2] = 255
    return logits, target


def _parse_losses(losses):
    """MMSegmentation's BaseSegmentor.parse_losses, from its documented behaviour: the mean
    of every value is logged, the values whose key contains "loss" are summed."""
    log_vars = {k: v.mean() for k, v in losses.items()}
    loss = sum(v for k, v in log_vars.items() if "loss" in k)
    return loss, {k: v.item() for k, v in log_vars.items()}


def _mmseg_loss(loss_decode, seg_logits, seg_label, seg_weight=None, ignore_index=255):
    """BaseDecodeHead.loss_by_feat's call of its losses."""
    losses = {}
    losses[loss_decode.loss_name] = loss_decode(
        seg_logits, seg_label, weight=seg_weight, ignore_index=ignore_index
    )
    return losses


def test_mmseg_calls_it_like_its_own_losses():
    logits, target = _batch()
    head_loss = MMSegSAMCLLoss(4, loss_weight=0.5, generator=torch.Generator().manual_seed(0))
    reference = SAMCLLoss(4)
    reference.load_state_dict(head_loss.criterion.state_dict())
    losses = _mmseg_loss(head_loss, logits, target)
    assert list(losses) == ["loss_samcl"]
    loss, log_vars = _parse_losses(losses)
    assert set(log_vars) == {"loss_samcl"}
    assert loss.item() == pytest.approx(0.5 * reference(logits, target).item(), rel=1e-6)
    loss.backward()
    assert all(p.grad is not None for p in head_loss.parameters())
    assert {id(p) for p in head_loss.criterion.auxiliary.parameters()} <= {
        id(p) for p in head_loss.parameters()
    }


def test_mmseg_pixel_weights_and_ignore_index():
    logits, target = _batch(1)
    head_loss = MMSegSAMCLLoss(4, generator=torch.Generator().manual_seed(0))
    state = head_loss.state_dict()
    weight = (torch.rand(target.shape, generator=torch.Generator().manual_seed(2)) > 0.3).float()
    with_weight = _mmseg_loss(head_loss, logits, target, seg_weight=weight)["loss_samcl"]
    head_loss.load_state_dict(state)
    dropped = target.masked_fill(weight == 0, 255)
    assert with_weight.item() == pytest.approx(head_loss(logits, dropped).item(), rel=1e-6)
    head_loss.load_state_dict(state)
    other = target.masked_fill(target == 255, 250)
    remapped = _mmseg_loss(head_loss, logits, other, ignore_index=250)["loss_samcl"]
    head_loss.load_state_dict(state)
    assert remapped.item() == pytest.approx(head_loss(logits, target).item(), rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "call", "message"),
    [
        ({"loss_name": "samcl"}, {}, "loss_name must contain 'loss'"),
        ({"reduction": "none"}, {}, "MMSegSAMCLLoss needs reduction='mean'"),
        ({}, {"avg_factor": 10.0}, "MMSegSAMCLLoss does not take avg_factor"),
        ({}, {"reduction_override": "sum"}, "MMSegSAMCLLoss reduces by 'mean' only"),
        ({}, {"weight": torch.ones(2, 24)}, "weight must have the label's shape (2, 24, 30)"),
    ],
)
def test_mmseg_errors(kwargs, call, message):
    logits, target = _batch(2)
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        MMSegSAMCLLoss(4, **kwargs)(logits, target, **call)


def _loop(optimize_criterion, steps):
    torch.manual_seed(0)
    model = nn.Conv2d(1, 4, 3, padding=1)
    criterion = SAMCLLoss(4, base_loss="ce")
    params = list(model.parameters()) + (list(criterion.parameters()) if optimize_criterion else [])
    optimizer = torch.optim.SGD(params, lr=0.01)
    _, target = _batch(3, h=19, w=19)
    for _ in range(steps):
        optimizer.zero_grad()
        criterion(model(torch.randn(2, 1, 19, 19)), target).backward()
        optimizer.step()
    return criterion


def test_warning_when_the_auxiliary_network_is_not_optimised():
    steps = samcl_module.UNTRAINED_CHECK_CALLS + 1
    with pytest.warns(UserWarning, match="auxiliary network received gradients but its"):
        _loop(optimize_criterion=False, steps=steps)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="SAMCLLoss")
        _loop(optimize_criterion=True, steps=steps + 2)
        _loop(optimize_criterion=False, steps=steps - 1)  # not yet


class Task(nn.Module):
    """The README's DDP advice: model and loss in one module, wrapped once."""

    def __init__(self):
        super().__init__()
        self.model = nn.Conv2d(1, 4, 3, padding=1)
        self.criterion = SAMCLLoss(4, generator=torch.Generator().manual_seed(0))

    def forward(self, image, target):
        return self.criterion(self.model(image), target)


def _ddp_worker(rank, world_size, folder):
    dist.init_process_group(
        "gloo", init_method=f"file://{folder}/store", rank=rank, world_size=world_size
    )
    try:
        torch.manual_seed(rank)  # different initial weights: DDP broadcasts rank 0's
        ddp = nn.parallel.DistributedDataParallel(Task())
        optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
        g = torch.Generator().manual_seed(rank + 1)  # different data on every rank
        for _ in range(2):
            image = torch.randn(2, 1, 24, 30, generator=g)
            target = torch.randint(0, 4, (2, 24, 30), generator=g)
            optimizer.zero_grad()
            ddp(image, target).backward()
            optimizer.step()
        torch.save(ddp.module.state_dict(), f"{folder}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def test_ddp_on_cpu_with_gloo(tmp_path):
    """Two processes, different data: the parameters (model and auxiliary network) stay
    identical on both ranks (DDP averages the gradients; each rank normalises with its own
    batch statistics, and rank 0's running statistics are broadcast at every forward)."""
    mp.spawn(_ddp_worker, args=(2, str(tmp_path)), nprocs=2, join=True)
    states = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2)]
    torch.manual_seed(0)
    initial = Task().state_dict()
    changed = False
    for key, _ in Task().named_parameters():
        value = states[0][key]
        assert torch.equal(value, states[1][key]), key
        changed |= key.startswith("criterion.auxiliary") and not torch.equal(value, initial[key])
    assert changed


def test_no_warning_when_gradients_are_accumulated():
    model = nn.Conv2d(1, 4, 3, padding=1)
    criterion = SAMCLLoss(4, base_loss="ce")
    optimizer = torch.optim.SGD(list(model.parameters()) + list(criterion.parameters()), lr=0.01)
    accumulate = 16  # an optimiser step every 16 calls
    _, target = _batch(3, h=19, w=19)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="SAMCLLoss")
        for call in range(samcl_module.UNTRAINED_CHECK_CALLS + 2):
            (criterion(model(torch.randn(2, 1, 19, 19)), target) / accumulate).backward()
            if (call + 1) % accumulate == 0:
                optimizer.step()
                optimizer.zero_grad()
