"""CameraExport: automatic gain (linear window, plateau equalisation), 8 bit, JPEG."""

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tiaug
from tiaug.export.functional import camera_export, linear_agc, plateau_agc
from tiaug.synth import synth_face

frames = arrays(
    np.float32,
    st.tuples(st.integers(2, 24), st.integers(2, 24)),
    elements=st.floats(-10, 60, width=32),
)


@settings(max_examples=60, deadline=None)
@given(image=frames, agc=st.sampled_from(["linear", "plateau"]), plateau=st.floats(0.001, 1.0))
def test_export_keeps_the_order_and_the_range_in_256_levels(image, agc, plateau):
    out = camera_export(image, agc=agc, plateau=plateau, low_percentile=0, high_percentile=100)
    assert out.dtype == np.float32
    assert out.shape == image.shape
    assert image.min() - 1e-4 <= out.min() <= out.max() <= image.max() + 1e-4
    assert len(np.unique(out)) <= 256
    order = np.argsort(image.ravel(), kind="stable")
    assert np.all(np.diff(out.ravel()[order]) >= -1e-5)  # a monotone mapping


def test_a_linear_window_saturates_beyond_its_percentiles():
    image = np.linspace(20.0, 40.0, 1001, dtype=np.float32).reshape(7, 143)
    levels = linear_agc(image, 10.0, 90.0)
    assert levels.min() == 0.0
    assert levels.max() == 255.0
    assert np.mean(levels == 255.0) == pytest.approx(0.1, abs=0.01)
    exact = camera_export(image, low_percentile=0, high_percentile=100)
    np.testing.assert_allclose(exact, image, atol=20.0 / 255 / 2 + 1e-4)  # quantised only


def test_plateau_equalisation_gives_frequent_temperatures_more_levels():
    wall = np.linspace(21.0, 23.0, 900)
    face = np.linspace(30.0, 36.0, 100)
    image = np.concatenate([wall, face]).astype(np.float32)
    full = plateau_agc(image, plateau=1.0)
    flat = plateau_agc(image, plateau=1e-4)
    assert np.ptp(full[:900]) > 200  # the frequent wall spread over most levels,
    assert np.ptp(full[900:]) < 40  # the rare face squeezed into few ...
    assert np.ptp(flat[900:]) > 80  # ... unless a low plateau keeps it spread out
    mixed = plateau_agc(image, plateau=1.0, linear_share=1.0)
    np.testing.assert_allclose(mixed, (image - 21.0) / 15.0 * 255, atol=1e-3)


def test_nan_pixels_stay_nan_and_take_no_part():
    image = np.linspace(20.0, 40.0, 64, dtype=np.float32).reshape(8, 8)
    image[0, 0] = np.nan
    out = camera_export(image, jpeg_quality=80)
    assert np.isnan(out[0, 0])
    assert np.isfinite(out[1:]).all()
    assert np.isnan(camera_export(np.full((3, 3), np.nan, np.float32))).all()
    constant = camera_export(np.full((4, 4), 30.0, np.float32), agc="plateau")
    np.testing.assert_array_equal(constant, 30.0)


def test_jpeg_changes_levels_within_the_range():
    face = synth_face(0, (64, 80))
    plain = camera_export(face.image)
    jpeg = camera_export(face.image, jpeg_quality=40)
    assert not np.array_equal(plain, jpeg)
    assert face.image.min() - 1e-4 <= jpeg.min() <= jpeg.max() <= face.image.max() + 1e-4


def test_transform_is_seeded_serialisable_and_leaves_the_mask():
    face = synth_face(1, (64, 80))
    transform = tiaug.CameraExport(p=1.0)
    first = tiaug.TiAug(transforms=[transform], seed=3)(image=face.image, mask=face.mask)
    again = tiaug.TiAug(transforms=[tiaug.CameraExport(p=1.0)], seed=3)(
        image=face.image, mask=face.mask
    )
    np.testing.assert_array_equal(first["image"], again["image"])
    np.testing.assert_array_equal(first["mask"], face.mask)
    restored = A.from_dict(A.to_dict(transform))
    assert restored.get_transform_init_args() == transform.get_transform_init_args()
    stacked = transform(image=face.image[..., None])["image"]
    assert stacked.shape == (64, 80, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agc": ()}, "agc must name at least one of 'linear', 'plateau'"),
        ({"low_percentile": 5, "high_percentile": 1}, "high_percentile 1.0 must lie above low_"),
        ({"plateau": 0.0}, "plateau"),
        ({"jpeg_quality": (0, 90)}, "jpeg_quality"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiaug.CameraExport(**kwargs)


def test_the_functional_export_refuses_bad_settings_whatever_the_frame():
    """Fewer than 2 levels gave NaN everywhere; a bad agc or JPEG without 256 levels went
    unnoticed on a frame of NaN only."""
    image = np.linspace(20.0, 40.0, 64, dtype=np.float32).reshape(8, 8)
    blank = np.full((4, 4), np.nan, np.float32)
    with pytest.raises(ValueError, match=r"^levels must be at least 2 \(256 with JPEG\), got 1"):
        camera_export(image, levels=1)
    for frame in (image, blank):
        with pytest.raises(ValueError, match=r"^agc must be one of \('linear', 'plateau'\)"):
            camera_export(frame, agc="gamma")
        with pytest.raises(ValueError, match=r"^levels must be at least 2 \(256 with JPEG\)"):
            camera_export(frame, levels=64, jpeg_quality=80)
