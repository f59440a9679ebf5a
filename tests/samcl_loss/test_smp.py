"""segmentation_models_pytorch: the README's snippet runs, and smp's multiclass Dice as a
base loss gives the same SAM-CL loss as the package's own ``base_loss="dice"``."""

import pytest
import torch

from samcl_loss import SAMCLLoss

smp = pytest.importorskip("segmentation_models_pytorch")


def _criterion(base_loss):
    return SAMCLLoss(6, base_loss=base_loss, generator=torch.Generator().manual_seed(0))


def test_readme_snippet_trains_an_smp_model():
    torch.manual_seed(0)
    model = smp.Unet("resnet34", encoder_weights=None, in_channels=1, classes=6)
    dice = smp.losses.DiceLoss("multiclass", ignore_index=255)
    criterion = _criterion(dice)
    params = list(model.parameters()) + list(criterion.parameters())
    optimizer = torch.optim.SGD(params, lr=0.01)
    images = torch.randn(2, 1, 64, 64)
    target = torch.randint(0, 6, (2, 64, 64))
    target[:, :4] = 255
    before = [p.detach().clone() for p in criterion.parameters()]
    loss = criterion(model(images), target)
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    assert any(not torch.equal(b, p) for b, p in zip(before, criterion.parameters(), strict=True))


def test_smp_dice_base_equals_the_package_dice():
    g = torch.Generator().manual_seed(1)
    logits = (3 * torch.randn(3, 6, 40, 48, generator=g)).requires_grad_()
    target = torch.randint(0, 4, (3, 40, 48), generator=g)  # classes 4 and 5 absent
    target[:, -3:] = 255
    ours = _criterion("dice")(logits, target, return_terms=True)
    theirs = _criterion(smp.losses.DiceLoss("multiclass", ignore_index=255))(
        logits, target, return_terms=True
    )
    torch.testing.assert_close(theirs["base"], ours["base"])
    torch.testing.assert_close(theirs["loss"], ours["loss"])
