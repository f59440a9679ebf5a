"""SAMCLLoss numerics and state: ignored pixels, non-finite logits, straight-through,
generator state, weight initialisation, batch-norm statistics, constructor validation."""

import io
import math
import re
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from samcl_loss import AuxiliaryNetwork, RMILoss, SAMCLLoss, masked_cross_entropy

BASES = ["rmi", "ce", "dice", None]
NON_FINITE = [math.nan, math.inf, -math.inf, 1e30, -1e30]


def _batch(seed, n=2, c=4, h=19, w=21, ignore_frac=0.3):
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, c, h, w, generator=g)
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[torch.rand(n, h, w, generator=g) < ignore_frac] = 255
    target[0, 0, 0] = 255  # at least one ignored pixel
    return logits, target


def _run(criterion, logits, target):
    """Loss value, logits gradient and the auxiliary network's buffers after one call."""
    logits = logits.clone().requires_grad_()
    loss = criterion(logits, target)
    if loss.requires_grad:  # not with prediction="argmax" and no base loss
        loss.backward()
    grad = torch.zeros_like(logits) if logits.grad is None else logits.grad
    buffers = {k: v.clone() for k, v in criterion.auxiliary.state_dict().items()}
    return loss.detach(), grad, buffers


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    base=st.sampled_from(BASES),
    prediction=st.sampled_from(["softmax", "straight_through", "argmax"]),
    value=st.sampled_from(NON_FINITE),
    ignore_frac=st.sampled_from([0.1, 0.5, 1.0]),
)
def test_property_ignored_logits_change_nothing(seed, base, prediction, value, ignore_frac):
    """NaN, inf or huge logits at ignored pixels: same loss, same gradients at valid
    pixels, zero gradient at ignored ones, same batch-norm statistics."""
    logits, target = _batch(seed, ignore_frac=ignore_frac)
    ignored = (target == 255).unsqueeze(1).expand_as(logits)
    poisoned = torch.where(ignored, torch.full_like(logits, value), logits)

    def run(x):
        criterion = SAMCLLoss(4, base_loss=base, prediction=prediction)
        criterion.load_state_dict(reference.state_dict())
        return _run(criterion, x, target)

    reference = SAMCLLoss(4, base_loss=base, generator=torch.Generator().manual_seed(seed))
    clean_loss, clean_grad, clean_buffers = run(logits)
    loss, grad, buffers = run(poisoned)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss, clean_loss, rtol=1e-6, atol=1e-7)
    assert torch.isfinite(grad).all()
    assert grad[ignored].abs().max() == 0
    torch.testing.assert_close(grad, clean_grad, rtol=1e-5, atol=1e-7)
    for key, tensor in clean_buffers.items():
        assert torch.isfinite(buffers[key].float()).all(), key
        torch.testing.assert_close(buffers[key], tensor, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_logits_at_valid_pixels_are_an_error(base, value):
    logits, target = _batch(0)
    valid = target != 255
    logits[:, 1][valid] = value
    message = f"logits are not finite at {int(valid.sum())} valid pixel(s)"
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        SAMCLLoss(4, base_loss=base)(logits, target)
    unchecked = SAMCLLoss(4, base_loss=base, check_inputs=False)(logits, target)
    assert not torch.isfinite(unchecked)  # the documented policy without the check


@pytest.mark.parametrize("loss", [RMILoss(4), masked_cross_entropy])
def test_pixel_losses_ignore_non_finite_logits_at_ignored_pixels(loss):
    logits, target = _batch(1)
    ignored = (target == 255).unsqueeze(1).expand_as(logits)
    poisoned = torch.where(ignored, math.nan, logits).requires_grad_()
    value = loss(poisoned, target)
    value.backward()
    assert value.item() == pytest.approx(loss(logits, target).item(), rel=1e-6)
    assert torch.isfinite(poisoned.grad).all()


@pytest.mark.parametrize("base", ["ce", "dice", None])
def test_straight_through_gives_every_pixel_the_softmax_gradient_at_scale0(base):
    """With every hinge active, the scale-0 gradient of the straight-through anchor is
    the softmax anchor's, at every valid pixel (right or wrong; class-swapped negatives
    differ from the target everywhere)."""
    logits, target = _batch(2, ignore_frac=0.0)
    grads = {}
    for prediction in ("softmax", "straight_through"):
        x = logits.clone().requires_grad_()
        criterion = SAMCLLoss(
            4,
            base_loss=base,
            prediction=prediction,
            margin=100.0,
            negatives="swap",
            generator=torch.Generator().manual_seed(0),
        )
        (grads[prediction],) = torch.autograd.grad(
            criterion(x, target, return_terms=True)["scale0"], x
        )
    wrong = (logits.argmax(1) != target) & (target != 255)
    assert wrong.float().mean() > 0.5
    per_pixel = grads["straight_through"].abs().sum(1)
    assert (per_pixel[wrong] > 0).all()
    torch.testing.assert_close(grads["straight_through"], grads["softmax"])


def test_generator_state_is_in_the_state_dict():
    logits, target = _batch(3)
    a = SAMCLLoss(4, negatives="swap", generator=torch.Generator().manual_seed(0))
    for _ in range(3):
        a(logits, target)
    buffer = io.BytesIO()
    torch.save(a.state_dict(), buffer)
    expected = [a(logits, target).item() for _ in range(3)]
    b = SAMCLLoss(4, negatives="swap", generator=torch.Generator().manual_seed(99))
    buffer.seek(0)
    b.load_state_dict(torch.load(buffer, weights_only=True))
    assert [b(logits, target).item() for _ in range(3)] == expected


def test_a_0_1_checkpoint_without_generator_state_loads():
    state = SAMCLLoss(4).state_dict()
    del state["_extra_state"]
    criterion = SAMCLLoss(4)
    criterion.load_state_dict(state)
    assert torch.equal(criterion.auxiliary.down1[0].weight, state["auxiliary.down1.0.weight"])


def test_auxiliary_weights_come_from_the_loss_generator_only():
    def weights(seed, global_seed):
        torch.manual_seed(global_seed)
        before = torch.get_rng_state()
        criterion = SAMCLLoss(4, spectral_norm=True, generator=torch.Generator().manual_seed(seed))
        assert torch.equal(torch.get_rng_state(), before)  # the global RNG is not used
        return criterion.state_dict()

    a, b, other = weights(0, 1), weights(0, 2), weights(1, 1)
    for key, value in a.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(value, b[key]), key
    assert not torch.equal(
        a["auxiliary.down1.0.parametrizations.weight.original"],
        other["auxiliary.down1.0.parametrizations.weight.original"],
    )


def test_without_generator_the_global_seed_decides():
    torch.manual_seed(5)
    a = SAMCLLoss(4).state_dict()
    torch.manual_seed(5)
    b = SAMCLLoss(4).state_dict()
    assert torch.equal(a["auxiliary.down1.0.weight"], b["auxiliary.down1.0.weight"])


@pytest.mark.parametrize("mode", ["no_grad", "eval", "inference_mode"])
def test_batch_norm_statistics_untouched_outside_training(mode):
    logits, target = _batch(4)
    # a deterministic negative, so that the no-grad and the training values can be compared
    criterion = SAMCLLoss(4, negatives="reflect", generator=torch.Generator().manual_seed(0))
    before = {k: v.clone() for k, v in criterion.auxiliary.state_dict().items()}
    if mode == "eval":
        criterion.eval()
        value = criterion(logits, target)
    else:
        with torch.no_grad() if mode == "no_grad" else torch.inference_mode():
            value = criterion(logits, target)
        assert value.item() == pytest.approx(criterion(logits, target).item(), rel=1e-6)
    assert torch.isfinite(value)
    after = criterion.auxiliary.state_dict()
    if mode != "eval":  # the training call above did update them
        after = before
        with torch.no_grad():
            criterion(logits, target)
        after = criterion.auxiliary.state_dict()
        trained = SAMCLLoss(4, negatives="reflect", generator=torch.Generator().manual_seed(0))
        trained(logits, target)
        before = trained.auxiliary.state_dict()
    for key, value in before.items():
        assert torch.equal(after[key], value), key
    assert all(m.track_running_stats for m in criterion.modules() if isinstance(m, nn.BatchNorm2d))


def test_auxiliary_runs_in_float32_under_autocast():
    logits, target = _batch(5)
    criterion = SAMCLLoss(4, base_loss="ce")
    dtypes = []
    criterion.auxiliary.register_forward_hook(lambda m, i, o: dtypes.extend(f.dtype for f in o))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        criterion(logits.bfloat16(), target)
    assert dtypes == [torch.float32] * 3


@pytest.mark.parametrize("number", [0.25, 1, True])
def test_a_number_weight_is_refused_naming_contrastive_weight(number):
    # weight=<number>, 0.1's spelling of the contrastive weight, was removed in 0.3.0
    with pytest.raises(
        ValueError, match=r"^weight takes per-class weights, got .* contrastive_weight="
    ):
        SAMCLLoss(4, weight=number)


def test_no_warning_for_a_new_style_construction():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SAMCLLoss(4, weight=[1.0, 2.0, 1.0, 1.0], contrastive_weight=0.3)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["margin", "contrastive_weight"]),
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).filter(
            lambda v: not v >= 0 or v == math.inf
        ),
        st.sampled_from(["1", True, [1.0]]),
    ),
)
def test_property_bad_reals_are_rejected_with_their_name(name, value):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        SAMCLLoss(4, **{name: value})


@settings(max_examples=20, deadline=None)
@given(
    value=st.one_of(
        st.integers(max_value=1),
        st.floats(allow_nan=True),
        st.sampled_from(["6", None, False, True, 6.0]),
    )
)
def test_property_bad_num_classes_are_rejected(value):
    with pytest.raises(ValueError, match=r"^num_classes must be"):
        SAMCLLoss(value)


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    before=st.integers(0, 4),
    negatives=st.sampled_from(["swap", "shift", "reflect"]),
    norm=st.sampled_from(["batch", "group"]),
)
def test_property_a_restored_loss_continues_the_same_stream(seed, before, negatives, norm):
    """Save after any number of calls, restore into a loss with another seed: the next
    values (and the auxiliary weights) are the original's."""
    logits, target = _batch(seed % 97, n=2, h=19, w=21)
    a = SAMCLLoss(4, negatives=negatives, norm=norm, generator=torch.Generator().manual_seed(seed))
    for _ in range(before):
        a(logits, target)
    state = a.state_dict()
    b = SAMCLLoss(4, negatives=negatives, norm=norm, generator=torch.Generator().manual_seed(~seed))
    b.load_state_dict(state)
    assert [b(logits, target).item() for _ in range(2)] == [
        a(logits, target).item() for _ in range(2)
    ]


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 3),
    h=st.integers(19, 24),
    w=st.integers(19, 24),
    ignore_frac=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_property_no_statistics_update_without_gradients(seed, n, h, w, ignore_frac):
    logits, target = _batch(seed, n=n, h=h, w=w, ignore_frac=ignore_frac)
    criterion = SAMCLLoss(4, generator=torch.Generator().manual_seed(seed))
    before = {k: v.clone() for k, v in criterion.auxiliary.state_dict().items()}
    with torch.no_grad():
        value = criterion(logits, target)
    assert torch.isfinite(value)
    for key, tensor in criterion.auxiliary.state_dict().items():
        assert torch.equal(tensor, before[key]), key


def test_building_the_loss_leaves_the_device_generators_alone(monkeypatch):
    seeded = []
    monkeypatch.setattr(torch.cuda, "manual_seed_all", seeded.append)
    monkeypatch.setattr(torch.cuda, "manual_seed", seeded.append)
    SAMCLLoss(4, generator=torch.Generator().manual_seed(0))
    SAMCLLoss(4, spectral_norm=True)
    assert seeded == []


def test_spectral_norm_vectors_untouched_under_no_grad():
    logits, target = _batch(6)
    criterion = SAMCLLoss(4, spectral_norm=True, generator=torch.Generator().manual_seed(0))

    def vectors():
        state = criterion.state_dict()
        return {k: v.clone() for k, v in state.items() if k.endswith(("._u", "._v"))}

    before = vectors()
    assert len(before) == 10  # u and v of the five convolutions
    with torch.no_grad():
        criterion(logits, target)
    after = vectors()
    assert all(torch.equal(after[k], v) for k, v in before.items())
    assert all(m.training for m in criterion.modules())
    criterion(logits, target)  # a training call runs the power iteration
    assert any(not torch.equal(vectors()[k], v) for k, v in before.items())


@pytest.mark.parametrize("base_loss", ["rmi", "ce"])
def test_an_empty_batch_is_a_clear_error(base_loss):
    logits, target = torch.zeros(0, 4, 16, 16), torch.zeros(0, 16, 16, dtype=torch.long)
    for criterion in (RMILoss(4), SAMCLLoss(4, base_loss=base_loss)):
        with pytest.raises(ValueError, match="logits must not be empty"):
            criterion(logits, target)
    with pytest.raises(ValueError, match="logits must not be empty"):
        masked_cross_entropy(logits, target)


def test_an_input_too_small_for_the_pooled_auxiliary_network_is_a_clear_error():
    criterion = SAMCLLoss(2, base_loss="ce", auxiliary=AuxiliaryNetwork(2, input_pool=7))
    with pytest.raises(ValueError, match=r"input_pool=7\) needs inputs of at least 21x21"):
        criterion(torch.randn(1, 2, 20, 24), torch.zeros(1, 20, 24, dtype=torch.long))
    logits, target = torch.randn(1, 2, 21, 21), torch.zeros(1, 21, 21, dtype=torch.long)
    assert torch.isfinite(criterion(logits, target))
