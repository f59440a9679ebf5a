"""``AmbientShift`` and ``BackgroundClutter`` as albumentations transforms."""

from __future__ import annotations

import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import albumentations as A
import numpy as np
import pytest
from scipy import ndimage

from tiaug.ambient import AmbientShift, BackgroundClutter
from tiaug.ambient import functional as F

SHAPE = (120, 150)


def scene() -> tuple[np.ndarray, np.ndarray]:
    """Asymmetric face (so that flips matter) with a cold nose on a 21 degC wall."""
    yy, xx = np.mgrid[: SHAPE[0], : SHAPE[1]]
    mask = np.zeros(SHAPE, dtype=np.uint8)
    mask[((yy - 60) / 45.0) ** 2 + ((xx - 60) / 35.0) ** 2 < 1] = 1
    mask[50:80, 50:72] = 5
    rng = np.random.default_rng(0)
    image = np.where(mask == 0, 21.0, np.where(mask == 5, 29.0, 34.0))
    image = (image + rng.normal(0, 0.05, SHAPE)).astype(np.float32)
    return image, mask


def inner(region: np.ndarray, margin: int = 8) -> np.ndarray:
    return ndimage.binary_erosion(region, np.ones((3, 3), bool), iterations=margin, border_value=1)


# ------------------------------------------------------------------------ AmbientShift


def test_ambient_every_argument_is_kept() -> None:
    kwargs = {
        "delta": (-3.0, 2.0),
        "couplings": {0: 0.9, 1: 0.2, 5: 0.5},
        "spread": 0.02,
        "smoothing": 3.5,
        "unmasked": "threshold",
        "core_temperature": 36.5,
        "ignore_index": None,
    }
    transform = AmbientShift(**kwargs, p=0.3)
    assert {*kwargs, "p"} == set(transform.get_transform_init_args_names())
    assert set(kwargs) <= set(AmbientShift.InitSchema.model_fields)
    for name, value in kwargs.items():
        assert getattr(transform, name) == value, name
    assert AmbientShift().couplings == F.DEFAULT_COUPLINGS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": (5.0, -5.0)}, "delta must be"),
        ({"couplings": (1.0, 1.5)}, r"couplings must lie in \[0, 1\]"),
        ({"couplings": {0: 1.0, 1: -0.1}}, r"couplings must lie in \[0, 1\]"),
        ({"couplings": ()}, "at least one class"),
        ({"couplings": {-1: 0.5}}, "classes must be >= 0"),
        ({"spread": -0.1}, "spread must be >= 0"),
        ({"spread": 0.2, "delta": (-8.0, 8.0)}, "spread \\* max\\|delta\\| must be < 1"),
        ({"smoothing": -1.0}, "smoothing must be"),
        ({"unmasked": "flat"}, "unmasked"),
        ({"core_temperature": float("nan")}, "core_temperature"),
    ],
)
def test_ambient_invalid_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AmbientShift(**kwargs)


def test_ambient_reads_the_mask_and_leaves_it() -> None:
    image, mask = scene()
    image_before, mask_before = image.copy(), mask.copy()
    result = A.Compose([AmbientShift(delta=-6.0, p=1.0)], seed=0)(image=image, mask=mask)
    np.testing.assert_array_equal(result["mask"], mask)
    np.testing.assert_array_equal(image, image_before)
    np.testing.assert_array_equal(mask, mask_before)
    shift = result["image"].astype(np.float64) - image
    np.testing.assert_allclose(shift[inner(mask == 0)], -6.0, atol=1e-4)
    # the face carries the smaller nose's coupling on a 5 px ring (blurred): 12 px margin
    np.testing.assert_allclose(shift[inner(mask == 1, 12)], -1.5, atol=1e-4)
    np.testing.assert_allclose(shift[inner(mask == 5)], -3.6, atol=1e-4)
    assert result["image"].dtype == np.float32


def test_ambient_inside_compose_with_a_flip() -> None:
    image, mask = scene()
    pipeline = A.Compose([A.HorizontalFlip(p=1.0), AmbientShift(delta=4.0, p=1.0)], seed=0)
    result = pipeline(image=image, mask=mask)
    flipped_image, flipped_mask = image[:, ::-1], mask[:, ::-1]
    np.testing.assert_array_equal(result["mask"], flipped_mask)
    expected = F.ambient_shift(flipped_image, 4.0, flipped_mask)
    np.testing.assert_allclose(result["image"], expected, atol=1e-6)
    # the coupling map followed the flipped face: the unflipped map would differ
    assert np.abs(F.ambient_shift(flipped_image, 4.0, mask) - expected).max() > 1.0


def test_ambient_without_mask() -> None:
    image, mask = scene()
    out = A.Compose([AmbientShift(delta=-6.0, p=1.0)], seed=0)(image=image)["image"]
    shift = out - image
    assert abs(shift[inner(mask == 1)].mean()) < 0.5 * abs(shift[inner(mask == 0)].mean())
    threshold = AmbientShift(delta=-6.0, unmasked="threshold", p=1.0)
    shift = A.Compose([threshold], seed=0)(image=image)["image"] - image
    np.testing.assert_allclose(shift[inner(mask == 1)], -1.5, atol=1e-4)


@pytest.mark.parametrize("channel", [False, True])
def test_ambient_shapes(channel: bool) -> None:
    image, mask = scene()
    if channel:
        image, mask = image[..., None], mask[..., None]
    result = A.Compose([AmbientShift(p=1.0, spread=0.02)], seed=1)(image=image, mask=mask)
    assert result["image"].shape == image.shape
    assert result["image"].dtype == np.float32
    assert result["mask"].shape == mask.shape


def test_ambient_seeded_and_delta_in_range() -> None:
    image, mask = scene()
    far = inner(mask == 0)

    def deltas(seed: int) -> list[float]:
        pipeline = A.Compose([AmbientShift(delta=(-8.0, 8.0), p=1.0)], seed=seed)
        return [
            float((pipeline(image=image, mask=mask)["image"] - image)[far].mean())
            for _ in range(20)
        ]

    first = deltas(3)
    assert first == deltas(3)
    assert first != deltas(4)
    assert min(first) >= -8.0 - 1e-4
    assert max(first) <= 8.0 + 1e-4
    assert np.std(first) > 2.0


def test_ambient_serialisation_round_trip(tmp_path) -> None:
    image, mask = scene()
    pipeline = A.Compose(
        [
            A.VerticalFlip(p=0.5),
            AmbientShift(
                delta=(-5.0, 7.0),
                couplings={0: 1.0, 1: 0.3, 5: 0.7},
                spread=0.03,
                smoothing=3.0,
                unmasked="threshold",
                core_temperature=36.8,
                ignore_index=254,
                p=0.8,
            ),
        ],
        seed=11,
    )
    expected = [pipeline(image=image, mask=mask)["image"] for _ in range(4)]
    path = tmp_path / "ambient.json"
    A.save(pipeline, str(path), data_format="json")
    for other in (A.from_dict(A.to_dict(pipeline)), A.load(str(path), data_format="json")):
        assert other.transforms[1].get_transform_init_args() == (
            pipeline.transforms[1].get_transform_init_args()
        )
        other.set_random_seed(11)
        for want in expected:
            np.testing.assert_array_equal(other(image=image, mask=mask)["image"], want)


# ------------------------------------------------------------------- BackgroundClutter


def test_clutter_every_argument_is_kept() -> None:
    kwargs = {
        "num_blobs": (0, 5),
        "blob_temperature": (-10.0, 30.0),
        "blob_size": (0.1, 0.5),
        "blob_aspect": (0.2, 0.9),
        "gradient": (1.0, 4.0),
        "smoothing": 2.0,
        "ignore_index": None,
    }
    transform = BackgroundClutter(**kwargs, p=0.4)
    assert {*kwargs, "p"} == set(transform.get_transform_init_args_names())
    assert set(kwargs) <= set(BackgroundClutter.InitSchema.model_fields)
    for name, value in kwargs.items():
        assert getattr(transform, name) == value, name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_blobs": (3, 1)}, "num_blobs must be"),
        ({"num_blobs": (-1, 2)}, "num_blobs must be"),
        ({"blob_temperature": (5.0, -5.0)}, "blob_temperature must be"),
        ({"blob_size": (0.0, 0.2)}, "blob_size must be > 0"),
        ({"blob_aspect": (0.5, 1.5)}, "blob_aspect must be"),
        ({"gradient": (-1.0, 2.0)}, "gradient must be"),
        ({"smoothing": -0.5}, "smoothing must be"),
    ],
)
def test_clutter_invalid_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BackgroundClutter(**kwargs)


@pytest.mark.parametrize("channel", [False, True])
def test_clutter_changes_only_the_background(channel: bool) -> None:
    image, mask = scene()
    if channel:
        image, mask = image[..., None], mask[..., None]
    before, mask_before = image.copy(), mask.copy()
    transform = BackgroundClutter(num_blobs=(2, 3), blob_temperature=(5.0, 10.0), p=1.0)
    pipeline = A.Compose([A.HorizontalFlip(p=1.0), transform], seed=2)
    result = pipeline(image=image, mask=mask)
    out = result["image"]
    assert out.shape == image.shape
    assert out.dtype == np.float32
    np.testing.assert_array_equal(result["mask"], mask[:, ::-1])
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(mask, mask_before)
    flipped = image[:, ::-1]
    labels = mask[:, ::-1].reshape(SHAPE)
    skin = inner(labels > 0, 3)
    np.testing.assert_array_equal(out.reshape(SHAPE)[skin], flipped.reshape(SHAPE)[skin])
    background = inner(labels == 0, 3)
    assert np.abs(out - flipped).reshape(SHAPE)[background].max() > 1.0


def test_clutter_without_mask_keeps_the_warm_person() -> None:
    image, mask = scene()
    transform = BackgroundClutter(num_blobs=(3, 3), blob_temperature=(4.0, 6.0), p=1.0)
    out = A.Compose([transform], seed=5)(image=image)["image"]
    skin = inner(mask > 0, 3)
    np.testing.assert_array_equal(out[skin], image[skin])
    assert not np.array_equal(out[mask == 0], image[mask == 0])


def test_clutter_seeded_and_serialised(tmp_path) -> None:
    image, mask = scene()
    pipeline = A.Compose([BackgroundClutter(gradient=(0.5, 2.0), p=0.9)], seed=21)
    expected = [pipeline(image=image, mask=mask)["image"] for _ in range(4)]
    assert not all(np.array_equal(expected[0], e) for e in expected[1:])
    path = tmp_path / "clutter.json"
    A.save(pipeline, str(path), data_format="json")
    for other in (A.from_dict(A.to_dict(pipeline)), A.load(str(path), data_format="json")):
        other.set_random_seed(21)
        for want in expected:
            np.testing.assert_array_equal(other(image=image, mask=mask)["image"], want)
    other = A.Compose([BackgroundClutter(gradient=(0.5, 2.0), p=0.9)], seed=22)
    assert not np.array_equal(other(image=image, mask=mask)["image"], expected[0])


def test_both_in_one_pipeline() -> None:
    image, mask = scene()
    pipeline = A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            AmbientShift(p=1.0),
            BackgroundClutter(p=1.0),
            A.Affine(rotate=(-20, 20), p=1.0),
        ],
        seed=0,
    )
    for _ in range(5):
        result = pipeline(image=image, mask=mask)
        assert result["image"].dtype == np.float32
        assert result["image"].shape == SHAPE
        assert np.isfinite(result["image"]).all()
        assert set(np.unique(result["mask"])) <= {0, 1, 5}
