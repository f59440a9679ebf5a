import numpy as np
import pytest

import tiaug
from tiaug.cameras import CAMERAS, Camera, get_camera, list_cameras


def test_installed_package_is_imported():
    assert "src" in tiaug.__file__.replace("\\", "/").split("/")


def test_presets_of_physics_table_exist_with_sane_values():
    for name in (
        "infratec-hd820",
        "flir-a655sc",
        "flir-a65",
        "flir-boson-640",
        "flir-boson-320",
        "flir-lepton-3.5",
        "flir-one-pro",
        "topdon-tc001",
        "infiray-p2",
        "seek-compact",
    ):
        camera = get_camera(name)
        assert 0.0 < camera.netd <= 0.1
        assert camera.width > camera.height > 0
    assert list_cameras() == sorted(CAMERAS)


def test_flir_a65_counts_formula_of_the_reference_inference_code():
    camera = get_camera("flir-a65")
    assert camera.shape == (512, 640)
    counts = np.array([[7500, 7700]], dtype=np.uint16)
    np.testing.assert_allclose(camera.counts_to_celsius(counts), counts * 0.04 - 273.15, atol=1e-4)


@pytest.mark.parametrize("name", [n for n in sorted(CAMERAS) if CAMERAS[n].radiometric])
def test_counts_round_trip_within_half_a_step(name):
    camera = get_camera(name)
    temperature = np.linspace(15.0, 45.0, 101)
    back = camera.counts_to_celsius(camera.celsius_to_counts(temperature))
    assert np.abs(back - temperature).max() <= camera.count_step / 2 + 1e-4


def test_lookup_is_case_insensitive_and_passes_cameras_through():
    camera = get_camera("FLIR-Boson-640")
    assert get_camera(camera) is camera
    assert isinstance(camera, Camera)


def test_unknown_camera_lists_known_names():
    with pytest.raises(ValueError, match=r"unknown camera 'nope'; known cameras: .*flir-a65"):
        get_camera("nope")


def test_camera_without_calibration_refuses_counts():
    with pytest.raises(ValueError, match="no linear radiometric count format"):
        get_camera("seek-compact").counts_to_celsius(np.zeros((2, 2), np.uint16))


def test_a_users_own_camera_works_wherever_a_preset_name_does(tmp_path):
    import albumentations as A

    mine = Camera("mycam", 160, 120, 0.06, 0.01, -273.15, "uint16", "a user's camera")
    image = np.full((32, 40), 30.0, np.float32)
    noise = tiaug.SensorNoise(netd=mine, quantization=mine, p=1.0)
    assert noise.netd == 0.06
    assert noise.quantization == (0.01, -273.15)
    out = A.Compose([noise], seed=0)(image=image)["image"]
    assert 0.03 < float(out.std()) < 0.09  # NETD 0.06 degC
    steps = (out.astype(np.float64) + 273.15) / 0.01
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-2)  # on the count grid
    restored = A.from_dict(A.to_dict(A.Compose([noise])))  # plain numbers serialise
    assert restored.transforms[0].quantization == (0.01, -273.15)
    pipeline = tiaug.TiAug("unconstrained", size=(32, 40), camera=mine, seed=0)
    assert pipeline(image=image, mask=np.zeros((32, 40), np.uint8))["image"].shape == (32, 40)


def test_a_float_image_needs_no_count_format(tmp_path):
    path = tmp_path / "face.npy"
    np.save(path, np.full((12, 16), 31.5, np.float32))
    assert get_camera("seek-compact").count_step is None
    np.testing.assert_array_equal(tiaug.read_thermal(path, camera="seek-compact"), np.load(path))
    counts = tmp_path / "counts.npy"
    np.save(counts, np.full((12, 16), 3000, np.uint16))
    with pytest.raises(ValueError, match="seek-compact"):
        tiaug.read_thermal(counts, camera="seek-compact")


def test_a_radiometric_jpeg_camera_has_no_invented_count_format():
    # the FLIR ONE Pro stores a Planck calibration in each JPEG: no linear counts
    assert get_camera("flir-one-pro").count_step is None
