import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug.geometric import CenterCropPad, RandomRescale
from tiaug.geometric import functional as fgeometric


@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    target_rows=st.integers(1, 40),
    target_cols=st.integers(1, 40),
)
@settings(max_examples=60, deadline=None)
def test_center_crop_pad_keeps_the_centre_and_fills_the_rest(rows, cols, target_rows, target_cols):
    array = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    out = fgeometric.center_crop_pad(array, (target_rows, target_cols), fill=-1.0)
    assert out.shape == (target_rows, target_cols)
    assert out.dtype == np.float32
    kept = out[out >= 0]
    assert kept.size == min(rows, target_rows) * min(cols, target_cols)
    assert np.count_nonzero(out == -1.0) == out.size - kept.size
    src_r, dst_r, _ = fgeometric.crop_pad_offsets(rows, target_rows)
    src_c, dst_c, _ = fgeometric.crop_pad_offsets(cols, target_cols)
    assert out[dst_r, dst_c] == array[src_r, src_c]


def test_center_crop_pad_pads_labels_with_ignore_and_image_with_midrange():
    image = np.full((10, 12), 20.0, np.float32)
    image[0, 0] = 30.0
    mask = np.ones((10, 12), np.uint8)
    out = CenterCropPad(size=(14, 12), p=1.0)(image=image, mask=mask)
    assert out["image"].shape == (14, 12)
    np.testing.assert_array_equal(out["mask"][:2], 255)
    np.testing.assert_array_equal(out["image"][:2], 25.0)
    np.testing.assert_array_equal(out["mask"][2:12], 1)


def test_center_crop_pad_crop_only_is_a_new_centred_copy():
    image = np.arange(12 * 10, dtype=np.float32).reshape(12, 10)
    mask = (np.arange(12 * 10) % 7).astype(np.int64).reshape(12, 10)
    out = CenterCropPad(size=(8, 10), p=1.0)(image=image, mask=mask)
    np.testing.assert_array_equal(out["image"], image[2:10])
    np.testing.assert_array_equal(out["mask"], mask[2:10])
    assert out["mask"].dtype == np.int64
    out["image"][:] = -1.0
    out["mask"][:] = -1
    assert image.min() == 0.0  # the inputs are not shared
    assert mask.min() == 0


def test_center_crop_pad_with_fixed_fill_and_channel_axis():
    out = CenterCropPad(size=(8, 8), fill=22.5)(image=np.full((4, 4, 1), 30.0, np.float32))
    assert out["image"].shape == (8, 8, 1)
    assert out["image"][0, 0, 0] == 22.5


def test_random_rescale_scales_rows_and_columns_within_ranges():
    image = np.zeros((100, 200), np.float32)
    transform = A.Compose([RandomRescale(scale=(0.5, 2.0), aspect=(0.9, 1.1))], seed=3)
    for _ in range(20):
        rows, cols = transform(image=image)["image"].shape
        scale = rows / 100
        assert 0.5 - 0.01 <= scale <= 2.0 + 0.01
        assert 0.9 - 0.02 <= cols / (200 * scale) <= 1.1 + 0.02


def test_random_rescale_resizes_masks_with_nearest_labels():
    image = np.linspace(20, 35, 60 * 80, dtype=np.float32).reshape(60, 80)
    mask = np.zeros((60, 80), np.uint8)
    mask[20:40, 30:50] = 5
    mask[0:10] = 3
    out = A.Compose([RandomRescale()], seed=0)(image=image, mask=mask)
    assert set(np.unique(out["mask"])) <= {0, 3, 5}
    assert out["image"].dtype == np.float32
    assert out["image"].shape == out["mask"].shape
    assert image.min() - 1e-3 <= out["image"].min() <= out["image"].max() <= image.max() + 1e-3


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: RandomRescale(scale=(2.0, 1.0)), "low <= high"),
        (lambda: RandomRescale(aspect=(0.0, 1.0)), "aspect must be > 0"),
        (lambda: CenterCropPad(size=(0, 4)), r"size must be \(rows, columns\) of at least 1 pixel"),
        (lambda: CenterCropPad(fill="edge"), "midrange"),
    ],
)
def test_bad_arguments_are_rejected_at_construction(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_serialization_round_trip_gives_identical_output():
    pipeline = A.Compose([RandomRescale(), CenterCropPad(size=(32, 40), fill_mask=7)], seed=11)
    restored = A.from_dict(A.to_dict(pipeline))
    restored.set_random_seed(11)
    image = np.random.default_rng(0).normal(30, 2, (30, 50)).astype(np.float32)
    mask = np.zeros((30, 50), np.uint8)
    first, second = pipeline(image=image, mask=mask), restored(image=image, mask=mask)
    np.testing.assert_array_equal(first["image"], second["image"])
    np.testing.assert_array_equal(first["mask"], second["mask"])


@pytest.mark.parametrize("channels", [2, 4, 6])
def test_resize_keeps_every_channel(channels):
    plane = np.random.default_rng(0).normal(30, 2, (20, 30)).astype(np.float32)
    stack = np.repeat(plane[..., None], channels, axis=2)
    out = fgeometric.resize(stack, (31, 17))
    assert out.shape == (31, 17, channels)
    for c in range(channels):
        np.testing.assert_allclose(out[..., c], fgeometric.resize(plane, (31, 17)), atol=1e-5)


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "bool"])
def test_nearest_resize_of_any_label_dtype_matches_opencv(dtype):
    labels = np.random.default_rng(1).integers(0, 2, (23, 37)).astype(dtype)
    reference = fgeometric.resize(labels.astype(np.uint8), (41, 19), nearest=True)
    out = fgeometric.resize(labels, (41, 19), nearest=True)
    assert out.dtype == labels.dtype
    np.testing.assert_array_equal(out.astype(np.uint8), reference)
    masks = np.stack([labels] * 5, axis=2)
    np.testing.assert_array_equal(fgeometric.resize(masks, (41, 19), nearest=True)[..., 4], out)


def test_resize_interpolates_finite_pixels_from_finite_neighbours_only():
    image = np.full((10, 10), 25.0, np.float32)
    image[4, 4] = np.nan
    out = fgeometric.resize(image, (20, 20))
    nan = np.isnan(out)
    np.testing.assert_array_equal(nan, fgeometric.resize(np.isnan(image), (20, 20), nearest=True))
    np.testing.assert_allclose(out[~nan], 25.0, atol=1e-5)


def test_midrange_ignores_nan():
    assert fgeometric.midrange(np.array([[20.0, np.nan], [30.0, 22.0]])) == 25.0


def test_center_crop_pad_follows_the_input_policy():
    image = np.full((10, 12), 30.0, np.float64)
    out = A.Compose([CenterCropPad(size=(16, 16))])(image=image, mask=np.ones((10, 12), np.uint8))
    assert out["image"].dtype == np.float32  # float32 out, whatever float comes in
    assert (out["mask"][0] == 255).all()
    for fill in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="fill must be a finite"):
            CenterCropPad(size=(16, 16), fill=fill)
    with pytest.raises(ValueError, match="fill_mask=300 does not fit the mask's dtype uint8"):
        A.Compose([CenterCropPad(size=(16, 16), fill_mask=300)])(
            image=image, mask=np.ones((10, 12), np.uint8)
        )
    wide = A.Compose([CenterCropPad(size=(16, 16), fill_mask=300)])(
        image=image, mask=np.ones((10, 12), np.int32)
    )
    assert (wide["mask"][0] == 300).all()


@given(st.integers(1, 90), st.integers(1, 90), st.integers(1, 180), st.integers(1, 180))
@settings(max_examples=60, deadline=None)
def test_nearest_resize_picks_the_same_pixels_for_every_mask_dtype(rows, cols, new_rows, new_cols):
    labels = np.arange(rows * cols, dtype=np.int64).reshape(rows, cols) % 251
    small = fgeometric.resize(labels.astype(np.uint8), (new_rows, new_cols), nearest=True)
    wide = fgeometric.resize(labels, (new_rows, new_cols), nearest=True)  # numpy's path
    many = fgeometric.resize(
        np.stack([labels.astype(np.uint8)] * 6, -1), (new_rows, new_cols), nearest=True
    )
    assert wide.dtype == np.int64
    np.testing.assert_array_equal(wide, small)
    np.testing.assert_array_equal(many[..., 5], small)


def test_center_crop_pad_odd_difference_drops_and_pads_the_extra_pixel_at_the_end():
    # albumentations' convention (CenterCrop, PadIfNeeded "center"): a crop starts at
    # (size - target) // 2, a pad puts (target - size) // 2 pixels before the image.
    image = np.arange(7 * 9, dtype=np.float32).reshape(7, 9)
    mask = np.arange(7 * 9, dtype=np.uint8).reshape(7, 9)
    out = CenterCropPad(size=(4, 6), p=1.0)(image=image, mask=mask)  # 3 rows, 3 columns cut
    np.testing.assert_array_equal(out["image"], image[1:5, 1:7])
    np.testing.assert_array_equal(out["mask"], mask[1:5, 1:7])
    np.testing.assert_array_equal(out["image"], A.CenterCrop(4, 6, p=1.0)(image=image)["image"])
    padded = CenterCropPad(size=(10, 12), fill=-1.0, p=1.0)(image=image)["image"]  # 3 and 3 added
    np.testing.assert_array_equal(padded[1:8, 1:10], image)
    assert (padded == -1.0).sum() == padded.size - image.size
