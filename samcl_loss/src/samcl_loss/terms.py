"""The parts of a SAM-CL loss value: a dict of tensors."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["SAMCLTerms", "reduce_terms"]


class SAMCLTerms(dict[str, Tensor]):
    """The parts of a SAM-CL loss value from one call: a ``dict`` of tensors.

    Keys: ``"loss"`` (the total, attached to the graph), ``"base"``, ``"contrastive"``
    (the sum of the scales, before ``contrastive_weight``) and ``"scale0"`` ...
    ``"scale<K>"`` (the mean triplet hinge at each scale). Only ``"loss"`` has "loss" in
    its name, so MMSegmentation's ``parse_losses`` backpropagates the total once and logs
    the rest; Lightning's ``log_dict`` takes it as is. Scalars, or per-sample (N,) values
    with ``reduction="none"``. Attribute access: :attr:`total`, :attr:`base`,
    :attr:`contrastive`, :attr:`scales`.
    """

    @property
    def total(self) -> Tensor:
        """``base + contrastive_weight * contrastive``, what ``forward`` returns."""
        return self["loss"]

    @property
    def base(self) -> Tensor:
        """The base (pixel) loss; 0 without one."""
        return self["base"]

    @property
    def contrastive(self) -> Tensor:
        """The SAM-CL term, the sum of the scales."""
        return self["contrastive"]

    @property
    def scales(self) -> tuple[Tensor, ...]:
        """Triplet hinges at scales 0, 1, ... (as many as the auxiliary network gives + 1)."""
        return tuple(v for k, v in self.items() if k.startswith("scale"))

    def detached(self) -> dict[str, Tensor]:
        """A plain dict of detached copies, for logging."""
        return {k: v.detach() for k, v in self.items()}


def reduce_terms(
    base: Tensor, hinges: list[Tensor], *, weight: float, reduction: str
) -> SAMCLTerms:
    """Reduce per-sample hinges (N,) and the base value into the terms."""
    if reduction == "none":
        scales = hinges
    else:
        scales = [h.mean() if reduction == "mean" else h.sum() for h in hinges]
        if reduction == "sum":
            base = base.sum()
    contrastive = torch.stack(scales).sum(0)
    terms = SAMCLTerms(loss=base + weight * contrastive, base=base, contrastive=contrastive)
    terms.update({f"scale{i}": s for i, s in enumerate(scales)})
    return terms
