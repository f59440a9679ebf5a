"""Functional core of the sensor noise: statistics, structure, quantisation, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug.cameras import get_camera
from tiaug.noise import functional as F

BIG = (1024, 1024)


@pytest.fixture
def flat() -> np.ndarray:
    return np.full(BIG, 30.0, dtype=np.float32)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("sigma", [0.03, 0.1])
def test_gaussian_std_matches_netd(flat: np.ndarray, sigma: float) -> None:
    out = F.add_sensor_noise(flat, netd=sigma, mode="gaussian", rng=_rng())
    noise = out.astype(np.float64) - 30.0
    assert noise.std() == pytest.approx(sigma, rel=0.02)
    assert abs(noise.mean()) < 0.01 * sigma


def test_table_sampler_is_normal() -> None:
    z = F.gaussian_noise((1 << 20,), 1.0, rng=_rng(1)).astype(np.float64)
    assert z.std() == pytest.approx(1.0, rel=0.005)
    assert abs(z.mean()) < 0.005
    for k, mass in ((1, 0.682689), (2, 0.954500), (3, 0.997300)):
        assert np.mean(np.abs(z) < k) == pytest.approx(mass, abs=0.003)
    kurtosis = np.mean(z**4) / np.mean(z**2) ** 2
    assert kurtosis == pytest.approx(3.0, abs=0.05)
    assert np.abs(z).max() < 4.6  # the table's extreme levels are +-4.4 sigma


def test_ziggurat_sampler_std() -> None:
    z = F.gaussian_noise((512, 512), 0.07, method="ziggurat", rng=_rng(2))
    assert z.dtype == np.float32
    assert z.std() == pytest.approx(0.07, rel=0.02)
    with pytest.raises(ValueError, match="method"):
        F.gaussian_noise((4, 4), 1.0, method="polar", rng=_rng())  # type: ignore[arg-type]


def test_uniform_mode_is_the_reference(flat: np.ndarray) -> None:
    amplitude = 0.1
    out = F.add_sensor_noise(flat, netd=amplitude, mode="uniform", rng=_rng())
    noise = out.astype(np.float64) - 30.0
    assert noise.std() == pytest.approx(amplitude / np.sqrt(12.0), rel=0.02)
    assert abs(noise.mean()) < 1e-3
    # x + a (u - 0.5), u in [0, 1): within [-a/2, a/2) up to float32 rounding at 30 degC
    assert noise.min() >= -amplitude / 2 - 1e-5
    assert noise.max() < amplitude / 2 + 1e-5
    # flat histogram: each tenth of the range holds a tenth of the pixels
    hist, _ = np.histogram(noise, bins=10, range=(-0.05, 0.05))
    np.testing.assert_allclose(hist / noise.size, 0.1, atol=0.005)


def test_netd_zero_adds_nothing() -> None:
    image = np.linspace(20, 35, 64 * 80, dtype=np.float32).reshape(64, 80)
    out = F.add_sensor_noise(image, netd=0.0, rng=_rng())
    np.testing.assert_array_equal(out, image)
    assert out is not image


@pytest.mark.parametrize("camera", ["flir-a65", "topdon-tc001", "infratec-hd820"])
def test_quantisation_puts_values_on_the_count_grid(camera: str) -> None:
    cam = get_camera(camera)
    image = np.linspace(20, 36, 128 * 160, dtype=np.float32).reshape(128, 160)
    grid = F.resolve_quantization(camera)
    assert grid == (cam.count_step, cam.count_offset)
    out = F.add_sensor_noise(image, netd=0.05, quantization=grid, rng=_rng())
    counts = (out.astype(np.float64) - cam.count_offset) / cam.count_step
    np.testing.assert_allclose(counts, np.rint(counts), atol=0.01)
    # rounding error of at most half a step (plus float32 rounding), before noise
    exact = F.quantize(image, cam.count_step, cam.count_offset)
    assert np.abs(exact - image).max() <= cam.count_step / 2 + 1e-4
    assert len(np.unique(exact)) < len(np.unique(image))


def test_quantize_function() -> None:
    image = np.array([[30.01, 30.03], [29.98, 30.0]], dtype=np.float32)
    out = F.quantize(image, 0.04, -273.15)
    expected = np.rint((image.astype(np.float64) + 273.15) / 0.04) * 0.04 - 273.15
    np.testing.assert_allclose(out, expected, atol=1e-5)
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="positive"):
        F.quantize(image, 0.0)


def test_row_stripes_have_row_structure() -> None:
    image = np.full((1024, 256), 30.0, dtype=np.float32)
    out = F.add_sensor_noise(image, netd=0.0, row_noise=0.1, rng=_rng(3))
    noise = out.astype(np.float64) - 30.0
    assert noise.std(axis=1).max() < 1e-5  # each row is one offset
    assert noise.mean(axis=1).std() == pytest.approx(0.1, rel=0.1)
    assert noise.mean(axis=0).std() < 1e-5  # every column sees the same offsets
    # spectrum: all the energy on the u = 0 axis (the column of zero horizontal frequency)
    power = np.abs(np.fft.fft2(noise)) ** 2
    assert power[:, 0].sum() / power.sum() > 0.999


def test_column_stripes_have_column_structure() -> None:
    image = np.full((128, 1024), 30.0, dtype=np.float32)
    out = F.add_sensor_noise(image, netd=0.0, column_noise=0.05, rng=_rng(4))
    noise = out.astype(np.float64) - 30.0
    assert noise.std(axis=0).max() < 1e-5
    assert noise.mean(axis=0).std() == pytest.approx(0.05, rel=0.1)
    assert noise.mean(axis=1).std() < 1e-5


def test_stripe_correlation_scale() -> None:
    white = F.stripe_offsets(20000, 0.1, rng=_rng(5))
    smooth = F.stripe_offsets(20000, 0.1, scale=3.0, rng=_rng(5))
    for offsets in (white, smooth):
        assert offsets.dtype == np.float32
        assert offsets.std() == pytest.approx(0.1, rel=0.05)

    def lag1(x: np.ndarray) -> float:
        return float(np.corrcoef(x[:-1], x[1:])[0, 1])

    assert abs(lag1(white)) < 0.05
    assert lag1(smooth) > 0.9


def test_fixed_pattern_white_and_smooth() -> None:
    white = F.fixed_pattern_noise((512, 512), 0.2, rng=_rng(6))
    smooth = F.fixed_pattern_noise((512, 512), 0.2, scale=2.0, rng=_rng(6))
    assert white.std() == pytest.approx(0.2, rel=0.02)
    assert smooth.std() == pytest.approx(0.2, rel=0.05)

    def neighbour_correlation(x: np.ndarray) -> float:
        return float(np.corrcoef(x[:, :-1].ravel(), x[:, 1:].ravel())[0, 1])

    assert abs(neighbour_correlation(white)) < 0.02
    assert neighbour_correlation(smooth) > 0.8


def test_fixed_pattern_in_add_sensor_noise_and_shared_pattern() -> None:
    image = np.full((256, 256), 25.0, dtype=np.float32)
    out = F.add_sensor_noise(image, netd=0.0, fixed_pattern=0.15, rng=_rng(7))
    assert (out - image).std() == pytest.approx(0.15, rel=0.03)
    pattern = F.fixed_pattern_noise(image.shape, 0.1, rng=_rng(8))
    a = F.add_sensor_noise(image, netd=0.0, pattern=pattern, fixed_pattern=5.0, rng=_rng(9))
    np.testing.assert_allclose(a, image + pattern, atol=1e-6)


def test_all_components_add_up() -> None:
    image = np.full((512, 512), 30.0, dtype=np.float32)
    out = F.add_sensor_noise(
        image,
        netd=0.05,
        fixed_pattern=0.1,
        row_noise=0.03,
        column_noise=0.03,
        rng=_rng(10),
    )
    expected = np.sqrt(0.05**2 + 0.1**2 + 0.03**2 + 0.03**2)
    assert (out - image).std() == pytest.approx(expected, rel=0.1)


def test_resolve_netd_and_cameras() -> None:
    assert F.resolve_netd(0.05) == (0.05, 0.05)
    assert F.resolve_netd((0.0, 0.1)) == (0.0, 0.1)
    assert F.resolve_netd("FLIR-A65") == (0.05, 0.05)
    assert F.resolve_netd(get_camera("flir-a655sc")) == (0.03, 0.03)
    with pytest.raises(ValueError, match="unknown camera 'no-such-cam'; known cameras"):
        F.resolve_netd("no-such-cam")
    with pytest.raises(ValueError, match="no linear count format"):
        F.resolve_quantization("seek-compact")
    with pytest.raises(ValueError, match="positive"):
        F.resolve_quantization(-0.01)
    assert F.resolve_quantization(None) is None
    assert F.resolve_quantization(0.25) == (0.25, 0.0)


def test_bad_levels_and_mode() -> None:
    image = np.zeros((8, 8), dtype=np.float32)
    with pytest.raises(ValueError, match=">= 0"):
        F.add_sensor_noise(image, netd=-0.1, rng=_rng())
    with pytest.raises(ValueError, match="mode"):
        F.add_sensor_noise(image, netd=0.1, mode="poisson", rng=_rng())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="HxW or HxWx1"):
        F.add_sensor_noise(np.zeros((8, 8, 3), np.float32), rng=_rng())


def test_shapes_dtypes_and_no_mutation() -> None:
    base = np.linspace(20, 35, 40 * 50).reshape(40, 50)
    for image in (base.astype(np.float32), base.astype(np.float32)[..., None], base):
        before = image.copy()
        out = F.add_sensor_noise(
            image,
            netd=0.05,
            fixed_pattern=0.1,
            row_noise=0.02,
            column_noise=0.02,
            quantization=(0.01, 0.0),
            rng=_rng(),
        )
        assert out.shape == image.shape
        assert out.dtype == np.float32
        np.testing.assert_array_equal(image, before)
        assert not np.shares_memory(out, image)


def test_same_seed_same_noise() -> None:
    image = np.full((64, 64), 30.0, dtype=np.float32)
    kwargs = {"netd": 0.05, "fixed_pattern": 0.1, "row_noise": 0.02, "stripe_scale": 2.0}
    a = F.add_sensor_noise(image, **kwargs, rng=_rng(11))
    b = F.add_sensor_noise(image, **kwargs, rng=_rng(11))
    c = F.add_sensor_noise(image, **kwargs, rng=_rng(12))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    amplitude=st.floats(0.0, 1.0),
    row_noise=st.floats(0.0, 0.2),
    seed=st.integers(0, 2**32 - 1),
    channel=st.booleans(),
)
def test_uniform_noise_is_bounded(
    rows: int, cols: int, amplitude: float, row_noise: float, seed: int, channel: bool
) -> None:
    image = np.full((rows, cols, 1) if channel else (rows, cols), 30.0, dtype=np.float32)
    out = F.add_sensor_noise(image, netd=amplitude, mode="uniform", rng=_rng(seed))
    assert out.shape == image.shape
    assert out.dtype == np.float32
    assert np.abs(out - image).max() <= amplitude / 2 + 1e-5
    striped = F.add_sensor_noise(
        image, netd=0.0, row_noise=row_noise, stripe_scale=1.0, rng=_rng(seed)
    )
    assert np.isfinite(striped).all()
    np.testing.assert_allclose(np.ptp(striped, axis=1), 0.0, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    sigma=st.floats(0.01, 2.0),
    level=st.floats(-30.0, 60.0),
    slope=st.floats(-0.5, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_estimate_noise_finds_the_std_of_white_noise_on_any_gradient(sigma, level, slope, seed):
    rng = np.random.default_rng(seed)
    ramp = level + slope * np.arange(200, dtype=np.float64)[None, :] + np.zeros((160, 1))
    image = (ramp + rng.normal(0.0, sigma, ramp.shape)).astype(np.float32)
    assert F.estimate_noise(image) == pytest.approx(sigma, rel=0.08)


def test_estimate_noise_edge_cases():
    rng = np.random.default_rng(0)
    image = rng.normal(30.0, 0.1, (64, 80)).astype(np.float32)
    image[::7, ::5] = np.nan
    image[3, 4] = np.inf
    assert F.estimate_noise(image) == pytest.approx(0.1, rel=0.1)  # bad pixels skipped
    assert F.estimate_noise(np.full((64, 80), 25.0, np.float32)) == 0.0
    assert F.estimate_noise(np.full((64, 80), np.nan, np.float32)) == 0.0
    assert F.estimate_noise(np.zeros((64, 2), np.float32)) == 0.0
    assert F.estimate_noise(image[..., None]) == F.estimate_noise(image)  # HxWx1
