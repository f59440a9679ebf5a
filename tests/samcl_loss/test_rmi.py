"""RMILoss: checked against a loop-based float64 implementation of docs/method.md section 3."""

import math
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from samcl_loss import RMILoss, min_input_size, rmi_loss, rmi_lower_bounds


def _pool_loops(x, pool, k, s):
    """Pool a (H, W) float64 map with padding (k - 1) // 2, windows clipped to the image."""
    h, w = x.shape
    pad = (k - 1) // 2
    ho, wo = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1
    out = torch.empty(ho, wo, dtype=torch.float64)
    for i in range(ho):
        for j in range(wo):
            values = [
                float(x[y, z])
                for y in range(i * s - pad, i * s - pad + k)
                for z in range(j * s - pad, j * s - pad + k)
                if 0 <= y < h and 0 <= z < w
            ]
            out[i, j] = max(values) if pool == "max" else sum(values) / len(values)
    return out


def _half_logdet_loops(y, p, radius, alpha):
    """0.5 logdet(S_Y|P + alpha I) for pooled (h, w) maps, rows built one by one."""
    h, w = y.shape
    hc, wc = h - radius + 1, w - radius + 1
    rows_y, rows_p = [], []
    for i in range(radius):
        for j in range(radius):
            rows_y.append([float(y[a + i, b + j]) for a in range(hc) for b in range(wc)])
            rows_p.append([float(p[a + i, b + j]) for a in range(hc) for b in range(wc)])
    ym = torch.tensor(rows_y, dtype=torch.float64)
    pm = torch.tensor(rows_p, dtype=torch.float64)
    ym = ym - ym.mean(1, keepdim=True)
    pm = pm - pm.mean(1, keepdim=True)
    eye = torch.eye(radius * radius, dtype=torch.float64)
    s_y, s_p, s_yp = ym @ ym.T, pm @ pm.T, ym @ pm.T
    cond = s_y - s_yp @ torch.linalg.inv(s_p + alpha * eye) @ s_yp.T
    sign, logabsdet = torch.linalg.slogdet(cond + alpha * eye)
    assert sign > 0
    return 0.5 * float(logabsdet)


def reference_rmi(
    logits,
    target,
    num_classes,
    radius=3,
    pool="max",
    pool_size=3,
    pool_stride=3,
    lam=0.5,
    alpha=1e-3,
    ignore_index=255,
):
    """Straightforward float64 RMI loss from docs/method.md section 3 (every sample must have a
    valid pixel; that is where the formula and the package agree by definition)."""
    x = logits.detach().double()
    n, c, h, w = x.shape
    bce_sum, n_valid = 0.0, 0
    y_maps = torch.zeros(n, c, h, w, dtype=torch.float64)
    p_maps = torch.zeros(n, c, h, w, dtype=torch.float64)
    for b in range(n):
        for i in range(h):
            for j in range(w):
                label = int(target[b, i, j])
                valid = 0 <= label < num_classes and label != ignore_index
                n_valid += valid
                for k in range(c):
                    yk = 1.0 if valid and label == k else 0.0
                    logit = float(x[b, k, i, j])
                    prob = 1.0 / (1.0 + math.exp(-logit))
                    y_maps[b, k, i, j] = yk
                    p_maps[b, k, i, j] = prob * valid + 1e-6
                    if valid:
                        bce_sum -= yk * math.log(prob) + (1 - yk) * math.log1p(-prob)
    bce = bce_sum / (n_valid + 1)
    rmi = 0.0
    for k in range(c):
        per_sample = [
            _half_logdet_loops(
                _pool_loops(y_maps[b, k], pool, pool_size, pool_stride),
                _pool_loops(p_maps[b, k], pool, pool_size, pool_stride),
                radius,
                alpha,
            )
            for b in range(n)
        ]
        rmi += sum(per_sample) / n / radius**2
    return lam * bce + (1 - lam) * rmi


def _near_perfect(target, num_classes, seed):
    g = torch.Generator().manual_seed(seed)
    onehot = F.one_hot(target.clamp(0, num_classes - 1), num_classes).permute(0, 3, 1, 2)
    return (6.0 * (2.0 * onehot - 1) + 0.3 * torch.randn(onehot.shape, generator=g)).float()


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({}, (2, 3, 20, 23)),
        ({}, (1, 2, 37, 53)),
        ({"pool": "avg"}, (2, 3, 19, 22)),
        ({"radius": 2, "pool_size": 2, "pool_stride": 2}, (2, 3, 12, 15)),
        ({"radius": 2, "pool_size": 1, "pool_stride": 1}, (1, 3, 9, 8)),
        ({"bce_weight": 0.2, "alpha": 1e-2}, (2, 4, 19, 19)),
    ],
)
@pytest.mark.parametrize("case", ["random", "near_perfect", "with_ignored"])
def test_matches_loop_reference(kwargs, shape, case, make_batch):
    n, c, h, w = shape
    logits, target = make_batch(n, c, h, w, seed=sum(shape))
    if case == "near_perfect":
        logits = _near_perfect(target, c, seed=1)
    if case == "with_ignored":
        target[:, : h // 3] = 255
        target[0, -1, :] = -1
    ref_kwargs = {k: v for k, v in kwargs.items() if k != "bce_weight"}
    expected = reference_rmi(logits, target, c, lam=kwargs.get("bce_weight", 0.5), **ref_kwargs)
    got = RMILoss(c, **kwargs)(logits, target)
    assert got.dtype == torch.float32
    assert abs(got.item() - expected) <= 1e-5 * abs(expected)
    got64 = RMILoss(c, **kwargs)(logits.detach().double(), target)
    assert got64.dtype == torch.float64
    assert abs(got64.item() - expected) <= 1e-9 * abs(expected)


def test_smoke_and_backward(make_batch):
    logits, target = make_batch(2, 6, 32, 40)
    loss = RMILoss(6)(logits, target)
    assert loss.shape == ()
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0


def test_target_not_mutated_and_integer_dtypes_agree(make_batch):
    logits, target = make_batch(2, 4, 20, 20, ignore_frac=0.2)
    before = target.clone()
    criterion = RMILoss(4)
    loss = criterion(logits, target)
    assert torch.equal(target, before)
    for dtype in (torch.int32, torch.uint8):
        assert criterion(logits, target.to(dtype)).item() == pytest.approx(loss.item(), rel=1e-6)


def test_ignored_pixels_neither_count_nor_receive_gradient(make_batch):
    logits, target = make_batch(2, 3, 21, 24, ignore_frac=0.3)
    ignored = (target == 255).unsqueeze(1).expand_as(logits)
    criterion = RMILoss(3)
    loss = criterion(logits, target)
    loss.backward()
    assert logits.grad[ignored].abs().max() == 0
    assert logits.grad[~ignored].abs().max() > 0
    other = torch.where(ignored, 50 * torch.randn_like(logits), logits.detach())
    assert criterion(other, target).item() == pytest.approx(loss.item(), rel=1e-6)


def test_all_ignored_batch_gives_zero_and_finite_gradient():
    logits = torch.randn(2, 4, 19, 19, requires_grad=True)
    target = torch.full((2, 19, 19), 255)
    loss = RMILoss(4)(logits, target)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().max() == 0


def test_empty_sample_contributes_zero(make_batch):
    logits, target = make_batch(2, 3, 19, 19)
    target[1] = 255
    got = RMILoss(3, reduction="none")(logits, target)
    assert got[1].item() == 0.0
    alone = RMILoss(3, reduction="none")(logits[:1], target[:1])
    assert got[0].item() == pytest.approx(alone[0].item(), rel=1e-6)


def test_reductions(make_batch):
    logits, target = make_batch(3, 4, 20, 20, ignore_frac=0.1)
    per_sample = RMILoss(4, reduction="none")(logits, target)
    assert per_sample.shape == (3,)
    total = RMILoss(4, reduction="sum")(logits, target)
    assert total.item() == pytest.approx(per_sample.sum().item(), rel=1e-6)
    # A sample alone: "mean" == its "none" value up to the BCE normalisation (same here).
    one = RMILoss(4)(logits[:1], target[:1])
    assert one.item() == pytest.approx(per_sample[0].item(), rel=1e-6)


def test_rmi_lower_bounds_batched_pairs_equal_loops():
    g = torch.Generator().manual_seed(3)
    y = (torch.rand(2, 3, 2, 7, 8, generator=g) > 0.5).double()
    p = torch.rand(2, 3, 2, 7, 8, generator=g, dtype=torch.float64)
    r = rmi_lower_bounds(y, p, radius=3, alpha=1e-3)
    assert r.shape == (2, 2, 2, 3)
    for iy in range(2):
        for ip in range(2):
            for b in range(2):
                for c in range(3):
                    expected = _half_logdet_loops(y[b, c, iy], p[b, c, ip], 3, 1e-3)
                    assert r[iy, ip, b, c].item() == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("kwargs", [{}, {"radius": 2, "pool": "avg"}])
def test_gradcheck(kwargs):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 19, 20, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 3, (2, 19, 20), generator=g)
    target[0, :3] = 255
    criterion = RMILoss(3, **kwargs)
    assert torch.autograd.gradcheck(lambda x: criterion(x, target), (logits,), fast_mode=True)


def test_module_repr_and_attributes():
    criterion = RMILoss(6, pool="avg")
    assert "pool='avg'" in repr(criterion)
    assert list(criterion.parameters()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_classes": 0}, "num_classes must be >= 1, got 0"),
        ({"num_classes": 3, "radius": 0}, "radius must be >= 1, got 0"),
        ({"num_classes": 3, "pool": "min"}, "pool must be one of ('max', 'avg'), got 'min'"),
        ({"num_classes": 3, "pool_size": 0}, "pool_size must be >= 1, got 0"),
        ({"num_classes": 3, "alpha": float("inf")}, "alpha must be finite, got inf"),
        ({"num_classes": 3.0}, "num_classes must be an integer, got 3.0"),
        ({"num_classes": 3, "bce_weight": 1.5}, "bce_weight must lie in [0, 1], got 1.5"),
        ({"num_classes": 3, "alpha": 0.0}, "alpha must be > 0, got 0.0"),
        ({"num_classes": 3, "reduction": "avg"}, "reduction must be one of"),
    ],
)
def test_constructor_exceptions(kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        RMILoss(**kwargs)


@pytest.mark.parametrize("size", [(1, 1), (4, 4), (18, 30), (30, 18)])
def test_exception_input_too_small(size):
    message = (
        f"input of size {size[0]}x{size[1]} is too small for RMILoss: H and W must be >= 19 "
        "(radius=3, pool_size=3, pool_stride=3: at least 5x5 regions after pooling; with fewer, "
        "random logits explain over half of the target's region variance by chance)"
    )
    logits, target = torch.randn(1, 3, *size), torch.zeros(1, *size, dtype=torch.long)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        RMILoss(3)(logits, target)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        rmi_loss(logits, target)
    RMILoss(3)(torch.randn(1, 3, 19, 19), torch.zeros(1, 19, 19, dtype=torch.long))


@pytest.mark.parametrize(
    ("radius", "pool_size", "pool_stride", "minimum"),
    [(3, 3, 3, 19), (3, 1, 1, 7), (2, 2, 2, 8), (1, 1, 1, 2), (5, 3, 3, 34), (3, 4, 2, 14)],
)
def test_min_input_size_leaves_more_than_2r2_regions(radius, pool_size, pool_stride, minimum):
    """The smallest size whose pooled map has k x k region positions, k^2 > 2 R^2 >= (k-1)^2."""
    assert min_input_size(radius=radius, pool_size=pool_size, pool_stride=pool_stride) == minimum
    positions = [
        F.max_pool2d(
            torch.zeros(1, 1, size, size), pool_size, pool_stride, (pool_size - 1) // 2
        ).shape[-1]
        - radius
        + 1
        for size in (minimum - 1, minimum)
    ]
    assert positions[0] ** 2 <= 2 * radius**2 < positions[1] ** 2
    criterion = RMILoss(2, radius=radius, pool_size=pool_size, pool_stride=pool_stride)
    target = torch.randint(0, 2, (1, minimum, minimum + 3))
    assert torch.isfinite(criterion(torch.randn(1, 2, minimum, minimum + 3), target))
    with pytest.raises(ValueError, match=rf"^input of size {minimum - 1}x{minimum + 3} is too"):
        criterion(torch.randn(1, 2, minimum - 1, minimum + 3), target[:, 1:])


def _explained_by_chance(target, num_classes, seed):
    """Share of the target's region variance that random logits explain, per (sample, class
    varying after pooling), averaged: 1 - exp(2 (r_random - r_constant) / R^2)."""
    g = torch.Generator().manual_seed(seed)
    onehot = F.one_hot(target, num_classes).permute(0, 3, 1, 2).double()
    y = F.max_pool2d(onehot, 3, 3, 1)
    random = torch.sigmoid(3 * torch.randn(onehot.shape, generator=g, dtype=torch.float64))
    maps = [F.max_pool2d(p, 3, 3, 1) + 1e-6 for p in (random, torch.full_like(onehot, 0.5))]
    r = rmi_lower_bounds(y.unsqueeze(2), torch.stack(maps, 2), radius=3, alpha=1e-3)[0]
    varying = y.flatten(2).std(-1) > 0
    return (1 - torch.exp(2 * (r[0] - r[1]) / 9))[varying].mean().item()


@pytest.mark.parametrize("labels", ["random", "faces"])
def test_at_the_minimum_random_logits_explain_under_half(labels, make_face_masks):
    """What the minimum means (min_input_size's docstring): at 19x19 random logits explain
    under half of the target's region variance (about R^2 / (M - 1) = 9/24), at 18x18 over
    half (9/15 in theory), at 32x32 about 9/80."""
    shares = []
    for size in (18, 19, 32):
        g = torch.Generator().manual_seed(size)
        target = (
            torch.randint(0, 6, (32, size, size), generator=g)
            if labels == "random"
            else make_face_masks(32, size, size, seed=size)
        )
        shares.append(_explained_by_chance(target, 6, seed=size))
    assert shares[0] > 0.6
    assert 0.3 < shares[1] < 0.5
    assert shares[2] < 0.15


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 5),
    h=st.integers(19, 30),
    w=st.integers(19, 30),
    scale=st.sampled_from([0.1, 3.0, 30.0]),
    ignore_frac=st.sampled_from([0.0, 0.5, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_property_finite_bounded_and_batch_order_invariant(n, c, h, w, scale, ignore_frac, seed):
    g = torch.Generator().manual_seed(seed)
    logits = (scale * torch.randn(n, c, h, w, generator=g)).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[torch.rand(n, h, w, generator=g) < ignore_frac] = 255
    before = target.clone()
    criterion = RMILoss(c)
    loss = criterion(logits, target)
    loss.backward()
    assert torch.equal(target, before)
    assert torch.isfinite(loss)
    assert torch.isfinite(logits.grad).all()
    # BCE >= 0 and every r >= (R^2 / 2) log(alpha): the loss is bounded below.
    assert loss.item() >= 0.5 * c * 0.5 * math.log(1e-3) - 1e-4
    order = torch.randperm(n, generator=g)
    permuted = criterion(logits.detach()[order], target[order])
    assert permuted.item() == pytest.approx(loss.item(), rel=1e-5, abs=1e-5)
