"""SAMCLLoss: values, gradients, ignored pixels, options and errors."""

import copy
import re
from collections.abc import Mapping

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from samcl_loss import (
    AuxiliaryNetwork,
    DiceLoss,
    MaskedCrossEntropyLoss,
    RMILoss,
    SAMCLLoss,
    SAMCLTerms,
    random_derangement,
    rmi_lower_bounds,
    samcl_loss,
)

BASES = ["rmi", "ce", "dice", None]


def _seeded(seed=0, **kwargs):
    """A SAMCLLoss whose auxiliary weights and derangements both come from ``seed``."""
    return SAMCLLoss(generator=torch.Generator().manual_seed(seed), **kwargs)


def _derangement_after_init(c, seed):
    """The first derangement of a SAMCLLoss seeded with ``seed`` (after its weight seed)."""
    g = torch.Generator().manual_seed(seed)
    torch.randint(0, 2**62, (1,), generator=g)
    return random_derangement(c, generator=g)


def _one_hot(target, c):
    valid = (target >= 0) & (target < c)
    onehot = F.one_hot(torch.where(valid, target, 0), c).permute(0, 3, 1, 2).float()
    return onehot * valid.unsqueeze(1), valid


@pytest.mark.parametrize("base", BASES)
def test_smoke(base, make_batch):
    logits, target = make_batch(2, 6, 32, 40, ignore_frac=0.1)
    criterion = SAMCLLoss(6, base_loss=base)
    loss = criterion(logits, target)
    assert loss.shape == ()
    assert torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0
    for name, p in criterion.auxiliary.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name


def test_return_terms_parts_add_up(make_batch):
    logits, target = make_batch(2, 5, 24, 30)
    terms = _seeded(num_classes=5, contrastive_weight=0.3)(logits, target, return_terms=True)
    assert isinstance(terms, SAMCLTerms)
    assert isinstance(terms, Mapping)
    assert list(terms) == ["loss", "base", "contrastive", "scale0", "scale1", "scale2", "scale3"]
    assert terms["loss"] is terms.total
    assert len(terms.scales) == 4
    assert all(t.shape == () for t in (terms.total, terms.base, terms.contrastive, *terms.scales))
    assert torch.allclose(terms.contrastive, sum(terms.scales))
    assert torch.allclose(terms.total, terms.base + 0.3 * terms.contrastive)
    assert terms.total.requires_grad
    plain = _seeded(num_classes=5, contrastive_weight=0.3)(logits, target)
    assert torch.equal(plain, terms.total)
    assert not any(v.requires_grad for v in terms.detached().values())


def test_base_term_is_rmi_loss(make_batch):
    logits, target = make_batch(2, 4, 20, 26, ignore_frac=0.2)
    terms = SAMCLLoss(4)(logits, target, return_terms=True)
    assert terms.base.item() == pytest.approx(RMILoss(4)(logits, target).item(), rel=1e-6)


@pytest.mark.parametrize(("base", "cls"), [("ce", MaskedCrossEntropyLoss), ("dice", DiceLoss)])
def test_named_bases(base, cls, make_batch):
    logits, target = make_batch(2, 4, 19, 19, ignore_frac=0.2)
    criterion = SAMCLLoss(4, base_loss=base)
    assert isinstance(criterion.base_loss, cls)
    terms = criterion(logits, target, return_terms=True)
    assert terms.base.item() == pytest.approx(cls(4)(logits, target).item(), rel=1e-6)


def test_masked_cross_entropy_matches_torch(make_batch):
    logits, target = make_batch(2, 4, 16, 16, ignore_frac=0.2)
    expected = F.cross_entropy(logits, target, ignore_index=255)
    assert MaskedCrossEntropyLoss(4)(logits, target).item() == pytest.approx(expected.item())


def test_dice_is_zero_for_a_perfect_prediction():
    target = torch.randint(0, 3, (2, 8, 8), generator=torch.Generator().manual_seed(0))
    logits = 50.0 * F.one_hot(target, 3).permute(0, 3, 1, 2).float()
    assert DiceLoss(3)(logits, target).item() == pytest.approx(0.0, abs=1e-6)
    assert DiceLoss(3)(-logits, target).item() > 0.9


def test_custom_base_module(make_batch):
    logits, target = make_batch(2, 3, 19, 19)

    class Twice(nn.Module):
        def forward(self, logits, target):
            return 2 * F.cross_entropy(logits, target)

    terms = SAMCLLoss(3, base_loss=Twice())(logits, target, return_terms=True)
    assert terms.base.item() == pytest.approx(2 * F.cross_entropy(logits, target).item())

    class PerPixel(nn.Module):
        def forward(self, logits, target):
            return F.cross_entropy(logits, target, reduction="none")

    message = r"^base_loss must return a scalar for reduction='mean', got shape \(2, 19, 19\)"
    with pytest.raises(ValueError, match=message):
        SAMCLLoss(3, base_loss=PerPixel())(logits, target)


@pytest.mark.parametrize("base", ["rmi", None])
@pytest.mark.parametrize("prediction", ["softmax", "straight_through"])
def test_contrastive_term_alone_reaches_the_logits(base, prediction, make_batch):
    logits, target = make_batch(2, 4, 24, 24)
    terms = SAMCLLoss(4, base_loss=base, prediction=prediction, margin=100.0)(
        logits, target, return_terms=True
    )
    (grad,) = torch.autograd.grad(terms.contrastive, logits, retain_graph=True)
    assert grad.abs().sum() > 0
    for scale in terms.scales:  # margin 100: every hinge is active
        (grad,) = torch.autograd.grad(scale, logits, retain_graph=True)
        assert grad.abs().sum() > 0


@pytest.mark.parametrize("base", ["rmi", None])
def test_argmax_prediction_sends_no_gradient(base, make_batch):
    logits, target = make_batch(2, 4, 24, 24)
    criterion = SAMCLLoss(4, base_loss=base, prediction="argmax", margin=100.0)
    terms = criterion(logits, target, return_terms=True)
    (grad,) = torch.autograd.grad(terms.contrastive, logits, allow_unused=True, retain_graph=True)
    assert grad is None or grad.abs().sum() == 0
    # ... while the auxiliary network still learns from it (the reference's behaviour).
    grads = torch.autograd.grad(terms.contrastive, list(criterion.auxiliary.parameters()))
    assert sum(g.abs().sum() for g in grads) > 0


def test_scale0_is_the_per_sample_rmi_triplet(make_batch):
    logits, target = make_batch(3, 4, 22, 25, ignore_frac=0.2)
    criterion = _seeded(3, num_classes=4, negatives="swap")
    terms = criterion(logits, target, return_terms=True)
    perm = _derangement_after_init(4, 3)
    positive, valid = _one_hot(torch.where(target == 255, -1, target), 4)
    anchor = logits.detach().softmax(1) * valid.unsqueeze(1)
    pos = F.max_pool2d(positive, 3, 3, 1).double()
    p = F.max_pool2d(anchor, 3, 3, 1).double() + 1e-6
    y = torch.stack([pos, pos[:, perm]], 2)
    r = rmi_lower_bounds(y, p.unsqueeze(2), radius=3, alpha=1e-3)[:, 0]  # (2, N, C)
    d = r.sum(-1) / 9
    expected = F.relu(1.0 + d[0] - d[1]).mean()
    assert terms.scales[0].item() == pytest.approx(expected.item(), rel=1e-5)


def test_coarse_scales_are_per_sample_soft_cross_entropy(make_batch):
    logits, target = make_batch(2, 3, 20, 19)
    criterion = _seeded(4, num_classes=3, base_loss="ce", negatives="swap")
    terms = criterion(logits, target, return_terms=True)
    perm = _derangement_after_init(3, 4)
    positive, _ = _one_hot(target, 3)
    anchor = logits.detach().softmax(1)
    with torch.no_grad():
        feats = criterion.auxiliary(torch.cat([anchor, positive, positive[:, perm]]))
    for s in (1, 2, 3):
        a, p, n = feats[s - 1].chunk(3)
        log_a = a.log_softmax(1)
        d_pos = -(p.softmax(1) * log_a).sum(1).mean((1, 2))
        d_neg = -(n.softmax(1) * log_a).sum(1).mean((1, 2))
        expected = F.relu(1.0 + d_pos - d_neg).mean()
        assert terms.scales[s].item() == pytest.approx(expected.item(), rel=1e-5)


def test_hinge_is_per_sample_not_on_batch_means(make_batch):
    """With batch-independent normalisation the batch value is the mean of the samples'."""
    logits, target = make_batch(4, 3, 21, 21)
    logits = logits.detach()
    logits[:2] *= 0.01  # two nearly uninformative samples next to two confident ones
    criterion = SAMCLLoss(3, norm="group", margin=0.5)

    def contrastive(x, t):
        criterion.generator = torch.Generator().manual_seed(9)
        return criterion(x, t, return_terms=True).contrastive

    singles = torch.stack([contrastive(logits[i : i + 1], target[i : i + 1]) for i in range(4)])
    assert contrastive(logits, target).item() == pytest.approx(singles.mean().item(), rel=1e-5)


def test_sample_without_valid_pixel_contributes_zero(make_batch):
    logits, target = make_batch(2, 3, 21, 21)
    target[1] = 255
    criterion = SAMCLLoss(3, norm="group")
    criterion.generator = torch.Generator().manual_seed(1)
    both = criterion(logits, target, return_terms=True)
    criterion.generator = torch.Generator().manual_seed(1)
    alone = criterion(logits[:1], target[:1], return_terms=True)
    for s_both, s_alone in zip(both.scales, alone.scales, strict=True):
        assert s_both.item() == pytest.approx(s_alone.item() / 2, rel=1e-5)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("norm", ["batch", "group"])
def test_all_ignored_batch_is_zero_and_finite(base, norm):
    logits = torch.randn(2, 4, 19, 19, requires_grad=True)
    target = torch.full((2, 19, 19), 255)
    target[1, :3] = -5
    criterion = SAMCLLoss(4, base_loss=base, norm=norm)
    loss = criterion(logits, target)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    for p in criterion.parameters():
        assert p.grad is None or torch.isfinite(p.grad).all()


@pytest.mark.parametrize("base", ["rmi", "ce"])
def test_ignored_pixels_do_not_matter(base, make_batch):
    logits, target = make_batch(2, 4, 21, 24, ignore_frac=0.3)
    ignored = (target == 255).unsqueeze(1).expand_as(logits)
    criterion = _seeded(5, num_classes=4, base_loss=base)
    state = criterion.generator.get_state()  # the same negatives for both calls
    loss = criterion(logits, target)
    loss.backward()
    assert logits.grad[ignored].abs().max() == 0
    criterion.generator.set_state(state)
    other = torch.where(ignored, 40 * torch.randn_like(logits), logits.detach())
    assert criterion(other, target).item() == pytest.approx(loss.item(), rel=1e-6)


def test_seeded_runs_repeat_and_seeds_differ(make_batch):
    logits, target = make_batch(2, 6, 20, 20)
    a = [_seeded(0, num_classes=6, negatives="swap")(logits, target).item() for _ in range(2)]
    assert a[0] == a[1]
    assert _seeded(0, num_classes=6, negatives="zeros")(logits, target).item() != a[0]
    assert _seeded(0, num_classes=6, negatives="shift")(logits, target).item() != a[0]
    criterion = _seeded(0, num_classes=6, negatives="swap")
    values = {round(criterion(logits, target).item(), 6) for _ in range(6)}
    assert len(values) > 1  # a new derangement per call


def test_target_not_mutated(make_batch):
    logits, target = make_batch(2, 3, 19, 19, ignore_frac=0.3)
    target[0, 0] = -1
    before = target.clone()
    SAMCLLoss(3)(logits, target).backward()
    assert torch.equal(target, before)


def test_auxiliary_parameters_are_trained_by_the_optimizer(make_batch):
    model = nn.Conv2d(1, 3, 3, padding=1)
    criterion = SAMCLLoss(3)
    aux_ids = {id(p) for p in criterion.auxiliary.parameters()}
    assert aux_ids <= {id(p) for p in criterion.parameters()}
    assert len(aux_ids) > 0
    optimizer = torch.optim.SGD(list(model.parameters()) + list(criterion.parameters()), lr=0.1)
    before = [p.detach().clone() for p in criterion.parameters()]
    _, target = make_batch(2, 3, 19, 19)
    criterion(model(torch.randn(2, 1, 19, 19)), target).backward()
    optimizer.step()
    assert any(not torch.equal(b, p) for b, p in zip(before, criterion.parameters(), strict=True))


def test_auxiliary_shapes():
    aux = AuxiliaryNetwork(6)
    cases = [
        ((256, 320), [(128, 160), (64, 80), (64, 80)]),
        ((37, 53), [(19, 27), (10, 14), (10, 14)]),
    ]
    for (h, w), expected in cases:
        feats = aux(torch.randn(2, 6, h, w))
        masks = aux.downsample_mask(torch.ones(2, 1, h, w))
        assert [tuple(f.shape[-2:]) for f in feats] == expected
        assert [tuple(m.shape[-2:]) for m in masks] == expected
        assert all(f.shape[1] == 6 for f in feats)


def test_norm_options_sync_conversion_and_spectral_norm(make_batch):
    logits, target = make_batch(2, 3, 19, 19)
    sync = SAMCLLoss(3, norm="sync")
    assert any(isinstance(m, nn.SyncBatchNorm) for m in sync.modules())
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(SAMCLLoss(3))
    assert any(isinstance(m, nn.SyncBatchNorm) for m in converted.modules())
    group = SAMCLLoss(3, norm="group")
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in group.modules())
    spectral = SAMCLLoss(3, spectral_norm=True)
    assert any(nn.utils.parametrize.is_parametrized(m) for m in spectral.modules())
    for criterion in (sync, converted, group, spectral):
        assert torch.isfinite(criterion(logits, target))


def test_state_dict_roundtrip_and_deepcopy(make_batch):
    logits, target = make_batch(2, 3, 19, 19)
    a = _seeded(1, num_classes=3)
    b = SAMCLLoss(3, generator=torch.Generator().manual_seed(1))
    b.load_state_dict(a.state_dict())
    c = copy.deepcopy(a)
    assert a(logits, target).item() == b(logits, target).item() == c(logits, target).item()


def test_gradcheck_softmax_rmi():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 19, 20, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 3, (2, 19, 20), generator=g)
    target[1, :4] = 255
    torch.manual_seed(0)
    criterion = SAMCLLoss(3).double()

    def fn(x):
        criterion.generator = torch.Generator().manual_seed(0)
        return criterion(x, target)

    assert torch.autograd.gradcheck(fn, (logits,), fast_mode=True)


def test_gradcheck_softmax_ce_group():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 3, 20, 19, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 3, (2, 20, 19), generator=g)
    torch.manual_seed(0)
    criterion = SAMCLLoss(3, base_loss="ce", norm="group", margin=5.0).double()

    def fn(x):
        criterion.generator = torch.Generator().manual_seed(0)
        return criterion(x, target)

    assert torch.autograd.gradcheck(fn, (logits,), fast_mode=True)


@pytest.mark.parametrize("num_classes", [2, 6, 21])
@pytest.mark.parametrize("base", ["rmi", "ce"])
def test_bfloat16_autocast_cpu(num_classes, base):
    torch.manual_seed(num_classes)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, num_classes, 1))
    criterion = SAMCLLoss(num_classes, base_loss=base)
    image = torch.randn(1, 1, 37, 53)
    target = torch.randint(0, num_classes, (1, 37, 53))
    target[0, :5] = 255
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(image)
        assert logits.dtype == torch.bfloat16
        terms = criterion(logits, target, return_terms=True)
    assert all(torch.isfinite(t) for t in (terms.total, terms.base, *terms.scales))
    terms.total.backward()
    for p in [*model.parameters(), *criterion.parameters()]:
        assert p.grad is not None
        assert torch.isfinite(p.grad).all()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        rmi = RMILoss(num_classes)(model(image), target)
    assert torch.isfinite(rmi)
    assert rmi.dtype == torch.float32


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(2, 7),
    h=st.integers(19, 24),
    w=st.integers(19, 24),
    ignore_frac=st.sampled_from([0.0, 0.5, 1.0]),
    prediction=st.sampled_from(["softmax", "straight_through", "argmax"]),
    negatives=st.sampled_from(["reflect", "shift", "swap", "zeros"]),
    seed=st.integers(0, 2**16),
)
def test_property_contrastive_alone_is_finite_and_nonnegative(
    n, c, h, w, ignore_frac, prediction, negatives, seed
):
    g = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, c, h, w, generator=g)).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[torch.rand(n, h, w, generator=g) < ignore_frac] = 255
    criterion = SAMCLLoss(
        c, base_loss=None, prediction=prediction, negatives=negatives, norm="group", generator=g
    )
    terms = criterion(logits, target, return_terms=True)
    assert torch.isfinite(terms.total)
    assert all(s.item() >= 0 for s in terms.scales)
    if bool((target == 255).all()):
        assert terms.total.item() == 0.0
    terms.total.backward()
    if prediction == "argmax":
        assert logits.grad is None
    else:
        assert torch.isfinite(logits.grad).all()


def _err(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()


def test_input_exceptions():
    criterion = SAMCLLoss(6)
    target = torch.zeros(2, 19, 20, dtype=torch.long)
    _err(
        lambda: criterion(torch.randn(2, 6, 19), target),
        "logits must be 4-D (N, C, H, W), got shape (2, 6, 19)",
    )
    _err(
        lambda: criterion(torch.randn(2, 5, 19, 20), target),
        "logits must have num_classes=6 channels (dim 1), got shape (2, 5, 19, 20)",
    )
    _err(
        lambda: criterion(torch.randn(2, 6, 19, 20), torch.zeros(2, 1, 19, 20, dtype=torch.long)),
        "target must have shape (N, H, W) = (2, 19, 20) to match logits of shape "
        "(2, 6, 19, 20), got shape (2, 1, 19, 20)",
    )
    _err(
        lambda: criterion(torch.randn(2, 6, 19, 20), target.float()),
        "target must hold integer class indices (int64), got dtype torch.float32",
    )
    _err(
        lambda: criterion(torch.randint(0, 3, (2, 6, 19, 20)), target),
        "logits must be floating point, got dtype torch.int64",
    )
    bad = target.clone()
    bad[0, 0, 0] = 7
    _err(
        lambda: criterion(torch.randn(2, 6, 19, 20), bad),
        "target contains value 7 >= num_classes=6 that is not ignore_index=255",
    )
    _err(
        lambda: samcl_loss(torch.randn(2, 1, 19, 20), target, auxiliary=AuxiliaryNetwork(1)),
        "SAMCLLoss needs C >= 2, got logits of shape (2, 1, 19, 20)",
    )
    bad[0, 0, 0] = 255  # the ignore index is fine
    assert torch.isfinite(SAMCLLoss(6, base_loss="ce")(torch.randn(2, 6, 19, 20), bad))


def _too_small(size, loss="SAMCLLoss", minimum=19, geometry="radius=3, pool_size=3, pool_stride=3"):
    return (
        f"input of size {size[0]}x{size[1]} is too small for {loss}: H and W must be >= {minimum} "
        f"({geometry}: at least 5x5 regions after pooling; with fewer, random logits explain over "
        "half of the target's region variance by chance)"
    )


@pytest.mark.parametrize("size", [(1, 1), (4, 4), (8, 8), (18, 40), (40, 18)])
@pytest.mark.parametrize("base", [*BASES, RMILoss(6)])
def test_exception_input_too_small(size, base):
    """One minimum, RMILoss's, whatever the base; one error, SAMCLLoss's, before the base's."""
    criterion = SAMCLLoss(6, base_loss=base)
    target = torch.zeros(2, *size, dtype=torch.long)
    with pytest.raises(ValueError, match="^" + re.escape(_too_small(size)) + "$"):
        criterion(torch.randn(2, 6, *size), target)
    with pytest.raises(ValueError, match="^" + re.escape(_too_small(size, "RMILoss")) + "$"):
        RMILoss(6)(torch.randn(2, 6, *size), target)
    at_minimum = torch.zeros(2, 19, 19, dtype=torch.long)
    assert torch.isfinite(criterion(torch.randn(2, 6, 19, 19), at_minimum))


def test_an_rmi_base_with_other_pooling_sets_the_minimum():
    geometry = "radius=3, pool_size=1, pool_stride=1"
    criterion = SAMCLLoss(3, base_loss=RMILoss(3, pool_size=1, pool_stride=1))
    target = torch.zeros(1, 6, 9, dtype=torch.long)
    with pytest.raises(
        ValueError, match="^" + re.escape(_too_small((6, 9), minimum=7, geometry=geometry))
    ):
        criterion(torch.randn(1, 3, 6, 9), target)
    assert torch.isfinite(
        criterion(torch.randn(1, 3, 7, 9), torch.zeros(1, 7, 9, dtype=torch.long))
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_classes": 1}, "num_classes must be >= 2, got 1"),
        ({"num_classes": 2.5}, "num_classes must be an integer, got 2.5"),
        ({"num_classes": True}, "num_classes must be an integer, got True"),
        ({"num_classes": 3, "base_loss": "bce"}, "base_loss must be one of ('rmi', 'ce', 'dice')"),
        ({"num_classes": 3, "base_loss": 3}, "base_loss must be 'rmi', 'ce', 'dice', None or a"),
        (
            {"num_classes": 3, "negatives": "random"},
            "negatives must be one of ('reflect', 'shift', 'swap', 'zeros')",
        ),
        ({"num_classes": 3, "prediction": "hard"}, "prediction must be one of"),
        ({"num_classes": 3, "norm": "layer"}, "norm must be one of ('batch', 'group', 'sync')"),
        (
            {"num_classes": 3, "contrastive_weight": -1.0},
            "contrastive_weight must be >= 0.0, got -1.0",
        ),
        ({"num_classes": 3, "margin": -0.1}, "margin must be >= 0.0, got -0.1"),
        ({"num_classes": 3, "margin": float("nan")}, "margin must be finite, got nan"),
        ({"num_classes": 3, "margin": "1"}, "margin must be a real number, got '1'"),
        (
            {"num_classes": 3, "reduction": "avg"},
            "reduction must be one of ('mean', 'sum', 'none')",
        ),
        ({"num_classes": 3, "ignore_index": 2.0}, "ignore_index must be an integer"),
        ({"num_classes": 3, "weight": [1.0, 2.0]}, "weight must have shape (3,) (one per class)"),
        ({"num_classes": 3, "weight": [1.0, -2.0, 1.0]}, "weight must be finite and >= 0"),
        ({"num_classes": 3, "weight": [0, 0, 0]}, "weight must have a positive value"),
        (
            {"num_classes": 3, "base_loss": None, "weight": [1, 1, 1]},
            "weight (per-class) applies to a named base_loss",
        ),
        (
            {"num_classes": 3, "base_loss": "dice", "reduction": "none"},
            "base_loss='dice' is a batch loss: it needs reduction='mean'",
        ),
        (
            {"num_classes": 3, "auxiliary": AuxiliaryNetwork(3), "norm": "group"},
            "norm and spectral_norm configure the default auxiliary network",
        ),
        ({"num_classes": 3, "generator": 5}, "generator must be a CPU torch.Generator"),
        (
            {"num_classes": 3, "base_loss": RMILoss(4)},
            "base_loss has num_classes=4 but SAMCLLoss has num_classes=3",
        ),
        (
            {"num_classes": 3, "base_loss": DiceLoss(3, ignore_index=0)},
            "base_loss has ignore_index=0 but SAMCLLoss has ignore_index=255",
        ),
    ],
)
def test_constructor_exceptions(kwargs, message):
    _err(lambda: SAMCLLoss(**kwargs), message)


def test_scale0_cross_entropy_is_a_mean_over_valid_pixels(make_batch):
    """Scale 0 with a non-RMI base: per-sample mean over the sample's valid pixels only."""
    logits, target = make_batch(3, 4, 20, 22, ignore_frac=0.4)
    criterion = _seeded(6, num_classes=4, base_loss="ce", negatives="swap", margin=10.0)
    terms = criterion(logits, target, return_terms=True)
    perm = _derangement_after_init(4, 6)
    positive, valid = _one_hot(torch.where(target == 255, -1, target), 4)
    log_a = logits.detach().log_softmax(1)
    n_valid = valid.flatten(1).sum(1)
    d = torch.stack(
        [-(y * log_a).sum(1).flatten(1).sum(1) / n_valid for y in (positive, positive[:, perm])]
    )
    expected = F.relu(10.0 + d[0] - d[1]).mean()  # margin 10: every hinge is active
    assert terms.scales[0].item() == pytest.approx(expected.item(), rel=1e-5)
