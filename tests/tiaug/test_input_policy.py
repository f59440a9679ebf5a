"""One input policy for every tiaug transform (tiaug/README.md, "Input policy")."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug.ambient.transforms import AmbientShift, BackgroundClutter
from tiaug.blur.transforms import ThermalBlur
from tiaug.export.transforms import CameraExport
from tiaug.geometric import functional as fgeometric
from tiaug.geometric.transforms import CenterCropPad, RandomRescale
from tiaug.noise.transforms import SensorNoise
from tiaug.occlusion.transforms import ThermalOcclusion

Factory = Callable[[], A.BasicTransform]

PIXEL: dict[str, Factory] = {
    "ThermalBlur": lambda: ThermalBlur(sigma=1.5, p=1.0),
    "CameraExport": lambda: CameraExport(jpeg_p=1.0, p=1.0),
    "SensorNoise": lambda: SensorNoise(netd=0.1, fixed_pattern=0.05, quantization=0.04, p=1.0),
    "AmbientShift": lambda: AmbientShift(delta=(3.0, 5.0), p=1.0),
    "AmbientShift-mask": lambda: AmbientShift(delta=(3.0, 5.0), p=1.0),
    "BackgroundClutter": lambda: BackgroundClutter(num_blobs=(2, 2), p=1.0),
    "ThermalOcclusion": lambda: ThermalOcclusion(p=1.0),
    "ThermalOcclusion-soft": lambda: ThermalOcclusion(
        edge_softness=(1.0, 2.0), emissivity=(0.9, 0.9), label_policy="ignore", p=1.0
    ),
}
EVERY: dict[str, Factory] = {
    **PIXEL,
    "RandomRescale": lambda: RandomRescale(p=1.0),
    "CenterCropPad": lambda: CenterCropPad(size=(40, 52)),
}


def _scene(seed: int = 0, shape: tuple[int, int] = (36, 44)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, cols = shape
    yy, xx = np.mgrid[:rows, :cols]
    face = (yy - rows / 2) ** 2 + (xx - cols / 2) ** 2 < (min(shape) / 3) ** 2
    image = np.where(face, 34.0, 22.0) + rng.normal(0.0, 0.3, shape)
    return image.astype(np.float32), face.astype(np.uint8)


def _run(name: str, seed: int = 0, **data: np.ndarray) -> dict:
    return A.Compose([EVERY[name]()], seed=seed)(**data)


@pytest.mark.parametrize("name", sorted(EVERY))
@given(dtype=st.sampled_from(["uint8", "uint16", "int16", "int32", "int64", "bool"]))
@settings(max_examples=6, deadline=None)
def test_integer_images_are_rejected_with_a_clear_error(name, dtype):
    image, _ = _scene()
    with pytest.raises(TypeError, match=r"needs temperatures in degC \(float\), not raw counts"):
        _run(name, image=image.astype(dtype))


@pytest.mark.parametrize("name", sorted(EVERY))
@given(offset=st.floats(-40.0, 420.0), seed=st.integers(0, 100))
@settings(max_examples=10, deadline=None)
def test_a_warning_for_data_that_looks_like_kelvin(name, offset, seed):
    image, _ = _scene(seed)
    image = image - np.float32(np.median(image)) + np.float32(offset)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(name, seed, image=image)
    kelvin = [w for w in caught if "looks like Kelvin" in str(w.message)]
    median = float(np.median(image))
    if 200.5 <= median <= 399.5:
        assert kelvin, median
    elif not 199.5 <= median <= 400.5:  # (the check reads a subsample: no edge cases)
        assert not kelvin, median


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: ThermalOcclusion(size=(10, 24)), r"size is a fraction .* looks like pixels"),
        (lambda: ThermalOcclusion(stroke_width=(2, 10)), "stroke_width is a fraction"),
        (lambda: ThermalOcclusion(bar_width=(0.02, 3.0)), "bar_width is a fraction"),
        (lambda: ThermalOcclusion(size=(0.0, 0.1)), "size must be > 0"),
        (lambda: BackgroundClutter(blob_size=(5.0, 20.0)), "blob_size is a fraction"),
    ],
)
def test_sizes_are_fractions_and_pixels_are_named(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


@pytest.mark.parametrize("name", sorted(EVERY))
@given(
    seed=st.integers(0, 2**16),
    bad=st.lists(st.tuples(st.integers(0, 35), st.integers(0, 43)), min_size=1, max_size=6),
)
@settings(max_examples=10, deadline=None)
def test_nan_pixels_stay_nan_and_never_spread(name, seed, bad):
    image, mask = _scene(seed)
    rows, cols = np.asarray(bad).T
    image[rows, cols] = np.nan
    nan = np.isnan(image)
    extra = {"mask": mask} if name.endswith("-mask") else {}
    out = _run(name, seed, image=image, **extra)["image"]
    if name == "RandomRescale":
        expected = fgeometric.resize(nan, out.shape, nearest=True)
    elif name == "CenterCropPad":
        expected = fgeometric.center_crop_pad(nan, out.shape, False)
    else:
        expected = nan
    np.testing.assert_array_equal(np.isnan(out), expected)
    finite = image[~nan]
    if name in {"ThermalBlur", "RandomRescale", "CenterCropPad"}:  # no new extremes
        assert finite.min() - 1e-3 <= np.nanmin(out) <= np.nanmax(out) <= finite.max() + 1e-3


def test_relative_occlusion_uses_the_finite_pixels():
    image, _ = _scene()
    image[0, 0] = np.nan
    transform = ThermalOcclusion(temperature=(0.0, 0.0), texture=(0.0, 0.0), p=1.0)
    out = A.Compose([transform], seed=3)(image=image)["image"]
    finite = image[np.isfinite(image)]
    assert finite.min() - 1e-3 <= np.nanmin(out) <= np.nanmax(out) <= finite.max() + 1e-3


@pytest.mark.parametrize("policy", ["background", "ignore"])
@given(seed=st.integers(0, 2**16), level=st.floats(-10.0, 60.0))
@settings(max_examples=15, deadline=None)
def test_an_invisible_occluder_changes_no_label(policy, seed, level):
    image = np.full((32, 40), level, np.float32)
    _, mask = _scene(seed, (32, 40))
    transform = ThermalOcclusion(texture=(0.0, 0.0), label_policy=policy, p=1.0)
    out = A.Compose([transform], seed=seed)(image=image, mask=mask)
    np.testing.assert_array_equal(out["image"], image)
    np.testing.assert_array_equal(out["mask"], mask)


@pytest.mark.parametrize("policy", ["background", "ignore"])
@given(seed=st.integers(0, 2**16))
@settings(max_examples=15, deadline=None)
def test_labels_change_only_where_the_image_changed(policy, seed):
    image, mask = _scene(seed, (32, 40))
    image[:, :20] = 30.0  # half the frame flat: occluders may match it in places
    transform = ThermalOcclusion(label_policy=policy, max_hidden=1.0, p=1.0)
    out = A.Compose([transform], seed=seed)(image=image, mask=mask)
    relabelled = out["mask"] != mask
    assert not (relabelled & (out["image"] == image)).any()


@pytest.mark.parametrize("name", sorted(PIXEL))
def test_pixel_transforms_keep_float32_and_leave_the_input_alone(name):
    image, mask = _scene()
    for variant in (image, image.astype(np.float64)):
        before = variant.copy()
        out = _run(name, image=variant, mask=mask)
        assert out["image"].dtype == np.float32
        np.testing.assert_array_equal(variant, before)
        if not name.startswith("ThermalOcclusion-"):
            np.testing.assert_array_equal(out["mask"], mask)
