"""The semi-supervised GAN (Salimans et al. 2016, "Improved Techniques for Training GANs", section 5).

D is the study's classifier with K outputs l_1..l_K; the (K+1)-th class, "generated", has its logit fixed at 0
(the paper's remark that one of K+1 logits is redundant), so with lse(x) = log sum_k exp l_k(x)

    p(y = k | x) = exp l_k / (sum_j exp l_j + 1),   D(x) = p(real | x) = Z / (Z + 1) = sigmoid(lse(x))

    L_D = L_supervised + L_unsupervised                                          (paper, eq. 5)
    L_supervised   = -E_{(x, y) labeled} log p(y | x, y <= K)    = cross_entropy(l(x), y)
    L_unsupervised = -E_{x unlabeled} log D(x) - E_z log(1 - D(G(z)))
                   = E softplus(-lse(x_u)) + E softplus(lse(G(z)))

G is trained by feature matching (paper, section 3.1): L_G = || E_x f(x) - E_z f(G(z)) ||^2 with f the
classifier's penultimate features (`Classifier.features`). D sees the N labeled images per class with their
labels, the rest of the training split without labels, and G's samples; the class scores D learns are the arm's
classifier. G is the conditional-GAN arm's DCGAN generator without the label input.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from gan_core.augmentation.fit import PROGRESS_EVERY, Budget, LabeledBatches, Progress, make_classifier, optimiser
from gan_core.config import ModelConfig
from gan_core.data.images import EpochOrder
from gan_core.data.pixels import to_unit
from gan_core.evaluation.classifier import Classifier
from gan_core.latent import sample_noise
from gan_core.models import build_generator

G_MODEL = ModelConfig(kind="dcgan", z_dim=100, width=32, noise="normal")
BETAS = (0.5, 0.999)  # the paper's Adam momentum for both networks


def supervised_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """-E log p(y | x, y <= K): cross-entropy over the K real classes. logits (B, K), y (B,)."""
    return F.cross_entropy(logits, y)


def unsupervised_loss(logits_unlabeled: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """-E log D(x_u) - E log(1 - D(G(z))) with D = sigmoid(logsumexp_k l_k): mean softplus(-lse(x_u)) + mean
    softplus(lse(G(z))). logits (B, K) each."""
    lse_u = torch.logsumexp(logits_unlabeled, dim=1)
    lse_f = torch.logsumexp(logits_fake, dim=1)
    return F.softplus(-lse_u).mean() + F.softplus(lse_f).mean()


def feature_matching_loss(features_real: torch.Tensor, features_fake: torch.Tensor) -> torch.Tensor:
    """|| mean_b f(x)_b - mean_b f(G(z))_b ||^2 over the feature axis. features (B, F) each."""
    return (features_real.mean(0) - features_fake.mean(0)).pow(2).sum()


class _Unlabeled:
    """Endless shuffled batches of the unlabeled images (no labels are held here)."""

    def __init__(self, images, generator: torch.Generator, device):
        self.images = to_unit(images).to(device)  # (M, 1, 28, 28)
        self.generator = generator
        self.order = EpochOrder(len(self.images), drop_last=False)

    def take(self, b: int) -> torch.Tensor:
        return self.images[self.order.take(b, self.generator).to(self.images.device)]


def train_semi_supervised(labeled_x, labeled_y, unlabeled_x, n_classes: int, budget: Budget, seed: int,
                          device: torch.device | str = "cpu", progress: Progress | None = None) -> Classifier:
    """D (the study's classifier, K outputs) and a DCGAN G trained together for `budget.steps` steps; returns D."""
    device = torch.device(device)
    D = make_classifier(seed, n_classes, device)
    G = build_generator(G_MODEL, (1, 28, 28), 0, torch.Generator().manual_seed(seed + 2)).to(device)
    data_gen = torch.Generator(device=device).manual_seed(seed + 3)
    noise_gen = torch.Generator(device=device).manual_seed(seed + 4)
    labeled = LabeledBatches(labeled_x, labeled_y, data_gen, device)
    unlabeled = _Unlabeled(unlabeled_x, data_gen, device)
    opt_d, sched_d = optimiser(D, budget, betas=BETAS)
    opt_g, sched_g = optimiser(G, budget, betas=BETAS)
    b = budget.batch_size
    D.train()
    G.train()
    for step in range(budget.steps):
        xl, yl = labeled.take(b)  # (B, 1, 28, 28), (B,)
        xu = unlabeled.take(b)
        z = sample_noise(b, G_MODEL.z_dim, G_MODEL.noise, noise_gen)
        fake = G(z)
        # one pass over the three batches (the classifier has no batch norm); detach: D's step must not move G
        logits = D(torch.cat([xl, xu, fake.detach()]))  # (3B, K)
        loss_d = supervised_loss(logits[:b], yl) + unsupervised_loss(logits[b:2 * b], logits[2 * b:])
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        sched_d.step()

        with torch.no_grad():
            target = D.features(xu)  # (B, hidden): the updated D's view of the unlabeled batch, a constant for G
        loss_g = feature_matching_loss(target, D.features(fake))
        g_params = list(G.parameters())
        for param, grad in zip(g_params, torch.autograd.grad(loss_g, g_params)):  # G's gradients only; D untouched
            param.grad = grad
        opt_g.step()
        sched_g.step()
        if not (torch.isfinite(loss_d) and torch.isfinite(loss_g)):
            raise FloatingPointError(f"the semi-supervised GAN diverged at step {step + 1} (D loss {loss_d.item()}, "
                                     f"G loss {loss_g.item()}); try a smaller learning rate")
        if progress is not None and (step + 1) % PROGRESS_EVERY == 0:
            progress(step + 1, budget.steps)
    return D.eval()
