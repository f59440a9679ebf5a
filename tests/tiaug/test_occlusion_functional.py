"""Tests of the numpy core of the thermal occluders (tiaug.occlusion.functional)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiaug.occlusion import functional as F

H, W = 256, 320


def _scene(seed: int = 0, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (24.0 + 10.0 * rng.random(shape)).astype(np.float32)


def _face_mask(shape: tuple[int, int] = (H, W)) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    mask[40:230, 80:240] = 1  # face
    mask[90:110, 110:150] = 3  # eyes
    mask[90:110, 170:210] = 3
    mask[170:190, 130:190] = 2  # mouth
    return mask


def _covered_outside_boxes(occluders: list[F.Occluder], shape: tuple[int, int]) -> np.ndarray:
    outside = np.ones(shape, bool)
    for occ in occluders:
        top, left, bottom, right = occ.box
        outside[top:bottom, left:right] = False
    return outside


# ----------------------------------------------------------------------------- shapes
def test_star_polygon_regular_when_no_randomness():
    points = F.star_polygon(7, 10.0, 0.0, 0.0, rng=np.random.default_rng(0))
    assert points.shape == (7, 2)
    np.testing.assert_allclose(np.hypot(points[:, 0], points[:, 1]), 10.0)
    angles = np.sort(np.mod(np.arctan2(points[:, 1], points[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 7, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 99),
    irregularity=st.floats(0, 1),
    spikiness=st.floats(0, 3),
)
def test_star_polygon_radii_clipped_and_angles_ordered(seed, n, irregularity, spikiness):
    points = F.star_polygon(n, 20.0, irregularity, spikiness, rng=np.random.default_rng(seed))
    radii = np.hypot(points[:, 0], points[:, 1])
    assert points.shape == (n, 2)
    assert radii.min() >= 0.2 * 20.0 - 1e-9
    assert radii.max() <= 2.0 * 20.0 + 1e-9
    # angular order (a simple polygon): angles from the first vertex increase within a turn
    angles = np.arctan2(points[:, 1], points[:, 0])
    turned = np.mod(angles - angles[0] + 1e-9, 2 * np.pi)
    assert np.all(np.diff(turned) >= -1e-6)


def test_polyline_length_and_centre():
    points = F.polyline(4, 30.0, rng=np.random.default_rng(3))
    assert points.shape == (4, 2)
    assert np.linalg.norm(np.diff(points, axis=0), axis=1).sum() == pytest.approx(30.0)
    np.testing.assert_allclose(points.min(axis=0) + points.max(axis=0), 0.0, atol=1e-9)


def test_ellipse_outline_on_the_ellipse():
    angle = 0.3
    points = F.ellipse_outline(12.0, 5.0, angle)
    c, s = math.cos(angle), math.sin(angle)
    u = c * points[:, 0] + s * points[:, 1]
    v = -s * points[:, 0] + c * points[:, 1]
    np.testing.assert_allclose((u / 12.0) ** 2 + (v / 5.0) ** 2, 1.0)


def test_rasterize_square_and_thick_line():
    square = np.array([[2.0, 2.0], [11.0, 2.0], [11.0, 11.0], [2.0, 11.0]])
    box = F.rasterize([(square, 0)], (20, 20), (0, 0))
    assert box.dtype == np.uint8
    assert box[2:12, 2:12].all()
    assert box.sum() == 100
    # the origin shifts the drawing: the same square seen from a box starting at (2, 2)
    shifted = F.rasterize([(square, 0)], (20, 20), (2.0, 2.0))
    assert shifted[0:10, 0:10].all()
    assert shifted.sum() == 100
    line = F.rasterize([(np.array([[2.0, 10.0], [17.0, 10.0]]), 5)], (20, 20), (0, 0))
    assert line[8:13, 4:16].all()
    assert not line[:6].any()
    assert not line[15:].any()


# ----------------------------------------------------------------------------- sampling
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    configuration=st.sampled_from(F.CONFIGURATIONS),
    shape=st.sampled_from(F.SHAPES),
    softness=st.floats(0, 4),
    texture_kind=st.sampled_from(F.TEXTURE_KINDS),
    mode=st.sampled_from(F.TEMPERATURE_MODES),
    channel=st.booleans(),
)
def test_occlusion_properties(seed, configuration, shape, softness, texture_kind, mode, channel):
    image = _scene(seed % 7, (64, 80))
    if channel:
        image = image[..., None]
    before = image.copy()
    occluders = F.sample_occluders(
        image,
        configurations=(configuration,),
        configuration_weights=None,
        shapes=(shape,),
        edge_softness=(softness, softness),
        texture_kind=texture_kind,
        temperature_mode=mode,
        emissivity=(0.8, 1.0),
        num_independent=(1, 3),
        rng=np.random.default_rng(seed),
    )
    out = F.apply_occlusion(image, occluders)
    np.testing.assert_array_equal(image, before)  # input untouched
    assert out.shape == image.shape
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    plane, out_plane = image.reshape(64, 80), out.reshape(64, 80)
    # pixels outside every box are untouched
    outside = _covered_outside_boxes(occluders, (64, 80))
    np.testing.assert_array_equal(out_plane[outside], plane[outside])
    for occ in occluders:
        top, left, bottom, right = occ.box
        assert 0 <= top < bottom <= 64
        assert 0 <= left < right <= 80
        assert occ.alpha.dtype == np.float32
        assert occ.temperature.dtype == np.float32
        assert occ.alpha.shape == occ.temperature.shape
        assert occ.alpha.min() >= 0.0
        assert occ.alpha.max() <= 1.0
        assert occ.alpha.max() > 0.0
        assert occ.configuration == configuration
        assert occ.kind in ({shape, "line"} if shape == "polygon" else {shape})


def test_sampling_is_deterministic_for_a_seed():
    image = _scene()
    a = F.apply_occlusion(image, F.sample_occluders(image, rng=np.random.default_rng(5)))
    b = F.apply_occlusion(image, F.sample_occluders(image, rng=np.random.default_rng(5)))
    c = F.apply_occlusion(image, F.sample_occluders(image, rng=np.random.default_rng(6)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_non_float32_input_gives_float32():
    image = _scene().astype(np.float64)
    out = F.apply_occlusion(image, F.sample_occluders(image, rng=np.random.default_rng(0)))
    assert out.dtype == np.float32


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lo=st.floats(-20, 80),
    width=st.floats(0, 30),
    amplitude=st.floats(0, 2),
    shape=st.sampled_from(F.SHAPES),
)
def test_absolute_temperatures_stay_in_range(seed, lo, width, amplitude, shape):
    hi = lo + width
    image = _scene(1, (64, 80))
    rng = np.random.default_rng(seed)
    for texture in ((0.0, 0.0), (amplitude, amplitude)):
        occluders = F.sample_occluders(
            image,
            shapes=(shape,),
            temperature_mode="absolute",
            temperature=(lo, hi),
            texture=texture,
            rng=rng,
        )
        out = F.apply_occlusion(image, occluders)
        amp = texture[1]
        tol = 1e-4 * max(1.0, abs(lo), abs(hi))
        for occ in occluders:
            top, left, bottom, right = occ.box
            full = occ.alpha == 1.0
            assert full.any()
            values = out[top:bottom, left:right][full]
            # the last object drawn decides a pixel; every object obeys the same bounds
            assert values.min() >= lo - amp - tol
            assert values.max() <= hi + amp + tol


def test_relative_temperature_range_and_mixing():
    image = _scene(2)
    t_min, t_max = float(image.min()), float(image.max())
    span = t_max - t_min
    temps = []
    rng = np.random.default_rng(0)
    for _ in range(200):
        for occ in F.sample_occluders(image, texture=(0.0, 0.0), temperature=(0.5, 2.0), rng=rng):
            temps.append(float(occ.temperature[0, 0]))
    temps = np.array(temps)
    assert temps.min() >= t_min - 0.5 * span - 1e-3
    assert temps.max() <= t_max + 2.0 * span + 1e-3
    assert temps.min() < t_min  # the draw really reaches beyond the scene's range
    assert temps.max() > t_max + span
    # emissivity mixing with a given reflected temperature: 0.5 * 30 + 0.5 * 10 = 20 degC
    occluders = F.sample_occluders(
        image,
        temperature_mode="absolute",
        temperature=(30.0, 30.0),
        emissivity=(0.5, 0.5),
        reflected_temperature=10.0,
        texture=(0.0, 0.0),
        rng=rng,
    )
    for occ in occluders:
        np.testing.assert_allclose(occ.temperature, 20.0)
    # default reflected temperature: the scene median
    flat = np.full((H, W), 20.0, np.float32)
    flat[:, : W // 4] = 40.0
    occluders = F.sample_occluders(
        flat,
        temperature_mode="absolute",
        temperature=(30.0, 30.0),
        emissivity=(0.5, 0.5),
        texture=(0.0, 0.0),
        rng=rng,
    )
    np.testing.assert_allclose(occluders[0].temperature, 25.0)


def test_smooth_texture_is_low_frequency():
    image = _scene()
    kwargs = dict(
        configurations=("single",),
        configuration_weights=None,
        shapes=("ellipse",),
        size=(0.2, 0.2),
        texture=(1.0, 1.0),
    )
    rough = F.sample_occluders(image, **kwargs, rng=np.random.default_rng(0))[0].temperature
    smooth = F.sample_occluders(
        image, texture_kind="smooth", **kwargs, rng=np.random.default_rng(0)
    )[0].temperature
    assert np.abs(np.diff(smooth, axis=1)).mean() < 0.3 * np.abs(np.diff(rough, axis=1)).mean()
    assert np.ptp(smooth) > 0.5


def test_edge_softness_blurs_the_boundary():
    image = _scene()
    kwargs = dict(configurations=("single",), configuration_weights=None, shapes=("ellipse",))
    hard = F.sample_occluders(image, **kwargs, rng=np.random.default_rng(0))[0]
    soft = F.sample_occluders(image, edge_softness=(3, 3), **kwargs, rng=np.random.default_rng(0))[
        0
    ]
    assert set(np.unique(hard.alpha).tolist()) <= {0.0, 1.0}
    partial = (soft.alpha > 0.01) & (soft.alpha < 0.99)
    assert partial.sum() > 20
    assert soft.alpha.size > hard.alpha.size  # the box grows by the blur's reach
    assert soft.alpha.sum() == pytest.approx(hard.alpha.sum(), rel=0.1)


def test_centres_reach_the_whole_frame():
    """The reference drew centres in [0.1, 0.9] x min(H, W): never in the right 28 %."""
    image = _scene()
    rng = np.random.default_rng(0)
    centres = np.array(
        [
            occ.center
            for _ in range(300)
            for occ in F.sample_occluders(
                image,
                configurations=("single",),
                configuration_weights=None,
                rng=rng,
            )
        ]
    )
    assert (centres[:, 1] > 0.9 * W).any()
    assert (centres[:, 0] > 0.9 * H).any()
    assert (centres[:, 1] < 0.1 * W).any()
    assert (centres[:, 0] < 0.1 * H).any()
    assert centres[:, 0].min() >= -0.5
    assert centres[:, 0].max() < H - 0.5
    assert centres[:, 1].max() < W - 0.5


def test_sizes_scale_with_the_image():
    kwargs = dict(
        configurations=("single",),
        configuration_weights=None,
        shapes=("polygon", "ellipse"),
        texture=(0.0, 0.0),
    )
    ratios = []
    for seed in range(12):
        small = F.sample_occluders(_scene(0, (H, W)), **kwargs, rng=np.random.default_rng(seed))
        large = F.sample_occluders(
            _scene(0, (2 * H, 2 * W)), **kwargs, rng=np.random.default_rng(seed)
        )
        ratios.append(large[0].alpha.sum() / small[0].alpha.sum())
    assert np.median(ratios) == pytest.approx(4.0, rel=0.1)


def test_mask_placement_hits_the_requested_classes():
    image, mask = _scene(), _face_mask()
    rng = np.random.default_rng(0)
    for classes in ((3,), (2, 3)):
        for _ in range(100):
            for occ in F.sample_occluders(
                image,
                mask,
                placement="mask",
                placement_classes=classes,
                rng=rng,
            ):
                row, col = round(occ.center[0]), round(occ.center[1])
                assert mask[row, col] in classes
    # a class that is absent, or no mask at all: anywhere (no error)
    assert F.sample_occluders(image, mask, placement="mask", placement_classes=(5,), rng=rng)
    assert F.sample_occluders(image, None, placement="mask", rng=rng)


def test_mask_placement_rare_class_uses_the_full_scan():
    image = _scene()
    mask = np.zeros((H, W), np.int32)
    mask[200, 300] = 7  # one pixel: the rejection sampler almost never finds it
    for seed in range(5):
        occ = F.sample_occluders(
            image,
            mask,
            placement="mask",
            placement_classes=(7,),
            configurations=("single",),
            configuration_weights=None,
            rng=np.random.default_rng(seed),
        )[0]
        assert round(occ.center[0]) == 200
        assert round(occ.center[1]) == 300


def test_joined_pair_is_horizontal_and_one_object():
    image = _scene()
    occluders = F.sample_occluders(
        image,
        np.full((H, W), 3, np.uint8),
        # placement on the middle of the frame
        configurations=("joined",),
        configuration_weights=None,
        shapes=("ellipse",),
        ellipse_aspect=(1.0, 1.0),
        size=(0.05, 0.05),
        joined_separation=(3.0, 3.0),
        joined_tilt=(0.0, 0.0),
        bar_width=(0.02, 0.02),
        placement="mask",
        rng=np.random.default_rng(1),
    )
    assert len(occluders) == 1
    occ = occluders[0]
    radius = 0.05 * H
    rows = np.flatnonzero(occ.alpha.max(axis=1) > 0)
    cols = np.flatnonzero(occ.alpha.max(axis=0) > 0)
    if occ.left > 0 and occ.box[3] < W:  # fully inside the frame
        assert cols.size == pytest.approx(5 * radius, abs=3)
        assert rows.size == pytest.approx(2 * radius, abs=3)
    # the bar: the middle column is covered around the centre's row
    centre_row = round(occ.center[0]) - occ.top
    centre_col = round(occ.center[1]) - occ.left
    assert occ.alpha[centre_row, centre_col] == 1.0


def test_per_object_vertex_ranges():
    image = _scene()
    mask = np.zeros((H, W), np.uint8)
    mask[100:156, 130:190] = 2  # centres well inside the frame
    areas = []
    for seed in range(5):
        occluders = F.sample_occluders(
            image,
            mask,
            configurations=("independent",),
            configuration_weights=None,
            shapes=("polygon",),
            num_vertices=((3, 3), (60, 60)),
            num_independent=(2, 2),
            irregularity=(0.0, 0.0),
            spikiness=(0.0, 0.0),
            size=(0.1, 0.1),
            placement="mask",
            rng=np.random.default_rng(seed),
        )
        areas.append([occ.alpha.sum() for occ in occluders])
    radius = 0.1 * H
    triangle, circle = 3 * math.sqrt(3) / 4 * radius**2, math.pi * radius**2
    areas = np.array(areas)
    np.testing.assert_allclose(areas[:, 0], triangle, rtol=0.1)
    np.testing.assert_allclose(areas[:, 1], circle, rtol=0.1)


def test_independent_count():
    occluders = F.sample_occluders(
        _scene(),
        np.full((H, W), 2, np.uint8),
        configurations=("independent",),
        configuration_weights=None,
        num_independent=(4, 4),
        irregularity=(0.0, 0.0),
        placement="mask",
        rng=np.random.default_rng(0),
    )
    assert len(occluders) == 4


def test_nan_scene_is_rejected_in_relative_mode():
    image = _scene()
    image[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        F.sample_occluders(image, rng=np.random.default_rng(0))


# ----------------------------------------------------------------------------- labels
def _label_case() -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((10, 10), np.uint8)
    mask[0:4, 0:5] = 1  # 20 px, 12 covered -> 60 % hidden
    mask[5:10, 0:10] = 2  # 50 px, 10 covered -> 20 % hidden
    coverage = np.zeros((10, 10), bool)
    coverage[0:4, 0:3] = True
    coverage[5:6, 0:10] = True
    return mask, coverage


def test_label_policy_keep_is_unchanged():
    mask, coverage = _label_case()
    out = F.apply_label_policy(mask, coverage, "keep")
    np.testing.assert_array_equal(out, mask)


@pytest.mark.parametrize(("policy", "value"), [("background", 0), ("ignore", 255)])
def test_label_policy_and_max_hidden(policy, value):
    mask, coverage = _label_case()
    before = mask.copy()
    out = F.apply_label_policy(mask, coverage, policy, ignore_index=255, max_hidden=0.5)
    np.testing.assert_array_equal(mask, before)  # not mutated
    assert out.dtype == mask.dtype
    assert (out[coverage] == value).all()
    # class 1: 60 % hidden > 50 % -> dropped whole
    assert (out[mask == 1] == value).all()
    # class 2: 20 % hidden -> only its covered pixels change
    assert (out[(mask == 2) & ~coverage] == 2).all()
    # background pixels not covered stay background
    assert (out[(mask == 0) & ~coverage] == 0).all()
    # a looser threshold keeps class 1's visible pixels
    loose = F.apply_label_policy(mask, coverage, policy, ignore_index=255, max_hidden=0.7)
    assert (loose[(mask == 1) & ~coverage] == 1).all()
    # exactly max_hidden covered is not "more than": kept
    exact = F.apply_label_policy(mask, coverage, policy, ignore_index=255, max_hidden=0.6)
    assert (exact[(mask == 1) & ~coverage] == 1).all()
    # HxWx1 masks keep their layout
    out3 = F.apply_label_policy(mask[..., None], coverage, policy)
    assert out3.shape == (10, 10, 1)
    np.testing.assert_array_equal(out3[..., 0], out)


def test_label_policy_accepts_alpha_coverage_and_checks_inputs():
    mask, coverage = _label_case()
    alpha = coverage.astype(np.float32) * 0.7
    np.testing.assert_array_equal(
        F.apply_label_policy(mask, alpha, "background"),
        F.apply_label_policy(mask, coverage, "background"),
    )
    with pytest.raises(ValueError, match="does not fit"):
        F.apply_label_policy(mask.astype(np.int8), coverage, "ignore", ignore_index=255)
    with pytest.raises(ValueError, match="coverage shape"):
        F.apply_label_policy(mask, coverage[:5], "ignore")
    with pytest.raises(ValueError, match="label_policy"):
        F.apply_label_policy(mask, coverage, "erase")


def test_occlude_updates_the_mask_with_the_coverage():
    image, mask = _scene(), _face_mask()
    out, labels = F.occlude(
        image,
        mask,
        label_policy="ignore",
        max_hidden=1.0,
        placement="mask",
        rng=np.random.default_rng(0),
    )
    changed = labels != mask
    assert changed.any()
    assert (labels[changed] == 255).all()
    assert (out[changed] != image[changed]).all()
    _, kept = F.occlude(image, mask, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(kept, mask)


# ----------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": (-0.1, 0.2)}, "size"),
        ({"size": (0.2, 0.1)}, "low <= high"),
        ({"shapes": ("polygon", "hexagon")}, "unknown shapes"),
        ({"configurations": ("pair",)}, "unknown configurations"),
        ({"configurations": ("single",), "configuration_weights": (1, 2)}, "weights needs 1"),
        ({"label_policy": "erase"}, "label_policy"),
        ({"num_vertices": (1, 5)}, "num_vertices"),
        ({"num_vertices": ((3, 9), (10, 4))}, "num_vertices"),
        ({"irregularity": (0.0, 1.5)}, "irregularity"),
        ({"temperature_mode": "absolute", "temperature": (30.0, 20.0)}, "temperature"),
        ({"temperature": (-1.0, -0.5)}, "below \\+ above"),
        ({"emissivity": (0.0, 1.0)}, "emissivity"),
        ({"texture": (-0.1, 0.1)}, "texture"),
        ({"edge_softness": (-1.0, 0.0)}, "edge_softness"),
        ({"placement": "face"}, "placement"),
        ({"placement_classes": ()}, "placement_classes"),
        ({"max_hidden": 1.5}, "max_hidden"),
        ({"shape_weights": (1.0, -1.0, 1.0)}, "shape_weights"),
        ({"num_independent": (0, 2)}, "num_independent"),
    ],
)
def test_config_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.OcclusionConfig(**kwargs)


def test_config_defaults_per_temperature_mode():
    assert F.OcclusionConfig().temperature_ranges == ((1.0, 1.0),)
    assert F.OcclusionConfig(temperature_mode="absolute").temperature_ranges == ((20.0, 26.0),)
    assert F.OcclusionConfig(temperature_mode="ambient").temperature_ranges == ((0.0, 4.0),)
    assert F.OcclusionConfig(temperature=(0.5, -0.2)).temperature_ranges == ((0.5, -0.2),)


# ------------------------------------------------------- the reference recipe's shapes
def test_default_shape_mix_is_the_reference_recipe():
    config = F.OcclusionConfig()
    assert config.shapes == ("polygon",)
    assert config.vertex_ranges == ((2, 9), (2, 99))
    assert config.configuration_weights == (0.34, 0.33, 0.33)
    rng = np.random.default_rng(0)
    image = _scene(shape=(64, 80))
    configurations, first_lines, second_lines, seconds = [], 0, 0, 0
    for _ in range(1500):
        occluders = F.sample_occluders(image, size=(0.2, 0.2), rng=rng)
        if not occluders:  # a line beside its centre, outside the frame
            continue
        configurations.append(occluders[0].configuration)
        assert {occ.kind for occ in occluders} <= {"polygon", "line"}
        first_lines += occluders[0].kind == "line"
        if occluders[0].configuration == "independent" and len(occluders) == 2:
            seconds += 1
            second_lines += occluders[1].kind == "line"
    draws = len(configurations)
    assert draws > 1450
    for name, weight in zip(F.CONFIGURATIONS, (0.34, 0.33, 0.33), strict=True):
        assert configurations.count(name) / draws == pytest.approx(weight, abs=0.05)
    assert first_lines / draws == pytest.approx(1 / 8, abs=0.04)  # 2 of 2..9 vertices
    assert second_lines / seconds < 0.04  # 2 of 2..99 vertices


def test_a_two_vertex_polygon_is_a_thick_line():
    (occ,) = F.sample_occluders(
        _scene(),
        np.full((H, W), 2, np.uint8),
        configurations=("single",),
        configuration_weights=None,
        num_vertices=(2, 2),
        size=(0.1, 0.1),
        spikiness=(0.0, 0.0),
        stroke_width=(0.05, 0.05),
        placement="mask",
        rng=np.random.default_rng(3),
    )
    assert occ.kind == "line"
    width, length = 0.05 * H, 2 * 0.1 * H
    assert occ.alpha.sum() == pytest.approx(width * length, rel=0.35)


# ------------------------------------------------------------ temperatures near the room
def test_ambient_temperatures_follow_the_room():
    from tiaug.ambient.functional import ambient_shift, estimate_ambient
    from tiaug.synth import synth_face

    face = synth_face(2)
    options = {
        "temperature_mode": "ambient",
        "temperature": (1.0, 3.0),
        "texture": (0.0, 0.0),
        "configurations": ("single",),
        "configuration_weights": None,
    }
    warmer = ambient_shift(face.image, 6.0, face.mask)
    for image in (face.image, warmer):
        room = estimate_ambient(image, face.mask)
        for seed in range(20):
            (occ,) = F.sample_occluders(
                image, face.mask, **options, rng=np.random.default_rng(seed)
            )
            assert room + 1.0 <= float(occ.temperature[0, 0]) <= room + 3.0
    assert estimate_ambient(warmer, face.mask) - estimate_ambient(face.image, face.mask) == (
        pytest.approx(6.0, abs=0.3)
    )


# --------------------------------------------------------------------- glasses on eyes
def _eye_coverage(occluders: list[F.Occluder], mask: np.ndarray) -> list[float]:
    import cv2

    count, components = cv2.connectedComponents((mask == F.EYE_CLASS).astype(np.uint8))
    covered = F.coverage_map(occluders, mask.shape)
    return [float(covered[components == i].mean()) for i in range(1, count)]


def test_find_eyes():
    mask = _face_mask()
    eyes = F.find_eyes(mask)
    assert eyes is not None
    assert eyes.left == pytest.approx((129.5, 99.5))
    assert eyes.right == pytest.approx((189.5, 99.5))
    assert eyes.rows.size == eyes.cols.size == 2 * 20 * 40
    mask[95, 240:242] = 3  # a stray eye pixel: the two largest regions are kept
    assert F.find_eyes(mask).rows.size == 1600
    assert F.find_eyes(np.where(mask == 3, 1, mask)) is None
    one = _face_mask()
    one[90:110, 170:210] = 1
    assert F.find_eyes(one) is None


def test_glasses_cover_both_eyes_of_synthetic_faces():
    from tiaug.occlusion.physical import glasses
    from tiaug.synth import synth_face

    draws = both = 0
    for seed in range(10):
        face = synth_face(seed)
        eyes = F.find_eyes(face.mask)
        rng = np.random.default_rng(seed)
        for _ in range(40):
            occluders = glasses(face.image, face.mask, rng=rng)
            (occ,) = occluders
            coverage = _eye_coverage(occluders, face.mask)
            assert len(coverage) == 2
            both += min(coverage) >= 0.9
            draws += 1
            # centred between the eyes
            assert occ.center[1] == pytest.approx(0.5 * (eyes.left[0] + eyes.right[0]))
            assert occ.center[0] == pytest.approx(0.5 * (eyes.left[1] + eyes.right[1]))
    assert both >= 0.9 * draws


def test_glasses_follow_the_tilt_of_the_eyes():
    from tiaug.occlusion.physical import glasses

    mask = np.zeros((H, W), np.uint8)
    mask[60:70, 100:120] = 3  # left eye high
    mask[110:120, 180:200] = 3  # right eye low: a 40 degree tilt
    image = np.where(mask > 0, 34.0, 22.0).astype(np.float32)
    for seed in range(10):
        occluders = glasses(image, mask, edge_softness=(0, 0), rng=np.random.default_rng(seed))
        assert min(_eye_coverage(occluders, mask)) == 1.0
        covered = F.coverage_map(occluders, (H, W))
        assert not covered[110:120, 100:120].any()  # below the left eye: not on the pair


def test_eyes_placement_without_eyes_falls_back_to_the_mask():
    mask = _face_mask()
    mask[mask == 3] = 1
    mask[120:140, 150:170] = 5
    for seed in range(5):
        (occ,) = F.sample_occluders(
            _scene(),
            mask,
            configurations=("joined",),
            configuration_weights=None,
            placement="eyes",
            placement_classes=(5,),
            rng=np.random.default_rng(seed),
        )
        assert mask[round(occ.center[0]), round(occ.center[1])] == 5


@pytest.mark.parametrize("policy", ["background", "ignore"])
def test_label_policy_never_drops_uncovered_padding(policy):
    mask = np.ones((10, 10), np.uint8)
    mask[:, 6:] = 255  # padding
    coverage = np.zeros((10, 10), bool)
    coverage[:, 4:9] = True  # hides most of the padding, not column 9
    out = F.apply_label_policy(mask, coverage, policy, ignore_index=255)
    assert (out[:, 9] == 255).all()
    assert (out[:, :4] == 1).all()  # class 1 is a third hidden: kept
