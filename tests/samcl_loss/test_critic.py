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


def _setup(face_masks, seed: int, informative: bool, **kwargs):
    torch.manual_seed(seed)  # the auxiliary network's initial weights
    criterion = SAMCLLoss(
        NUM_CLASSES, base_loss=None, generator=torch.Generator().manual_seed(seed), **kwargs
    )
    target = face_masks(4, 32, 40, seed)
    if informative:
        one_hot = F.one_hot(target, NUM_CLASSES).permute(0, 3, 1, 2).float()
        noise = torch.randn(one_hot.shape, generator=torch.Generator().manual_seed(seed + 1))
        logits = 4 * one_hot + noise
    else:
        logits = torch.zeros(target.shape[0], NUM_CLASSES, *target.shape[1:])
    return criterion, logits, target


def test_masks_are_background_heavy(make_face_masks):
    background = (make_face_masks(4, 32, 40, 0) == 0).float().mean().item()
    assert 0.85 < background < 0.95


def test_swap_negatives_let_the_critic_cheat_on_an_uninformative_prediction(make_face_masks):
    """The paper's class swap: channel areas alone tell positive from negative."""
    criterion, logits, target = _setup(make_face_masks, 0, informative=False, negatives="swap")
    assert _critic_scales(criterion, logits, target) < 0.1 * criterion.margin


@pytest.mark.parametrize("seed", [0, 1])
def test_reflect_critic_cannot_cheat_on_an_uninformative_prediction(make_face_masks, seed):
    criterion, logits, target = _setup(
        make_face_masks, seed, informative=False, negatives="reflect"
    )
    assert _critic_scales(criterion, logits, target) >= 0.5 * criterion.margin


@pytest.mark.parametrize("seed", [0, 1])
def test_reflect_critic_separates_an_informative_prediction(make_face_masks, seed):
    criterion, logits, target = _setup(make_face_masks, seed, informative=True, negatives="reflect")
    assert _critic_scales(criterion, logits, target) < 0.25 * criterion.margin
