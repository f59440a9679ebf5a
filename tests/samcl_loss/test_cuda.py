"""The losses on CUDA: same numbers as on CPU, float16 autocast. Skipped without CUDA."""

import io

import pytest
import torch
from torch import nn

from samcl_loss import RMILoss, SAMCLLoss

pytestmark = pytest.mark.gpu


def test_rmi_loss_matches_cpu(make_batch):
    logits, target = make_batch(3, 6, 47, 61, seed=1, ignore_frac=0.1)
    criterion = RMILoss(6)
    expected = criterion(logits, target)
    (expected_grad,) = torch.autograd.grad(expected, logits)
    cuda_logits = logits.detach().cuda().requires_grad_()
    got = criterion(cuda_logits, target.cuda())
    (got_grad,) = torch.autograd.grad(got, cuda_logits)
    torch.testing.assert_close(got.cpu(), expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got_grad.cpu(), expected_grad, rtol=1e-4, atol=1e-7)


def test_samcl_loss_matches_cpu(make_batch):
    logits, target = make_batch(2, 6, 40, 52, seed=2, ignore_frac=0.1)
    cpu = SAMCLLoss(6, generator=torch.Generator().manual_seed(0))
    cuda = SAMCLLoss(6, generator=torch.Generator().manual_seed(0))
    cuda.load_state_dict(cpu.state_dict())
    cuda.cuda()
    expected = cpu(logits, target, return_terms=True)
    got = cuda(logits.detach().cuda(), target.cuda(), return_terms=True)
    torch.testing.assert_close(got.total.cpu(), expected.total, rtol=1e-4, atol=1e-5)
    for a, b in zip(got.scales, expected.scales, strict=True):
        torch.testing.assert_close(a.cpu(), b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("num_classes", [2, 6, 21])
@pytest.mark.parametrize("base", ["rmi", "ce"])
def test_float16_autocast(num_classes, base):
    torch.manual_seed(num_classes)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, num_classes, 1))
    model.cuda()
    criterion = SAMCLLoss(num_classes, base_loss=base).cuda()
    image = torch.randn(1, 1, 37, 53, device="cuda")
    target = torch.randint(0, num_classes, (1, 37, 53), device="cuda")
    target[0, :5] = 255
    scaler = torch.amp.GradScaler("cuda")
    with torch.autocast("cuda", dtype=torch.float16):
        logits = model(image)
        assert logits.dtype == torch.float16
        terms = criterion(logits, target, return_terms=True)
    assert all(torch.isfinite(t) for t in (terms.total, terms.base, *terms.scales))
    scaler.scale(terms.total).backward()
    for p in [*model.parameters(), *criterion.parameters()]:
        assert p.grad is not None
        assert torch.isfinite(p.grad).all()


@pytest.mark.parametrize("negatives", ["reflect", "shift", "swap"])
@pytest.mark.parametrize("base", ["rmi", "ce"])
def test_no_host_device_synchronisation(negatives, base):
    """Forward and backward without a host-device sync (the value checks are opted out:
    they read one flag on the host)."""
    torch.manual_seed(0)
    criterion = SAMCLLoss(6, base_loss=base, negatives=negatives, check_inputs=False).cuda()
    logits = torch.randn(2, 6, 40, 52, device="cuda", requires_grad=True)
    target = torch.randint(0, 6, (2, 40, 52), device="cuda")
    target[:, :4] = 255
    criterion(logits, target).backward()  # warm-up: cuBLAS/cuDNN handles
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        terms = criterion(logits, target, return_terms=True)
        terms.total.backward()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert torch.isfinite(terms.total)


def test_auxiliary_computes_in_float32_under_float16_autocast():
    criterion = SAMCLLoss(6).cuda()
    dtypes = []
    criterion.auxiliary.register_forward_hook(lambda m, i, o: dtypes.extend(f.dtype for f in o))
    logits = torch.randn(2, 6, 40, 52, device="cuda")
    target = torch.randint(0, 6, (2, 40, 52), device="cuda")
    with torch.autocast("cuda", dtype=torch.float16):
        criterion(logits.half(), target)
    assert dtypes == [torch.float32] * 3


def test_a_state_dict_loaded_onto_the_gpu_continues_the_stream(make_batch):
    logits, target = make_batch(2, 4, 20, 24, seed=3, ignore_frac=0.1)
    saved = SAMCLLoss(4, negatives="swap", generator=torch.Generator().manual_seed(0))
    buffer = io.BytesIO()
    torch.save(saved.state_dict(), buffer)
    expected = [saved(logits, target).item() for _ in range(2)]
    restored = SAMCLLoss(4, negatives="swap", generator=torch.Generator().manual_seed(9)).cuda()
    buffer.seek(0)
    restored.load_state_dict(torch.load(buffer, map_location="cuda", weights_only=True))
    got = [restored(logits.cuda(), target.cuda()).item() for _ in range(2)]
    assert got == pytest.approx(expected, rel=1e-4)
