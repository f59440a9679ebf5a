"""torch.compile of a training step that uses the losses."""

import pytest
import torch
from torch import nn

from samcl_loss import RMILoss, SAMCLLoss


def _step_setup(num_classes, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, num_classes, 1))
    criterion = SAMCLLoss(num_classes, generator=torch.Generator().manual_seed(seed))
    g = torch.Generator().manual_seed(seed)
    image = torch.randn(2, 1, 24, 30, generator=g)
    target = torch.randint(0, num_classes, (2, 24, 30), generator=g)
    target[0, :4] = 255
    return model, criterion, image, target


def _train(step, model, criterion, image, target, steps=2):
    optimizer = torch.optim.SGD([*model.parameters(), *criterion.parameters()], lr=0.01)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = step(model, criterion, image, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses)


def _step(model, criterion, image, target):
    return criterion(model(image), target)


@pytest.mark.parametrize(
    "backend",
    ["eager", "aot_eager", pytest.param("inductor", marks=pytest.mark.slow)],
)
def test_compiled_step_matches_eager(backend):
    torch._dynamo.reset()
    eager = _train(_step, *_step_setup(4))
    compiled = _train(torch.compile(_step, backend=backend), *_step_setup(4))
    assert torch.isfinite(compiled).all()
    torch.testing.assert_close(compiled, eager, rtol=1e-4, atol=1e-5)


def test_compiled_rmi_loss_matches_eager():
    torch._dynamo.reset()
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 20, 22, generator=g, requires_grad=True)
    target = torch.randint(0, 3, (2, 20, 22), generator=g)
    criterion = RMILoss(3)
    expected = criterion(logits, target)
    got = torch.compile(criterion, backend="eager")(logits, target)
    torch.testing.assert_close(got, expected)
