"""``SensorNoise`` as an albumentations transform."""

from __future__ import annotations

import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import albumentations as A
import numpy as np
import pytest

import tiaug
from tiaug.noise import SensorNoise


def _image(shape: tuple[int, ...] = (64, 80)) -> np.ndarray:
    rows, cols = shape[:2]
    image = 22.0 + 12.0 * np.add.outer(np.arange(rows) / rows, np.arange(cols) / cols) / 2
    return image.astype(np.float32).reshape(shape)


def _run(transform: A.BasicTransform, image: np.ndarray, seed: int = 0, **targets) -> dict:
    return A.Compose([transform], seed=seed)(image=image, **targets)


def test_imports_the_installed_package() -> None:
    assert os.path.join("tiaug", "src", "tiaug") in tiaug.__file__


def test_every_argument_is_kept_and_serialised() -> None:
    kwargs = {
        "netd": (0.01, 0.02),
        "mode": "uniform",
        "fixed_pattern": (0.1, 0.2),
        "fixed_pattern_scale": 1.5,
        "row_noise": 0.03,
        "column_noise": (0.0, 0.04),
        "stripe_scale": 2.0,
        "quantization": "flir-a65",
    }
    transform = SensorNoise(**kwargs, p=0.7)
    assert {*kwargs, "p"} == set(transform.get_transform_init_args_names())
    assert set(kwargs) <= set(SensorNoise.InitSchema.model_fields)
    for name, value in kwargs.items():
        assert getattr(transform, name) == value, name
    assert transform.p == 0.7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"netd": -0.01}, "netd must be"),
        ({"netd": (0.1, 0.05)}, "netd must be"),
        ({"netd": "flir-z999"}, "unknown camera 'flir-z999'; known cameras"),
        ({"mode": "poisson"}, "mode"),
        ({"fixed_pattern": -1.0}, "fixed_pattern must be"),
        ({"row_noise": (0.2, 0.1)}, "row_noise must be"),
        ({"column_noise": float("nan")}, "column_noise must be"),
        ({"fixed_pattern_scale": -1.0}, "fixed_pattern_scale must be"),
        ({"stripe_scale": -0.5}, "stripe_scale must be"),
        ({"quantization": 0.0}, "quantisation step must be"),
        ({"quantization": "seek-compact"}, "no linear count format"),
        ({"quantization": "nope"}, "unknown camera"),
        ({"p": 1.5}, "p"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SensorNoise(**kwargs)


def test_camera_preset_netd_is_the_temporal_std() -> None:
    image = np.full((512, 512), 30.0, dtype=np.float32)
    out = _run(SensorNoise(netd="flir-a65", p=1.0), image)["image"]
    assert (out - image).std() == pytest.approx(0.05, rel=0.03)


def test_netd_range_is_drawn_per_image() -> None:
    transform = SensorNoise(netd=(0.02, 0.1), p=1.0)
    rng = np.random.default_rng(0)
    draws = [transform.draw_params((8, 8), {}, rng)["netd"] for _ in range(2000)]
    assert min(draws) >= 0.02
    assert max(draws) <= 0.1
    assert np.mean(draws) == pytest.approx(0.06, abs=0.003)


@pytest.mark.parametrize("shape", [(256, 256), (256, 256, 1)])
def test_fixed_pattern_level_through_the_image_target(shape: tuple[int, ...]) -> None:
    image = np.full(shape, 30.0, dtype=np.float32)
    out = _run(SensorNoise(netd=0.0, fixed_pattern=0.5, p=1.0), image)["image"]
    assert (out - image).std() == pytest.approx(0.5, rel=0.03)
    scaled = _run(SensorNoise(netd=0.0, fixed_pattern=(0.2, 0.2), p=1.0), image)["image"]
    assert (scaled - image).std() == pytest.approx(0.2, rel=0.03)


def test_uniform_mode_reproduces_the_reference() -> None:
    image = np.full((512, 512), 30.0, dtype=np.float32)
    fixed = _run(SensorNoise(netd=0.1, mode="uniform", p=1.0), image)["image"] - image
    assert fixed.std() == pytest.approx(0.1 / np.sqrt(12.0), rel=0.02)
    # reference: amplitude ~ U(0, 0.1) per image; the per-image range is the amplitude
    transform = SensorNoise(netd=(0.0, 0.1), mode="uniform", p=1.0)
    pipeline = A.Compose([transform], seed=1)
    small = np.full((64, 64), 30.0, dtype=np.float32)
    ranges = [np.ptp(pipeline(image=small)["image"]) for _ in range(300)]
    assert max(ranges) <= 0.1 + 1e-5
    assert np.mean(ranges) == pytest.approx(0.05, abs=0.006)


def test_quantisation_to_camera_grid() -> None:
    out = _run(SensorNoise(netd=0.05, quantization="flir-a65", p=1.0), _image())["image"]
    counts = (out.astype(np.float64) + 273.15) / 0.04
    np.testing.assert_allclose(counts, np.rint(counts), atol=0.01)
    step = _run(SensorNoise(netd=0.0, quantization=0.5, p=1.0), _image())["image"]
    np.testing.assert_allclose(step * 2, np.rint(step * 2), atol=1e-5)


def test_stripes_through_the_transform() -> None:
    image = np.full((256, 64), 30.0, dtype=np.float32)
    out = _run(SensorNoise(netd=0.0, row_noise=0.1, p=1.0), image)["image"] - image
    assert out.std(axis=1).max() < 1e-5
    assert out.mean(axis=1).std() == pytest.approx(0.1, rel=0.2)


def test_seeded_determinism() -> None:
    transform_args = {"netd": (0.03, 0.1), "fixed_pattern": (0.0, 0.1), "row_noise": 0.02}
    image = _image()
    a = _run(SensorNoise(**transform_args, p=1.0), image, seed=5)["image"]
    b = _run(SensorNoise(**transform_args, p=1.0), image, seed=5)["image"]
    c = _run(SensorNoise(**transform_args, p=1.0), image, seed=6)["image"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("shape", [(48, 64), (48, 64, 1)])
def test_shapes_dtype_no_mutation_and_mask_untouched(shape: tuple[int, ...]) -> None:
    image = _image(shape)
    mask = (np.arange(48 * 64).reshape(48, 64) % 6).astype(np.uint8)
    before, mask_before = image.copy(), mask.copy()
    transform = SensorNoise(netd=0.05, fixed_pattern=0.1, column_noise=0.02, p=1.0)
    result = A.Compose([A.HorizontalFlip(p=1.0), transform], seed=0)(image=image, mask=mask)
    assert result["image"].shape == shape
    assert result["image"].dtype == np.float32
    np.testing.assert_array_equal(result["mask"], mask[:, ::-1])
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(mask, mask_before)
    assert 0 < np.abs(result["image"] - image[:, ::-1]).max() < 1.0


def test_probability_zero_leaves_the_image() -> None:
    image = _image()
    np.testing.assert_array_equal(_run(SensorNoise(p=0.0), image)["image"], image)


def test_images_share_one_fixed_pattern() -> None:
    frames = np.stack([_image()] * 3)
    fixed_only = SensorNoise(netd=0.0, fixed_pattern=0.1, p=1.0)
    out = A.Compose([fixed_only], seed=0)(images=frames)["images"]
    assert out.shape == frames.shape
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[0], out[1])
    assert np.abs(out[0] - frames[0]).std() > 0.05
    temporal = A.Compose([SensorNoise(netd=0.05, p=1.0)], seed=0)(images=frames)["images"]
    assert not np.array_equal(temporal[0], temporal[1])


@pytest.mark.parametrize("netd", ["flir-a65", (0.0, 0.1), 0.05])
def test_serialisation_round_trip(tmp_path, netd) -> None:
    pipeline = A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            SensorNoise(
                netd=netd,
                fixed_pattern=(0.0, 0.1),
                fixed_pattern_scale=1.0,
                row_noise=0.02,
                column_noise=(0.0, 0.03),
                stripe_scale=1.5,
                quantization="topdon-tc001",
                p=0.9,
            ),
        ],
        seed=3,
    )
    image = _image()
    expected = [pipeline(image=image)["image"] for _ in range(3)]

    restored = A.from_dict(A.to_dict(pipeline))
    path = tmp_path / "pipeline.json"
    A.save(pipeline, str(path), data_format="json")
    loaded = A.load(str(path), data_format="json")
    for other in (restored, loaded):
        assert other.transforms[1].get_transform_init_args() == (
            pipeline.transforms[1].get_transform_init_args()
        )
        other.set_random_seed(3)
        for want in expected:
            np.testing.assert_array_equal(other(image=image)["image"], want)


def test_volumes_get_their_own_temporal_noise_and_one_fixed_pattern():
    frame = np.full((24, 32), 30.0, np.float32)
    volumes = np.stack([np.stack([frame] * 3)] * 2)  # 2 sequences of 3 identical frames
    noise = SensorNoise(netd=0.1, fixed_pattern=0.5, p=1.0)
    out = A.Compose([noise], seed=0)(volumes=volumes)["volumes"]
    assert out.shape == volumes.shape
    assert not np.array_equal(out[0], out[1])
    pattern = out.mean(axis=(0, 1)) - 30.0  # temporal noise averages out over 6 frames
    for sequence in out:
        assert np.corrcoef(sequence.mean(0).ravel() - 30.0, pattern.ravel())[0, 1] > 0.9
    again = A.Compose([noise], seed=0)(volumes=volumes)["volumes"]
    np.testing.assert_array_equal(out, again)
