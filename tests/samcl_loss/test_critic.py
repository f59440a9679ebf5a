"""The SAM-CL critic (auxiliary network) must separate by the prediction, not by the labels.

Protocol of issue 8: one fixed batch of background-heavy labels, a fixed prediction, 200 SGD
steps (lr 0.01, momentum 0.9) on the auxiliary network's parameters alone; the quantity
is the mean of the triplet hinges at scales 1-3, compared with the margin.
"""

import pytest
import torch
import torch.nn.functional as F

from samcl_loss import SAMCLLoss

NUM_CLASSES = 6
STEPS = 200


def _face_masks(n: int, height: int, width: int, seed: int) -> torch.Tensor:
    """(n, height, width) labels: background ~90 %, an elliptic face with five small parts
    (mouth, two eyes, two eyebrows, nose: labels 2-5), at a random place and size."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(
        torch.arange(height, dtype=torch.float32),
        torch.arange(width, dtype=torch.float32),
        indexing="ij",
    )
    masks = torch.zeros(n, height, width, dtype=torch.long)
    for mask in masks:
        low, span = torch.tensor([0.35, 0.35, 0.18, 0.13]), torch.tensor([0.25, 0.3, 0.06, 0.04])
        cy, cx, ry, rx = (low + span * torch.rand(4, generator=g)).tolist()  # fractions
        cy, ry, cx, rx = cy * height, ry * height, cx * width, rx * width
        parts = [(0, 0, 1, 1, 1), (0.55, 0, 0.1, 0.35, 2), (0.15, 0, 0.2, 0.1, 5)]
        parts += [(-0.2, s * 0.4, 0.07, 0.15, 3) for s in (-1, 1)]
        parts += [(-0.4, s * 0.4, 0.05, 0.25, 4) for s in (-1, 1)]
        for dy, dx, ay, ax, label in parts:
            inside = ((yy - cy - dy * ry) / (ay * ry)) ** 2 + ((xx - cx - dx * rx) / (ax * rx)) ** 2
            mask[inside <= 1] = label
    return masks


def _critic_scales(criterion: SAMCLLoss, logits: torch.Tensor, target: torch.Tensor) -> float:
    """Mean hinge of scales 1-3 after STEPS SGD steps on the auxiliary network alone."""
    optimizer = torch.optim.SGD(criterion.auxiliary.parameters(), lr=0.01, momentum=0.9)
    for _ in range(STEPS):
        optimizer.zero_grad()
        criterion(logits, target, return_terms=True).total.backward()
        optimizer.step()
    with torch.no_grad():
        scales = criterion(logits, target, return_terms=True).scales
    return float(torch.stack(scales[1:]).mean())


def _setup(seed: int, informative: bool, **kwargs):
    torch.manual_seed(seed)  # the auxiliary network's initial weights
    criterion = SAMCLLoss(
        NUM_CLASSES, base_loss=None, generator=torch.Generator().manual_seed(seed), **kwargs
    )
    target = _face_masks(4, 32, 40, seed)
    if informative:
        one_hot = F.one_hot(target, NUM_CLASSES).permute(0, 3, 1, 2).float()
        noise = torch.randn(one_hot.shape, generator=torch.Generator().manual_seed(seed + 1))
        logits = 4 * one_hot + noise
    else:
        logits = torch.zeros(target.shape[0], NUM_CLASSES, *target.shape[1:])
    return criterion, logits, target


def test_masks_are_background_heavy():
    background = (_face_masks(4, 32, 40, 0) == 0).float().mean().item()
    assert 0.85 < background < 0.95


def test_swap_negatives_let_the_critic_cheat_on_an_uninformative_prediction():
    """The paper's class swap: channel areas alone tell positive from negative."""
    criterion, logits, target = _setup(0, informative=False, negatives="swap")
    assert _critic_scales(criterion, logits, target) < 0.1 * criterion.margin


@pytest.mark.parametrize("seed", [0, 1])
def test_default_critic_cannot_cheat_on_an_uninformative_prediction(seed):
    criterion, logits, target = _setup(seed, informative=False)
    assert _critic_scales(criterion, logits, target) >= 0.5 * criterion.margin


@pytest.mark.parametrize("seed", [0, 1])
def test_default_critic_separates_an_informative_prediction(seed):
    criterion, logits, target = _setup(seed, informative=True)
    assert _critic_scales(criterion, logits, target) < 0.25 * criterion.margin
