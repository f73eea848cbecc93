"""The one classifier every arm trains, and the loop that trains it.

Every arm's classifier is the evaluation classifier's network (`gan_core.evaluation.classifier.Classifier`: same
layers, same dropout rates), trained with that module's recipe (Adam, cross-entropy, one-cycle learning rate
with 15% warm-up) for the same number of optimiser steps on batches of the same size; the arms differ only in
what fills the batches. Parameters start from `init_weights` with an explicit generator (PyTorch's default
bounds), and the dropout masks are drawn from the model's own generator instead of torch's global one, so a
cell gives the same numbers whatever else runs in the process (the dashboard trains in threads).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gan_core.checks import check_float, check_int
from gan_core.data.images import EpochOrder
from gan_core.data.pixels import to_unit
from gan_core.evaluation.classifier import Classifier
from gan_core.models.layers import init_weights

# progress(done, total): called during training; it may raise to stop the work (the study's stop button).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 10


@dataclass(frozen=True)
class Budget:
    """What every arm gets: `steps` optimiser steps of `batch_size` images for its classifier; the GAN arms also
    train their GAN (`gan_steps` iterations for the conditional GAN; the semi-supervised GAN's D is the classifier,
    so it takes the same `steps`, each with one G step)."""
    # The defaults are the shipped study's (bench/results/augment-mnist): a budget a shared 2-core CPU finishes.
    steps: int = 100
    batch_size: int = 64
    lr: float = 2e-3
    gan_steps: int = 200
    synthetic_ratio: float = 1.0  # conditional-GAN arm: synthetic images per real image in a batch

    def __post_init__(self) -> None:
        check_int("steps", self.steps, 1, 1_000_000)
        check_int("batch_size", self.batch_size, 2, 4096)
        check_float("lr", self.lr, 0.0, 1.0, lo_open=True)
        check_int("gan_steps", self.gan_steps, 1, 1_000_000)
        check_float("synthetic_ratio", self.synthetic_ratio, 0.0, 100.0)

    def flags(self) -> str:
        """The budget as the `augment` command's flags, e.g. `--steps 100 --batch-size 64 ...`."""
        return (f"--steps {self.steps} --batch-size {self.batch_size} --lr {self.lr:g} --gan-steps {self.gan_steps} "
                f"--synthetic-ratio {self.synthetic_ratio:g}")


class SeededDropout(nn.Module):
    """nn.Dropout(p) whose masks come from `generator` (kept elements scaled by 1 / (1 - p) in training)."""

    def __init__(self, p: float, generator: torch.Generator):
        super().__init__()
        self.p, self.generator = p, generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep / (1.0 - self.p)


def make_classifier(seed: int, n_classes: int = 10, device: torch.device | str = "cpu") -> Classifier:
    """The evaluation classifier's network, initialised from `seed`, with seeded dropout."""
    model = Classifier(n_classes=n_classes)
    init_weights(model, "mlp", torch.Generator().manual_seed(seed))
    model = model.to(device)
    dropout_gen = torch.Generator(device=torch.device(device)).manual_seed(seed + 1)
    model.drop_conv = SeededDropout(model.arch["p_conv"], dropout_gen)
    model.drop_fc = SeededDropout(model.arch["p_fc"], dropout_gen)
    return model


class LabeledBatches:
    """Endless batches from a pool of labeled uint8 images, in shuffled epochs that run on into the next one
    (so a pool of 10 images still fills a batch of 64). Returns x (b, 1, 28, 28) in [-1, 1] and y (b,)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, generator: torch.Generator, device: torch.device | str):
        self.images = to_unit(images).to(device)  # (N, 1, 28, 28)
        self.labels = torch.as_tensor(labels, dtype=torch.int64).to(device)
        self.generator = generator
        self.order = EpochOrder(len(self.labels), drop_last=False)

    def take(self, b: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = self.order.take(b, self.generator).to(self.labels.device)
        return self.images[idx], self.labels[idx]


def optimiser(model: nn.Module, budget: Budget, steps: int | None = None, betas=(0.9, 0.999)):
    """Adam with the evaluation classifier's one-cycle schedule (max lr `budget.lr`, 15% warm-up)."""
    opt = torch.optim.Adam(model.parameters(), lr=budget.lr, betas=betas)
    total = budget.steps if steps is None else steps
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=budget.lr, total_steps=total, pct_start=0.15)
    return opt, sched


def fit_classifier(model: Classifier, next_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]], budget: Budget,
                   progress: Progress | None = None) -> Classifier:
    """`budget.steps` steps of cross-entropy on `next_batch()`; returns the model in eval mode."""
    opt, sched = optimiser(model, budget)
    model.train()
    for step in range(budget.steps):
        x, y = next_batch()  # (B, 1, 28, 28), (B,)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if progress is not None and (step + 1) % PROGRESS_EVERY == 0:
            progress(step + 1, budget.steps)
    return model.eval()


@torch.inference_mode()
def accuracy(model: Classifier, images: np.ndarray, labels: np.ndarray, batch_size: int = 200) -> float:
    """Fraction of held-out images whose arg-max class equals the label (the model on any device). Batches of 200:
    half the CPU time of batches of 1,000 here (the activations stay in cache)."""
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    for start in range(0, len(images), batch_size):
        x = to_unit(images[start:start + batch_size]).to(device)
        pred = model(x).argmax(1).cpu().numpy()
        correct += int((pred == labels[start:start + batch_size]).sum())
    return correct / len(images)
