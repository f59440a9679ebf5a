"""Derangements, class-swapped and shifted negatives."""

from collections import Counter
from itertools import permutations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from samcl_loss import SAMCLLoss, random_derangement, swap_classes
from samcl_loss.negatives import NEGATIVES, reflect_negative, shift_negative


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), seed=st.integers(0, 2**32 - 1))
def test_derangement_is_a_permutation_without_fixed_point(n, seed):
    perm = random_derangement(n, generator=torch.Generator().manual_seed(seed))
    assert perm.dtype == torch.long
    assert sorted(perm.tolist()) == list(range(n))
    assert all(p != i for i, p in enumerate(perm.tolist()))


def test_two_classes_swap():
    assert random_derangement(2).tolist() == [1, 0]


def test_seeded_draws_repeat_and_differ_across_seeds():
    first = [random_derangement(8, generator=torch.Generator().manual_seed(5)) for _ in range(2)]
    assert torch.equal(first[0], first[1])
    g = torch.Generator().manual_seed(5)
    stream = [random_derangement(8, generator=g).tolist() for _ in range(10)]
    assert len({tuple(p) for p in stream}) > 1


def test_global_generator_is_used_without_one():
    torch.manual_seed(11)
    a = random_derangement(6)
    torch.manual_seed(11)
    assert torch.equal(a, random_derangement(6))


def test_uniform_over_derangements():
    derangements = [p for p in permutations(range(4)) if all(p[i] != i for i in range(4))]
    assert len(derangements) == 9
    g = torch.Generator().manual_seed(0)
    counts = Counter(tuple(random_derangement(4, generator=g).tolist()) for _ in range(1800))
    assert set(counts) == set(derangements)
    expected = 1800 / 9
    chi2 = sum((counts[d] - expected) ** 2 / expected for d in derangements)
    assert chi2 < 26.1  # chi-square, 8 degrees of freedom, p = 0.001


@pytest.mark.parametrize("n", [0, 1])
def test_derangement_needs_two_elements(n):
    with pytest.raises(ValueError, match=rf"^a derangement needs n >= 2 elements, got n={n}$"):
        random_derangement(n)


def test_swap_classes_moves_every_channel_and_keeps_layout():
    g = torch.Generator().manual_seed(1)
    target = torch.randint(0, 5, (2, 9, 11), generator=g)
    onehot = torch.nn.functional.one_hot(target, 5).permute(0, 3, 1, 2).float()
    perm = random_derangement(5, generator=g)
    swapped = swap_classes(onehot, perm)
    assert swapped.shape == onehot.shape
    for c in range(5):
        assert torch.equal(swapped[:, c], onehot[:, perm[c]])
        assert not torch.equal(swapped[:, c], onehot[:, c])
    # Same regions, wrong classes: the label map of the negative is perm^-1 o target.
    inverse = torch.argsort(perm)
    assert torch.equal(swapped.argmax(1), inverse[target])
    assert torch.equal(swapped.sum(1), onehot.sum(1))


def test_swap_classes_exceptions():
    with pytest.raises(ValueError, match=r"^permutation must have shape \(3,\)"):
        swap_classes(torch.zeros(1, 3, 4, 4), torch.tensor([1, 0]))
    with pytest.raises(ValueError, match=r"^maps must have a class axis"):
        swap_classes(torch.zeros(3), torch.tensor([1, 2, 0]))


def test_samcl_negative_map_is_a_seeded_derangement():
    target = torch.randint(0, 6, (2, 10, 12), generator=torch.Generator().manual_seed(2))
    target[0, :2] = 255
    valid = (target != 255).unsqueeze(1)
    positive = torch.nn.functional.one_hot(target.clamp(max=5), 6).permute(0, 3, 1, 2).float()
    positive = positive * valid

    def negatives(seed):
        criterion = SAMCLLoss(6, negatives="swap", generator=torch.Generator().manual_seed(seed))
        return [criterion.negative_map(positive) for _ in range(3)]

    first, again, other = negatives(0), negatives(0), negatives(1)
    for a, b in zip(first, again, strict=True):
        assert torch.equal(a, b)
    assert any(not torch.equal(a, b) for a, b in zip(first, other, strict=True))
    for negative in first:
        assert torch.equal(negative.sum(1), positive.sum(1))  # layout and ignored pixels kept
        for c in range(6):
            moved_from = [k for k in range(6) if torch.equal(negative[:, c], positive[:, k])]
            assert moved_from
            assert c not in moved_from


def test_samcl_zeros_negative():
    criterion = SAMCLLoss(3, negatives="zeros")
    assert criterion.negative_map(torch.ones(1, 3, 4, 4)).abs().sum() == 0


def _one_hot(target: torch.Tensor, num_classes: int) -> torch.Tensor:
    valid = (target != 255).unsqueeze(1)
    onehot = torch.nn.functional.one_hot(target.clamp(max=num_classes - 1), num_classes)
    return onehot.permute(0, 3, 1, 2).float() * valid


def test_shift_negative_moves_the_layout_and_keeps_classes_areas():
    target = torch.randint(0, 4, (1, 8, 12), generator=torch.Generator().manual_seed(3))
    positive = _one_hot(target, 4)
    negative = shift_negative(positive)
    # raster rank r takes rank r + 48 + 6: half the rows down, half the columns right
    flat_positive, flat_negative = positive.flatten(2), negative.flatten(2)
    assert torch.equal(flat_negative, flat_positive.roll(-(48 + 6), dims=2))
    assert torch.equal(negative.sum((2, 3)), positive.sum((2, 3)))  # class areas kept
    assert not torch.equal(negative, positive)


def test_reflect_negative_turns_the_valid_content_half_a_turn():
    target = torch.randint(0, 4, (2, 9, 12), generator=torch.Generator().manual_seed(4))
    target[1, :2] = 255
    target[1, -3:] = 255
    target[1, :, :1] = 255  # sample 1: a 4x11 rectangle of valid labels
    positive = _one_hot(target, 4)
    negative = reflect_negative(positive)
    assert torch.equal(negative[0], positive[0].flip((-2, -1)))
    inner = (slice(None), slice(2, 6), slice(1, 12))
    assert torch.equal(negative[1][inner], positive[1][inner].flip((-2, -1)))
    assert torch.equal(negative.sum(1), positive.sum(1))  # ignored pixels stay empty


@settings(max_examples=30, deadline=None)
@given(
    border=st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 12), st.integers(0, 12)),
    holes=st.integers(0, 20),
    name=st.sampled_from(["reflect", "shift", "swap"]),
    seed=st.integers(0, 2**16),
)
def test_negatives_label_every_valid_pixel_whatever_is_ignored(border, holes, name, seed):
    """Issue 20: a negative is a labelling of every valid pixel (the released ``"zeros"``
    excepted), with the classes' areas of the positive, however much is ignored."""
    top, bottom, left, right = border  # ignored rows and columns at each edge
    g = torch.Generator().manual_seed(seed)
    target = torch.randint(0, 5, (2, 20, 26), generator=g)
    target[:, :top] = 255
    target[:, 20 - bottom :] = 255
    target[:, :, :left] = 255
    target[:, :, 26 - right :] = 255
    flat = target.view(2, -1)
    flat[:, torch.randint(0, 20 * 26, (holes,), generator=g)] = 255
    positive = _one_hot(target, 5)
    negative = NEGATIVES[name](positive, g)
    assert torch.equal(negative.sum(1), positive.sum(1))  # one class per valid pixel, else 0
    if name != "swap":
        assert torch.equal(negative.sum((2, 3)), positive.sum((2, 3)))


def _scale0(negatives: str, logits: torch.Tensor, target: torch.Tensor) -> float:
    criterion = SAMCLLoss(6, negatives=negatives, generator=torch.Generator().manual_seed(0))
    return criterion(logits, target, return_terms=True).scales[0].item()


@settings(max_examples=12, deadline=None)
@given(
    border=st.tuples(*[st.integers(0, 14)] * 4),
    strength=st.sampled_from([0.0, 1.0]),
)
def test_reflect_scale0_term_does_not_depend_on_ignored_border(face_labels, border, strength):
    """Issue 20: with the valid content fixed (and its place on RMI's 3-pixel pooling grid),
    the scale-0 term moves by at most 10 % between no ignored border and up to ~80 %."""
    core = face_labels  # (2, 48, 64)
    logits = torch.randn(2, 6, 48, 64, generator=torch.Generator().manual_seed(1))
    logits = logits + strength * torch.nn.functional.one_hot(core, 6).permute(0, 3, 1, 2)
    top, bottom, left, right = (3 * b for b in border)
    height, width = 48 + top + bottom, 64 + left + right
    target = torch.full((2, height, width), 255)
    target[:, top : top + 48, left : left + 64] = core
    padded = torch.randn(2, 6, height, width, generator=torch.Generator().manual_seed(2))
    padded[:, :, top : top + 48, left : left + 64] = logits
    alone = _scale0("reflect", logits, core)
    assert abs(_scale0("reflect", padded, target) - alone) <= 0.1 * alone


def test_default_negative_is_the_papers_swap_and_registry_dispatches():
    assert SAMCLLoss(3).negatives == "swap"
    positive = torch.eye(3)[torch.randint(0, 3, (1, 5, 6))].permute(0, 3, 1, 2)
    for name, make in NEGATIVES.items():
        criterion = SAMCLLoss(3, negatives=name)
        criterion.generator = torch.Generator().manual_seed(0)
        expected = make(positive, torch.Generator().manual_seed(0))
        assert torch.equal(criterion.negative_map(positive), expected)
    with pytest.raises(ValueError, match=r"^positive must have shape \(N, C, H, W\)"):
        shift_negative(torch.zeros(3, 4, 4))
