"""Functional core of the ambient shift and the background clutter."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from tiaug.ambient import functional as F

SHAPE = (160, 200)
TEMPERATURE = {0: 22.0, 1: 34.0, 2: 34.5, 3: 35.5, 5: 30.0}
MARGIN = 8  # pixels: > 3 x the default smoothing (2 px), so the blur does not reach
# a class next to smaller ones also carries their coupling on a ring of 2.5 x 2 px, blurred
RING_MARGIN = 12


def synthetic_face() -> tuple[np.ndarray, np.ndarray]:
    """A lab-like frame: face ellipse, eyes, mouth and a cold nose on a flat 22 degC wall."""
    yy, xx = np.mgrid[: SHAPE[0], : SHAPE[1]]
    mask = np.zeros(SHAPE, dtype=np.uint8)
    mask[((yy - 80) / 62.0) ** 2 + ((xx - 100) / 48.0) ** 2 < 1] = 1
    mask[52:72, 66:88] = 3
    mask[52:72, 112:134] = 3
    mask[110:130, 84:116] = 2
    mask[76:106, 88:112] = 5
    image = np.zeros(SHAPE, dtype=np.float32)
    for label, value in TEMPERATURE.items():
        image[mask == label] = value
    return image, mask


def interior(mask: np.ndarray, label: int, margin: int | None = None) -> np.ndarray:
    if margin is None:
        margin = RING_MARGIN if label == 1 else MARGIN
    square = np.ones((3, 3), dtype=bool)  # erode in the max-norm: the blur kernels are square
    region = ndimage.binary_erosion(mask == label, square, iterations=margin, border_value=1)
    assert region.sum() > 20, f"fixture has no interior for class {label}"
    return region


@pytest.mark.parametrize("delta", [-6.0, 4.0])
def test_each_region_moves_by_its_coupling(delta: float) -> None:
    image, mask = synthetic_face()
    out = F.ambient_shift(image, delta, mask)
    shift = out.astype(np.float64) - image
    for label, coupling in enumerate(F.DEFAULT_COUPLINGS):
        if label == 4:
            continue  # no eyebrows in the fixture
        np.testing.assert_allclose(shift[interior(mask, label)], coupling * delta, atol=1e-4)
    # the background (far from the face) moves by exactly delta
    assert np.abs(shift[interior(mask, 0)] - delta).max() < 1e-4
    # the nose follows the room more than the rest of the face
    nose, face = shift[interior(mask, 5)].mean(), shift[interior(mask, 1)].mean()
    assert abs(nose) > 2 * abs(face)
    # bimodal histogram broken: the face/background gap changes by (1 - k_face) delta
    gap_before = image[mask == 1].mean() - image[mask == 0].mean()
    gap_after = out[interior(mask, 1)].mean() - out[interior(mask, 0)].mean()
    assert gap_after - gap_before == pytest.approx(-(1 - 0.25) * delta, abs=1e-3)


def test_region_boundaries_are_smooth() -> None:
    image, mask = synthetic_face()
    delta = -6.0

    def largest_step(smoothing: float) -> float:
        shift = F.ambient_shift(image, delta, mask, smoothing=smoothing) - image
        return max(np.abs(np.diff(shift, axis=0)).max(), np.abs(np.diff(shift, axis=1)).max())

    hard = largest_step(0.0)
    assert hard == pytest.approx(0.75 * abs(delta), abs=1e-4)  # background -> face: 1 - 0.25
    assert largest_step(2.0) < 0.3 * hard
    assert largest_step(4.0) < largest_step(2.0)


def test_custom_couplings_dict_and_sequence_agree() -> None:
    image, mask = synthetic_face()
    as_dict = F.ambient_shift(image, -5.0, mask, couplings={0: 0.9, 1: 0.3, 2: 0.3, 3: 0.3, 5: 0.8})
    as_tuple = F.ambient_shift(image, -5.0, mask, couplings=(0.9, 0.3, 0.3, 0.3, 0.3, 0.8))
    np.testing.assert_allclose(as_dict, as_tuple, atol=1e-6)
    shift = as_dict - image
    np.testing.assert_allclose(shift[interior(mask, 0)], -4.5, atol=1e-4)
    np.testing.assert_allclose(shift[interior(mask, 5)], -4.0, atol=1e-4)


def test_coupling_table_rules() -> None:
    table = F.coupling_table((1.0, 0.25, 0.15), ignore_index=255)
    assert table.size == 256
    assert table.dtype == np.float32
    np.testing.assert_allclose(table[:3], [1.0, 0.25, 0.15])
    assert table[7] == pytest.approx(0.25)  # unlisted label: face coupling
    assert table[255] == pytest.approx(1.0)  # ignore: background coupling
    # a mapping without background/face uses the defaults 1.0 / 0.25 for them
    table = F.coupling_table({5: 0.7, "3": 0.05}, ignore_index=None)
    np.testing.assert_allclose(table[[0, 1, 2, 3, 5]], [1.0, 0.25, 0.25, 0.05, 0.7])


def test_class_coupling_map_label_types() -> None:
    labels = np.array([[0, 1, 5, 7], [255, 3, 2, 4]])
    expected = np.array([[1.0, 0.25, 0.6, 0.25], [1.0, 0.1, 0.15, 0.25]], dtype=np.float32)
    for dtype in (np.uint8, np.int32, np.int64, np.uint16):
        np.testing.assert_allclose(F.class_coupling_map(labels.astype(dtype)), expected)
    np.testing.assert_allclose(
        F.class_coupling_map(labels.astype(np.uint8)[:, ::-1]), expected[:, ::-1]
    )  # non-contiguous
    odd = np.array([[-1, 100000, 0, 5]])
    np.testing.assert_allclose(F.class_coupling_map(odd), [[1.0, 0.25, 1.0, 0.6]])
    np.testing.assert_allclose(
        F.class_coupling_map(np.array([[-100, 3]]), ignore_index=-100), [[1.0, 0.1]]
    )


def test_thermal_model_without_mask() -> None:
    image, mask = synthetic_face()
    delta = -6.0
    shift = F.ambient_shift(image, delta, None) - image
    span = 37.0 - 22.0  # core - ambient (the wall)
    for label, temperature in TEMPERATURE.items():
        coupling = min((37.0 - temperature) / span, 1.0)
        np.testing.assert_allclose(shift[mask == label], coupling * delta, atol=1e-4)
    # warm region moves less than the cold one; the cold nose more than the warm canthi
    assert abs(shift[mask == 1].mean()) < abs(shift[mask == 0].mean())
    assert abs(shift[mask == 5].mean()) > abs(shift[mask == 3].mean())


def test_unmasked_models_on_a_noisy_frame() -> None:
    image, mask = synthetic_face()
    noisy = image + np.random.default_rng(0).normal(0.0, 0.1, SHAPE).astype(np.float32)
    for model in ("thermal", "threshold"):
        shift = F.ambient_shift(noisy, 5.0, None, unmasked=model) - noisy
        warm, cold = shift[interior(mask, 1)], shift[interior(mask, 0)]
        assert warm.mean() < 0.5 * cold.mean(), model
        np.testing.assert_allclose(cold.mean(), 5.0, atol=0.1)
    threshold = F.ambient_shift(noisy, 5.0, None, unmasked="threshold") - noisy
    np.testing.assert_allclose(threshold[interior(mask, 1)], 0.25 * 5.0, atol=1e-4)
    np.testing.assert_allclose(threshold[interior(mask, 0)], 5.0, atol=1e-4)
    with pytest.raises(ValueError, match="unmasked"):
        F.ambient_shift(noisy, 1.0, None, unmasked="flat")  # type: ignore[arg-type]


def test_thermal_coupling_map_limits() -> None:
    image = np.array([[22.0, 37.0, 40.0, 15.0, 29.5]], dtype=np.float32)
    k = F.thermal_coupling_map(image, ambient=22.0)
    np.testing.assert_allclose(k, [[1.0, 0.0, 0.0, 1.0, 0.5]])
    hot_room = F.thermal_coupling_map(np.full((4, 4), 36.5, np.float32))
    assert np.isfinite(hot_room).all()
    assert hot_room.max() <= 1.0


def test_spread_scales_the_skin_around_its_mean() -> None:
    image, mask = synthetic_face()
    skin = mask > 0
    texture = np.linspace(-1.0, 1.0, SHAPE[1], dtype=np.float32)[None, :].repeat(SHAPE[0], 0)
    image = image + np.where(skin, texture, 0.0).astype(np.float32)
    couplings = (1.0, 0.3, 0.3, 0.3, 0.3, 0.3)
    delta, spread = -5.0, 0.04
    out = F.ambient_shift(image, delta, mask, couplings=couplings, spread=spread)
    scale = 1.0 - spread * delta
    mean = image[skin].astype(np.float64).mean()
    region = interior(mask, 1)
    expected = image + 0.3 * delta + (scale - 1.0) * (image - mean)
    np.testing.assert_allclose(out[region], expected[region], atol=1e-4)
    np.testing.assert_allclose(out[interior(mask, 0)], image[interior(mask, 0)] + delta, atol=1e-4)
    spread_before = image[region].std()
    assert out[region].std() == pytest.approx(scale * spread_before, rel=1e-3)
    with pytest.raises(ValueError, match="spread"):
        F.ambient_shift(image, 30.0, mask, spread=0.04)


def test_otsu_threshold() -> None:
    image, _ = synthetic_face()
    threshold = F.otsu_threshold(image)
    assert 22.0 < threshold < 30.0
    assert F.otsu_threshold(np.full((8, 8), 25.0, np.float32)) == 25.0
    with_nan = image.copy()
    with_nan[0, 0] = np.nan
    assert 22.0 < F.otsu_threshold(with_nan) < 30.0


def test_shapes_dtype_no_mutation_and_errors() -> None:
    image, mask = synthetic_face()
    for img, labels in ((image, mask), (image[..., None], mask[..., None]), (image, None)):
        before = img.copy()
        labels_before = None if labels is None else labels.copy()
        out = F.ambient_shift(img, 3.0, labels, spread=0.02)
        assert out.shape == img.shape
        assert out.dtype == np.float32
        np.testing.assert_array_equal(img, before)
        if labels is not None:
            np.testing.assert_array_equal(labels, labels_before)
    out = F.ambient_shift(image.astype(np.float64), 3.0, mask)
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="differs from the image"):
        F.ambient_shift(image, 1.0, mask[:-1])
    with pytest.raises(ValueError, match="integer class labels"):
        F.ambient_shift(image, 1.0, mask.astype(np.float32))


def test_random_ambient_shift_is_seeded() -> None:
    image, mask = synthetic_face()
    a = F.random_ambient_shift(image, (-8, 8), mask, rng=np.random.default_rng(1))
    b = F.random_ambient_shift(image, (-8, 8), mask, rng=np.random.default_rng(1))
    c = F.random_ambient_shift(image, (-8, 8), mask, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    delta = np.random.default_rng(1).uniform(-8, 8)
    np.testing.assert_allclose(a - image, F.ambient_shift(image, delta, mask) - image, atol=1e-6)


# ------------------------------------------------------------------ background clutter


def test_render_clutter_blob_and_gradient() -> None:
    shape = (120, 160)
    assert not F.render_clutter(shape, []).any()
    blob = F.render_clutter(shape, [(60.0, 80.0, 20.0, 10.0, 0.0, 5.0)])
    assert blob.shape == shape
    assert blob.dtype == np.float32
    assert blob.max() == pytest.approx(5.0, rel=0.02)
    assert np.unravel_index(np.argmax(blob), shape) == pytest.approx((60, 80), abs=2)
    # elongated along x (angle 0): wider along columns than along rows
    assert blob[60, 80 + 20] > blob[60 + 20, 80]
    assert blob[60, 80 + 20] == pytest.approx(5.0 * np.exp(-0.5), rel=0.03)
    ramp = F.render_clutter(shape, [], (0.0, 3.0))  # along x, 3 degC peak to peak
    assert np.ptp(ramp) == pytest.approx(3.0, rel=0.03)
    assert abs(ramp.mean()) < 0.01
    assert np.ptp(ramp, axis=0).max() < 1e-5  # constant along rows


def test_sample_clutter_ranges() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        params = F.sample_clutter(
            (100, 200),
            num_blobs=(2, 4),
            blob_temperature=(-3.0, 9.0),
            blob_size=(0.1, 0.2),
            blob_aspect=(0.5, 1.0),
            gradient=(1.0, 2.0),
            rng=rng,
        )
        assert 2 <= len(params["blobs"]) <= 4
        for row, col, major, minor, _angle, amplitude in params["blobs"]:
            assert 0 <= row <= 100
            assert 0 <= col <= 200
            assert 10.0 <= major <= 20.0
            assert 0.5 * major - 1e-9 <= minor <= major
            assert -3.0 <= amplitude <= 9.0
        assert 1.0 <= params["gradient"][1] <= 2.0


def test_clutter_only_touches_the_background() -> None:
    image, mask = synthetic_face()
    rng = np.random.default_rng(3)
    out = F.random_background_clutter(
        image,
        mask,
        num_blobs=(3, 3),
        blob_temperature=(6.0, 10.0),
        blob_size=(0.3, 0.4),
        rng=rng,
    )
    skin = ndimage.binary_erosion(mask > 0, np.ones((3, 3), bool), iterations=4, border_value=1)
    np.testing.assert_array_equal(out[skin], image[skin])
    background = interior(mask, 0, margin=4)
    assert (out - image)[background].std() > 0.5  # the flat wall is no longer flat
    assert out[background].std() > 10 * image[background].std() + 0.5
    # without a mask the warm side of the Otsu split is kept
    unmasked = F.random_background_clutter(
        image,
        None,
        num_blobs=(3, 3),
        blob_temperature=(6.0, 10.0),
        rng=np.random.default_rng(3),
    )
    np.testing.assert_array_equal(unmasked[skin], image[skin])
    assert not np.array_equal(unmasked[background], image[background])


def test_background_weight() -> None:
    image, mask = synthetic_face()
    weight = F.background_weight(image, mask, smoothing=1.0)
    assert weight.dtype == np.float32
    assert weight.min() >= 0.0
    assert weight.max() <= 1.0 + 1e-6
    np.testing.assert_allclose(weight[interior(mask, 0, 4)], 1.0, atol=1e-6)
    np.testing.assert_allclose(weight[interior(mask, 1, 4)], 0.0, atol=1e-6)
    padded = mask.copy()
    padded[:, :10] = 255
    assert F.background_weight(image, padded, ignore_index=255)[:, :5].min() > 0.99


# ------------------------------------------------- synthetic faces (tiaug.synth_face)

FACE_SEEDS = range(8)


@pytest.mark.parametrize("delta", [-6.0, 6.0])
def test_every_class_reaches_its_coupling_on_synthetic_faces(delta: float) -> None:
    from tiaug.synth import synth_face

    for seed in FACE_SEEDS:
        face = synth_face(seed)
        shift = (F.ambient_shift(face.image, delta, face.mask) - face.image) / delta
        for label in range(1, 6):
            reached = float(shift[face.mask == label].mean())
            expected = F.DEFAULT_COUPLINGS[label]
            assert reached == pytest.approx(expected, abs=0.05), (seed, label)


def test_unlabelled_skin_follows_the_face_not_the_wall() -> None:
    from tiaug.synth import synth_face

    for seed in FACE_SEEDS:
        face = synth_face(seed)
        image, mask = face.image, face.mask
        out = F.ambient_shift(image, 6.0, mask)
        # neck, ears, forehead: background-labelled pixels at skin temperature
        warm = (mask == 0) & (image >= np.percentile(image[mask == 1], 10))
        assert warm.sum() > 1000
        before = image[warm].mean() - np.median(image[mask == 1])
        after = out[warm].mean() - np.median(out[mask == 1])
        assert abs(after - before) < 1.0, seed
        # the wall (near the room temperature) still follows the room
        wall = (mask == 0) & (image < F.estimate_ambient(image, mask) + 0.5)
        assert (out - image)[wall].mean() > 5.9


def test_skin_weight_wall_hair_and_neck() -> None:
    image, mask = synthetic_face()
    neck, hair = np.zeros(SHAPE, bool), np.zeros(SHAPE, bool)
    neck[:20], hair[-20:] = mask[:20] == 0, mask[-20:] == 0
    image[neck] = 34.0  # a warm unlabelled band (neck-like) at face temperature
    image[hair] = 22.0 + 0.5 * (34.0 - 23.0) + 1.0  # hair: halfway above the wall band
    weight = F.skin_weight(image, mask)
    assert weight[mask > 0].max() == 0.0
    np.testing.assert_allclose(weight[neck], 1.0)
    np.testing.assert_allclose(weight[hair], 0.5, atol=1e-5)
    np.testing.assert_allclose(weight[60:100, 0:5], 0.0)  # the wall
    k = F.coupling_map(image, mask, smoothing=0.0)
    np.testing.assert_allclose(k[neck], 0.25, atol=1e-6)
    np.testing.assert_allclose(k[hair], 0.625, atol=1e-5)


def test_estimate_ambient() -> None:
    image, mask = synthetic_face()
    assert F.estimate_ambient(image) == pytest.approx(22.0)
    assert F.estimate_ambient(image, mask) == pytest.approx(22.0)
    assert F.estimate_ambient(np.full((6, 6), 19.0, np.float32)) == pytest.approx(19.0)
    from tiaug.synth import synth_face

    face = synth_face(3)
    assert F.estimate_ambient(face.image, face.mask) == pytest.approx(face.ambient, abs=1.0)


def test_clutter_spares_unlabelled_skin() -> None:
    from tiaug.synth import synth_face

    face = synth_face(0)
    image, mask = face.image, face.mask
    neck = (mask == 0) & (image >= np.percentile(image[mask == 1], 10))  # neck, ears
    assert neck.sum() > 1000
    kwargs = {"num_blobs": (3, 3), "blob_temperature": (10.0, 10.0), "blob_size": (0.3, 0.3)}
    for labels in (mask, None):
        out = F.random_background_clutter(image, labels, rng=np.random.default_rng(0), **kwargs)
        inner = ndimage.binary_erosion(neck, np.ones((3, 3), bool), iterations=3)
        assert np.abs(out - image)[inner].max() < 0.05, labels is None
        wall = (mask == 0) & (image < F.estimate_ambient(image, mask) + 0.5)
        assert np.abs(out - image)[wall].mean() > 0.5


def test_clutter_spares_hair_and_clothing_warmer_than_the_room() -> None:
    image, mask = synthetic_face()
    image[-20:] = 26.0  # clothing, background-labelled, 4 degC above the 22 degC wall
    image[:12, 60:140] = 24.5  # hair, 2.5 degC above it
    kwargs = {"num_blobs": (3, 3), "blob_temperature": (10.0, 10.0), "blob_size": (0.4, 0.4)}
    for labels in (mask, None):
        out = F.random_background_clutter(image, labels, rng=np.random.default_rng(1), **kwargs)
        assert np.abs(out - image)[-16:].max() < 1e-3, labels is None
        assert np.abs(out - image)[:8, 64:136].max() < 1e-3, labels is None
        assert np.abs(out - image)[interior(mask, 0)].mean() > 0.5  # the wall still changes
