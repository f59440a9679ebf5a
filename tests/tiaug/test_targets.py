"""Every albumentations target through every tiaug transform, on either albumentations line."""

from __future__ import annotations

from collections.abc import Callable

import albumentations as A
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage

import tiaug
from tiaug._base import ALBUMENTATIONS_X
from tiaug.ambient.transforms import AmbientShift, BackgroundClutter
from tiaug.blur.transforms import ThermalBlur
from tiaug.export.transforms import CameraExport
from tiaug.geometric.transforms import CenterCropPad, RandomRescale
from tiaug.noise.transforms import SensorNoise
from tiaug.occlusion.transforms import ThermalOcclusion
from tiaug.presets import PRESETS, TiAug

Factory = Callable[[], A.BasicTransform]

#: pixel-level transforms (p=1, parameters that visibly change the image)
PIXEL: dict[str, Factory] = {
    "ThermalBlur": lambda: ThermalBlur(sigma=1.5, p=1.0),
    "CameraExport": lambda: CameraExport(jpeg_p=1.0, p=1.0),
    "SensorNoise": lambda: SensorNoise(netd=0.1, fixed_pattern=0.05, row_noise=0.02, p=1.0),
    "AmbientShift": lambda: AmbientShift(delta=(3.0, 5.0), p=1.0),
    "BackgroundClutter": lambda: BackgroundClutter(num_blobs=(2, 2), p=1.0),
    "ThermalOcclusion": lambda: ThermalOcclusion(p=1.0),
    "ThermalOcclusion-ignore": lambda: ThermalOcclusion(label_policy="ignore", p=1.0),
}
GEOMETRIC: dict[str, Factory] = {
    "RandomRescale": lambda: RandomRescale(scale=(0.5, 2.0), p=1.0),
    "CenterCropPad": lambda: CenterCropPad(size=(40, 36)),
}
EVERY = {**PIXEL, **GEOMETRIC}


def _scene(rows: int, cols: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A warm disc (label 1, eyes 3 inside) on a 22 degC background, with texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:rows, :cols]
    disc = (yy - rows / 2) ** 2 + (xx - cols / 2) ** 2 < (min(rows, cols) / 3) ** 2
    image = np.where(disc, 34.0, 22.0) + rng.normal(0.0, 0.2, (rows, cols))
    mask = disc.astype(np.uint8)
    mask[disc & (yy < rows / 2)] = 3
    return image.astype(np.float32), mask


def _keypoint_params(fmt: str) -> A.KeypointParams:
    # the format is positional: "format" on albumentations 2.0.8, "coord_format" on X
    return A.KeypointParams(fmt, remove_invisible=False)


def _compose(transform: A.BasicTransform, seed: int = 0) -> A.Compose:
    clip = {} if ALBUMENTATIONS_X else {"clip": True}  # X clips after each transform itself
    return A.Compose(
        [transform],
        keypoint_params=_keypoint_params("xy"),
        bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"], **clip),
        seed=seed,
    )


# albumentations 2.0.8 warns that no transform of the pipeline processes keypoints and boxes:
# true (image-only transforms pass them along), and the point of this test
@pytest.mark.filterwarnings("ignore:Got processor for:UserWarning")
@pytest.mark.parametrize("name", sorted(PIXEL))
@given(
    rows=st.integers(24, 48),
    cols=st.integers(24, 48),
    points=st.lists(st.tuples(st.floats(0, 23), st.floats(0, 23)), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_pixel_transforms_leave_keypoints_and_boxes_alone(name, rows, cols, points, seed):
    image, mask = _scene(rows, cols, seed)
    boxes = [(2.0, 3.0, 20.0, 21.0), (0.0, 0.0, cols, rows)]
    out = _compose(PIXEL[name](), seed)(
        image=image, mask=mask, keypoints=points, bboxes=boxes, labels=[1, 2]
    )
    assert not np.array_equal(out["image"], image)  # the transform did something
    np.testing.assert_allclose(np.asarray(out["keypoints"]), np.asarray(points), atol=1e-4)
    np.testing.assert_allclose(np.asarray(out["bboxes"]), np.asarray(boxes), atol=1e-4)
    assert list(out["labels"]) == [1, 2]


@given(
    rows=st.integers(32, 64),
    cols=st.integers(32, 64),
    row=st.floats(0.3, 0.7),
    col=st.floats(0.3, 0.7),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=25, deadline=None)
def test_random_rescale_moves_a_keypoint_with_its_pixels(rows, cols, row, col, seed):
    # a warm Gaussian spot centred on the keypoint: its centroid moves with the image
    y, x = row * rows, col * cols
    yy, xx = np.mgrid[:rows, :cols]
    spot = np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * 2.5**2))
    image = (20.0 + 10.0 * spot).astype(np.float32)
    out = _compose(RandomRescale(scale=(0.5, 2.0), p=1.0), seed)(
        image=image, keypoints=[(x, y)], bboxes=[], labels=[]
    )
    weight = out["image"] - 20.0
    oy, ox = np.mgrid[: weight.shape[0], : weight.shape[1]]
    centroid = (np.sum(weight * ox) / weight.sum(), np.sum(weight * oy) / weight.sum())
    np.testing.assert_allclose(out["keypoints"][0][:2], centroid, atol=0.3)


@given(
    rows=st.integers(10, 60),
    cols=st.integers(10, 60),
    height=st.integers(10, 60),
    width=st.integers(10, 60),
    box=st.tuples(st.floats(0, 0.45), st.floats(0, 0.45), st.floats(0.55, 1), st.floats(0.55, 1)),
)
@settings(max_examples=40, deadline=None)
def test_center_crop_pad_moves_keypoints_and_boxes_with_the_pixels(rows, cols, height, width, box):
    x0, y0 = int(box[0] * cols), int(box[1] * rows)
    x1, y1 = max(x0 + 1, int(box[2] * cols)), max(y0 + 1, int(box[3] * rows))
    mask = np.zeros((rows, cols), np.uint8)
    mask[y0:y1, x0:x1] = 1
    image = np.full((rows, cols), 20.0, np.float32)
    image[y0, x0] = 40.0
    out = _compose(CenterCropPad(size=(height, width)))(
        image=image, mask=mask, keypoints=[(x0, y0)], bboxes=[(x0, y0, x1, y1)], labels=[7]
    )
    inside = np.argwhere(out["mask"] == 1)
    x, y = out["keypoints"][0][:2]
    if 0 <= x < width and 0 <= y < height:
        assert out["image"][round(y), round(x)] == 40.0
    if inside.size:  # the box is clipped to the frame, like the labels
        (top, left), (bottom, right) = inside.min(axis=0), inside.max(axis=0) + 1
        np.testing.assert_allclose(out["bboxes"][0], (left, top, right, bottom), atol=1e-3)
    else:
        assert len(out["bboxes"]) == 0


def test_random_rescale_scales_a_box_with_its_label_region():
    mask = np.zeros((40, 50), np.uint8)
    mask[10:30, 5:25] = 1
    out = _compose(RandomRescale(scale=(1.5, 1.5), aspect=(1.2, 1.2)))(
        image=np.full((40, 50), 20.0, np.float32),
        mask=mask,
        keypoints=[],
        bboxes=[(5, 10, 25, 30)],
        labels=[1],
    )
    inside = np.argwhere(out["mask"] == 1)
    (top, left), (bottom, right) = inside.min(axis=0), inside.max(axis=0) + 1
    np.testing.assert_allclose(out["bboxes"][0], (left, top, right, bottom), atol=1.0)


@pytest.mark.parametrize("name", sorted(EVERY))
@pytest.mark.parametrize("channels", [2, 3, 5])
def test_every_channel_of_images_and_masks_is_kept(name, channels):
    image, mask = _scene(32, 40)
    single = A.Compose([EVERY[name]()], seed=3)(image=image, mask=mask)
    stacked = A.Compose([EVERY[name]()], seed=3)(
        image=np.repeat(image[..., None], channels, axis=2),
        mask=np.repeat(mask[..., None], channels, axis=2),
    )
    assert stacked["image"].shape == (*single["image"].shape, channels)
    assert stacked["mask"].shape == (*single["mask"].shape, channels)
    for c in range(channels):  # channels are views of one scene: transformed alike
        np.testing.assert_allclose(stacked["image"][..., c], single["image"], atol=1e-5)
        np.testing.assert_array_equal(stacked["mask"][..., c], single["mask"])


@pytest.mark.parametrize("name", sorted(EVERY))
def test_images_masks_and_volume_targets(name):
    image, mask = _scene(32, 40)
    frames = np.stack([image, image + 1.0])
    labels = np.stack([mask, mask])
    single = A.Compose([EVERY[name]()], seed=5)(image=image, mask=mask)
    for target, mask_target in (("images", "masks"), ("volume", "mask3d")):
        out = A.Compose([EVERY[name]()], seed=5)(**{target: frames, mask_target: labels})
        assert out[target].shape == (2, *single["image"].shape), target
        assert out[target].dtype == np.float32
        assert out[mask_target].shape == (2, *single["mask"].shape), mask_target
        assert not np.array_equal(out[target][0], frames[0])
        np.testing.assert_array_equal(out[mask_target][0], out[mask_target][1])


def test_occlusion_changes_frames_and_masks_of_a_stack_alike():
    image, mask = _scene(32, 40)
    transform = ThermalOcclusion(label_policy="ignore", texture=(0.0, 0.0), p=1.0)
    stack = {"images": np.stack([image, image]), "masks": np.stack([mask, mask])}
    out = A.Compose([transform], seed=1)(**stack)
    changed = out["images"][0] != image
    assert changed.any()
    np.testing.assert_array_equal(out["images"][1] != image, changed)
    assert (out["masks"][0][changed] == 255).any()
    np.testing.assert_array_equal(out["masks"][0], out["masks"][1])


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("fmt", ["yx", "xy"])
def test_every_preset_runs_on_a_synthetic_face_with_its_landmarks(preset, fmt):
    face = tiaug.synth_face(seed=2, size=(96, 120))
    points = face.landmarks if fmt == "yx" else face.landmarks[:, ::-1]
    labels = _labels_at(face.mask, face.landmarks)
    pipeline = TiAug(preset, size=(96, 120), seed=0, keypoint_params=_keypoint_params(fmt))
    for _ in range(4):
        out = pipeline(image=face.image, mask=face.mask, keypoints=points)
        landmarks = np.asarray(out["keypoints"])
        assert landmarks.shape == (68, 2)
        yx = landmarks if fmt == "yx" else landmarks[:, ::-1]
        # each landmark still lies on (or next to) the class it lay on: moved with the mask
        distances = _distance_to_label(out["mask"], yx, labels)
        assert np.median(distances) <= 1.0
        assert np.quantile(distances, 0.9) <= 3.0


def _labels_at(mask: np.ndarray, yx: np.ndarray) -> np.ndarray:
    rows, cols = np.round(yx).astype(int).T
    return mask[rows, cols]


def _distance_to_label(mask: np.ndarray, yx: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Pixels from each in-frame (row, col) point to the nearest pixel of its label."""
    rows, cols = np.round(yx).astype(int).T
    inside = (rows >= 0) & (rows < mask.shape[0]) & (cols >= 0) & (cols < mask.shape[1])
    distances = [
        ndimage.distance_transform_edt(mask != label)[row, col]
        for row, col, label in zip(rows[inside], cols[inside], labels[inside], strict=True)
    ]
    return np.asarray(distances if distances else [0.0])


@pytest.mark.parametrize("name", sorted(EVERY))
def test_registry_name_is_the_defining_module_on_either_line(name):
    transform = EVERY[name]()
    saved = A.to_dict(transform)
    family = {"Ambient": "ambient", "Background": "ambient", "ThermalBlur": "blur"}
    family |= {"CameraExport": "export"}
    family |= {"SensorNoise": "noise", "ThermalOcclusion": "occlusion"}
    family |= {"RandomRescale": "geometric", "CenterCropPad": "geometric"}
    module = next(value for key, value in family.items() if name.startswith(key))
    expected = f"tiaug.{module}.transforms.{type(transform).__name__}"
    assert saved["transform"]["__class_fullname__"] == expected
    assert type(A.from_dict(saved)) is type(transform)
