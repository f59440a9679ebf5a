"""SAM-CL: self-adversarial multi-scale contrastive loss (Joshi et al., BMVC 2022)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from samcl_loss._checks import check_choice, check_inputs, split_target
from samcl_loss.auxiliary import AuxiliaryNetwork
from samcl_loss.negatives import NEGATIVES
from samcl_loss.pixel import DiceLoss, MaskedCrossEntropyLoss
from samcl_loss.rmi import RMILoss, one_hot_target

__all__ = ["SAMCLLoss", "SAMCLTerms"]

_LOG_EPS = 1e-6
_PACKAGE_BASES = (RMILoss, MaskedCrossEntropyLoss, DiceLoss)


@dataclass(frozen=True)
class SAMCLTerms:
    """The parts of a :class:`SAMCLLoss` value, from one forward pass.

    All tensors are scalars attached to the autograd graph; ``total`` is what
    ``forward`` returns without ``return_terms`` (detach the others before logging).

    Attributes:
        total: ``base + weight * contrastive``.
        base: the base (pixel) loss; 0 without one.
        contrastive: the SAM-CL term, ``sum(scales)`` (not multiplied by ``weight``).
        scales: batch-mean triplet hinge at scales 0, 1, 2, 3.
    """

    total: Tensor
    base: Tensor
    contrastive: Tensor
    scales: tuple[Tensor, Tensor, Tensor, Tensor]


def _masked_mean(values: Tensor, mask: Tensor) -> Tensor:
    """Per-sample mean of ``values`` (B, 1, h, w) over ``mask`` (B, 1, h, w); 0 if empty."""
    total = (values * mask).flatten(1).sum(1)
    return total / mask.flatten(1).sum(1).clamp_min(1.0)


def _soft_cross_entropy(anchor: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    r"""Per-sample :math:`-\sum_k \mathrm{softmax}(t)_k \log\mathrm{softmax}(a)_k`.

    The mean runs over the positions where ``mask`` is 1; 0 for a sample without any.
    """
    dtype = torch.promote_types(anchor.dtype, torch.float32)
    log_p = anchor.to(dtype).log_softmax(1)
    q = target.to(dtype).softmax(1)
    return _masked_mean(-(q * log_p).sum(1, keepdim=True), mask)


class SAMCLLoss(nn.Module):
    r"""Base loss plus the self-adversarial multi-scale contrastive (SAM-CL) term.

    The anchor :math:`a` is the prediction (softmax of the logits by default), the positive
    :math:`p` the one-hot target and the negative :math:`n` a wrong label map built from
    it (by default the target circularly shifted by half its size: every class keeps its
    channel and area but sits in the wrong place; the paper permutes the class channels),
    all three zero at ignored pixels. An owned
    :class:`~samcl_loss.auxiliary.AuxiliaryNetwork` maps them (in one batched call, so
    normalisation statistics are shared) to scales :math:`s = 1, 2, 3`; scale 0 is the maps
    themselves. Per sample :math:`i`:

    .. math::
        h_s(i) = \max\big(0,\ m + d_s(a_i, p_i) - d_s(a_i, n_i)\big), \qquad
        \mathcal{L} = \mathcal{L}_\text{base} + w \sum_{s=0}^{3} \frac{1}{N}\sum_i h_s(i)

    Distances (per sample, over its valid pixels; a sample without valid pixels has
    :math:`h_s(i) = 0`):

    - scale 0, RMI base: :math:`d_0(a, y) = \sum_c r_c / R^2`, the RMI term of
      :class:`~samcl_loss.rmi.RMILoss` with :math:`y` as target and :math:`a` as
      prediction map (no BCE half; the base loss has it). The pooled positive and the
      factorisation of the anchor's covariance are shared with the base loss.
    - scale 0, other base: cross-entropy
      :math:`d_0(a, y) = \overline{-\sum_c y_c \log a_c}` (log-softmax of the logits for
      ``prediction="softmax"``, :math:`\log\max(a, 10^{-6})` otherwise).
    - scales 1-3: soft-target cross-entropy
      :math:`d_s(a, y) = \overline{-\sum_k \mathrm{softmax}(f_s(y))_k
      \log\mathrm{softmax}(f_s(a))_k}`: the target side is turned into a distribution
      over channels by a softmax (the reference used raw ReLU features), the mean runs over
      the valid positions of the scale (:meth:`AuxiliaryNetwork.downsample_mask`).
      Gradients flow through both sides, so the auxiliary network learns from the same
      sum (no min-max game, as in the reference).

    The auxiliary network's parameters belong to this module: pass
    ``list(model.parameters()) + list(criterion.parameters())`` to the optimizer.

    Args:
        num_classes: number of classes C, at least 2.
        base_loss: ``"rmi"`` (:class:`RMILoss` with the paper's settings), ``"ce"``
            (:class:`MaskedCrossEntropyLoss`), ``"dice"`` (:class:`DiceLoss`), ``None``
            (the contrastive term alone) or any module taking ``(logits, target)`` and
            returning a scalar; an :class:`RMILoss` instance also gives the RMI scale-0
            distance. Losses of this package passed as instances must have the same
            ``num_classes`` and ``ignore_index`` (inputs are then validated only once).
        weight: :math:`w`, weight of the contrastive term.
        margin: :math:`m`, triplet margin.
        negatives: a name in :data:`~samcl_loss.negatives.NEGATIVES`: ``"shift"`` (the
            target rolled by half its height and width; the default), ``"swap"`` (the
            paper: a derangement of the class channels, drawn once per call) or
            ``"zeros"`` (the reference's all-zero negative; for ablation). With
            ``"swap"`` the auxiliary network can push scales 1-3 to 0 from the labels'
            class areas alone, without looking at the prediction (see the README);
            ``"shift"`` keeps every class's channel and area, so it cannot.
        prediction: ``"softmax"`` (differentiable), ``"straight_through"`` (one-hot of the
            argmax forward, softmax gradient backward) or ``"argmax"`` (the reference: no
            gradient of the SAM-CL term reaches the logits; for ablation).
        ignore_index: label of unlabeled pixels; negative labels are ignored as well.
        norm: normalisation in the auxiliary network: ``"batch"``, ``"group"`` or
            ``"sync"`` (SyncBatchNorm; or convert later with
            ``nn.SyncBatchNorm.convert_sync_batchnorm``).
        spectral_norm: spectral normalisation on the auxiliary convolutions.
        generator: CPU ``torch.Generator`` used for random negatives (the derangements
            of ``"swap"``; seed it for reproducible negatives); the global generator when
            ``None``.

    Shape:
        - logits: (N, C, H, W), floating point, H and W >= 3 (larger for the RMI base,
          see :meth:`RMILoss.check_size`).
        - target: (N, H, W), integer class indices.
        - output: scalar, or :class:`SAMCLTerms` with ``return_terms=True``.

    Example:
        >>> criterion = SAMCLLoss(num_classes=6, generator=torch.Generator().manual_seed(0))
        >>> logits = torch.randn(2, 6, 32, 40, requires_grad=True)
        >>> target = torch.randint(0, 6, (2, 32, 40))
        >>> terms = criterion(logits, target, return_terms=True)
        >>> terms.total.backward()
    """

    def __init__(
        self,
        num_classes: int,
        base_loss: str | nn.Module | None = "rmi",
        weight: float = 0.5,
        margin: float = 1.0,
        negatives: str = "shift",
        prediction: str = "softmax",
        ignore_index: int = 255,
        norm: str = "batch",
        spectral_norm: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError(
                f"SAMCLLoss needs num_classes >= 2 (class-swapped negatives), got {num_classes}"
            )
        check_choice("negatives", negatives, tuple(NEGATIVES))
        check_choice("prediction", prediction, ("softmax", "straight_through", "argmax"))
        check_choice("norm", norm, ("batch", "group", "sync"))
        if weight < 0:
            raise ValueError(f"weight must be >= 0, got {weight}")
        if margin < 0:
            raise ValueError(f"margin must be >= 0, got {margin}")
        if generator is not None and (
            not isinstance(generator, torch.Generator) or generator.device.type != "cpu"
        ):
            raise ValueError(f"generator must be a CPU torch.Generator, got {generator!r}")
        self.num_classes = num_classes
        self.weight = weight
        self.margin = margin
        self.negatives = negatives
        self.prediction = prediction
        self.ignore_index = ignore_index
        self.generator = generator
        self.base_loss = self._make_base(base_loss, num_classes, ignore_index)
        self.auxiliary = AuxiliaryNetwork(num_classes, norm=norm, spectral_norm=spectral_norm)

    @staticmethod
    def _make_base(
        base_loss: str | nn.Module | None, num_classes: int, ignore_index: int
    ) -> nn.Module | None:
        if base_loss is None or isinstance(base_loss, nn.Module):
            if isinstance(base_loss, _PACKAGE_BASES) and (
                base_loss.num_classes != num_classes or base_loss.ignore_index != ignore_index
            ):
                raise ValueError(
                    f"a {type(base_loss).__name__} base_loss must have the same num_classes and "
                    f"ignore_index as SAMCLLoss, got ({base_loss.num_classes}, "
                    f"{base_loss.ignore_index}) and ({num_classes}, {ignore_index})"
                )
            return base_loss
        if base_loss == "rmi":
            return RMILoss(num_classes, ignore_index=ignore_index)
        if base_loss == "ce":
            return MaskedCrossEntropyLoss(num_classes, ignore_index=ignore_index)
        if base_loss == "dice":
            return DiceLoss(num_classes, ignore_index=ignore_index)
        raise ValueError(
            f"base_loss must be 'rmi', 'ce', 'dice', None or an nn.Module, got {base_loss!r}"
        )

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, weight={self.weight}, margin={self.margin}, "
            f"negatives={self.negatives!r}, prediction={self.prediction!r}, "
            f"ignore_index={self.ignore_index}"
        )

    @torch.compiler.disable
    def negative_map(self, positive: Tensor) -> Tensor:
        """The negative for a one-hot positive (N, C, H, W), zero at ignored pixels.

        Built by ``NEGATIVES[self.negatives]`` with :attr:`generator` (random kinds draw
        anew at every call).
        """
        return NEGATIVES[self.negatives](positive, self.generator)

    def _anchor(self, logits: Tensor, dtype: torch.dtype) -> Tensor:
        if self.prediction == "softmax":
            return logits.to(dtype).softmax(1)
        winners = logits.argmax(1, keepdim=True)
        hard = torch.zeros_like(logits, dtype=dtype).scatter_(1, winners, 1.0)
        if self.prediction == "argmax":
            return hard
        soft = logits.to(dtype).softmax(1)
        return hard + soft - soft.detach()

    def _ce_distances(
        self, logits: Tensor, anchor: Tensor, positive: Tensor, negative: Tensor, mask: Tensor
    ) -> Tensor:
        if self.prediction == "softmax":
            log_a = logits.to(anchor.dtype).log_softmax(1)
        else:
            log_a = anchor.clamp_min(_LOG_EPS).log()
        d_pos = _masked_mean(-(positive * log_a).sum(1, keepdim=True), mask)
        d_neg = _masked_mean(-(negative * log_a).sum(1, keepdim=True), mask)
        return torch.stack([d_pos, d_neg])

    def forward(
        self, logits: Tensor, target: Tensor, return_terms: bool = False
    ) -> Tensor | SAMCLTerms:
        """Compute the loss; see the class docstring.

        Args:
            logits: (N, C, H, W) raw scores.
            target: (N, H, W) integer labels; not modified.
            return_terms: return a :class:`SAMCLTerms` instead of the total.
        """
        check_inputs(logits, target, self.num_classes, self.ignore_index)
        n, _, h, w = logits.shape
        if h < 3 or w < 3:
            raise ValueError(
                f"SAMCLLoss needs H and W >= 3, got logits of shape {tuple(logits.shape)}"
            )
        valid, safe = split_target(target, self.num_classes, self.ignore_index)
        dtype = torch.promote_types(logits.dtype, torch.float32)
        mask = valid.unsqueeze(1).to(dtype)
        has_valid = valid.flatten(1).any(1)

        positive = one_hot_target(safe, valid, self.num_classes, dtype)
        negative = self.negative_map(positive)
        anchor = self._anchor(logits, dtype) * mask

        d0: Tensor | None
        if isinstance(self.base_loss, RMILoss):
            base, d0 = self.base_loss.loss_and_distances(
                logits,
                safe,
                valid,
                positive=positive,
                anchor=anchor,
                negative=None if self.negatives == "zeros" else negative,
            )
        else:
            base = logits.new_zeros((), dtype=dtype)
            if isinstance(self.base_loss, (MaskedCrossEntropyLoss, DiceLoss)):
                base = self.base_loss.masked_loss(logits, safe, valid)
            elif self.base_loss is not None:
                base = self.base_loss(logits, target)
                if base.dim() != 0:
                    raise ValueError(
                        f"base_loss must return a scalar, got shape {tuple(base.shape)}"
                    )
            d0 = self._ce_distances(logits, anchor, positive, negative, mask)
        assert d0 is not None  # loss_and_distances returns distances when given an anchor

        aux_dtype = next(self.auxiliary.parameters()).dtype
        features = self.auxiliary(torch.cat([anchor, positive, negative]).to(aux_dtype))
        masks = self.auxiliary.downsample_mask(mask)
        distances = [d0] + [
            torch.stack(
                [
                    _soft_cross_entropy(f[:n], f[n : 2 * n], m),
                    _soft_cross_entropy(f[:n], f[2 * n :], m),
                ]
            )
            for f, m in zip(features[1:], masks[1:], strict=True)
        ]
        scales = []
        for d in distances:
            hinge = F.relu(self.margin + d[0] - d[1])
            scales.append(torch.where(has_valid, hinge, torch.zeros_like(hinge)).mean())
        contrastive = scales[0] + scales[1] + scales[2] + scales[3]
        total = base + self.weight * contrastive
        if not return_terms:
            return total
        four = (scales[0], scales[1], scales[2], scales[3])
        return SAMCLTerms(total=total, base=base, contrastive=contrastive, scales=four)
