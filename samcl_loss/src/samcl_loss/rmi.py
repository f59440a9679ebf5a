"""Region Mutual Information loss (Zhao et al., NeurIPS 2019): :func:`rmi_loss` and its module."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from samcl_loss._base import PixelLoss
from samcl_loss._checks import (
    REDUCTIONS,
    check_choice,
    check_input_size,
    check_int,
    check_real,
    check_shapes,
    check_values,
    clean_logits,
    min_input_size,
    split_target,
)
from samcl_loss._onehot import one_hot_target

__all__ = ["RMILoss", "min_input_size", "rmi_loss", "rmi_lower_bounds"]

_P_EPS = 1e-6


def _region_vectors(x: Tensor, radius: int) -> Tensor:
    """Stack the ``radius**2`` shifted crops of ``x`` (..., h, w) into (..., radius**2, M)."""
    h, w = x.shape[-2:]
    hc, wc = h - radius + 1, w - radius + 1
    crops = [x[..., i : i + hc, j : j + wc] for i in range(radius) for j in range(radius)]
    return torch.stack(crops, dim=-3).flatten(-2)


class _RegionGram(torch.autograd.Function):
    r"""Centred second moments of the region vectors of a stack of maps.

    Forward: ``maps`` (B, K, h, w) -> ``S`` (B, K*d, K*d) with :math:`d = R^2`,
    :math:`S = Z_c Z_c^T` where the rows of :math:`Z` (B, K*d, M) are the :math:`R^2`
    shifted crops of each map and :math:`Z_c` has them centred. Backward:
    :math:`dZ = (G + G^T) Z_c` (centring removes the mean of the gradient, which is zero here),
    one batched product (autograd would do two and add them), computed only for the maps
    from index ``first_grad`` on and folded back onto the maps with in-place adds.
    """

    @staticmethod
    def forward(ctx, maps: Tensor, radius: int, first_grad: int) -> Tensor:
        b, k, h, w = maps.shape
        z = _region_vectors(maps, radius).reshape(b, k * radius * radius, -1)
        z = z.sub_(z.mean(-1, keepdim=True))  # z is a fresh copy: centre it in place
        ctx.save_for_backward(z)
        ctx.radius, ctx.first_grad, ctx.map_shape = radius, first_grad, (b, k, h, w)
        return z @ z.mT

    @staticmethod
    @once_differentiable
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None, None]:
        (z,) = ctx.saved_tensors
        b, k, h, w = ctx.map_shape
        radius, first = ctx.radius, ctx.first_grad
        d = radius * radius
        rows = (grad + grad.mT)[:, first * d :, :]
        dz = (rows @ z).view(b, k - first, d, h - radius + 1, w - radius + 1)
        out = z.new_zeros(b, k, h, w)
        target = out[:, first:]
        for idx in range(d):
            i, j = divmod(idx, radius)
            target[..., i : i + h - radius + 1, j : j + w - radius + 1] += dz[:, :, idx]
        return out, None, None


def _half_log_det_conditional(s_yy: Tensor, s_pp: Tensor, s_yp: Tensor, alpha: float) -> Tensor:
    r""":math:`\tfrac12 \log\det(S_{Y|P} + \alpha I)` with
    :math:`S_{Y|P} = S_Y - S_{YP}(S_P + \alpha I)^{-1} S_{YP}^T`, batched and broadcast."""
    eye = torch.eye(s_yy.shape[-1], dtype=s_yy.dtype, device=s_yy.device)
    chol_p = torch.linalg.cholesky_ex(s_pp + alpha * eye).L
    half = torch.linalg.solve_triangular(chol_p, s_yp.transpose(-1, -2), upper=False)
    conditional = s_yy - half.transpose(-1, -2) @ half
    chol = torch.linalg.cholesky_ex(conditional + alpha * eye).L
    return chol.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def rmi_lower_bounds(y_maps: Tensor, p_maps: Tensor, *, radius: int, alpha: float) -> Tensor:
    r"""Per-sample, per-class RMI terms for every pair of a target map and a prediction map.

    For a target map :math:`Y` and a prediction map :math:`P` (already pooled), the
    :math:`R^2` shifted crops of each class channel form :math:`d = R^2` rows of length M.
    With rows centred over M and :math:`S_Y = YY^T`, :math:`S_P = PP^T`,
    :math:`S_{YP} = YP^T` (not divided by M):

    .. math::
        r = \tfrac12 \log\det\big(S_Y - S_{YP}(S_P + \alpha I)^{-1} S_{YP}^T + \alpha I\big)

    computed in float64: all second moments of one (sample, class) in one batched product,
    then batched Cholesky factorisations (one per prediction map, shared by all target
    maps). Autocast is disabled inside. Gradients reach ``p_maps`` (and ``y_maps`` when it
    requires them); double backward is not supported.

    Args:
        y_maps: (N, C, Ky, h, w) target maps.
        p_maps: (N, C, Kp, h, w) prediction maps.
        radius: R, the side of the square region; h and w must be >= R.
        alpha: regulariser added to the diagonals.

    Returns:
        float64 tensor (Ky, Kp, N, C).
    """
    n, c, ky, h, w = y_maps.shape
    kp = p_maps.shape[2]
    d = radius * radius
    with torch.autocast(device_type=y_maps.device.type, enabled=False):
        maps = torch.cat([y_maps.double(), p_maps.double()], 2).view(n * c, ky + kp, h, w)
        first_grad = 0 if y_maps.requires_grad else ky
        gram = _RegionGram.apply(maps, radius, first_grad).view(n, c, ky + kp, d, ky + kp, d)
        s_yy = torch.diagonal(gram[:, :, :ky, :, :ky], dim1=2, dim2=4).permute(4, 0, 1, 2, 3)
        s_pp = torch.diagonal(gram[:, :, ky:, :, ky:], dim1=2, dim2=4).permute(4, 0, 1, 2, 3)
        s_yp = gram[:, :, :ky, :, ky:].permute(2, 4, 0, 1, 3, 5)
        return _half_log_det_conditional(s_yy.unsqueeze(1), s_pp.unsqueeze(0), s_yp, alpha)


def _pool(x: Tensor, pool: str, size: int, stride: int) -> Tensor:
    if size == 1 and stride == 1:
        return x
    pad = (size - 1) // 2
    if pool == "max":
        return F.max_pool2d(x, size, stride, pad)
    return F.avg_pool2d(x, size, stride, pad, count_include_pad=False)


def _class_sum(r: Tensor, weight: Tensor | None) -> Tensor:
    """Sum over the class axis (last) of ``r``, weighted by ``weight`` when given."""
    return r.sum(-1) if weight is None else (r * weight.to(r)).sum(-1)


def rmi_loss(
    logits: Tensor,
    target: Tensor,
    *,
    radius: int = 3,
    pool: str = "max",
    pool_size: int = 3,
    pool_stride: int = 3,
    bce_weight: float = 0.5,
    alpha: float = 1e-3,
    weight: Tensor | None = None,
    ignore_index: int = 255,
    reduction: str = "mean",
    check_inputs: bool = True,
) -> Tensor:
    r"""Region Mutual Information loss; the formula and arguments are :class:`RMILoss`'s."""
    check_choice("reduction", reduction, REDUCTIONS)
    check_shapes(logits, target)
    height, width = logits.shape[-2:]
    check_input_size(
        "RMILoss", height, width, radius=radius, pool_size=pool_size, pool_stride=pool_stride
    )
    num_classes = logits.shape[1]
    valid, safe = split_target(target, num_classes, ignore_index)
    if check_inputs:
        check_values(logits, target, valid, ignore_index)
    out_dtype = torch.promote_types(logits.dtype, torch.float32)
    with torch.autocast(device_type=logits.device.type, enabled=False):
        scores = clean_logits(logits, valid).to(out_dtype)
        n_valid = valid.flatten(1).sum(1)
        softplus = F.softplus(scores)
        picked = scores.gather(1, safe.unsqueeze(1)).squeeze(1)
        if weight is None:
            per_pixel = softplus.sum(1) - picked
        else:
            w = weight.to(device=scores.device, dtype=out_dtype)
            per_pixel = (softplus * w.view(1, -1, 1, 1)).sum(1) - w[safe] * picked
        bce = torch.where(valid, per_pixel, torch.zeros_like(per_pixel)).flatten(1).sum(1)

        positive = _pool(
            one_hot_target(safe, valid, num_classes, out_dtype), pool, pool_size, pool_stride
        )
        if pool == "max":
            # The most negative finite value, not -inf: its sigmoid is 0 all the same, and a
            # window of ignored pixels never ties with the implicit -inf padding.
            masked = scores.masked_fill(~valid.unsqueeze(1), torch.finfo(out_dtype).min)
            prob = _pool(masked, pool, pool_size, pool_stride).double().sigmoid() + _P_EPS
        else:
            prob = scores.double().sigmoid() * valid.unsqueeze(1) + _P_EPS
            prob = _pool(prob, pool, pool_size, pool_stride)
        r = rmi_lower_bounds(
            positive.double().unsqueeze(2), prob.unsqueeze(2), radius=radius, alpha=alpha
        )
        rmi = _class_sum(r[0, 0], weight) / radius**2
        rmi = torch.where(n_valid > 0, rmi, torch.zeros_like(rmi))
        if reduction == "mean":
            bce_term = bce.sum() / (n_valid.sum() + 1)
            loss = bce_weight * bce_term + (1.0 - bce_weight) * rmi.mean()
        else:
            per_sample = bce_weight * bce / (n_valid + 1) + (1.0 - bce_weight) * rmi
            loss = per_sample.sum() if reduction == "sum" else per_sample
        return loss.to(out_dtype)


class RMILoss(PixelLoss):
    r"""Region Mutual Information loss for semantic segmentation.

    With :math:`v` the valid-pixel mask, :math:`Y` the one-hot target times :math:`v`,
    :math:`P = \sigma(\text{logits})\,v + 10^{-6}` (sigmoid, also for multi-class) and
    :math:`w_c` the class weights (1 without ``weight``):

    .. math::
        \mathcal{L} = \lambda\,\frac{\sum_{p,c} v_p\,w_c\,\mathrm{BCE}(x_{pc}, Y_{pc})}
        {\sum_p v_p + 1} + (1-\lambda)\,\sum_c w_c\,\frac{1}{N}\sum_n \frac{r_{nc}}{R^2}

    where :math:`r_{nc}` is the half log-determinant of the conditional covariance of the
    :math:`R\times R` regions of :math:`Y` given those of :math:`P`
    (see :func:`rmi_lower_bounds`), after pooling both maps (kernel ``pool_size``, stride
    ``pool_stride``, padding ``(pool_size - 1) // 2``). The RMI part runs in float64 with
    autocast disabled; the BCE part in float32 (float64 for float64 logits). Functional
    form: :func:`rmi_loss`.

    Departures from a literal reading of the formula, both on degenerate input only:
    a sample without any valid pixel gets :math:`r_{n\cdot} = 0` (instead of the constant
    :math:`\tfrac{R^2}{2}\log\alpha`), so a batch where every pixel is ignored gives exactly
    0; ``pool="avg"`` averages over the pixels inside the image only
    (``count_include_pad=False``). Max pooling is applied to the masked logits before the
    sigmoid, which is exact because the sigmoid is increasing. Whatever the logits hold at
    ignored pixels (NaN, inf) reaches neither the value nor the gradient.

    The target is never modified.

    Args:
        num_classes: number of classes C.
        radius: side R of the square region (R*R-dimensional vectors).
        pool: ``"max"`` or ``"avg"`` down-sampling before the regions are formed.
        pool_size: pooling kernel size (1 with stride 1 means no pooling).
        pool_stride: pooling stride.
        bce_weight: :math:`\lambda`, weight of the BCE term; the RMI term gets
            :math:`1-\lambda`.
        alpha: regulariser :math:`\alpha` of the covariance matrices.
        weight: optional per-class weights :math:`w_c` (C values >= 0; a buffer); they
            rescale each class's terms, like ``nn.BCEWithLogitsLoss``'s ``weight``.
        ignore_index: label of unlabeled pixels; negative labels are ignored as well.
        reduction: ``"mean"`` (the formula above), ``"none"`` (per-sample values (N,),
            each sample's BCE normalised by its own valid pixels + 1) or ``"sum"`` (the sum
            of the ``"none"`` values).
        check_inputs: check label values and that logits are finite at valid pixels (one
            host-device synchronisation per call); shapes are always checked.

    Shape:
        - logits: (N, C, H, W), floating point, H and W >= 19 with the default radius and
          pooling (:func:`min_input_size`; near it random logits explain almost half of the
          target's region variance, so the RMI term tells a prediction from noise weakly).
        - target: (N, H, W), integer class indices.
        - output: scalar, or (N,) with ``reduction="none"``; float32 (float64 for float64
          logits).

    Example:
        >>> criterion = RMILoss(num_classes=6)
        >>> logits = torch.randn(2, 6, 32, 40, requires_grad=True)
        >>> target = torch.randint(0, 6, (2, 32, 40))
        >>> criterion(logits, target).backward()
    """

    def __init__(
        self,
        num_classes: int,
        *,
        radius: int = 3,
        pool: str = "max",
        pool_size: int = 3,
        pool_stride: int = 3,
        bce_weight: float = 0.5,
        alpha: float = 1e-3,
        weight: Tensor | None = None,
        ignore_index: int = 255,
        reduction: str = "mean",
        check_inputs: bool = True,
    ) -> None:
        super().__init__(
            num_classes,
            weight=weight,
            ignore_index=ignore_index,
            reduction=reduction,
            check_inputs=check_inputs,
        )
        self.radius = check_int("radius", radius, 1)
        check_choice("pool", pool, ("max", "avg"))
        self.pool_size = check_int("pool_size", pool_size, 1)
        self.pool_stride = check_int("pool_stride", pool_stride, 1)
        self.bce_weight = check_real("bce_weight", bce_weight, 0.0)
        if self.bce_weight > 1.0:
            raise ValueError(f"bce_weight must lie in [0, 1], got {bce_weight}")
        self.alpha = check_real("alpha", alpha, 0.0)
        if self.alpha == 0.0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        self.pool = pool

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, radius={self.radius}, pool={self.pool!r}, "
            f"pool_size={self.pool_size}, pool_stride={self.pool_stride}, "
            f"bce_weight={self.bce_weight}, alpha={self.alpha}, "
            f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"
        )

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Compute the loss; see the class docstring."""
        check_shapes(logits, target, self.num_classes)
        return rmi_loss(
            logits,
            target,
            radius=self.radius,
            pool=self.pool,
            pool_size=self.pool_size,
            pool_stride=self.pool_stride,
            bce_weight=self.bce_weight,
            alpha=self.alpha,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            check_inputs=self.check_inputs,
        )

    def check_size(self, height: int, width: int) -> None:
        """Raise a ValueError if an input of this size is below this geometry's minimum."""
        check_input_size(
            "RMILoss",
            height,
            width,
            radius=self.radius,
            pool_size=self.pool_size,
            pool_stride=self.pool_stride,
        )

    def region_distances(self, prediction: Tensor, targets: Sequence[Tensor]) -> Tensor:
        r"""Per-sample RMI term of a probability map against each of K label maps.

        Both sides are pooled as in the loss (the prediction plus :math:`10^{-6}`); the
        value for target :math:`k` and sample :math:`n` is :math:`\sum_c w_c r_{knc}/R^2`
        (:func:`rmi_lower_bounds`), computed in float64 with one factorisation of the
        prediction's covariance shared by all K targets.

        Args:
            prediction: (N, C, H, W) probabilities, zero at invalid pixels.
            targets: K maps of the same shape, zero at invalid pixels.

        Returns:
            (K, N) tensor in the prediction's dtype (float32 at least).
        """
        self.check_size(prediction.shape[-2], prediction.shape[-1])
        dtype = torch.promote_types(prediction.dtype, torch.float32)
        with torch.autocast(device_type=prediction.device.type, enabled=False):
            pooled = [self._pool(t.to(dtype)).double() for t in (prediction, *targets)]
            r = rmi_lower_bounds(
                torch.stack(pooled[1:], 2),
                (pooled[0] + _P_EPS).unsqueeze(2),
                radius=self.radius,
                alpha=self.alpha,
            )
            return (_class_sum(r[:, 0], self.weight) / self.radius**2).to(dtype)

    def _pool(self, x: Tensor) -> Tensor:
        return _pool(x, self.pool, self.pool_size, self.pool_stride)
