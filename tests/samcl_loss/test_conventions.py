"""Conventions of torch losses: kornia's keyword-only arguments, reduction, per-class weight,
functional forms, plain callables as base loss, terms as a mapping, smp's Dice, opting out of
the value checks."""

import functools
import inspect

import pytest
import torch
import torch.nn.functional as F

import samcl_loss as package
from samcl_loss import (
    AuxiliaryNetwork,
    DiceLoss,
    MaskedCrossEntropyLoss,
    RMILoss,
    SAMCLLoss,
    dice_loss,
    masked_cross_entropy,
    rmi_loss,
    samcl_loss,
)
from samcl_loss.mmseg import MMSegSAMCLLoss

WEIGHT = torch.tensor([0.5, 2.0, 1.0, 0.0])

#: The positional parameters of every public callable (a class: its constructor, then its
#: forward); every other parameter is keyword-only.
POSITIONAL = {
    "AuxiliaryNetwork": (("channels",), ("x",)),
    "DiceLoss": (("num_classes",), ("logits", "target")),
    "MaskedCrossEntropyLoss": (("num_classes",), ("logits", "target")),
    "MMSegSAMCLLoss": (("num_classes",), ("cls_score", "label")),
    "PointwiseConv2d": (("in_channels", "out_channels"), ("x",)),
    "RMILoss": (("num_classes",), ("logits", "target")),
    "SAMCLLoss": (("num_classes",), ("logits", "target")),
    "dice_loss": (("logits", "target"),),
    "masked_cross_entropy": (("logits", "target"),),
    "min_input_size": ((),),
    "random_derangement": (("n",),),
    "rmi_loss": (("logits", "target"),),
    "rmi_lower_bounds": (("y_maps", "p_maps"),),
    "samcl_loss": (("logits", "target"),),
    "swap_classes": (("maps", "permutation"),),
}
#: Public names that are not called with arguments of their own (a dict, a protocol).
NOT_CALLED = {"NEGATIVES", "PREDICTIONS", "BaseLoss", "SAMCLTerms"}


def _positional(function) -> tuple[str, ...]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = inspect.signature(function).parameters.values()
    return tuple(p.name for p in parameters if p.kind in kinds and p.name != "self")


def test_arguments_after_the_leading_ones_are_keyword_only():
    assert set(package.__all__) - NOT_CALLED == POSITIONAL.keys() - {"MMSegSAMCLLoss"}
    for name, expected in POSITIONAL.items():
        public = MMSegSAMCLLoss if name == "MMSegSAMCLLoss" else getattr(package, name)
        functions = (public.__init__, public.forward) if inspect.isclass(public) else (public,)
        assert tuple(_positional(f) for f in functions) == expected, name
    with pytest.raises(TypeError, match="positional"):
        SAMCLLoss(4, "ce")  # type: ignore[misc]


def _batch(seed=0, n=3, c=4, h=19, w=20, ignore_frac=0.2):
    g = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, c, h, w, generator=g)).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    target[torch.rand(n, h, w, generator=g) < ignore_frac] = 255
    return logits, target


def _smp_dice(logits, target, ignore_index=255, smooth=0.0, eps=1e-7):
    """segmentation_models_pytorch 0.6's multiclass DiceLoss, written from its steps:
    softmax, flatten to (N, C, HW), mask ignored pixels, sums over dims (0, 2), the Tversky
    score with alpha = beta = 1/2 (smooth counts twice in the 2I form), classes absent from
    the target count 0, mean over all classes."""
    n, c = logits.shape[:2]
    probs = logits.softmax(1).view(n, c, -1)
    y = target.view(n, -1)
    mask = (y != ignore_index).unsqueeze(1)
    onehot = F.one_hot((y * mask.squeeze(1)).long(), c).permute(0, 2, 1) * mask
    probs = probs * mask
    inter = (probs * onehot).sum((0, 2))
    card = (probs + onehot).sum((0, 2))
    score = (2 * inter + 2 * smooth) / (card + 2 * smooth).clamp_min(2 * eps)
    loss = (1 - score) * (onehot.sum((0, 2)) > 0)
    return loss.mean()


@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_dice_is_smp_multiclass_dice(smooth):
    logits, target = _batch(1)
    target[:, :, :5] = 3  # class 3 ...
    target[target == 3] = 0  # ... absent: smp counts it as 0 and still divides by C
    expected = _smp_dice(logits, target, smooth=smooth)
    assert DiceLoss(4, smooth=smooth)(logits, target).item() == pytest.approx(expected.item())


def test_dice_reductions_and_weight():
    logits, target = _batch(2)
    per_class = dice_loss(logits, target, reduction="none")
    assert per_class.shape == (4,)
    assert dice_loss(logits, target).item() == pytest.approx(per_class.mean().item())
    assert dice_loss(logits, target, reduction="sum").item() == pytest.approx(
        per_class.sum().item()
    )
    weighted = DiceLoss(4, weight=WEIGHT)(logits, target)
    assert weighted.item() == pytest.approx(((per_class * WEIGHT).sum() / WEIGHT.sum()).item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, WEIGHT])
def test_masked_cross_entropy_is_torch_cross_entropy(reduction, weight):
    logits, target = _batch(3)
    expected = F.cross_entropy(logits, target, weight=weight, ignore_index=255, reduction=reduction)
    got = MaskedCrossEntropyLoss(4, weight=weight, reduction=reduction)(logits, target)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected)


def test_masked_cross_entropy_all_ignored_is_zero_not_nan():
    logits, target = _batch(4)
    target[:] = 255
    for weight in (None, WEIGHT):
        assert masked_cross_entropy(logits, target, weight=weight).item() == 0.0


def test_rmi_class_weights_rescale_each_class():
    logits, target = _batch(5)
    ones = RMILoss(4, weight=torch.ones(4))(logits, target)
    assert ones.item() == pytest.approx(RMILoss(4)(logits, target).item(), rel=1e-6)
    # One class alone: its BCE and RMI terms; the four one-hot weights add up to the whole.
    parts = [RMILoss(4, weight=torch.eye(4)[c])(logits, target) for c in range(4)]
    assert sum(p.item() for p in parts) == pytest.approx(ones.item(), rel=1e-5)


def test_functional_forms_equal_modules():
    logits, target = _batch(6)
    pairs = [
        (
            RMILoss(4, pool="avg", reduction="none"),
            functools.partial(rmi_loss, pool="avg", reduction="none"),
        ),
        (
            MaskedCrossEntropyLoss(4, weight=WEIGHT),
            functools.partial(masked_cross_entropy, weight=WEIGHT),
        ),
        (DiceLoss(4, smooth=1.0), functools.partial(dice_loss, smooth=1.0)),
    ]
    for module, function in pairs:
        assert torch.equal(module(logits, target), function(logits, target))


@pytest.mark.parametrize("base", ["rmi", "ce", None])
def test_samcl_reductions(base):
    logits, target = _batch(7)
    target[1] = 255  # a sample without valid pixels: 0 in every reduction

    def terms(reduction):
        criterion = SAMCLLoss(4, base_loss=base, reduction=reduction, norm="group")
        criterion.load_state_dict(reference.state_dict())
        return criterion(logits, target, return_terms=True)

    reference = SAMCLLoss(4, base_loss=base, norm="group")
    none, total, mean = terms("none"), terms("sum"), terms("mean")
    assert all(v.shape == (3,) for v in none.values())
    assert none.total[1].item() == 0.0
    for key, value in none.items():
        assert total[key].item() == pytest.approx(value.sum().item(), rel=1e-5, abs=1e-6)
        assert total[key].shape == ()
    for s, scale in enumerate(mean.scales):
        assert scale.item() == pytest.approx(none.scales[s].mean().item(), rel=1e-5, abs=1e-7)
    torch.testing.assert_close(mean.total, mean.base + 0.5 * mean.contrastive)


def test_samcl_class_weights_go_to_the_base_loss():
    logits, target = _batch(8)
    for name, loss in (
        ("ce", MaskedCrossEntropyLoss(4, weight=WEIGHT)),
        ("rmi", RMILoss(4, weight=WEIGHT)),
    ):
        base = SAMCLLoss(4, base_loss=name, weight=WEIGHT)(logits, target, return_terms=True).base
        assert base.item() == pytest.approx(loss(logits, target).item(), rel=1e-6)


def test_plain_callable_as_base_loss():
    logits, target = _batch(9)
    base = functools.partial(F.cross_entropy, ignore_index=255)
    terms = SAMCLLoss(4, base_loss=base)(logits, target, return_terms=True)
    assert terms.base.item() == pytest.approx(base(logits, target).item(), rel=1e-6)
    terms.total.backward()
    assert torch.isfinite(logits.grad).all()
    per_pixel = functools.partial(F.cross_entropy, ignore_index=255, reduction="none")
    none = SAMCLLoss(4, base_loss=per_pixel, reduction="none")(logits, target, return_terms=True)
    expected = masked_cross_entropy(logits, target, reduction="none").sum((1, 2))
    expected = expected / (target != 255).sum((1, 2))
    torch.testing.assert_close(none.base, expected)


def test_a_base_loss_returning_the_wrong_shape_is_named():
    logits, target = _batch(10)
    criterion = SAMCLLoss(4, base_loss=RMILoss(4, reduction="none"))
    with pytest.raises(ValueError, match=r"^base_loss must return a scalar for reduction='mean'"):
        criterion(logits, target)


def test_terms_are_a_mapping_for_log_dict_and_mmseg():
    logits, target = _batch(11)
    terms = SAMCLLoss(4)(logits, target, return_terms=True)
    assert isinstance(terms, dict)
    assert all(isinstance(v, torch.Tensor) and v.shape == () for v in terms.values())
    # MMSegmentation's parse_losses: every key with "loss" in it is summed and backpropagated.
    summed = sum(v for k, v in terms.items() if "loss" in k)
    assert torch.equal(summed, terms.total)


def test_check_inputs_false_skips_the_value_check():
    logits, target = _batch(12)
    bad = target.clone()
    bad[0, 0, 0] = 9
    with pytest.raises(ValueError, match=r"^target contains value 9 >= num_classes=4"):
        SAMCLLoss(4)(logits, bad)
    reference = SAMCLLoss(4, check_inputs=False, generator=torch.Generator().manual_seed(0))
    ignored = target.clone()
    ignored[0, 0, 0] = 255
    value = reference(logits, bad)  # the out-of-range label counts as ignored
    again = SAMCLLoss(4, generator=torch.Generator().manual_seed(0))
    assert value.item() == pytest.approx(again(logits, ignored).item(), rel=1e-6)


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_weighted_ce_base_per_sample_is_torchs_weighted_mean(reduction):
    logits, target = _batch(7)
    criterion = SAMCLLoss(
        4, base_loss="ce", weight=WEIGHT, contrastive_weight=0.0, reduction=reduction
    )
    base = criterion(logits, target, return_terms=True)["base"]
    per_sample = torch.stack(
        [
            F.cross_entropy(logits[i : i + 1], target[i : i + 1], weight=WEIGHT, ignore_index=255)
            for i in range(logits.shape[0])
        ]
    )
    torch.testing.assert_close(base, per_sample if reduction == "none" else per_sample.sum())


def test_class_weights_live_in_one_buffer_of_the_base_loss():
    criterion = SAMCLLoss(4, weight=WEIGHT, generator=torch.Generator().manual_seed(0))
    owned = [k for k in criterion.state_dict() if k.endswith("weight") and "auxiliary" not in k]
    assert owned == ["base_loss.weight"]
    assert criterion.weight is criterion.base_loss.weight
    logits, target = _batch(8)
    criterion.weight = torch.ones(4)  # reaches the base loss: now the unweighted RMI
    base = criterion(logits, target, return_terms=True)["base"]
    torch.testing.assert_close(base, rmi_loss(logits, target))
    unnamed = SAMCLLoss(4, base_loss=None)
    assert unnamed.weight is None
    with pytest.raises(ValueError, match="named base_loss"):
        unnamed.weight = torch.ones(4)


def test_functional_form_takes_a_named_base_loss():
    logits, target = _batch(9)
    auxiliary = AuxiliaryNetwork(4)
    terms = samcl_loss(logits, target, auxiliary=auxiliary, base_loss="rmi")
    torch.testing.assert_close(terms["base"], rmi_loss(logits, target))
    with pytest.raises(ValueError, match="base_loss must be"):
        samcl_loss(logits, target, auxiliary=auxiliary, base_loss=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_loss"):
        samcl_loss(logits, target, auxiliary=auxiliary, base_loss="focal")
