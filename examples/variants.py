"""The named training variants the study and the reproduction run: one registry.

A variant is a set of :class:`~examples.config.TrainConfig` overrides (loss, augmentation,
SAM-CL options) with a description; a variant name means the same runs in
:mod:`examples.study` and :mod:`examples.reproduce`, which each name those they run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from examples.config import TrainConfig

__all__ = ["CRITIC_NEGATIVES", "VARIANTS", "Variant", "select"]

#: SAMCLLoss negatives of the critic that cannot cheat by class areas (samcl_loss.negatives).
CRITIC_NEGATIVES = "reflect"


@dataclass(frozen=True)
class Variant:
    """TrainConfig overrides of a base run, and what they make of it."""

    overrides: Mapping[str, Any]
    description: str

    def config(self, base: TrainConfig, **run: Any) -> TrainConfig:
        """``base`` with the overrides, then ``run``'s values (seed, out ...)."""
        return TrainConfig.from_dict({**base.to_dict(), **self.overrides, **run})


#: Every variant by name.
VARIANTS: Mapping[str, Variant] = MappingProxyType(
    {
        "rmi_baseline": Variant(
            {"loss": "rmi", "aug": "baseline"}, "RMI, geometry-only aug (the paper's baseline)"
        ),
        "rmi_tiaug": Variant({"loss": "rmi", "aug": "samcl"}, "RMI + TiAug"),
        "samcl_tiaug": Variant(
            {"loss": "samcl", "aug": "samcl", "samcl_negatives": "swap"},
            "TiAug + SAM-CL as the paper describes it, its class-swap negatives",
        ),
        "samcl_critic": Variant(
            {"loss": "samcl", "aug": "samcl", "samcl_negatives": CRITIC_NEGATIVES},
            f"TiAug + SAM-CL, negatives {CRITIC_NEGATIVES!r} (a critic that cannot cheat)",
        ),
        "rmi_ce_tiaug": Variant(
            {"loss": "rmi_ce", "aug": "samcl"},
            "RMI + 0.5 x cross-entropy + TiAug (extra supervision, no contrast: the control)",
        ),
        "rmi_wild": Variant(
            {"loss": "rmi", "aug": "wild"},
            "RMI + TiAug 'wild' (upright heads, scene physics, occluders, camera noise and export;"
            " the demo's recipe)",
        ),
        "samcl_wild": Variant(
            {"loss": "samcl", "aug": "wild", "samcl_negatives": CRITIC_NEGATIVES},
            f"TiAug 'wild' + SAM-CL, negatives {CRITIC_NEGATIVES!r}",
        ),
        "samcl_released": Variant(
            {
                "loss": "samcl",
                "aug": "samcl",
                "samcl_prediction": "argmax",
                "samcl_negatives": "zeros",
            },
            "TiAug + SAM-CL as released (argmax, zero negatives; trains like rmi_tiaug)",
        ),
    }
)


def select(*names: str) -> dict[str, Variant]:
    """The named variants of :data:`VARIANTS`, in the order given.

    Raises:
        KeyError: an unknown name.
    """
    return {name: VARIANTS[name] for name in names}
