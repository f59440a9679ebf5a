"""Exercise samcl-loss as installed from its wheel (run with the wheel's folder first on
PYTHONPATH, by `make smoke-samcl-loss`): the installed files, not the source tree, are
imported, and each loss trains a 1x1 convolution for a step on CPU.
"""

import sys
from pathlib import Path

import torch

import samcl_loss


def main() -> None:
    location = Path(samcl_loss.__file__).resolve()
    target = Path(sys.argv[1]).resolve()
    assert target in location.parents, f"samcl_loss imported from {location}, not {target}"
    assert (location.parent / "py.typed").is_file(), "py.typed is not in the wheel"
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(2, 1, 24, 30, generator=generator)
    target_labels = torch.randint(0, 6, (2, 24, 30), generator=generator)
    for criterion in (
        samcl_loss.RMILoss(num_classes=6),
        samcl_loss.SAMCLLoss(num_classes=6, generator=torch.Generator().manual_seed(0)),
    ):
        model = torch.nn.Conv2d(1, 6, 1)
        loss = criterion(model(images), target_labels)
        loss.backward()
        assert torch.isfinite(loss), type(criterion).__name__
        assert model.weight.grad is not None
        assert model.weight.grad.abs().sum() > 0, type(criterion).__name__
    print(f"samcl-loss {samcl_loss.__version__} from its wheel: RMILoss, SAMCLLoss")


if __name__ == "__main__":
    main()
