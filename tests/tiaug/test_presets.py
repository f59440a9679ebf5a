import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug.presets import PRESETS, Choice, TiAug, build_preset, preset_parts
from tiaug.synth import synth_face


@pytest.fixture(scope="module")
def face():
    return synth_face(0, size=(96, 120))


@pytest.mark.parametrize("preset", PRESETS)
def test_output_has_the_requested_size_dtype_and_finite_values(face, preset):
    pipeline = TiAug(preset, size=(64, 80), seed=0)
    for _ in range(5):
        out = pipeline(image=face.image, mask=face.mask)
        assert out["image"].shape == (64, 80)
        assert out["image"].dtype == np.float32
        assert out["mask"].shape == (64, 80)
        assert np.isfinite(out["image"]).all()
        assert set(np.unique(out["mask"])) <= {0, 1, 2, 3, 4, 5, 255}


def test_channel_axis_is_kept(face):
    out = TiAug("samcl", size=(64, 80), seed=0)(image=face.image[..., None], mask=face.mask)
    assert out["image"].shape == (64, 80, 1)


@pytest.mark.parametrize("preset", PRESETS)
def test_same_seed_same_output_and_inputs_untouched(face, preset):
    image, mask = face.image.copy(), face.mask.copy()
    first = [TiAug(preset, size=(64, 80), seed=7)(image=image, mask=mask) for _ in range(2)]
    np.testing.assert_array_equal(first[0]["image"], first[1]["image"])
    np.testing.assert_array_equal(first[0]["mask"], first[1]["mask"])
    other = TiAug(preset, size=(64, 80), seed=8)(image=image, mask=mask)
    assert not np.array_equal(first[0]["image"], other["image"])
    np.testing.assert_array_equal(image, face.image)
    np.testing.assert_array_equal(mask, face.mask)


def test_sibling_flips_are_independent_unlike_plain_compose():
    """A.Compose(seed=S) seeds both flips alike, so they always flip together; TiAug must not."""
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    flips = [A.HorizontalFlip(p=0.5), A.VerticalFlip(p=0.5)]
    pipeline = TiAug(transforms=flips, seed=3)
    corners = {float(pipeline(image=image)["image"][0, 0]) for _ in range(60)}
    assert corners == {0.0, 3.0, 8.0, 11.0}


def test_set_random_seed_restarts_the_stream(face):
    pipeline = TiAug("samcl", size=(64, 80), seed=1)
    first = pipeline(image=face.image, mask=face.mask)["image"]
    pipeline.set_random_seed(1)
    np.testing.assert_array_equal(pipeline(image=face.image, mask=face.mask)["image"], first)


@pytest.mark.parametrize("preset", PRESETS)
def test_serialization_round_trip(face, preset, tmp_path):
    pipeline = TiAug(preset, size=(64, 80), seed=4)
    A.save(pipeline, str(tmp_path / "pipeline.json"))
    for restored in (A.from_dict(A.to_dict(pipeline)), A.load(str(tmp_path / "pipeline.json"))):
        assert isinstance(restored, TiAug)
        restored.set_random_seed(4)
        pipeline.set_random_seed(4)
        for _ in range(3):
            expected = pipeline(image=face.image, mask=face.mask)
            actual = restored(image=face.image, mask=face.mask)
            np.testing.assert_array_equal(expected["image"], actual["image"])
            np.testing.assert_array_equal(expected["mask"], actual["mask"])


def test_presets_follow_the_reference_order():
    names = [type(t).__name__ for t in build_preset("samcl")]
    assert names == [
        "HorizontalFlip",
        "VerticalFlip",
        "Rotate",
        "ThermalBlur",
        "SensorNoise",
        "ThermalOcclusion",
        "RandomRescale",
        "CenterCropPad",
    ]
    baseline = [type(t).__name__ for t in build_preset("baseline")]
    assert baseline == [n for n in names if n not in {"SensorNoise", "ThermalOcclusion"}]
    probabilities = [t.p for t in build_preset("samcl")]
    assert probabilities == [0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.0, 1.0]


def test_baseline_keeps_the_temperature_range_of_the_image(face):
    pipeline = TiAug("baseline", size=(96, 120), seed=0)
    low, high = face.image.min(), face.image.max()
    for _ in range(10):
        out = pipeline(image=face.image, mask=face.mask)["image"]
        assert low - 0.5 <= out.min() <= out.max() <= high + 0.5


def test_unconstrained_with_a_camera_quantises_to_its_count_step(face):
    pipeline = TiAug("unconstrained", size=(64, 80), camera="flir-a65", seed=0)
    out = pipeline(image=face.image, mask=face.mask)["image"]
    counts = (out.astype(np.float64) + 273.15) / 0.04
    np.testing.assert_allclose(counts, np.round(counts), atol=2e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "extreme"}, "unknown preset 'extreme'"),
        ({"camera": "acme"}, "unknown camera 'acme'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TiAug(**kwargs)


@given(
    rows=st.integers(16, 120),
    cols=st.integers(16, 120),
    seed=st.integers(0, 2**31 - 1),
    preset=st.sampled_from(PRESETS),
)
@settings(max_examples=25, deadline=None)
def test_any_input_size_gives_the_requested_size(rows, cols, seed, preset):
    rng = np.random.default_rng(seed)
    image = rng.normal(30.0, 3.0, (rows, cols)).astype(np.float32)
    mask = rng.integers(0, 6, (rows, cols), dtype=np.uint8)
    out = TiAug(preset, size=(48, 64), seed=seed)(image=image, mask=mask)
    assert out["image"].shape == (48, 64)
    assert out["mask"].shape == (48, 64)
    assert np.isfinite(out["image"]).all()


def test_wild_keeps_heads_upright_and_exports_like_a_camera():
    """ "wild": a mirror image and at most a 30-degree roll, never upside down; the
    camera's export is part of it."""
    from tiaug.classes import EYES, MOUTH
    from tiaug.export.transforms import CameraExport

    face = synth_face(2, (96, 120))
    pipeline = TiAug("wild", size=(96, 120), seed=0)
    assert any(isinstance(t, CameraExport) for t in pipeline.transforms)
    upright = TiAug("upright", size=(96, 120), seed=0)
    for _ in range(40):
        mask = upright(image=face.image, mask=face.mask)["mask"]
        eyes, mouth = np.argwhere(mask == EYES), np.argwhere(mask == MOUTH)
        if len(eyes) and len(mouth):
            assert eyes[:, 0].mean() < mouth[:, 0].mean()
        mask = pipeline(image=face.image, mask=face.mask)["mask"]
        eyes, mouth = np.argwhere(mask == EYES), np.argwhere(mask == MOUTH)
        if len(eyes) and len(mouth):
            assert eyes[:, 0].mean() < mouth[:, 0].mean()


@pytest.mark.parametrize("name", ["baseline", "upright"])
def test_temperature_free_presets_hold_only_geometry_and_blur(name):
    from tiaug.presets import TEMPERATURE_FREE_PRESETS
    from tiaug.transforms import AmbientShift, BackgroundClutter, SensorNoise, ThermalOcclusion

    assert name in TEMPERATURE_FREE_PRESETS
    needs_degc = (AmbientShift, BackgroundClutter, SensorNoise, ThermalOcclusion)
    flat = [t for part in build_preset(name) for t in getattr(part, "transforms", [part])]
    assert not any(isinstance(t, needs_degc) for t in flat)
    levels = synth_face(0, (64, 80)).image / 40.0  # grey levels as fractions: no degC
    out = TiAug(name, size=(64, 80), seed=1)(image=levels)["image"]
    assert out.shape == (64, 80)


#: The parts of each preset by name, in the order they apply.
PART_NAMES = {
    "baseline": ["hflip", "vflip", "rotate", "blur", "rescale", "crop"],
    "samcl": ["hflip", "vflip", "rotate", "blur", "noise", "occlusion", "rescale", "crop"],
    "upright": ["hflip", "rotate", "blur", "rescale", "crop"],
    "unconstrained": [
        "hflip", "vflip", "rotate", "ambient", "clutter", "occluders", "blur", "rescale",
        "crop", "camera_noise",
    ],
    "wild": [
        "hflip", "rotate", "ambient", "clutter", "occluders", "blur", "camera_noise", "export",
        "rescale", "crop",
    ],
}  # fmt: skip


@pytest.mark.parametrize("preset", PRESETS)
def test_a_preset_is_its_named_parts_in_order(face, preset):
    parts = preset_parts(preset, (64, 80))
    assert list(parts) == PART_NAMES[preset]
    built = [p.build() if isinstance(p, Choice) else p for p in parts.values()]
    assert [A.to_dict(t) for t in built] == [A.to_dict(t) for t in build_preset(preset, (64, 80))]
    pipeline = TiAug(transforms=built, seed=3)
    expected = TiAug(preset, size=(64, 80), seed=3)
    for _ in range(3):
        out, want = (
            pipeline(image=face.image, mask=face.mask),
            expected(image=face.image, mask=face.mask),
        )
        np.testing.assert_array_equal(out["image"], want["image"])
        np.testing.assert_array_equal(out["mask"], want["mask"])


def test_the_occluders_are_a_named_choice_the_wild_preset_shares():
    occluders = preset_parts("unconstrained")["occluders"]
    assert isinstance(occluders, Choice)
    assert list(occluders.parts) == ["glasses", "hand", "hair", "drink", "reference_occluder"]
    assert occluders.p == 0.7
    one_of = occluders.build()
    assert isinstance(one_of, A.OneOf)
    assert list(one_of.transforms) == list(occluders.parts.values())
    scene = ("ambient", "clutter", "occluders")
    wild, unconstrained = preset_parts("wild"), preset_parts("unconstrained")
    for name in scene:
        assert _described(wild[name]) == _described(unconstrained[name]), name


def _described(part):
    return A.to_dict(part.build() if isinstance(part, Choice) else part)
