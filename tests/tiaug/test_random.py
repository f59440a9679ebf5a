import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug._random import draw_range, draw_uniform

_bounds = st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-1000, 1000)


@given(low=_bounds, high=_bounds, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=200, deadline=None)
def test_draw_uniform_is_the_generators_own_uniform_bit_for_bit(low, high, seed):
    low, high = sorted((low + 0.0, high + 0.0))  # sorted, no -0.0 (numpy refuses high < low)
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(3):
        value = draw_uniform(ours, low, high)
        assert type(value) is float
        assert value == float(numpys.uniform(low, high))
    assert ours.bit_generator.state == numpys.bit_generator.state


def test_draw_uniform_refuses_a_reversed_range_like_numpy():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="high < low"):
        draw_uniform(rng, 2.0, 1.0)
    with pytest.raises(ValueError, match="high - low < 0"):  # what numpy does
        rng.uniform(2.0, 1.0)


@given(low=_bounds, high=_bounds, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_draw_range_draws_nothing_for_a_fixed_value(low, high, seed):
    low, high = sorted((low, high))
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    assert draw_range(ours, (low, low)) == float(low)
    assert ours.bit_generator.state == numpys.bit_generator.state
    assert draw_range(ours, (low, high)) == draw_uniform(numpys, low, high) or low == high
