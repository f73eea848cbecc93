"""Each objective against values computed by hand on fixed logits."""
import math

import pytest
import torch

from gan_core.objectives import OBJECTIVES

R = torch.tensor([0.0, 2.0])   # D's logits on real samples
F = torch.tensor([-1.0, 1.0])  # D's logits on fakes


def sp(t):  # softplus by hand
    return math.log1p(math.exp(t))


def test_minimax_by_hand():
    # L_D = mean softplus(-r) + mean softplus(f)
    expected_d = (sp(0.0) + sp(-2.0)) / 2 + (sp(-1.0) + sp(1.0)) / 2
    assert OBJECTIVES["minimax"].d_loss(R, F).item() == pytest.approx(expected_d, rel=1e-6)
    # saturating: L_G = mean log(1 - sigma(f)) = -mean softplus(f)
    sig = [1 / (1 + math.exp(1.0)), 1 / (1 + math.exp(-1.0))]
    expected_g = (math.log(1 - sig[0]) + math.log(1 - sig[1])) / 2
    assert OBJECTIVES["minimax"].g_loss(F).item() == pytest.approx(expected_g, rel=1e-6)


def test_non_saturating_by_hand():
    sig = [1 / (1 + math.exp(1.0)), 1 / (1 + math.exp(-1.0))]
    expected = -(math.log(sig[0]) + math.log(sig[1])) / 2
    assert OBJECTIVES["ns"].g_loss(F).item() == pytest.approx(expected, rel=1e-6)
    assert OBJECTIVES["ns"].d_loss(R, F).item() == pytest.approx(OBJECTIVES["minimax"].d_loss(R, F).item())


def test_least_squares_by_hand():
    # 1/2 mean (r-1)^2 + 1/2 mean f^2 = 1/2 * (1 + 1)/2 + 1/2 * (1 + 1)/2 = 1
    assert OBJECTIVES["lsgan"].d_loss(R, F).item() == pytest.approx(1.0)
    # 1/2 mean (f-1)^2 = 1/2 * (4 + 0)/2 = 1
    assert OBJECTIVES["lsgan"].g_loss(F).item() == pytest.approx(1.0)


def test_wasserstein_by_hand():
    assert OBJECTIVES["wasserstein"].d_loss(R, F).item() == pytest.approx(0.0 - 1.0)
    assert OBJECTIVES["wasserstein"].g_loss(F).item() == pytest.approx(0.0)
    assert OBJECTIVES["wasserstein"].g_loss(torch.tensor([3.0, 1.0])).item() == pytest.approx(-2.0)


def test_hinge_by_hand():
    # mean relu(1 - r) = (1 + 0)/2; mean relu(1 + f) = (0 + 2)/2
    assert OBJECTIVES["hinge"].d_loss(R, F).item() == pytest.approx(0.5 + 1.0)
    assert OBJECTIVES["hinge"].g_loss(F).item() == pytest.approx(0.0)


def test_minimax_is_saturating_and_ns_is_not():
    # At a confident D (f very negative) the saturating loss has a vanishing gradient, ns a strong one.
    f = torch.tensor([-10.0], requires_grad=True)
    OBJECTIVES["minimax"].g_loss(f).backward()
    g_sat = f.grad.abs().item()
    f.grad = None
    OBJECTIVES["ns"].g_loss(f).backward()
    assert g_sat < 1e-4 < 0.9 < f.grad.abs().item()


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_every_objective_is_finite_and_differentiable(name):
    r = torch.randn(8, requires_grad=True)
    f = torch.randn(8, requires_grad=True)
    obj = OBJECTIVES[name]
    gr, gf = torch.autograd.grad(obj.d_loss(r, f), [r, f])
    (gg,) = torch.autograd.grad(obj.g_loss(f), [f])
    for g in (gr, gf, gg):
        assert torch.isfinite(g).all() and g.abs().sum() > 0
