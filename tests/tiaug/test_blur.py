"""``ThermalBlur`` and its functional core: a Gaussian blur of degC maps without clipping."""

from __future__ import annotations

import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import albumentations as A
import numpy as np
import pytest
from scipy import ndimage

from tiaug.blur import ThermalBlur, gaussian_blur, random_gaussian_blur
from tiaug.blur.functional import nan_gaussian_blur


def _scene(shape: tuple[int, int] = (64, 80), seed: int = 0) -> np.ndarray:
    """A 25..35 degC map: warm disc on a cool background plus fine texture."""
    rng = np.random.default_rng(seed)
    rows, cols = shape
    yy, xx = np.mgrid[:rows, :cols]
    disc = ((yy - rows / 2) ** 2 + (xx - cols / 2) ** 2) < (min(shape) / 3) ** 2
    image = np.where(disc, 34.0, 26.0) + rng.uniform(-1.0, 1.0, shape)
    return np.clip(image, 25.0, 35.0).astype(np.float32)


@pytest.mark.parametrize("sigma", [1.0, 1.1, 1.2, 2.5])
def test_matches_a_float64_reference(sigma: float) -> None:
    image = _scene()
    reference = ndimage.gaussian_filter(
        image.astype(np.float64), sigma, mode="mirror", truncate=4.0
    )
    out = gaussian_blur(image, sigma)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference, atol=1e-4, rtol=0)


@pytest.mark.parametrize(
    ("sigma", "border", "mode"),
    [(1.3, "mirror", "mirror"), ((0.6, 2.5), "reflect", "reflect"), (2.0, "nearest", "nearest")],
)
def test_one_kernel_along_each_axis(sigma, border: str, mode: str) -> None:
    from tiaug.blur.functional import gaussian_kernel

    image = np.random.default_rng(1).normal(30.0, 3.0, (40, 50)).astype(np.float32)
    rows, cols = (sigma, sigma) if np.ndim(sigma) == 0 else sigma
    expected = ndimage.correlate1d(image.astype(np.float64), gaussian_kernel(rows), 0, mode=mode)
    expected = ndimage.correlate1d(expected, gaussian_kernel(cols), 1, mode=mode)
    out = gaussian_blur(image, sigma, border=border)  # type: ignore[arg-type]
    np.testing.assert_allclose(out, expected, atol=1e-4)
    assert gaussian_kernel(rows).sum() == pytest.approx(1.0)


def test_values_are_not_clipped() -> None:
    image = _scene()
    out = gaussian_blur(image, 1.2)
    assert out.min() >= image.min() - 1e-4
    assert out.max() <= image.max() + 1e-4
    assert out.min() > 20.0
    assert out.max() > 33.0
    assert out.std() > 1.0
    assert out.std() < image.std()  # it does blur


def test_constant_stays_constant() -> None:
    image = np.full((30, 40), 31.5, dtype=np.float32)
    np.testing.assert_allclose(gaussian_blur(image, 1.1), 31.5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint16])
def test_shapes_and_dtypes(dtype) -> None:
    image = (_scene() * (100 if dtype == np.uint16 else 1)).astype(dtype)
    for variant in (image, image[..., None]):
        before = variant.copy()
        out = gaussian_blur(variant, 1.0)
        assert out.shape == variant.shape
        assert out.dtype == np.float32
        np.testing.assert_array_equal(variant, before)


def test_rejects_bad_sigma_and_shapes() -> None:
    with pytest.raises(ValueError, match="sigma must be"):
        gaussian_blur(_scene(), 0.0)
    with pytest.raises(ValueError, match="HxW or HxWx1"):
        gaussian_blur(np.zeros((8, 8, 3), np.float32), 1.0)


def test_random_blur_draws_sigma_in_range() -> None:
    image = _scene()
    out = random_gaussian_blur(image, (1.0, 1.2), rng=np.random.default_rng(0))
    sigma = np.random.default_rng(0).uniform(1.0, 1.2)
    np.testing.assert_array_equal(out, gaussian_blur(image, sigma))


def test_transform_defaults_and_arguments() -> None:
    transform = ThermalBlur()
    assert transform.sigma == (1.0, 1.2)
    assert transform.p == 0.5
    assert ThermalBlur(sigma=2.0, p=1.0).sigma == 2.0
    assert "sigma" in transform.get_transform_init_args_names()
    assert "sigma" in ThermalBlur.InitSchema.model_fields


@pytest.mark.parametrize("sigma", [0.0, -1.0, (1.2, 1.0), (0.0, 1.0), float("inf")])
def test_transform_rejects_bad_sigma(sigma) -> None:
    with pytest.raises(ValueError, match="sigma must be"):
        ThermalBlur(sigma=sigma)


def test_transform_draws_sigma_per_image_in_range() -> None:
    transform = ThermalBlur(sigma=(1.0, 1.2), p=1.0)
    rng = np.random.default_rng(0)
    draws = [transform.draw_params((8, 8), {}, rng)["sigma"] for _ in range(500)]
    assert min(draws) >= 1.0
    assert max(draws) <= 1.2
    assert np.std(draws) > 0.04


@pytest.mark.parametrize("shape", [(64, 80), (64, 80, 1)])
def test_transform_in_compose(shape: tuple[int, ...]) -> None:
    image = _scene().reshape(shape)
    mask = (image[..., 0] if image.ndim == 3 else image) > 30
    mask = mask.astype(np.uint8)
    before = image.copy()
    pipeline = A.Compose([A.VerticalFlip(p=1.0), ThermalBlur(sigma=1.1, p=1.0)], seed=0)
    result = pipeline(image=image, mask=mask)
    assert result["image"].shape == shape
    assert result["image"].dtype == np.float32
    np.testing.assert_allclose(result["image"], gaussian_blur(image[::-1], 1.1), atol=1e-6)
    np.testing.assert_array_equal(result["mask"], mask[::-1])
    np.testing.assert_array_equal(image, before)


def test_transform_seeded_and_serialised(tmp_path) -> None:
    image = _scene()
    pipeline = A.Compose([ThermalBlur(sigma=(1.0, 3.0), p=0.5)], seed=7)
    expected = [pipeline(image=image)["image"] for _ in range(6)]
    assert any(np.array_equal(e, image) for e in expected)  # p = 0.5: some left alone
    assert any(not np.array_equal(e, image) for e in expected)
    path = tmp_path / "blur.json"
    A.save(pipeline, str(path), data_format="json")
    for other in (A.from_dict(A.to_dict(pipeline)), A.load(str(path), data_format="json")):
        other.set_random_seed(7)
        for want in expected:
            np.testing.assert_array_equal(other(image=image)["image"], want)
    again = A.Compose([ThermalBlur(sigma=(1.0, 3.0), p=0.5)], seed=8)
    assert any(not np.array_equal(again(image=image)["image"], want) for want in expected)


def test_nan_blur_keeps_nan_in_place_and_averages_finite_neighbours() -> None:
    image = _scene()
    assert np.array_equal(nan_gaussian_blur(image, 1.2), gaussian_blur(image, 1.2))
    flat = np.full((20, 24), 30.0, np.float32)
    flat[5, 7] = flat[12, 3] = np.nan
    out = nan_gaussian_blur(flat[..., None], 1.5)
    assert out.shape == (20, 24, 1)
    np.testing.assert_array_equal(np.isnan(out[..., 0]), np.isnan(flat))
    np.testing.assert_allclose(out[~np.isnan(out)], 30.0, atol=1e-5)
