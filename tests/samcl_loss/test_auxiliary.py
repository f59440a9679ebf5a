"""The auxiliary network's convolutions equal torch's, values and gradients."""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from samcl_loss import PointwiseConv2d
from samcl_loss.auxiliary import ReflectConv2d


def _assert_matches(ours: nn.Conv2d, reference: nn.Conv2d, x: torch.Tensor) -> None:
    """Same float64 outputs and gradients (input, weight, bias) for ``ours`` and ``reference``,
    given the same parameters; ``ours`` returns a contiguous tensor."""
    reference.load_state_dict(ours.state_dict())
    ours.double(), reference.double()
    inputs = [x.clone().requires_grad_() for _ in range(2)]
    outputs = [ours(inputs[0]), reference(inputs[1])]
    assert outputs[0].is_contiguous()
    torch.testing.assert_close(outputs[0], outputs[1])
    grad = torch.randn_like(outputs[1])
    for output in outputs:
        output.backward(grad)
    torch.testing.assert_close(inputs[0].grad, inputs[1].grad)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad)
    if ours.bias is not None:
        torch.testing.assert_close(ours.bias.grad, reference.bias.grad)


def _layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


@settings(max_examples=25, deadline=None)
@given(
    height=st.integers(3, 21),
    width=st.integers(3, 21),
    stride=st.sampled_from([1, 2, 3]),
    channels_last=st.booleans(),
)
def test_reflect_conv_matches_torch(height, width, stride, channels_last):
    torch.manual_seed(height * 100 + width)
    ours = ReflectConv2d(4, 5, 3, stride=stride)
    reference = nn.Conv2d(4, 5, 3, stride, 1, bias=False, padding_mode="reflect")
    x = torch.randn(2, 4, height, width, dtype=torch.float64)
    _assert_matches(ours, reference, _layout(x, channels_last))


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 3),
    channels=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    channels_last=st.booleans(),
    bias=st.booleans(),
)
def test_pointwise_conv_matches_torch(batch, channels, height, width, channels_last, bias):
    torch.manual_seed(batch * 1000 + height * 10 + width)
    ours = PointwiseConv2d(*channels, bias=bias)
    reference = nn.Conv2d(*channels, 1, bias=bias)
    x = torch.randn(batch, channels[0], height, width, dtype=torch.float64)
    _assert_matches(ours, reference, _layout(x, channels_last))
