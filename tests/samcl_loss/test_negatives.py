"""Derangements, class-swapped and shifted negatives."""

from collections import Counter
from itertools import permutations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from samcl_loss import SAMCLLoss, random_derangement, swap_classes
from samcl_loss.negatives import NEGATIVES, shift_negative


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), seed=st.integers(0, 2**32 - 1))
def test_derangement_is_a_permutation_without_fixed_point(n, seed):
    perm = random_derangement(n, torch.Generator().manual_seed(seed))
    assert perm.dtype == torch.long
    assert sorted(perm.tolist()) == list(range(n))
    assert all(p != i for i, p in enumerate(perm.tolist()))


def test_two_classes_swap():
    assert random_derangement(2).tolist() == [1, 0]


def test_seeded_draws_repeat_and_differ_across_seeds():
    first = [random_derangement(8, torch.Generator().manual_seed(5)) for _ in range(2)]
    assert torch.equal(first[0], first[1])
    g = torch.Generator().manual_seed(5)
    stream = [random_derangement(8, g).tolist() for _ in range(10)]
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
    counts = Counter(tuple(random_derangement(4, g).tolist()) for _ in range(1800))
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
    perm = random_derangement(5, g)
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


def test_shift_negative_moves_the_layout_and_keeps_classes_areas_and_ignored_pixels():
    target = torch.randint(0, 4, (2, 9, 12), generator=torch.Generator().manual_seed(3))
    target[1, :, :4] = 255  # a band of ignored pixels in one sample
    valid = (target != 255).unsqueeze(1)
    positive = torch.nn.functional.one_hot(target.clamp(max=3), 4).permute(0, 3, 1, 2).float()
    positive = positive * valid
    negative = shift_negative(positive)
    assert torch.equal(negative[0], positive[0].roll((4, 6), (-2, -1)))  # H // 2, W // 2
    assert torch.equal(negative.sum(1, keepdim=True), valid.float() * valid.roll((4, 6), (-2, -1)))
    assert torch.equal(negative[0].sum((1, 2)), positive[0].sum((1, 2)))  # class areas kept
    assert not torch.equal(negative, positive)


def test_default_negative_is_the_shift_and_registry_dispatches():
    assert SAMCLLoss(3).negatives == "shift"
    positive = torch.eye(3)[torch.randint(0, 3, (1, 5, 6))].permute(0, 3, 1, 2)
    for name, make in NEGATIVES.items():
        criterion = SAMCLLoss(3, negatives=name)
        criterion.generator = torch.Generator().manual_seed(0)
        expected = make(positive, torch.Generator().manual_seed(0))
        assert torch.equal(criterion.negative_map(positive), expected)
    with pytest.raises(ValueError, match=r"^positive must have shape \(N, C, H, W\)"):
        shift_negative(torch.zeros(3, 4, 4))
