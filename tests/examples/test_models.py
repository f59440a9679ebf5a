"""The four networks: shapes, one TiAug + SAMCLLoss training step, construction details."""

import time

import pytest
import timm
import torch
import torchvision

from examples import reproduce
from examples.config import TrainConfig
from examples.data import SegmentationDataset, open_data
from examples.models import (
    MODELS,
    NETWORKS,
    AttentionUNet,
    DeepLabV3,
    HRNetV2,
    Network,
    Option,
    UNet,
    build_model,
    network_options,
)
from examples.train import parse_args
from samcl_loss import SAMCLLoss

SIZE = (64, 80)
#: Smaller versions of the networks, for the tests that need no paper-sized one.
SMALL = {
    "unet": {"base_width": 8},
    "attention_unet": {"base_width": 8},
    "deeplabv3": {"backbone": "resnet50"},
    "hrnetv2": {"variant": "hrnet_w18_small"},
}


@pytest.fixture(scope="module")
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    train, _ = open_data("synthetic", SIZE, num_train=2, num_val=1, seed=0)
    dataset = SegmentationDataset(train, SIZE, "samcl", seed=0)
    images, masks = zip(*(dataset[(0, i)] for i in range(2)), strict=True)
    return torch.stack(images), torch.stack(masks).long()


@pytest.mark.parametrize("name", list(MODELS))
def test_one_training_step_with_samcl_and_tiaug(name: str, batch) -> None:
    """The paper-sized network (U-Net 64..1024, ResNet-101, HRNet-W48) at 64x80."""
    torch.manual_seed(0)
    model = build_model(name)
    criterion = SAMCLLoss(6, generator=torch.Generator().manual_seed(0))
    parameters = list(model.parameters()) + list(criterion.parameters())
    optimizer = torch.optim.SGD(parameters, lr=0.01, momentum=0.9)
    before = [p.detach().clone() for p in parameters]
    image, target = batch
    logits = model(image)
    assert logits.shape == (2, 6, *SIZE)
    loss = criterion(logits, target)
    assert torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is not None for p in parameters)  # DDP needs no unused parameter
    optimizer.step()
    changed = [not torch.equal(b, p) for b, p in zip(before, parameters, strict=True)]
    assert sum(changed) > 0.9 * len(parameters)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("size", [(33, 47), (50, 70)])
def test_output_size_equals_input_size_for_odd_sizes(name: str, size) -> None:
    model = build_model(name, **SMALL[name]).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 1, *size)).shape == (1, 6, *size)


def test_unet_widths_follow_the_paper() -> None:
    model = UNet()
    widths = [encoder[0].out_channels for encoder in model.encoders]
    assert widths == [64, 128, 256, 512, 1024]
    assert isinstance(model.ups[0], torch.nn.ConvTranspose2d)
    assert model.encoders[0][0].in_channels == 1


def test_attention_gates_weight_the_skips() -> None:
    model = AttentionUNet(base_width=8)
    assert [gate.psi[1].in_channels for gate in model.gates] == [32, 16, 8, 4]
    skip, gate = torch.randn(2, 8, 6, 6), torch.randn(2, 8, 6, 6)
    weights = model.gates[-1].psi(model.gates[-1].skip_proj(skip) + model.gates[-1].gate_proj(gate))
    assert weights.shape == (2, 1, 6, 6)
    assert 0 <= weights.min() <= weights.max() <= 1
    assert torch.allclose(model.gates[-1](skip, gate), skip * weights)


def test_deeplabv3_is_resnet101_at_output_stride_8_with_one_channel() -> None:
    model = DeepLabV3().eval()
    assert model.net.backbone.conv1.in_channels == 1
    blocks = len(model.net.backbone.layer3)
    assert blocks == 23  # ResNet-101
    with torch.no_grad():
        features = model.net.backbone(torch.randn(1, 1, *SIZE))["out"]
        assert features.shape[-2:] == (SIZE[0] // 8, SIZE[1] // 8)
        assert model(torch.randn(1, 1, *SIZE)).shape == (1, 6, *SIZE)


def test_hrnetv2_w48_has_the_four_branches_and_the_v2_head() -> None:
    start = time.perf_counter()
    model = HRNetV2().eval()
    assert model.backbone.feature_info.channels() == [48, 96, 192, 384]
    assert model.backbone.feature_info.reduction() == [4, 8, 16, 32]
    assert model.head[0].in_channels == 720
    assert model.head[0].out_channels == 720
    assert model.head[-1].out_channels == 6
    with torch.no_grad():
        assert model(torch.randn(1, 1, *SIZE)).shape == (1, 6, *SIZE)
    assert time.perf_counter() - start < 30


def test_unknown_network_is_a_one_line_error() -> None:
    with pytest.raises(ValueError, match=r"unknown network 'segformer'; known networks: unet"):
        build_model("segformer")
    with pytest.raises(ValueError, match="unknown DeepLabV3 backbone"):
        build_model("deeplabv3", backbone="vgg")
    with pytest.raises(ValueError, match="unknown HRNet variant"):
        build_model("hrnetv2", variant="hrnet_w99")


def test_nothing_is_downloaded(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", refuse)
    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)
    monkeypatch.setattr(torchvision.models._api.WeightsEnum, "get_state_dict", refuse)
    monkeypatch.setattr(timm.models._builder, "load_pretrained", refuse)
    for name in MODELS:
        build_model(name)


class _Tiny(torch.nn.Module):
    """A network registered by the test below: one convolution of ``depth`` x 2 channels."""

    def __init__(self, num_classes: int = 6, in_channels: int = 1, depth: int = 3) -> None:
        super().__init__()
        self.depth = depth
        self.conv = torch.nn.Conv2d(in_channels, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


def test_a_registered_network_gets_its_own_options_only(monkeypatch) -> None:
    option = Option("tiny_depth", "depth", 3, "depth of the tiny network")
    monkeypatch.setitem(NETWORKS, "tiny", Network(_Tiny, (option,)))
    assert TrainConfig(net="tiny").model_kwargs() == {"depth": 3}
    config = parse_args(["--net", "tiny", "--tiny-depth", "5", "--base-width", "4"])
    assert config.model_kwargs() == {"depth": 5}
    assert config.to_dict()["tiny_depth"] == 5
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert build_model(config.net, **config.model_kwargs()).depth == 5
    assert TrainConfig(net="unet", tiny_depth=7).model_kwargs() == {"base_width": 64}
    reproduce_args = reproduce._parser().parse_args(["--tiny-depth", "2"])
    assert reproduce._base_config(reproduce_args).net_options["tiny_depth"] == 2
    with pytest.raises(ValueError, match="unknown network 'segformer'"):
        TrainConfig(net="segformer").model_kwargs()
    with pytest.raises(TypeError, match="unknown TrainConfig options: depth"):
        TrainConfig(depth=5)


def test_network_options_are_unique_by_name(monkeypatch) -> None:
    assert list(network_options()) == ["base_width", "deeplab_backbone", "hrnet_variant"]
    clash = Option("base_width", "width", 32, "another width")
    monkeypatch.setitem(NETWORKS, "other", Network(_Tiny, (clash,)))
    with pytest.raises(ValueError, match="two different network options are named 'base_width'"):
        network_options()
