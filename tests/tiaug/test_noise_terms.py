"""The registry of noise terms: a new term is one function and one entry."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tiaug.noise import functional as F
from tiaug.noise import terms


def frame_offset(
    shape: tuple[int, int], level: float, *, rng: np.random.Generator, frame_bias: float = 0.0
) -> np.ndarray:
    """One offset for the whole frame (a shutter drift): ``frame_bias + N(0, level)``."""
    return np.full((1, 1), frame_bias + level * rng.standard_normal(), np.float32)


ENTRY = terms.NoiseTerm(
    frame_offset, "std of one offset per frame (degC)", {"frame_bias": "its mean, degC."}
)


def test_the_built_in_terms_are_registered_in_drawing_order() -> None:
    assert list(terms.NOISE_TERMS) == ["fixed_pattern", "row_noise", "column_noise"]
    assert list(terms.term_options()) == ["fixed_pattern_scale", "stripe_scale"]
    assert [name for name, term in terms.NOISE_TERMS.items() if term.fixed] == ["fixed_pattern"]


def test_a_new_term_works_in_add_sensor_noise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(terms.NOISE_TERMS, "frame_offset", ENTRY)
    image = np.linspace(20.0, 30.0, 80, dtype=np.float32).reshape(8, 10)
    out = F.add_sensor_noise(image, netd=0.0, frame_offset=0.5, frame_bias=2.0, rng=_rng(3))
    expected = 2.0 + 0.5 * _rng(3).standard_normal()
    np.testing.assert_allclose(out - image, expected, atol=1e-5)
    assert np.ptp(out - image) < 1e-5  # one offset for the frame
    unchanged = F.add_sensor_noise(image, netd=0.0, frame_bias=2.0, rng=_rng(3))
    np.testing.assert_array_equal(unchanged, image)  # level 0: off, options unused
    with pytest.raises(ValueError, match="noise levels must be >= 0"):
        F.add_sensor_noise(image, frame_offset=-1.0, rng=_rng())
    # the built-in terms draw as before, the new one after them
    both = F.add_sensor_noise(image, netd=0.0, row_noise=0.1, frame_offset=0.5, rng=_rng(4))
    rows = F.add_sensor_noise(image, netd=0.0, row_noise=0.1, rng=_rng(4))
    assert np.ptp(both - rows) < 1e-5


def test_unknown_terms_are_refused_as_python_would() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'frame_offset'"):
        F.add_sensor_noise(np.zeros((4, 4), np.float32), frame_offset=0.5, rng=_rng())


#: SensorNoise takes its arguments from the registry when its module loads (as when the entry
#: is written in tiaug/noise/terms.py): register before albumentations and the transform load
_TRANSFORM = """
import numpy as np
from test_noise_terms import ENTRY
from tiaug.noise import terms

terms.NOISE_TERMS["frame_offset"] = ENTRY
import albumentations as A
from tiaug.noise.transforms import SensorNoise

transform = SensorNoise(netd=0.0, frame_offset=(0.5, 1.0), frame_bias=2.0, p=1.0)
image = np.full((8, 10), 20.0, np.float32)
transform.set_random_seed(0)
shift = transform(image=image)["image"] - image
assert np.ptp(shift) < 1e-5 and shift[0, 0] != 0.0, shift  # one offset for the frame
saved = A.to_dict(transform)
assert list(saved["transform"]["frame_offset"]) == [0.5, 1.0], saved  # a list on X
assert saved["transform"]["frame_bias"] == 2.0, saved
again = A.from_dict(saved)
again.set_random_seed(0)
assert np.array_equal(again(image=image)["image"], image + shift)
frames = transform(images=np.stack([image, image]))["images"] - image
assert np.ptp(frames[0]) < 1e-5 and frames[0, 0, 0] != frames[1, 0, 0]  # drawn per frame
assert "frame_offset: std of one offset per frame (degC), number or (low, high)." in (
    SensorNoise.__doc__
)
assert "frame_bias: its mean, degC." in SensorNoise.__doc__
try:
    SensorNoise(frame_offset=-1.0)
except ValueError as error:
    assert str(error) == "SensorNoise: frame_offset must be >= 0, got (-1.0, -1.0)", error
else:
    raise AssertionError("a negative level was accepted")
print("ok")
"""


def test_a_new_term_works_in_sensor_noise() -> None:
    path = os.pathsep.join(filter(None, (os.path.dirname(__file__), os.environ.get("PYTHONPATH"))))
    env = {**os.environ, "PYTHONPATH": path, "NO_ALBUMENTATIONS_UPDATE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _TRANSFORM], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ok"


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)
