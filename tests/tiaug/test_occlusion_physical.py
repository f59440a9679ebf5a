"""The named physical occluders (tiaug.occlusion.physical): recipes, temperatures, placement."""

from __future__ import annotations

import numpy as np
import pytest

from tiaug import functional
from tiaug.ambient.functional import estimate_ambient
from tiaug.noise.functional import estimate_noise
from tiaug.occlusion import functional as F
from tiaug.occlusion import physical
from tiaug.synth import synth_face

BLOCKS = {
    "glasses": physical.glasses,
    "hand": physical.hand,
    "hair": physical.hair,
    "drink": physical.drink,
    "scarf": physical.scarf,
}


@pytest.fixture(scope="module")
def face():
    return synth_face(4)


def test_every_recipe_is_a_valid_config_and_has_a_function():
    assert set(physical.OCCLUDERS) == set(BLOCKS)
    for name, block in BLOCKS.items():
        assert isinstance(physical.occluder_config(name), F.OcclusionConfig)
        assert getattr(functional, name) is block
    with pytest.raises(TypeError):
        physical.OCCLUDERS["glasses"] = {}  # type: ignore[index]
    with pytest.raises(ValueError, match="unknown occluder 'visor'; known: glasses"):
        physical.occluder_config("visor")
    with pytest.raises(ValueError, match="size"):
        physical.occluder_config("hand", size=(0.3, 0.1))


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_draw_seeded_occluders_on_their_classes(face, name):
    block = BLOCKS[name]
    first = block(face.image, face.mask, rng=np.random.default_rng(7))
    again = block(face.image, face.mask, rng=np.random.default_rng(7))
    assert first
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.temperature, b.temperature)
    out = F.apply_occlusion(face.image, first)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert not np.array_equal(out, face.image)


def test_temperatures_of_the_blocks(face):
    room = estimate_ambient(face.image, face.mask)
    rng = np.random.default_rng(0)
    for _ in range(20):
        for occ in physical.hair(face.image, face.mask, rng=rng):
            assert room + 3.0 - 0.8 <= occ.temperature.min()
            assert occ.temperature.max() <= room + 8.0 + 0.8
        (hand,) = physical.hand(face.image, face.mask, rng=rng)
        assert hand.temperature.min() >= 30.0 - 0.5
        assert hand.temperature.max() <= 35.0 + 0.5
        (lenses,) = physical.glasses(face.image, face.mask, texture=(0.0, 0.0), rng=rng)
        # glass near the room, mixed with the reflected scene (emissivity 0.90-0.94)
        assert room - 1.0 < float(lenses.temperature[0, 0]) < room + 5.0


def test_blocks_compose(face):
    rng = np.random.default_rng(1)
    objects = physical.glasses(face.image, face.mask, rng=rng) + physical.hair(
        face.image,
        face.mask,
        rng=rng,
    )
    kinds = [occ.kind for occ in objects]
    assert kinds[0] == "ellipse"
    assert set(kinds[1:]) == {"stroke"}
    covered = F.coverage_map(objects, face.image.shape)
    assert covered[face.mask == F.EYE_CLASS].mean() > 0.9


def test_recipes_as_transforms_cover_the_eyes_and_follow_the_room():
    import albumentations as A

    from tiaug.ambient.functional import ambient_shift
    from tiaug.occlusion import ThermalOcclusion

    pipeline = A.Compose([ThermalOcclusion(**physical.OCCLUDERS["glasses"], p=1.0)], seed=0)
    both = draws = 0
    for seed in range(5):
        face = synth_face(seed)
        for _ in range(8):
            out = pipeline(image=face.image, mask=face.mask)["image"]
            changed = np.abs(out - face.image) > 0.05
            eyes = face.mask == F.EYE_CLASS
            both += changed[eyes].mean() > 0.8
            draws += 1
    assert both >= 0.9 * draws
    # after a warmer room the lenses are warmer by about as much
    face = synth_face(1)
    warmer = ambient_shift(face.image, 6.0, face.mask)
    recipe = {**physical.OCCLUDERS["glasses"], "texture": (0.0, 0.0), "emissivity": (1.0, 1.0)}
    lens = []
    for image in (face.image, warmer):
        transform = ThermalOcclusion(**recipe, p=1.0)
        out = A.Compose([transform], seed=3)(image=image, mask=face.mask)["image"]
        lens.append(float(np.median(out[face.mask == F.EYE_CLASS])))
    assert lens[1] - lens[0] == pytest.approx(6.0, abs=0.5)


def test_the_unconstrained_presets_glasses_cover_both_eyes():
    import albumentations as A

    from tiaug.presets import build_preset

    (occluders,) = [t for t in build_preset("unconstrained") if isinstance(t, A.OneOf)]
    glasses = A.Compose([occluders.transforms[0]], seed=0)
    both = draws = 0
    for seed in range(10):
        face = synth_face(seed)
        eyes = face.mask == F.EYE_CLASS
        for _ in range(40):
            changed = np.abs(glasses(image=face.image, mask=face.mask)["image"] - face.image)
            left_right = F.find_eyes(face.mask)
            assert left_right is not None
            covered = [
                (changed[rows, cols] > 0.05).mean() for rows, cols in _split(left_right, eyes)
            ]
            both += min(covered) >= 0.9
            draws += 1
    assert both >= 0.9 * draws


def _split(eyes: F.EyePair, mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pixels of the left and of the right eye (nearest centre)."""
    rows, cols = np.nonzero(mask)
    to_left = np.hypot(cols - eyes.left[0], rows - eyes.left[1])
    to_right = np.hypot(cols - eyes.right[0], rows - eyes.right[1])
    left = to_left < to_right
    return [(rows[left], cols[left]), (rows[~left], cols[~left])]


def test_glasses_from_landmarks_without_a_mask():
    both = 0
    for seed in range(5):
        face = synth_face(seed)
        eyes = F.eyes_from_landmarks(face.landmarks, face.image.shape)
        assert eyes is not None
        assert eyes.left == pytest.approx(F.find_eyes(face.mask).left, abs=0.5)
        rng = np.random.default_rng(seed)
        for _ in range(10):
            occluders = physical.glasses(face.image, eyes=eyes, rng=rng)
            covered = F.coverage_map(occluders, face.image.shape)
            left_right = _split(eyes, face.mask == F.EYE_CLASS)
            both += min(covered[rows, cols].mean() for rows, cols in left_right) >= 0.9
    assert both >= 45
    missing = synth_face(0).landmarks.copy()
    missing[40] = np.nan
    assert F.eyes_from_landmarks(missing, (256, 320)) is None


def test_the_transform_puts_glasses_on_the_keypoints_eyes_without_a_mask():
    import albumentations as A

    from tiaug import ThermalOcclusion

    transform = ThermalOcclusion(**physical.OCCLUDERS["glasses"], p=1.0)
    both = 0
    for seed in range(5):
        face = synth_face(seed)
        pipeline = A.Compose([transform], keypoint_params=A.KeypointParams("yx"), seed=seed)
        eyes = F.eyes_from_landmarks(face.landmarks, face.image.shape)
        for _ in range(6):
            out = pipeline(image=face.image, keypoints=face.landmarks)
            changed = np.abs(out["image"] - face.image) > 1e-4
            left_right = _split(eyes, face.mask == F.EYE_CLASS)
            both += min(changed[rows, cols].mean() for rows, cols in left_right) >= 0.9
            np.testing.assert_allclose(out["keypoints"], face.landmarks, atol=1e-4)
    assert both >= 27  # 90 % of 30 draws cover both eyes (anywhere: about none)


def test_drinks_are_cold_or_hot_never_lukewarm(face):
    rng = np.random.default_rng(1)
    drinks = [physical.drink(face.image, face.mask, texture=(0.0, 0.0), rng=rng) for _ in range(60)]
    temperatures = np.array([float(d.temperature.mean()) for (d,) in drinks])
    cold, hot = temperatures <= 15.0, temperatures >= 40.0
    assert (cold | hot).all()  # docs/physics.md: cold cups 5-15 degC, hot ones 40-60
    assert 15 <= cold.sum() <= 45


def test_several_temperature_ranges_per_object():
    config = F.OcclusionConfig(temperature_mode="absolute", temperature=[(5, 15), (40, 60)])
    assert config.temperature == ((5.0, 15.0), (40.0, 60.0))
    assert config.temperature_ranges == ((5.0, 15.0), (40.0, 60.0))
    with pytest.raises(ValueError, match="temperature"):
        F.OcclusionConfig(temperature_mode="absolute", temperature=((5, 15), (60, 40)))


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_carry_the_frames_noise_not_their_own(name):
    # A real object is seen through the same camera: inside it, the per-pixel noise must be
    # the frame's (before: hands 2.8x, drinks 1.7x, hair and scarves none, median over faces).
    ratios = []
    for seed in range(6):
        face = synth_face(seed)
        objects = BLOCKS[name](face.image, face.mask, rng=np.random.default_rng(seed))
        for obj in objects:
            inside = np.where(obj.alpha >= 0.999, obj.temperature, np.nan)
            if np.isfinite(inside).sum() >= 50:
                ratios.append(estimate_noise(inside) / estimate_noise(face.image))
    assert len(ratios) >= 4
    assert 0.85 <= float(np.median(ratios)) <= 1.15


def test_carry_noise_off_keeps_the_reference_noiseless_objects(face):
    config = F.OcclusionConfig(texture=(0.0, 0.0), carry_noise=False)
    objects = F.sample_occluders(face.image, face.mask, config, rng=np.random.default_rng(0))
    assert objects
    for obj in objects:
        assert np.ptp(obj.temperature) == 0.0
