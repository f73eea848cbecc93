"""GAN objectives as pure functions of the discriminator's logits.

Notation: r = D(x) on real samples, f = D(G(z)) on fakes, both raw outputs (logits / critic values),
shape (B,) or (B, 1). sigma is the logistic function, so log sigma(t) = -softplus(-t) and
log(1 - sigma(t)) = -softplus(t). Every loss is a mean over the batch and is *minimised*.
A loss never touches an optimiser; penalties that need D itself (gradient penalty, R1) live in
`stabilisers.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from gan_core.variants import OBJECTIVE_NAMES

Tensor = torch.Tensor


def minimax_d(r: Tensor, f: Tensor) -> Tensor:
    """L_D = -E[log sigma(r)] - E[log(1 - sigma(f))] = E[softplus(-r)] + E[softplus(f)]."""
    return F.softplus(-r).mean() + F.softplus(f).mean()


def minimax_g(f: Tensor) -> Tensor:
    """The saturating original: L_G = E[log(1 - sigma(f))] = -E[softplus(f)]."""
    return -F.softplus(f).mean()


def ns_g(f: Tensor) -> Tensor:
    """Non-saturating: L_G = -E[log sigma(f)] = E[softplus(-f)]."""
    return F.softplus(-f).mean()


def lsgan_d(r: Tensor, f: Tensor) -> Tensor:
    """Least squares (a=0, b=1): L_D = 1/2 E[(r - 1)^2] + 1/2 E[f^2]."""
    return 0.5 * ((r - 1.0) ** 2).mean() + 0.5 * (f ** 2).mean()


def lsgan_g(f: Tensor) -> Tensor:
    """Least squares (c=1): L_G = 1/2 E[(f - 1)^2]."""
    return 0.5 * ((f - 1.0) ** 2).mean()


def wasserstein_d(r: Tensor, f: Tensor) -> Tensor:
    """Critic loss: L_D = E[f] - E[r] (the negated earth-mover estimate)."""
    return f.mean() - r.mean()


def wasserstein_g(f: Tensor) -> Tensor:
    """L_G = -E[f]."""
    return -f.mean()


def hinge_d(r: Tensor, f: Tensor) -> Tensor:
    """L_D = E[max(0, 1 - r)] + E[max(0, 1 + f)]."""
    return F.relu(1.0 - r).mean() + F.relu(1.0 + f).mean()


def hinge_g(f: Tensor) -> Tensor:
    """L_G = -E[f]."""
    return -f.mean()


@dataclass(frozen=True)
class Objective:
    d_loss: Callable[[Tensor, Tensor], Tensor]
    g_loss: Callable[[Tensor], Tensor]
    probability: bool  # D's output reads as a probability through sigma (for the D(x), D(G(z)) readouts)


OBJECTIVES: dict[str, Objective] = {
    "minimax": Objective(minimax_d, minimax_g, True),
    "ns": Objective(minimax_d, ns_g, True),
    "lsgan": Objective(lsgan_d, lsgan_g, False),
    "wasserstein": Objective(wasserstein_d, wasserstein_g, False),
    "hinge": Objective(hinge_d, hinge_g, False),
}
assert tuple(OBJECTIVES) == OBJECTIVE_NAMES, "variants.OBJECTIVE_NAMES must name every objective, in this order"


# --------------------------------------------------------------------------- CycleGAN (Zhu et al. 2017)
# Two translators G: A -> B and F: B -> A, two discriminators D_A and D_B. The adversarial part is least squares
# (the paper's Section 4, after Mao et al.): D_B is trained towards 1 on real b and 0 on G(a), G towards
# D_B(G(a)) = 1. The full objective (the paper's Eq. 3, with Eq. 2's cycle term and Section 5.2's identity term):
#     L_GF = lsgan_adv(D_B(G(a))) + lsgan_adv(D_A(F(b)))
#            + lambda_cycle * (cycle_l1(a, F(G(a))) + cycle_l1(b, G(F(b))))
#            + lambda_cycle * lambda_identity * (identity_l1(b, G(b)) + identity_l1(a, F(a)))
# and each discriminator minimises lsgan_d (the half of the official code's MSE sum), on real samples and on
# fakes drawn from its history pool.


def lsgan_adv(f: Tensor) -> Tensor:
    """A translator's least-squares loss on D's output for its translations: L = E[(f - 1)^2]
    (the paper's G loss, without lsgan_g's 1/2, so lambda_cycle = 10 weighs the cycle as the paper does)."""
    return ((f - 1.0) ** 2).mean()


def cycle_l1(x: Tensor, x_rec: Tensor) -> Tensor:
    """Cycle consistency (the paper's Eq. 2, one direction): L = E[|x_rec - x|_1] with x_rec = F(G(x)), the mean
    absolute difference per coordinate / pixel. Zero when the round trip returns every input exactly."""
    return (x_rec - x).abs().mean()


def identity_l1(x: Tensor, x_same: Tensor) -> Tensor:
    """Identity mapping (the paper's Section 5.2): a translator fed a sample of its own target domain should leave
    it alone, L = E[|G(b) - b|_1]. Keeps colours / intensities where the cycle alone would let them drift."""
    return (x_same - x).abs().mean()


CYCLE_LOSSES: dict[str, Callable] = {"d": lsgan_d, "adv": lsgan_adv, "cycle": cycle_l1, "identity": identity_l1}
