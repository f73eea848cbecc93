"""Stabilisers that need the networks themselves, not just D's logits: penalties, clipping, unrolling, EMA, mode seeking.

Each is a plain function the trainer calls at one point of its step; none runs an optimiser.
"""
from __future__ import annotations

import torch
import torch.nn as nn
from torch.func import functional_call

from gan_core.objectives import Objective

Tensor = torch.Tensor


def gradient_penalty(d: nn.Module, real: Tensor, fake: Tensor, generator: torch.Generator, y: Tensor | None = None) -> Tensor:
    """WGAN-GP: E[(||grad_x D(x_hat)||_2 - 1)^2] with x_hat = eps*real + (1-eps)*fake, eps ~ U(0, 1) per sample.

    real, fake: (B, ...) already packed (the penalty acts on what D sees).
    """
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), generator=generator, device=real.device)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = d(x_hat, y)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def r1_penalty(real_logits: Tensor, real_in: Tensor) -> Tensor:
    """R1: E[||grad_x D(x)||^2] on real x (the trainer multiplies by gamma/2). real_in must require grad."""
    (grad,) = torch.autograd.grad(real_logits.sum(), real_in, create_graph=True)
    return grad.flatten(1).pow(2).sum(1).mean()


def mode_seeking(fake: Tensor, z: Tensor, eps: float = 1e-5) -> Tensor:
    """MSGAN's term for G to minimise: 1 / (mean |G(z1) - G(z2)| / mean |z1 - z2| + eps), the pairs being the
    batch's first half and its second half (the trainer gives a conditional pair one label). Look-alike outputs
    of distant noise make it large."""
    h = fake.shape[0] // 2
    ratio = (fake[:h] - fake[h:2 * h]).abs().mean() / (z[:h] - z[h:2 * h]).abs().mean()
    return 1.0 / (ratio + eps)


@torch.no_grad()
def clip_gradients(params: list[nn.Parameter], max_norm: float) -> Tensor:
    """Gradient clipping: g <- g * min(1, max_norm / (||g||_2 + 1e-6)), ||g||_2 over all of `params` together.

    Returns the total norm *before* clipping (what the gradient-norm chart shows beside the threshold)."""
    return torch.nn.utils.clip_grad_norm_(params, max_norm, foreach=True)


@torch.no_grad()
def clip_weights(d: nn.Module, c: float) -> None:
    """WGAN: clamp every parameter of D to [-c, c] after its update."""
    for p in d.parameters():
        p.clamp_(-c, c)


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """theta_ema <- decay * theta_ema + (1 - decay) * theta; buffers (batch-norm statistics) are copied."""
    ema_params = list(ema.parameters())
    torch._foreach_lerp_(ema_params, list(model.parameters()), 1.0 - decay)
    for b_ema, b in zip(ema.buffers(), model.buffers()):
        b_ema.copy_(b)


@torch.no_grad()
def standing_statistics(g: nn.Module, draw, batches: int) -> bool:
    """Recompute the batch-norm statistics of g (the moving average of G) from its own outputs: `batches` forward
    passes in training mode over inputs from draw() -> (z, y or None), averaged with equal weight (BigGAN's
    "standing statistics", Brock et al. 2019). ema_update copies the training G's statistics, which fit the
    average's weights only while the average is short. Returns False (nothing done) when g has no batch norm."""
    norms = [m for m in g.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return False
    momenta = [m.momentum for m in norms]
    was = g.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the passes
    g.train()
    for _ in range(batches):
        z, y = draw()
        g(z, y)
    g.train(was)
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    return True


def unrolled_params(d: nn.Module, opt: torch.optim.Optimizer, objective: Objective, real: Tensor, fake: Tensor,
                    k: int, lr: float, y: Tensor | None = None) -> dict[str, Tensor]:
    """D's parameters after k differentiable optimiser steps on (real, fake) (Metz et al. 2016).

    `fake` keeps its graph to G, and every step is built with create_graph=True, so a loss on
    `functional_call(d, params, ...)` back-propagates into G *through* D's look-ahead (the
    unrolled term of the paper). Adam steps reuse the optimiser's moments; RMSprop and SGD take plain
    gradient steps. D's own weights and optimiser state are never modified.
    """
    names = [n for n, p in d.named_parameters() if p.requires_grad]
    params = {n: p for n, p in d.named_parameters() if p.requires_grad}
    state = {n: opt.state.get(p, {}) for n, p in params.items()}
    group = opt.param_groups[0]
    adam = isinstance(opt, torch.optim.Adam)
    b1, b2 = group.get("betas", (0.0, 0.0))
    eps = group.get("eps", 1e-8)
    m = {n: state[n].get("exp_avg", torch.zeros_like(params[n])) for n in names} if adam else {}
    v = {n: state[n].get("exp_avg_sq", torch.zeros_like(params[n])) for n in names} if adam else {}
    t0 = {n: float(state[n].get("step", 0)) for n in names}
    for i in range(k):
        logits = functional_call(d, params, (torch.cat([real, fake]), y if y is None else torch.cat([y, y])))
        r, f = logits[: real.shape[0]], logits[real.shape[0]:]
        loss = objective.d_loss(r, f)
        grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=True)
        new = {}
        for n, g in zip(names, grads):
            if adam:
                t = t0[n] + i + 1
                m[n] = b1 * m[n] + (1 - b1) * g
                v[n] = b2 * v[n] + (1 - b2) * g * g
                m_hat = m[n] / (1 - b1 ** t)
                v_hat = v[n] / (1 - b2 ** t)
                # eps^2 inside the root keeps the derivative of sqrt finite where v_hat is 0.
                new[n] = params[n] - lr * m_hat / ((v_hat + eps * eps).sqrt() + eps)
            else:
                new[n] = params[n] - lr * g
        params = new
    return params
