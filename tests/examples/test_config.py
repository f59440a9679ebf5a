"""One config, one source: the fields' specs drive the command lines, the resume check and
the reuse of finished runs; choices come from the packages' registries."""

import dataclasses
from types import SimpleNamespace

import pytest
import torch

import tiaug
from examples import reproduce, resume, study, train, variants
from examples.config import (
    AUGMENTATIONS,
    RUN_ONLY,
    Role,
    TrainConfig,
    resume_keys,
    same_result,
    specs,
)
from examples.data import UsageError
from examples.models import NETWORKS, Network, Option, build_model
from examples.run import check_config
from samcl_loss import NEGATIVES
from samcl_loss.negatives import swap_classes
from samcl_loss.samcl import PREDICTIONS

#: The split of the fields before they carried their roles (train.py's _RESUME_KEYS, the
#: study's and the reproduction's _IRRELEVANT): the roles must give it back.
RESUME_KEYS = {
    "net", "loss", "aug", "data", "val_data", "init", "num_train", "iters", "batch", "size",
    "seed", "optimizer", "schedule", "face_crop", "lr", "momentum", "weight_decay",
    "poly_power", "samcl_prediction", "samcl_negatives", "contrastive_weight", "samcl_margin",
    "ce_weight", "base_width", "deeplab_backbone", "hrnet_variant",
}  # fmt: skip
IRRELEVANT = {
    "out", "resume", "stop_at", "workers", "threads", "device", "overlays", "log_every",
    "ckpt_every",
}  # fmt: skip


class _Tiny(torch.nn.Module):
    def __init__(self, num_classes: int = 6, in_channels: int = 1, depth: int = 3) -> None:
        super().__init__()
        self.depth = depth
        self.conv = torch.nn.Conv2d(in_channels, num_classes, 1)


def test_every_field_has_a_spec_and_the_roles_give_the_former_sets() -> None:
    fields = specs()
    assert list(fields) == [field.name for field in dataclasses.fields(TrainConfig)]
    assert all(spec.help and isinstance(spec.role, Role) for spec in fields.values())
    assert resume_keys() == RESUME_KEYS
    assert RUN_ONLY == IRRELEVANT
    assert not (RESUME_KEYS & IRRELEVANT)


def test_a_registered_network_option_reaches_the_parsers_and_the_resume_check(
    monkeypatch,
) -> None:
    """A new network with its own option, and no other edit: every command line takes the
    option and a resumed run with another value of it is refused."""
    option = Option("tiny_depth", "depth", 3, "depth of the tiny network")
    monkeypatch.setitem(NETWORKS, "tiny", Network(_Tiny, (option,)))
    assert "--tiny-depth" in train._parser().format_help()
    assert "--tiny-depth" in reproduce._parser().format_help()
    config = train.parse_args(["--net", "tiny", "--tiny-depth", "5"])
    assert config.build_model().depth == 5
    assert "tiny_depth" in resume_keys()
    saved = {"config": {**config.to_dict(), "tiny_depth": 4}}
    run = SimpleNamespace(config=config, amp_dtype=None)
    assert resume.differences(saved, run) == ["tiny_depth 4 != 5"]
    assert not same_result(saved["config"], config)
    assert same_result({**saved["config"], "tiny_depth": 5, "out": "elsewhere"}, config)


def test_a_losss_own_options_count_for_that_loss_only() -> None:
    """An RMI run does not depend on the SAM-CL options (a changed package default must not
    make its checkpoint another run's), a SAM-CL run does."""
    for loss, differs in (("rmi", False), ("samcl", True), ("rmi_ce", False)):
        config = TrainConfig(loss=loss, samcl_negatives="swap")
        saved = {**config.to_dict(), "samcl_negatives": "reflect", "contrastive_weight": 0.1}
        run = SimpleNamespace(config=config, amp_dtype=None)
        assert same_result(saved, config) is not differs
        assert bool(resume.differences({"config": saved}, run)) is differs
    config = TrainConfig(loss="rmi_ce", ce_weight=0.5)
    assert not same_result({**config.to_dict(), "ce_weight": 0.2}, config)
    rmi = TrainConfig(loss="rmi", ce_weight=0.5)
    assert same_result({**rmi.to_dict(), "ce_weight": 0.2}, rmi)


def test_choices_come_from_the_packages_registries(monkeypatch) -> None:
    fields = specs()
    assert fields["net"].choices is NETWORKS
    assert fields["samcl_negatives"].choices is NEGATIVES
    assert tuple(fields["samcl_prediction"].choices or ()) == PREDICTIONS
    assert ("none", *tiaug.PRESETS) == AUGMENTATIONS
    monkeypatch.setitem(NEGATIVES, "swap_again", swap_classes)
    assert train.parse_args(["--samcl-negatives", "swap_again"]).samcl_negatives == "swap_again"
    for name, value in (("samcl_negatives", "nope"), ("samcl_prediction", "mode")):
        with pytest.raises(SystemExit):
            train.parse_args([f"--{name.replace('_', '-')}", value])


def test_every_choice_field_is_checked_when_the_run_starts() -> None:
    for name, spec in specs().items():
        if spec.choices is not None:
            with pytest.raises(UsageError, match=rf"unknown (network|{name}) 'nope'"):
                check_config(TrainConfig(**{name: "nope"}), 1)


def test_every_field_reaches_the_training_command_line_with_its_help() -> None:
    text = "".join(train._parser().format_help().split())  # argparse wraps lines at will
    for name, spec in specs().items():
        if name != "net_options":
            assert f"--{name.replace('_', '-')}" in text
            assert "".join(spec.help.split()) in text, name


def test_the_study_and_the_reproduction_share_one_variant_registry() -> None:
    for script in (study, reproduce):
        assert all(variant is variants.VARIANTS[name] for name, variant in script.VARIANTS.items())
    assert list(reproduce.VARIANTS) == [
        "rmi_baseline",
        "rmi_tiaug",
        "samcl_tiaug",
        "samcl_released",
    ]
    assert set(study.VARIANTS) == set(variants.VARIANTS)
    paper = variants.VARIANTS["samcl_tiaug"].config(TrainConfig(), out="x")
    assert (paper.loss, paper.samcl_negatives, paper.out) == ("samcl", "swap", "x")


def test_build_model_is_the_configured_network() -> None:
    config = TrainConfig(net="unet", base_width=4)
    torch.manual_seed(0)
    model = config.build_model()
    torch.manual_seed(0)
    expected = build_model("unet", 6, 1, base_width=4)
    for (name, value), other in zip(
        model.state_dict().items(), expected.state_dict().values(), strict=True
    ):
        assert torch.equal(value, other), name
