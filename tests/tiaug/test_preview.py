"""Preview grids (``tiaug.preview``): display-size frames, NaN, the face's colours, padding."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("matplotlib")
import albumentations as A
import matplotlib.image

from tiaug.cli import main
from tiaug.geometric.transforms import CenterCropPad, RandomRescale
from tiaug.preview import (
    DISPLAY_SIDE,
    IGNORE_INDEX,
    NAN_COLOUR,
    Frame,
    PreviewSample,
    _figure,
    _panel_title,
    augment_samples,
    downscale,
    face_range,
    preview_pipeline,
    read_frame,
    render_grid,
)


def _scene(rows: int = 64, cols: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """A 34 degC face (label 1) on a 22 degC wall, a 8 degC cup and a 55 degC drink beside."""
    image = np.full((rows, cols), 22.0, np.float32)
    mask = np.zeros((rows, cols), np.uint8)
    face = (slice(rows // 4, 3 * rows // 4), slice(cols // 4, 3 * cols // 4))
    image[face] = 34.0 + np.linspace(-1, 1, cols // 2, dtype=np.float32)
    mask[face] = 1
    image[: rows // 8, : cols // 8] = 8.0
    image[-rows // 8 :, -cols // 8 :] = 55.0
    return image, mask


def _padding_pipeline() -> A.Compose:
    """Shrinks, then pads back: a border of padding in every sample."""
    return A.Compose(
        [RandomRescale(scale=(0.5, 0.5), aspect=(1.0, 1.0)), CenterCropPad(size=(64, 80))],
        save_applied_params=True,
        seed=0,
    )


def test_a_large_float_npy_is_read_at_display_size_in_blocks(tmp_path):
    rows, cols = 4096, 3000
    image = np.full((rows, cols), 30.0, np.float32)
    image[1000:1100, 200:300] = np.nan
    image[2000:2004, :] = 35.0
    np.save(tmp_path / "big.npy", image)
    del image
    tracemalloc.start()
    frame = read_frame(tmp_path / "big.npy")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert frame.factor == 8
    assert frame.shape == (rows, cols)
    assert frame.image.shape == (rows // 8, cols // 8) == (512, 375)
    assert max(frame.image.shape) <= DISPLAY_SIDE
    assert frame.nan_count == 100 * 100
    assert np.isnan(frame.image[126:136, 26:36]).all()  # the NaN block, at 1/8
    assert np.nanmax(frame.image) == pytest.approx(32.5)  # 4 rows of 35 in a block of 8
    assert peak < 12 * 2**20  # the file holds 49 MB: memory follows the display


def test_the_preview_of_a_large_frame_costs_what_a_small_one_costs(tmp_path):
    runner = CliRunner()
    runner.invoke(main, ["preview", "-n", "1", "-o", str(tmp_path / "warm.png")])  # imports
    peaks = {}
    for side in (512, 4096):
        image, _ = _scene(side, side)
        np.save(tmp_path / f"{side}.npy", image)
        del image
        tracemalloc.start()
        args = ["preview", str(tmp_path / f"{side}.npy"), "-n", "2", "-o", str(tmp_path / "p.png")]
        result = runner.invoke(main, args)
        peaks[side] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.exit_code == 0, result.output
    assert peaks[4096] < peaks[512] + 8 * 2**20  # the 4096x4096 file alone holds 64 MB


@given(
    factor=st.integers(1, 5),
    rows=st.integers(1, 12),
    cols=st.integers(1, 12),
    holes=st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=40),
)
def test_downscale_is_the_mean_of_finite_pixels_nan_where_half_a_block_is(
    factor, rows, cols, holes
):
    image = np.random.default_rng(rows * cols).uniform(20, 40, (rows * factor, cols * factor))
    image = image.astype(np.float32)
    for row, col in holes:
        if row < image.shape[0] and col < image.shape[1]:
            image[row, col] = np.nan
    small = downscale(image, factor)
    assert small.shape == (rows, cols)
    blocks = image.reshape(rows, factor, cols, factor).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(rows, cols, -1)
    missing = np.isnan(blocks).sum(axis=2)
    np.testing.assert_array_equal(np.isnan(small), 2 * (factor * factor - missing) <= factor**2)
    kept = ~np.isnan(small)
    np.testing.assert_allclose(small[kept], np.nanmean(blocks, axis=2)[kept], rtol=1e-5)


def test_frames_within_the_panel_are_left_as_they_are():
    image, mask = _scene()
    frame = Frame.of(image)
    assert frame.factor == 1
    assert frame.image is image or np.array_equal(frame.image, image)
    np.testing.assert_array_equal(frame.labels(mask), mask)
    assert Frame.of(np.zeros((8, 20_000), np.float32)).factor == 1  # short side stays >= 8


def test_the_colour_range_is_the_face_s_not_the_cup_s_or_the_drink_s():
    image, mask = _scene()
    low, high = face_range(image, mask)
    assert 33.0 <= low < high <= 35.0
    assert face_range(image, None) == pytest.approx((low, high), abs=0.2)  # the centre
    nan = np.full((16, 16), np.nan, np.float32)
    assert face_range(nan, None) == (0.0, 1.0)


def test_every_panel_shares_the_original_s_range_whatever_the_augmentation():
    image, mask = _scene()
    hot = np.full_like(image, 55.0)  # an occluder filling an augmented copy
    samples = [PreviewSample(image, mask, "original"), PreviewSample(hot, mask, "#1", None, ())]
    figure = _figure(samples, ("bg", "face"), IGNORE_INDEX, None, None, "inferno")
    limits = [ax.images[0].get_clim() for ax in figure.axes[:2]]
    assert limits[0] == limits[1] == pytest.approx(face_range(image, mask))


@pytest.mark.parametrize("with_mask", [False, True])
def test_padding_is_hatched_with_or_without_a_mask(tmp_path, with_mask):
    image, mask = _scene()
    samples = augment_samples(image, mask if with_mask else None, _padding_pipeline(), 1)
    padding = samples[1].padding
    assert padding is not None
    assert padding[0].all()  # the top row was added
    assert padding[:, 0].all()
    assert not padding[32, 40]
    figure = _figure(samples, ("bg", "face"), IGNORE_INDEX, None, None, "inferno")
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert "padding" in labels
    hatches = [getattr(artist, "hatches", None) for artist in figure.axes[1].collections]
    assert ["////"] in hatches
    assert len(figure.axes[1].images) == 2  # the frame, and the padding painted over it


def test_nan_pixels_are_drawn_in_their_own_colour_and_counted(tmp_path):
    image, mask = _scene()
    image[20:30, 30:40] = np.nan
    samples = augment_samples(image, mask, _padding_pipeline(), 1)
    assert _panel_title(samples[0]).startswith("original, 100 NaN px")
    assert f"{int(np.isnan(samples[1].image).sum())} NaN px" in _panel_title(samples[1])
    grey = tuple(int(NAN_COLOUR[i : i + 2], 16) for i in (1, 3, 5))

    def grey_pixels(samples: list[PreviewSample]) -> int:
        path = render_grid(samples, tmp_path / "grid.png")
        rgb = (matplotlib.image.imread(path)[..., :3] * 255).round().astype(int)
        return int(np.all(rgb == grey, axis=-1).sum())

    assert grey_pixels(samples) > 500
    clean = [PreviewSample(np.nan_to_num(s.image, nan=30.0), s.mask, s.title) for s in samples]
    assert grey_pixels(clean) < 50  # antialiased edges at most


def test_each_panel_says_which_transforms_fired():
    image, mask = _scene()
    samples = augment_samples(image, mask, _padding_pipeline(), 2)
    assert samples[1].fired == ("RandomRescale", "CenterCropPad")
    assert "RandomRescale, CenterCropPad" in _panel_title(samples[1])
    quiet = A.Compose([RandomRescale(p=0.0)], save_applied_params=True)
    assert _panel_title(augment_samples(image, None, quiet, 1)[1]).endswith("nothing fired")
    assert "\n" not in _panel_title(samples[0])  # the original: no list


def test_the_preview_pipeline_reports_and_pads_on_every_preset():
    image, mask = _scene()
    for preset in ("baseline", "samcl", "unconstrained"):
        pipeline = preview_pipeline(preset, image.shape, camera=None, seed=1)
        samples = augment_samples(image, mask, pipeline, 2)
        assert all("CenterCropPad" in sample.fired for sample in samples[1:])
        assert all(sample.padding.shape == image.shape for sample in samples[1:])
