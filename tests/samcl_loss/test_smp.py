"""segmentation_models_pytorch: the README's snippet runs, and smp's multiclass Dice as a
base loss gives the same SAM-CL loss as the package's own ``base_loss="dice"``, and
``dice_loss`` equals smp's for every ``smooth``."""

import pytest
import torch

from samcl_loss import SAMCLLoss, dice_loss

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


@pytest.mark.parametrize("smooth", [0.0, 1.0, 10.0])
def test_dice_loss_equals_smp_dice_for_every_smooth(smooth):
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(3, 4, 11, 12, generator=g)
    target = torch.randint(0, 3, (3, 11, 12), generator=g)  # class 3 absent
    target[1, 3:7] = 255
    theirs = smp.losses.DiceLoss("multiclass", ignore_index=255, smooth=smooth)(logits, target)
    torch.testing.assert_close(dice_loss(logits, target, smooth=smooth), theirs)
