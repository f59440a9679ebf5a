"""OcclusionConfig as the one definition of the occluder parameters (in four groups); the
shape registry."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

import tiaug
from tiaug.occlusion import functional as F
from tiaug.occlusion import shapes


def test_a_new_shape_is_one_function_and_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def square(radius, short, vertices, cfg, *, rng):
        assert type(cfg) is shapes.ShapeConfig  # the shape parameters only
        half = radius
        corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
        return "square", [(corners, 0)]

    monkeypatch.setitem(shapes.SHAPE_FUNCTIONS, "square", square)
    config = F.OcclusionConfig(
        shapes=("square",), configurations=("single",), configuration_weights=None, size=(0.1, 0.1)
    )
    image = np.full((64, 80), 20.0, np.float32)
    (occluder,) = F.sample_occluders(image, config=config, rng=np.random.default_rng(0))
    assert occluder.kind == "square"
    covered = occluder.alpha > 0
    rows, cols = covered.any(axis=1), covered.any(axis=0)
    assert covered[np.ix_(rows, cols)].all()  # a filled axis-aligned square
    assert max(rows.sum(), cols.sum()) <= 14  # 2 x 6.4 px (or cut by the frame)


def test_an_unregistered_shape_is_an_error_not_an_ellipse() -> None:
    with pytest.raises(ValueError, match="unknown shapes \\['square'\\]"):
        F.OcclusionConfig(shapes=("square",))
    assert set(F.SHAPES) == set(shapes.SHAPE_FUNCTIONS)


@pytest.mark.parametrize("name", ["size", "stroke_width", "bar_width"])
def test_pixel_looking_sizes_are_rejected_by_the_functional_config(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} is a fraction.*looks like pixels"):
        F.OcclusionConfig(**{name: (10.0, 24.0)})
    with pytest.raises(ValueError, match="looks like pixels"):
        F.sample_occluders(
            np.zeros((8, 8), np.float32), size=(10, 24), rng=np.random.default_rng(0)
        )


def test_the_transform_derives_its_arguments_from_the_config() -> None:
    import inspect

    from tiaug import ThermalOcclusion
    from tiaug.occlusion.config import GROUPS, OPTION_NAMES, OcclusionConfig

    fields = [f for group in GROUPS.values() for f in dataclasses.fields(group) if f.init]
    defaults = {f.name: f.default for f in fields}
    assert tuple(defaults) == OPTION_NAMES
    parameters = inspect.signature(ThermalOcclusion).parameters
    assert list(parameters) == [*OPTION_NAMES, "p"]
    assert {name: parameters[name].default for name in OPTION_NAMES} == defaults
    schema = ThermalOcclusion.InitSchema.model_fields
    assert {name: schema[name].default for name in OPTION_NAMES} == defaults
    assert set(ThermalOcclusion().get_transform_init_args_names()) == {*OPTION_NAMES, "p"}
    doc = ThermalOcclusion.__doc__ or ""
    assert all(re.search(rf"\n +{name}: ", doc) for name in (*OPTION_NAMES, "p")), "undocumented"
    assert ThermalOcclusion().config() == OcclusionConfig()
    custom = {"size": (0.05, 0.07), "temperature_mode": "ambient", "max_hidden": 0.9}
    assert ThermalOcclusion(**custom).config() == OcclusionConfig(**custom)


def test_the_transform_refuses_unknown_arguments_unless_strict_is_off() -> None:
    from tiaug import ThermalOcclusion

    with pytest.raises(ValueError, match=r"has no argument 'sise' \(did you mean 'size'\?\)"):
        ThermalOcclusion(sise=(0.1, 0.2))
    with pytest.warns(UserWarning, match="'sise' are not valid"):  # albumentations' own
        ThermalOcclusion(sise=(0.1, 0.2), strict=False)


def test_one_configuration_alone_needs_no_weights():
    assert F.OcclusionConfig(configurations=("single",)).configuration_weights == (1.0,)
    joined_or_not = F.OcclusionConfig(configurations=("single", "joined"))
    assert joined_or_not.configuration_weights == pytest.approx((0.34 / 0.67, 0.33 / 0.67))
    assert F.OcclusionConfig().configuration_weights == pytest.approx((0.34, 0.33, 0.33))
    transform = tiaug.ThermalOcclusion(configurations=("single",), p=1.0)
    image = np.full((40, 48), 30.0, np.float32)
    assert transform(image=image)["image"].shape == (40, 48)


def test_the_config_is_four_groups_that_each_take_their_own_parameters() -> None:
    from tiaug.occlusion.config import GROUPS, OPTION_NAMES, OcclusionConfig

    names = [f.name for g in GROUPS.values() for f in dataclasses.fields(g) if f.init]
    assert sorted(names) == sorted(OPTION_NAMES)  # each parameter in one group
    config = OcclusionConfig(size=(0.1, 0.2), temperature_mode="ambient", label_policy="ignore")
    assert config.shape == F.ShapeConfig(size=(0.1, 0.2))
    assert config.thermal == F.TemperatureConfig(temperature_mode="ambient")
    assert config.layout == F.PlacementConfig()
    assert config.labels == F.LabelConfig(label_policy="ignore")
    # every parameter (and normalised form) still reads flat
    assert (config.size, config.temperature_ranges, config.label_policy) == (
        (0.1, 0.2),
        ((0.0, 4.0),),
        "ignore",
    )
    with pytest.raises(TypeError, match="unexpected keyword argument 'vertex_ranges'"):
        OcclusionConfig(vertex_ranges=((2, 3),))
