"""SAM-CL: self-adversarial multi-scale contrastive loss (Joshi et al., BMVC 2022)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from samcl_loss._checks import (
    REDUCTIONS,
    check_choice,
    check_class_weight,
    check_input_size,
    check_int,
    check_real,
    check_shapes,
    check_values,
    clean_logits,
    is_compiling,
    split_target,
)
from samcl_loss._onehot import one_hot_target
from samcl_loss.auxiliary import NORMS, AuxiliaryNetwork, run_auxiliary, scale_masks
from samcl_loss.cross_entropy import MaskedCrossEntropyLoss, weighted_pixel_cross_entropy
from samcl_loss.dice import DiceLoss
from samcl_loss.negatives import NEGATIVES, NegativeFn
from samcl_loss.rmi import RMILoss
from samcl_loss.terms import SAMCLTerms, reduce_terms

__all__ = ["BaseLoss", "SAMCLLoss", "samcl_loss"]

PREDICTIONS = ("softmax", "straight_through", "argmax")
_LOG_EPS = 1e-6
#: Training calls after which an auxiliary network with gradients but unchanged
#: parameters (not in any optimizer) is warned about.
UNTRAINED_CHECK_CALLS = 64


class BaseLoss(Protocol):
    """What SAM-CL needs of a base loss: ``(logits, target) -> Tensor``.

    A base loss may also have ``region_distances(prediction, targets) -> (K, N)``
    (:meth:`RMILoss.region_distances`): then SAM-CL's scale-0 distance is that one,
    otherwise cross-entropy.
    """

    def __call__(self, logits: Tensor, target: Tensor) -> Tensor: ...


def _masked_mean(values: Tensor, mask: Tensor) -> Tensor:
    """Per-sample mean of ``values`` (B, 1, h, w) over ``mask`` (B, 1, h, w); 0 if empty."""
    total = (values * mask).flatten(1).sum(1)
    return total / mask.flatten(1).sum(1).clamp_min(1.0)


def _anchor(logits: Tensor, prediction: str) -> tuple[Tensor, Tensor]:
    """The anchor map and its log for the cross-entropy distance (float, masked later).

    Straight-through works in both spaces: the forward value is the hard map (and the log
    of its clamp), the gradient that of softmax (and log-softmax), so every pixel gets one.
    """
    log_soft = logits.log_softmax(1)
    if prediction == "softmax":
        return log_soft.exp(), log_soft
    hard = torch.zeros_like(logits).scatter_(1, logits.argmax(1, keepdim=True), 1.0)
    log_hard = hard.clamp_min(_LOG_EPS).log()
    if prediction == "argmax":
        return hard, log_hard
    soft = log_soft.exp()
    return hard + (soft - soft.detach()), log_hard + (log_soft - log_soft.detach())


def _base_value(
    base_loss: BaseLoss | None, logits: Tensor, target: Tensor, valid: Tensor, reduction: str
) -> Tensor:
    """The base loss, a scalar (``reduction="mean"``) or per-sample values (N,) otherwise."""
    n = logits.shape[0]
    if base_loss is None:
        return logits.new_zeros(() if reduction == "mean" else (n,))
    value = base_loss(logits, target)
    if not isinstance(value, Tensor):
        raise ValueError(f"base_loss must return a tensor, got {type(value).__name__}")
    if reduction == "mean":
        if value.dim() != 0:
            raise ValueError(
                f"base_loss must return a scalar for reduction='mean', got shape "
                f"{tuple(value.shape)}"
            )
        return value
    if tuple(value.shape) == (n,):
        return value
    if tuple(value.shape) == tuple(valid.shape):  # per pixel, 0 at ignored pixels
        return value.flatten(1).sum(1) / valid.flatten(1).sum(1).clamp_min(1)
    raise ValueError(
        f"base_loss must return per-sample (N,) or per-pixel (N, H, W) values for "
        f"reduction={reduction!r}, got shape {tuple(value.shape)}"
    )


def _scale0_distances(
    base_loss: BaseLoss | None,
    anchor: Tensor,
    log_anchor: Tensor,
    maps: tuple[Tensor, Tensor],
    mask: Tensor,
) -> Tensor:
    """(2, N) anchor-positive and anchor-negative distances at scale 0."""
    region_distances = getattr(base_loss, "region_distances", None)
    if callable(region_distances):
        return region_distances(anchor, maps)
    return torch.stack([_masked_mean(-(m * log_anchor).sum(1, keepdim=True), mask) for m in maps])


def _feature_distances(feature: Tensor, mask: Tensor, n: int) -> Tensor:
    r"""(2, N) soft-target cross-entropies of anchor against positive and negative features:
    :math:`\overline{-\sum_k \mathrm{softmax}(f(y))_k \log\mathrm{softmax}(f(a))_k}`."""
    log_anchor = feature[:n].log_softmax(1)
    positive, negative = feature[n : 2 * n].softmax(1), feature[2 * n :].softmax(1)
    return torch.stack(
        [
            _masked_mean(-(positive * log_anchor).sum(1, keepdim=True), mask),
            _masked_mean(-(negative * log_anchor).sum(1, keepdim=True), mask),
        ]
    )


def _check_input_size(base_loss: BaseLoss | None, height: int, width: int) -> None:
    """One minimum input size whatever the base: RMI's (:func:`~samcl_loss.min_input_size`),
    with an :class:`RMILoss` base's radius and pooling, else the defaults."""
    if isinstance(base_loss, RMILoss):
        check_input_size(
            "SAMCLLoss",
            height,
            width,
            radius=base_loss.radius,
            pool_size=base_loss.pool_size,
            pool_stride=base_loss.pool_stride,
        )
    else:
        check_input_size("SAMCLLoss", height, width)


def samcl_loss(
    logits: Tensor,
    target: Tensor,
    *,
    auxiliary: Callable[[Tensor], Sequence[Tensor]],
    base_loss: str | BaseLoss | None = None,
    contrastive_weight: float = 0.5,
    margin: float = 1.0,
    negatives: str | NegativeFn = "swap",
    prediction: str = "softmax",
    ignore_index: int = 255,
    reduction: str = "mean",
    generator: torch.Generator | None = None,
    check_inputs: bool = True,
) -> SAMCLTerms:
    """SAM-CL loss of logits (N, C, H, W) against labels (N, H, W), as :class:`SAMCLTerms`.

    The formula and the arguments are :class:`SAMCLLoss`'s; here the auxiliary network is
    passed in (any callable mapping (3N, C, H, W) maps to a sequence of (3N, K, h, w)
    scales), ``base_loss`` is a name (``"rmi"``, ``"ce"``, ``"dice"``: built for the logits'
    classes, unweighted) or called as is (see :class:`SAMCLLoss` for what it must
    return per ``reduction``) and ``negatives`` may be a function
    ``(positive, generator) -> negative``. The terms' ``"loss"`` is the total.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    check_choice("prediction", prediction, PREDICTIONS)
    make_negative = NEGATIVES[negatives] if isinstance(negatives, str) else negatives
    check_shapes(logits, target)
    n, num_classes, h, w = logits.shape
    if num_classes < 2:
        raise ValueError(f"SAMCLLoss needs C >= 2, got logits of shape {tuple(logits.shape)}")
    if isinstance(base_loss, str):
        base_loss = _named_base(
            base_loss, num_classes, weight=None, ignore_index=ignore_index, reduction=reduction
        ).to(logits.device)
    elif base_loss is not None and not callable(base_loss):
        raise ValueError(
            f"base_loss must be 'rmi', 'ce', 'dice', None or a callable, got {base_loss!r}"
        )
    _check_input_size(base_loss, h, w)
    valid, safe = split_target(target, num_classes, ignore_index)
    if check_inputs:
        check_values(logits, target, valid, ignore_index)
    logits = clean_logits(logits, valid)
    base = _base_value(base_loss, logits, target, valid, reduction)

    dtype = torch.promote_types(logits.dtype, torch.float32)
    with torch.autocast(logits.device.type, enabled=False):
        mask = valid.unsqueeze(1).to(dtype)
        positive = one_hot_target(safe, valid, num_classes, dtype)
        negative = make_negative(positive, generator)
        anchor, log_anchor = _anchor(logits.to(dtype), prediction)
        anchor = anchor * mask
        distances = [_scale0_distances(base_loss, anchor, log_anchor, (positive, negative), mask)]
        features = run_auxiliary(auxiliary, torch.cat([anchor, positive, negative]))
        for feature, m in zip(features, scale_masks(auxiliary, mask, features), strict=True):
            distances.append(_feature_distances(feature, m.to(feature.dtype), n).to(dtype))
        has_valid = valid.flatten(1).any(1)
        hinges = [torch.where(has_valid, F.relu(margin + d[0] - d[1]), 0.0) for d in distances]
    return reduce_terms(base, hinges, weight=contrastive_weight, reduction=reduction)


class _SampleCrossEntropy(MaskedCrossEntropyLoss):
    """Per-sample (N,) values of the masked cross-entropy, each its sample's weighted mean
    (torch's ``sum w_y ce / sum w_y``, over the sample's valid pixels; 0 without one): the
    ``"ce"`` base of ``reduction="none"`` and ``"sum"``."""

    def __init__(self, num_classes: int, *, weight: Tensor | None, ignore_index: int) -> None:
        super().__init__(
            num_classes,
            weight=weight,
            ignore_index=ignore_index,
            reduction="none",
            check_inputs=False,
        )

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        check_shapes(logits, target, self.num_classes)
        ce, pixel_weight = weighted_pixel_cross_entropy(
            logits,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            check_inputs=self.check_inputs,
        )
        return ce.flatten(1).sum(1) / pixel_weight.flatten(1).sum(1).clamp_min(1e-12)


def _named_base(
    name: str, num_classes: int, *, weight: Tensor | None, ignore_index: int, reduction: str
) -> nn.Module:
    """The base loss called ``name`` ("rmi", "ce" or "dice"): a scalar for
    ``reduction="mean"``, per-sample (N,) values otherwise."""
    check_choice("base_loss", name, ("rmi", "ce", "dice"))
    per_sample = "mean" if reduction == "mean" else "none"
    if name == "rmi":
        return RMILoss(
            num_classes,
            weight=weight,
            ignore_index=ignore_index,
            reduction=per_sample,
            check_inputs=False,
        )
    if name == "ce" and reduction == "mean":
        return MaskedCrossEntropyLoss(
            num_classes, weight=weight, ignore_index=ignore_index, check_inputs=False
        )
    if name == "ce":
        return _SampleCrossEntropy(num_classes, weight=weight, ignore_index=ignore_index)
    if reduction != "mean":
        raise ValueError("base_loss='dice' is a batch loss: it needs reduction='mean'")
    return DiceLoss(num_classes, weight=weight, ignore_index=ignore_index, check_inputs=False)


class SAMCLLoss(nn.Module):
    r"""Base loss plus the self-adversarial multi-scale contrastive (SAM-CL) term.

    The anchor :math:`a` is the prediction (softmax of the logits by default), the positive
    :math:`p` the one-hot target and the negative :math:`n` a wrong label map built from
    it (by default the paper's: the class channels permuted; or the labelled content turned
    half a turn, every class on its own channel in the wrong place), all three zero at
    ignored pixels. An auxiliary network (by default the paper's,
    :class:`~samcl_loss.auxiliary.AuxiliaryNetwork`, owned by this module) maps them in
    one batched call (normalisation statistics are shared) to scales :math:`s = 1..S`;
    scale 0 is the maps themselves. Per sample :math:`i`:

    .. math::
        h_s(i) = \max\big(0,\ m + d_s(a_i, p_i) - d_s(a_i, n_i)\big), \qquad
        \mathcal{L} = \mathcal{L}_\text{base} + w \sum_{s=0}^{S} \frac{1}{N}\sum_i h_s(i)

    Distances (per sample, over its valid pixels; a sample without valid pixels has
    :math:`h_s(i) = 0`):

    - scale 0, a base loss with ``region_distances`` (RMI): :math:`d_0(a, y) = \sum_c
      r_c / R^2`, the RMI term of :class:`~samcl_loss.rmi.RMILoss` with :math:`y` as
      target and :math:`a` as prediction map.
    - scale 0, other bases: cross-entropy :math:`d_0(a, y) = \overline{-\sum_c y_c \log
      a_c}` (log-softmax; for the hard predictions :math:`\log\max(a, 10^{-6})`, with the
      log-softmax gradient for ``"straight_through"``).
    - scales 1-S: soft-target cross-entropy :math:`d_s(a, y) = \overline{-\sum_k
      \mathrm{softmax}(f_s(y))_k \log\mathrm{softmax}(f_s(a))_k}` over the valid positions
      of the scale (the network's ``downsample_mask``, or any valid pixel under the
      position's share of the image). Gradients flow through both sides, so the auxiliary
      network learns from the same sum (no min-max game, as in the reference).

    The auxiliary network's parameters belong to this module: optimise
    ``list(model.parameters()) + list(criterion.parameters())`` (a warning is given when
    they receive gradients but have not changed after the first training calls).

    Robustness: whatever the logits hold at ignored pixels (NaN, inf) changes neither the
    loss nor a gradient nor the batch-norm statistics; with ``check_inputs`` non-finite
    logits at valid pixels raise a ValueError (without, they give a NaN loss). The
    auxiliary network computes in float32 even under autocast; a forward under
    ``torch.no_grad()`` (a validation loss) or in eval mode leaves its batch-norm
    statistics alone. The random state (``generator``) is in ``state_dict()``, and the
    default network's initial weights are drawn from it.

    Args:
        num_classes: number of classes C, at least 2 (the only positional argument).
        base_loss: ``"rmi"`` (:class:`RMILoss` with the paper's settings), ``"ce"``
            (:class:`MaskedCrossEntropyLoss`), ``"dice"`` (:class:`DiceLoss`, with
            ``reduction="mean"`` only), ``None`` (the contrastive term alone) or any
            callable ``(logits, target) -> Tensor`` (``F.cross_entropy`` with
            ``functools.partial(..., ignore_index=255)``, an ``nn.Module``...): it gets
            the logits with 0 at ignored pixels and the target unchanged, and returns a
            scalar for ``reduction="mean"``, per-sample (N,) or per-pixel (N, H, W) values
            (0 at ignored pixels) otherwise.
        contrastive_weight: :math:`w`, weight of the contrastive term, >= 0.
        margin: :math:`m`, triplet margin, >= 0.
        weight: per-class weights (C values >= 0) given to the named base loss, like
            ``nn.CrossEntropyLoss``'s; the contrastive term is unweighted.
        reduction: ``"mean"`` (above), ``"none"`` (per-sample (N,) values
            :math:`\mathcal{L}_{\text{base},i} + w\sum_s h_s(i)`) or ``"sum"`` (their sum).
        negatives: a name in :data:`~samcl_loss.negatives.NEGATIVES`: ``"swap"`` (the
            default, the paper's: a derangement of the class channels, drawn at every
            call), ``"reflect"`` (the target's valid content turned half a turn),
            ``"shift"`` (moved by half the valid region) or ``"zeros"`` (the reference's
            all-zero negative, not a labelling; for ablation). Ignored pixels never enter a
            negative: ``"swap"``, ``"reflect"`` and ``"shift"`` give every valid pixel one
            class. With ``"swap"`` the auxiliary network can push scales 1-3 to 0 from the
            labels' class areas alone, without looking at the prediction; ``"reflect"`` and
            ``"shift"`` keep every class's channel and area, so it cannot, but in the
            project's study ``"reflect"`` cost 9 points of mIoU where ``"swap"`` cost
            none (see the README).
        prediction: ``"softmax"`` (differentiable), ``"straight_through"`` (one-hot of the
            argmax forward, softmax gradient backward) or ``"argmax"`` (the reference: no
            gradient of the SAM-CL term reaches the logits; for ablation).
        auxiliary: the auxiliary network, any module mapping (3N, C, H, W) to a sequence
            of (3N, K, h, w) scales (one scale per element), optionally with
            ``downsample_mask(mask)``; the paper's :class:`AuxiliaryNetwork` when ``None``.
        norm: normalisation in the default auxiliary network: ``"batch"``, ``"group"``
            or ``"sync"`` (SyncBatchNorm: CUDA only).
        spectral_norm: spectral normalisation on the default network's convolutions.
        ignore_index: label of unlabeled pixels; negative labels are ignored as well.
        generator: CPU ``torch.Generator`` for the random draws (default network's
            weights, ``"swap"`` derangements); when ``None`` the loss makes its own,
            seeded from the global generator.
        check_inputs: check label values and that logits are finite at valid pixels (one
            host-device synchronisation per call); shapes are always checked.

    Shape:
        - logits: (N, C, H, W), floating point, H and W >= 19 whatever the base loss
          (RMILoss's minimum, :func:`~samcl_loss.min_input_size`; an :class:`RMILoss` base
          with another radius or pooling sets its own): near it random logits explain almost
          half of the target's region variance, so the scale-0 RMI term tells a prediction
          from noise weakly.
        - target: (N, H, W), integer class indices.
        - output: scalar ((N,) with ``reduction="none"``), or :class:`SAMCLTerms` with
          ``return_terms=True``.

    Example:
        >>> criterion = SAMCLLoss(num_classes=6, generator=torch.Generator().manual_seed(0))
        >>> logits = torch.randn(2, 6, 32, 40, requires_grad=True)
        >>> target = torch.randint(0, 6, (2, 32, 40))
        >>> terms = criterion(logits, target, return_terms=True)
        >>> terms["loss"].backward()
    """

    def __init__(
        self,
        num_classes: int,
        *,
        base_loss: str | BaseLoss | None = "rmi",
        contrastive_weight: float = 0.5,
        margin: float = 1.0,
        weight: Tensor | Sequence[float] | None = None,
        reduction: str = "mean",
        negatives: str = "swap",
        prediction: str = "softmax",
        auxiliary: nn.Module | None = None,
        norm: str = "batch",
        spectral_norm: bool = False,
        ignore_index: int = 255,
        generator: torch.Generator | None = None,
        check_inputs: bool = True,
    ) -> None:
        super().__init__()
        self.num_classes = check_int("num_classes", num_classes, 2)
        self.ignore_index = check_int("ignore_index", ignore_index, -(2**63))
        if isinstance(weight, (bool, int, float)):
            raise ValueError(
                f"weight takes per-class weights, got {weight!r}; the contrastive term's "
                "weight is contrastive_weight= (weight=<number> was removed in 0.3.0)"
            )
        self.contrastive_weight = check_real("contrastive_weight", contrastive_weight, 0.0)
        self.margin = check_real("margin", margin, 0.0)
        check_choice("negatives", negatives, tuple(NEGATIVES))
        check_choice("prediction", prediction, PREDICTIONS)
        check_choice("norm", norm, NORMS)
        check_choice("reduction", reduction, REDUCTIONS)
        self.negatives, self.prediction, self.reduction = negatives, prediction, reduction
        self.check_inputs = bool(check_inputs)
        self.generator = _own_generator(generator)
        self.base_loss = self._make_base(base_loss, check_class_weight(weight, self.num_classes))
        if auxiliary is None:
            auxiliary = self._default_auxiliary(norm, spectral_norm)
        elif norm != "batch" or spectral_norm:
            raise ValueError(
                "norm and spectral_norm configure the default auxiliary network; "
                "configure the one passed as auxiliary= yourself"
            )
        if not isinstance(auxiliary, nn.Module):
            raise ValueError(f"auxiliary must be an nn.Module, got {type(auxiliary).__name__}")
        self.auxiliary = auxiliary
        self._calls = 0
        self._versions: list[int] = []

    def _make_base(
        self, base_loss: str | BaseLoss | None, weight: Tensor | None
    ) -> BaseLoss | None:
        self._base_is_named = isinstance(base_loss, str)
        if isinstance(base_loss, str):
            return _named_base(
                base_loss,
                self.num_classes,
                weight=weight,
                ignore_index=self.ignore_index,
                reduction=self.reduction,
            )
        if base_loss is not None and not callable(base_loss):
            raise ValueError(
                f"base_loss must be 'rmi', 'ce', 'dice', None or a callable, got {base_loss!r}"
            )
        if weight is not None:
            raise ValueError(
                "weight (per-class) applies to a named base_loss; give it to your own base loss"
            )
        for attr in ("num_classes", "ignore_index"):
            if getattr(base_loss, attr, getattr(self, attr)) != getattr(self, attr):
                raise ValueError(
                    f"base_loss has {attr}={getattr(base_loss, attr)} but SAMCLLoss has "
                    f"{attr}={getattr(self, attr)}"
                )
        return base_loss

    @property
    def weight(self) -> Tensor | None:
        """Per-class weights of the named base loss (its ``weight`` buffer: one tensor, one
        state-dict entry), or ``None``."""
        return self.base_loss.weight if self._base_is_named else None  # type: ignore[union-attr]

    @weight.setter
    def weight(self, value: Tensor | Sequence[float] | None) -> None:
        if not self._base_is_named:
            raise ValueError("weight (per-class) applies to a named base_loss only")
        self.base_loss.weight = check_class_weight(value, self.num_classes)  # type: ignore[union-attr]

    def _default_auxiliary(self, norm: str, spectral_norm: bool) -> nn.Module:
        """The paper's network, initialised from a seed drawn from :attr:`generator`."""
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator))
        with torch.random.fork_rng(devices=[]):  # only the CPU generator, restored after
            torch.default_generator.manual_seed(seed)  # torch.manual_seed would reseed CUDA too
            return AuxiliaryNetwork(self.num_classes, norm=norm, spectral_norm=spectral_norm)

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, contrastive_weight={self.contrastive_weight}, "
            f"margin={self.margin}, negatives={self.negatives!r}, "
            f"prediction={self.prediction!r}, ignore_index={self.ignore_index}, "
            f"reduction={self.reduction!r}"
        )

    def get_extra_state(self) -> Tensor:
        """The generator's state (a uint8 tensor), so that a restored loss continues the
        same random stream."""
        return self.generator.get_state()

    def set_extra_state(self, state: Tensor) -> None:
        # a checkpoint loaded with map_location="cuda" holds it on the GPU
        self.generator.set_state(state.to("cpu", torch.uint8))

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
        key = prefix + "_extra_state"
        if key not in state_dict:  # a 0.1 checkpoint: the generator keeps its state
            state_dict[key] = self.get_extra_state()
        super()._load_from_state_dict(state_dict, prefix, *args)

    def negative_map(self, positive: Tensor) -> Tensor:
        """The negative for a one-hot positive (N, C, H, W), zero at ignored pixels.

        Built by ``NEGATIVES[self.negatives]`` with :attr:`generator` (random kinds draw
        anew at every call).
        """
        return NEGATIVES[self.negatives](positive, self.generator)

    def forward(
        self, logits: Tensor, target: Tensor, *, return_terms: bool = False
    ) -> Tensor | SAMCLTerms:
        """Compute the loss; see the class docstring.

        Args:
            logits: (N, C, H, W) raw scores.
            target: (N, H, W) integer labels; not modified.
            return_terms: return the :class:`SAMCLTerms` mapping instead of the total.
        """
        check_shapes(logits, target, self.num_classes)
        if self.training and torch.is_grad_enabled() and not is_compiling():
            self._watch_auxiliary()
        terms = samcl_loss(
            logits,
            target,
            auxiliary=self.auxiliary,
            base_loss=self.base_loss,
            contrastive_weight=self.contrastive_weight,
            margin=self.margin,
            negatives=self.negatives,
            prediction=self.prediction,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            generator=self.generator,
            check_inputs=self.check_inputs,
        )
        return terms if return_terms else terms["loss"]

    def _watch_auxiliary(self) -> None:
        """Warn once when the auxiliary parameters received gradients over the first
        training calls but never changed (host-side version counters: no device sync)."""
        self._calls += 1
        if self._calls > UNTRAINED_CHECK_CALLS + 1:
            return
        params = list(self.auxiliary.parameters())
        versions = [p._version for p in params]
        if self._calls == 1:
            self._versions = versions
        elif (
            self._calls == UNTRAINED_CHECK_CALLS + 1
            and versions == self._versions
            and any(p.grad is not None for p in params)
        ):
            warnings.warn(
                f"SAMCLLoss: the auxiliary network received gradients but its parameters "
                f"did not change over {UNTRAINED_CHECK_CALLS} training calls; give "
                "criterion.parameters() to the optimizer with the model's (or, if you "
                "accumulate gradients over more calls than that, ignore this warning)",
                UserWarning,
                stacklevel=2,
            )


def _own_generator(generator: torch.Generator | None) -> torch.Generator:
    if generator is None:
        seed = int(torch.randint(0, 2**62, (1,)))
        return torch.Generator().manual_seed(seed)
    if not isinstance(generator, torch.Generator) or generator.device.type != "cpu":
        raise ValueError(f"generator must be a CPU torch.Generator, got {generator!r}")
    return generator
