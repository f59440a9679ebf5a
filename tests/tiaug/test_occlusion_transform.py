"""Tests of the albumentations transform ThermalOcclusion."""

from __future__ import annotations

import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tiaug
from tiaug.occlusion import ThermalOcclusion

H, W = 256, 320


def _scene(seed: int = 0, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (24.0 + 10.0 * rng.random(shape)).astype(np.float32)


def _face_mask(shape: tuple[int, int] = (H, W)) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    mask[40:230, 80:240] = 1
    mask[90:110, 110:150] = 3
    mask[90:110, 170:210] = 3
    mask[170:190, 130:190] = 2
    mask[120:160, 150:170] = 5
    return mask


def _run(pipeline: A.Compose, seed_image: int = 0) -> dict[str, np.ndarray]:
    return pipeline(image=_scene(seed_image), mask=_face_mask())


def test_imports_the_installed_package():
    assert "site-packages" in tiaug.__file__ or os.path.join("tiaug", "src") in tiaug.__file__


@pytest.mark.parametrize("channel", [False, True])
def test_shapes_dtypes_and_no_mutation(channel):
    image = _scene()
    mask = _face_mask()
    if channel:
        image, mask = image[..., None], mask[..., None]
    image_before, mask_before = image.copy(), mask.copy()
    pipeline = A.Compose([ThermalOcclusion(p=1.0, label_policy="ignore")], seed=3)
    out = pipeline(image=image, mask=mask)
    np.testing.assert_array_equal(image, image_before)
    np.testing.assert_array_equal(mask, mask_before)
    assert out["image"].shape == image.shape
    assert out["image"].dtype == np.float32
    assert out["mask"].shape == mask.shape
    assert out["mask"].dtype == mask.dtype
    assert np.isfinite(out["image"]).all()
    assert not np.array_equal(out["image"], image)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_seeded_determinism(seed):
    make = lambda s: A.Compose([ThermalOcclusion(p=1.0, label_policy="background")], seed=s)  # noqa: E731
    a, b = _run(make(seed)), _run(make(seed))
    np.testing.assert_array_equal(a["image"], b["image"])
    np.testing.assert_array_equal(a["mask"], b["mask"])
    c = _run(make(seed + 1))
    assert not np.array_equal(a["image"], c["image"])


def _non_default_transform() -> ThermalOcclusion:
    return ThermalOcclusion(
        configurations=("joined", "independent"),
        configuration_weights=(0.5, 0.5),
        num_independent=(2, 3),
        shapes=("polygon", "ellipse"),
        shape_weights=(2.0, 1.0),
        size=(0.05, 0.08),
        num_vertices=((3, 9), (3, 99)),
        temperature_mode="absolute",
        temperature=(20.0, 26.0),
        emissivity=(0.9, 0.95),
        texture=(0.0, 0.2),
        texture_kind="smooth",
        edge_softness=(0.5, 2.0),
        placement="mask",
        placement_classes=(3,),
        label_policy="ignore",
        ignore_index=250,
        max_hidden=0.4,
        p=1.0,
    )


@pytest.mark.parametrize("make", [lambda: ThermalOcclusion(p=1.0), _non_default_transform])
def test_dict_and_file_round_trips(make, tmp_path):
    pipeline = A.Compose([make()], seed=11)
    restored = A.from_dict(A.to_dict(pipeline))
    path = tmp_path / "pipeline.json"
    A.save(pipeline, str(path), data_format="json")
    loaded = A.load(str(path), data_format="json")
    reference = _run(A.Compose([make()], seed=11))
    for other in (restored, loaded):
        transform = other.transforms[0]
        assert isinstance(transform, ThermalOcclusion)
        assert (
            transform.get_transform_init_args() == pipeline.transforms[0].get_transform_init_args()
        )
        other.set_random_seed(11)
        out = _run(other)
        np.testing.assert_array_equal(out["image"], reference["image"])
        np.testing.assert_array_equal(out["mask"], reference["mask"])


def test_label_policies_through_the_transform():
    image, mask = _scene(), _face_mask()
    kwargs = dict(p=1.0, placement="mask", size=(0.08, 0.09), max_hidden=1.0)
    kept = A.Compose([ThermalOcclusion(**kwargs)], seed=0)(image=image, mask=mask)
    np.testing.assert_array_equal(kept["mask"], mask)
    changed_image = kept["image"] != image
    assert changed_image.any()
    for policy, value in (("background", 0), ("ignore", 255)):
        out = A.Compose([ThermalOcclusion(label_policy=policy, **kwargs)], seed=0)(
            image=image, mask=mask
        )
        np.testing.assert_array_equal(out["image"], kept["image"])  # same draw
        relabelled = out["mask"] != mask
        assert relabelled.any()
        assert (out["mask"][relabelled] == value).all()
        # hard edges: covered pixels are exactly the changed ones
        assert (relabelled <= changed_image).all()


def test_max_hidden_drops_a_class_through_the_transform():
    image = _scene()
    mask = np.zeros((H, W), np.uint8)
    mask[126:130, 158:162] = 4  # a 16-pixel class, entirely under any centred object
    mask[0:10, :] = 1
    transform = ThermalOcclusion(
        configurations=("single",),
        configuration_weights=None,
        shapes=("ellipse",),
        size=(0.03, 0.03),
        ellipse_aspect=(1.0, 1.0),
        placement="mask",
        placement_classes=(4,),
        label_policy="background",
        p=1.0,
    )
    out = A.Compose([transform], seed=0)(image=image, mask=mask)
    assert not (out["mask"] == 4).any()
    assert (out["mask"][0:10] == 1).all()


@pytest.mark.parametrize(("max_hidden", "dropped"), [(None, True), (0.5, True), (0.9, False)])
def test_default_max_hidden_drops_a_class_hidden_70_percent(max_hidden, dropped):
    mask = np.zeros((H, W), np.uint8)
    mask[125:132, 155:165] = 4  # 69 pixels under the disc ...
    mask[128, 160] = 5  # ... centred here
    mask[0:3, 0:10] = 4  # ... and 30 pixels far away: 70 % of the class hidden
    kwargs = {} if max_hidden is None else {"max_hidden": max_hidden}
    transform = ThermalOcclusion(
        configurations=("single",),
        configuration_weights=None,
        shapes=("ellipse",),
        size=(0.04, 0.04),
        ellipse_aspect=(1.0, 1.0),
        placement="mask",
        placement_classes=(5,),
        label_policy="background",
        p=1.0,
        **kwargs,
    )
    out = A.Compose([transform], seed=0)(image=_scene(), mask=mask)["mask"]
    assert not (out[125:132, 155:165] == 4).any()
    assert (out[0:3, 0:10] == 0).all() == dropped
    assert (out[0:3, 0:10] == 4).all() != dropped


def test_absolute_temperature_through_the_transform():
    image = _scene()
    transform = ThermalOcclusion(
        temperature_mode="absolute", temperature=(40.0, 60.0), texture=(0.0, 0.0), p=1.0
    )
    transform.set_random_seed(4)
    out = transform(image=image)["image"]
    applied = transform.params  # AlbumentationsX nests the sampled values under "params"
    occluders = applied.get("params", applied)["occluders"]
    assert occluders
    for occ in occluders:
        top, left, bottom, right = occ.box
        values = out[top:bottom, left:right][occ.alpha == 1.0]
        assert values.size
        assert values.min() >= 40.0
        assert values.max() <= 60.0


def test_probability_zero_is_identity():
    image = _scene()
    out = A.Compose([ThermalOcclusion(p=0.0)], seed=0)(image=image)["image"]
    np.testing.assert_array_equal(out, image)


def test_works_with_geometric_transforms():
    pipeline = A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            A.Affine(rotate=(-30, 30), p=1.0),
            ThermalOcclusion(p=1.0, placement="mask", label_policy="ignore"),
            A.VerticalFlip(p=0.5),
        ],
        seed=2,
    )
    for seed in range(3):
        out = _run(pipeline, seed)
        assert out["image"].shape == (H, W)
        assert out["image"].dtype == np.float32
        assert out["mask"].shape == (H, W)
        assert np.isfinite(out["image"]).all()


def test_changed_attribute_takes_effect():
    transform = ThermalOcclusion(
        configurations=("single",), configuration_weights=None, shapes=("ellipse",), p=1.0
    )
    small = A.Compose([transform], seed=0)(image=_scene())["image"]
    transform.size = (0.3, 0.3)
    large = A.Compose([transform], seed=0)(image=_scene())["image"]
    assert (large != _scene()).sum() > 4 * (small != _scene()).sum()


def test_placement_mask_without_mask_falls_back():
    out = A.Compose([ThermalOcclusion(p=1.0, placement="mask")], seed=0)(image=_scene())
    assert not np.array_equal(out["image"], _scene())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"size": (-0.1, 0.1)},
        {"size": (0.2, 0.1)},
        {"shapes": ("polygon", "hexagon")},
        {"label_policy": "erase"},
        {"temperature_mode": "kelvin"},
        {"temperature_mode": "absolute", "temperature": (30.0, 20.0)},
        {"configurations": ("single", "joined"), "configuration_weights": (1, 1, 1)},
        {"num_vertices": (1, 5)},
        {"max_hidden": 1.5},
        {"emissivity": (0.5, 1.2)},
        {"placement": "nose"},
        {"p": 1.5},
        {"edge_softness": (-1.0, 1.0)},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):  # noqa: PT011 (messages checked in the functional tests)
        ThermalOcclusion(**kwargs)


def test_error_message_names_the_argument():
    with pytest.raises(ValueError, match="size"):
        ThermalOcclusion(size=(0.3, 0.1))
    with pytest.raises(ValueError, match="configuration_weights"):
        ThermalOcclusion(configurations=("single",), configuration_weights=(0.5, 0.5))
