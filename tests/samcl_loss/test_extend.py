"""Extending SAMCLLoss: any auxiliary network, masks from its geometry, the base-loss
protocol, negatives as functions; the losses do not know about SAM-CL."""

import ast
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import samcl_loss
from samcl_loss import AuxiliaryNetwork, RMILoss, SAMCLLoss
from samcl_loss import samcl_loss as samcl_fn
from samcl_loss.auxiliary import downsample_mask


def _batch(seed=0, n=2, c=4, h=21, w=27):
    g = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, c, h, w, generator=g)).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[:, :3] = 255
    return logits, target


class TwoScales(nn.Module):
    """A user network: two scales of 8 channels, no ``downsample_mask``."""

    def __init__(self, channels):
        super().__init__()
        self.a = nn.Conv2d(channels, 8, 3, stride=2, padding=1)
        self.b = nn.Conv2d(8, 8, 3, stride=3, padding=1)

    def forward(self, x):
        x1 = F.relu(self.a(x))
        return [x1, self.b(x1)]


def test_any_auxiliary_network_sets_the_number_of_scales():
    logits, target = _batch()
    criterion = SAMCLLoss(4, auxiliary=TwoScales(4))
    terms = criterion(logits, target, return_terms=True)
    assert list(terms) == ["loss", "base", "contrastive", "scale0", "scale1", "scale2"]
    terms.total.backward()
    assert all(p.grad is not None for p in criterion.auxiliary.parameters())
    assert {id(p) for p in criterion.auxiliary.parameters()} <= {
        id(p) for p in criterion.parameters()
    }


def test_a_single_tensor_is_one_scale():
    logits, target = _batch(1)
    criterion = SAMCLLoss(4, base_loss="ce", auxiliary=nn.Conv2d(4, 4, 3, stride=2))
    assert len(criterion(logits, target, return_terms=True).scales) == 2


def test_masks_fall_back_to_each_position_s_share_of_the_image():
    """Without downsample_mask, a coarse position is valid when its share of the image
    has a valid pixel: a sample whose top half is ignored gets invalid top positions."""
    logits, target = _batch(2, n=1, h=24, w=24)
    target[:, :12] = 255
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(x)
            return [F.avg_pool2d(x, 4)]

    terms = SAMCLLoss(4, base_loss=None, auxiliary=Probe())(logits, target, return_terms=True)
    masks = samcl_loss.auxiliary.scale_masks(
        Probe(), (target != 255).unsqueeze(1).float(), [seen[0][:, :, ::4, ::4]]
    )
    assert masks[0][0, 0, :3].sum() == 0
    assert masks[0][0, 0, 3:].all()
    assert torch.isfinite(terms.total)


@pytest.mark.parametrize("input_pool", [1, 2, 3])
@pytest.mark.parametrize(("h", "w"), [(37, 53), (24, 40)])
def test_default_network_masks_follow_its_geometry(input_pool, h, w):
    net = AuxiliaryNetwork(4, input_pool=input_pool)
    features = net(torch.rand(2, 4, h, w))
    masks = net.downsample_mask(torch.ones(2, 1, h, w))
    assert [m.shape[-2:] for m in masks] == [f.shape[-2:] for f in features]
    # 4 ignored rows (after input pooling): a 3x3 stride-2 window reaches one row out, so
    # coarse rows 0 and 1 see only ignored pixels and row 2 sees a valid one.
    mask = torch.ones(1, 1, h, w)
    mask[..., : 4 * input_pool, :] = 0
    first = net.downsample_mask(mask)[0]
    assert first[0, 0, :2].sum() == 0
    assert first[0, 0, 2:].all()


def test_downsample_mask_of_a_user_stage():
    stage = nn.Sequential(nn.Conv2d(3, 3, 5, stride=2, padding=2), nn.ReLU(), nn.MaxPool2d(2))
    mask = torch.ones(1, 1, 33, 41)
    assert downsample_mask(stage, mask).shape[-2:] == stage(torch.rand(1, 3, 33, 41)).shape[-2:]


def test_a_base_loss_with_region_distances_gives_scale0():
    """The protocol, not the class: a wrapper exposing RMILoss's region_distances."""

    class Wrapped:
        def __init__(self):
            self.rmi = RMILoss(4)

        def __call__(self, logits, target):
            return self.rmi(logits, target)

        def region_distances(self, prediction, targets):
            return self.rmi.region_distances(prediction, targets)

    logits, target = _batch(3)
    state = SAMCLLoss(4).state_dict()
    results = []
    for base in ("rmi", Wrapped(), "ce"):
        criterion = SAMCLLoss(4, base_loss=base)
        criterion.load_state_dict(state)
        results.append(criterion(logits, target, return_terms=True)["scale0"].item())
    assert results[0] == results[1]
    assert results[2] != results[0]  # cross-entropy distances without the method


def test_functional_form_takes_a_negative_function():
    logits, target = _batch(4)
    net = AuxiliaryNetwork(4)
    calls = []

    def flipped(positive, generator):
        calls.append(generator)
        return positive.flip(-1)

    terms = samcl_fn(logits, target, auxiliary=net, negatives=flipped, base_loss=None)
    assert calls == [None]
    assert torch.isfinite(terms.total)
    terms.total.backward()


def _imports(module):
    tree = ast.parse(Path(module.__file__).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pixel_losses_know_nothing_of_sam_cl():
    for module in (samcl_loss.rmi, samcl_loss.cross_entropy, samcl_loss.dice):
        imports = _imports(module)
        assert not imports & {"samcl_loss.samcl", "samcl_loss.negatives", "samcl_loss.auxiliary"}
        source = Path(module.__file__).read_text().lower()
        assert "anchor" not in source
        assert "sam-cl" not in source
    assert "samcl_loss.rmi" not in _imports(samcl_loss.cross_entropy) | _imports(samcl_loss.dice)
