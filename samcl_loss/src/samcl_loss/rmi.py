"""Region Mutual Information loss (Zhao et al., NeurIPS 2019), as configured by SAM-CL."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

from samcl_loss._checks import check_choice, check_inputs, split_target

__all__ = ["RMILoss", "one_hot_target"]

_P_EPS = 1e-6


def one_hot_target(safe: Tensor, valid: Tensor, num_classes: int, dtype: torch.dtype) -> Tensor:
    """One-hot (N, C, H, W) map of ``safe`` labels, zero at invalid pixels."""
    n, h, w = safe.shape
    out = torch.zeros(n, num_classes, h, w, dtype=dtype, device=safe.device)
    return out.scatter_(1, safe.unsqueeze(1), valid.unsqueeze(1).to(dtype))


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


def rmi_lower_bounds(y_maps: Tensor, p_maps: Tensor, radius: int, alpha: float) -> Tensor:
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


class RMILoss(nn.Module):
    r"""Region Mutual Information loss for semantic segmentation.

    With :math:`v` the valid-pixel mask, :math:`Y` the one-hot target times :math:`v`,
    :math:`P = \sigma(\text{logits})\,v + 10^{-6}` (sigmoid, also for multi-class):

    .. math::
        \mathcal{L} = \lambda\,\frac{\sum_{p,c} v_p\,\mathrm{BCE}(x_{pc}, Y_{pc})}{\sum_p v_p + 1}
        + (1-\lambda)\,\sum_c \frac{1}{N}\sum_n \frac{r_{nc}}{R^2}

    where :math:`r_{nc}` is the half log-determinant of the conditional covariance of the
    :math:`R\times R` regions of :math:`Y` given those of :math:`P`
    (see :func:`rmi_lower_bounds`), after pooling both maps (kernel ``pool_size``, stride
    ``pool_stride``, padding ``(pool_size - 1) // 2``). The RMI part runs in float64 with
    autocast disabled; the BCE part in float32 (float64 for float64 logits).

    Departures from a literal reading of the formula, both on degenerate input only:
    a sample without any valid pixel gets :math:`r_{n\cdot} = 0` (instead of the constant
    :math:`\tfrac{R^2}{2}\log\alpha`), so a batch where every pixel is ignored gives exactly
    0; ``pool="avg"`` averages over the pixels inside the image only
    (``count_include_pad=False``). Max pooling is applied to the masked logits before the
    sigmoid, which is exact because the sigmoid is increasing.

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
        ignore_index: label of unlabeled pixels; negative labels are ignored as well.
        reduction: ``"mean"`` (the formula above), ``"none"`` (per-sample values (N,),
            each sample's BCE normalised by its own valid pixels + 1) or ``"sum"`` (the sum
            of the ``"none"`` values).

    Shape:
        - logits: (N, C, H, W), floating point; after pooling H and W must be >= R.
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
        radius: int = 3,
        pool: str = "max",
        pool_size: int = 3,
        pool_stride: int = 3,
        bce_weight: float = 0.5,
        alpha: float = 1e-3,
        ignore_index: int = 255,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if radius < 1:
            raise ValueError(f"radius must be >= 1, got {radius}")
        check_choice("pool", pool, ("max", "avg"))
        if pool_size < 1 or pool_stride < 1:
            raise ValueError(
                f"pool_size and pool_stride must be >= 1, got {pool_size} and {pool_stride}"
            )
        if not 0.0 <= bce_weight <= 1.0:
            raise ValueError(f"bce_weight must lie in [0, 1], got {bce_weight}")
        if not alpha > 0.0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        check_choice("reduction", reduction, ("mean", "sum", "none"))
        self.num_classes = num_classes
        self.radius = radius
        self.pool = pool
        self.pool_size = pool_size
        self.pool_stride = pool_stride
        self.bce_weight = bce_weight
        self.alpha = alpha
        self.ignore_index = ignore_index
        self.reduction = reduction

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, radius={self.radius}, pool={self.pool!r}, "
            f"pool_size={self.pool_size}, pool_stride={self.pool_stride}, "
            f"bce_weight={self.bce_weight}, alpha={self.alpha}, "
            f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"
        )

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Compute the loss; see the class docstring."""
        check_inputs(logits, target, self.num_classes, self.ignore_index)
        valid, safe = split_target(target, self.num_classes, self.ignore_index)
        loss, _ = self.loss_and_distances(logits, safe, valid)
        return loss

    def check_size(self, height: int, width: int) -> None:
        """Raise a ValueError if an input of this size is too small for the regions."""
        pad = (self.pool_size - 1) // 2
        pooled = [(s + 2 * pad - self.pool_size) // self.pool_stride + 1 for s in (height, width)]
        if min(pooled) < self.radius:
            raise ValueError(
                f"input of size {height}x{width} is too small for RMILoss: pooled to "
                f"{pooled[0]}x{pooled[1]}, which must be at least radius={self.radius} "
                f"in each dimension"
            )

    def _pool(self, x: Tensor) -> Tensor:
        if self.pool_size == 1 and self.pool_stride == 1:
            return x
        pad = (self.pool_size - 1) // 2
        if self.pool == "max":
            return F.max_pool2d(x, self.pool_size, self.pool_stride, pad)
        return F.avg_pool2d(x, self.pool_size, self.pool_stride, pad, count_include_pad=False)

    def _pooled_sigmoid(self, logits: Tensor, valid: Tensor) -> Tensor:
        mask = valid.unsqueeze(1)
        if self.pool == "max":
            # The most negative finite value, not -inf: its sigmoid is 0 all the same, and a
            # window of ignored pixels never ties with the implicit -inf padding.
            masked = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
            return self._pool(masked).double().sigmoid() + _P_EPS
        return self._pool(logits.double().sigmoid() * mask + _P_EPS)

    def loss_and_distances(
        self,
        logits: Tensor,
        safe: Tensor,
        valid: Tensor,
        positive: Tensor | None = None,
        anchor: Tensor | None = None,
        negative: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        r"""The loss, and optionally per-sample RMI distances of an anchor map (for SAM-CL).

        Inputs are assumed validated. The pooled positive (one-hot) map is shared between
        the loss and the distances; the anchor's covariance factorisation is shared by the
        positive and the negative.

        Args:
            logits: (N, C, H, W) raw scores.
            safe: (N, H, W) labels, 0 at invalid pixels.
            valid: (N, H, W) bool validity mask.
            positive: (N, C, H, W) one-hot target times the mask, built when ``None``.
            anchor: (N, C, H, W) prediction map in [0, 1] (zero at invalid pixels); when
                given, the distances are returned.
            negative: (N, C, H, W) negative map (zero at invalid pixels); ``None`` means
                an all-zero negative.

        Returns:
            ``(loss, distances)`` with distances of shape (2, N) (anchor-positive,
            anchor-negative), :math:`\sum_c r_{nc}/R^2`, 0 for samples without a valid pixel;
            or ``None`` without an anchor.
        """
        self.check_size(logits.shape[-2], logits.shape[-1])
        out_dtype = torch.promote_types(logits.dtype, torch.float32)
        d = self.radius**2
        with torch.autocast(device_type=logits.device.type, enabled=False):
            scores = logits.to(out_dtype)
            n_valid = valid.flatten(1).sum(1)
            has_valid = n_valid > 0
            per_pixel = F.softplus(scores).sum(1) - scores.gather(1, safe.unsqueeze(1)).squeeze(1)
            bce = torch.where(valid, per_pixel, torch.zeros_like(per_pixel)).flatten(1).sum(1)

            if positive is None:
                positive = one_hot_target(safe, valid, self.num_classes, out_dtype)
            y_pos = self._pool(positive.to(out_dtype)).double()
            y_maps = [y_pos]
            p_maps = [self._pooled_sigmoid(logits, valid)]
            if anchor is not None:
                p_maps.append(self._pool(anchor.to(out_dtype)).double() + _P_EPS)
                if negative is not None:
                    y_maps.append(self._pool(negative.to(out_dtype)).double())
            r = rmi_lower_bounds(
                torch.stack(y_maps, 2), torch.stack(p_maps, 2), self.radius, self.alpha
            )
            rmi = torch.where(has_valid, r[0, 0].sum(-1) / d, torch.zeros_like(r[0, 0, :, 0]))

            if self.reduction == "mean":
                bce_term = bce.sum() / (n_valid.sum() + 1)
                loss = self.bce_weight * bce_term + (1.0 - self.bce_weight) * rmi.mean()
            else:
                per_sample = self.bce_weight * bce / (n_valid + 1) + (1.0 - self.bce_weight) * rmi
                loss = per_sample.sum() if self.reduction == "sum" else per_sample
            loss = loss.to(out_dtype)
            if anchor is None:
                return loss, None

            d_pos = r[0, 1].sum(-1) / d
            if negative is not None:
                d_neg = r[1, 1].sum(-1) / d
            else:
                # All-zero negative: S_Y = S_YP = 0, so r = (d / 2) log(alpha) for every class.
                d_neg = torch.full_like(d_pos, 0.5 * self.num_classes * math.log(self.alpha))
            distances = torch.stack([d_pos, d_neg])
            distances = torch.where(has_valid, distances, torch.zeros_like(distances))
            return loss, distances.to(out_dtype)
