"""The arms of the study: what fills the batches of the same classifier, under the same budget.

    real        the N labeled images per class only
    classic     the same images under a fresh random affine map each time (`affine.py`): the baseline a GAN
                has to beat
    cgan        the same images, plus samples of a conditional GAN trained on those images alone (`cgan.py`);
                each batch holds `synthetic_ratio` synthetic images per real one
    sgan        the semi-supervised GAN (`semi_supervised.py`): the labeled images, the unlabeled rest of the
                training split and G's samples
    all-labels  a reference, not an arm: every training image with its label (the same budget)

An arm gets an `ArmInputs` and nothing else: the labeled images and their labels, and the unlabeled images only
when the arm declares it uses them. The held-out images are scored by the study runner after the arm returns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from gan_core.augmentation.affine import random_affine
from gan_core.augmentation.cgan import SyntheticBatches, sample_grid, train_cgan
from gan_core.augmentation.fit import Budget, LabeledBatches, Progress, fit_classifier, make_classifier
from gan_core.augmentation.semi_supervised import train_semi_supervised
from gan_core.evaluation.classifier import Classifier


@dataclass(frozen=True)
class ArmInputs:
    """What one arm may see. labeled_index: the labeled images' indices in the training split (for checks)."""
    data: str
    labeled_x: np.ndarray  # uint8 (n, 28, 28)
    labeled_y: np.ndarray  # int64 (n,)
    labeled_index: np.ndarray
    n_classes: int
    unlabeled_x: np.ndarray | None = None  # uint8, no labels; only for arms with uses_unlabeled


@dataclass
class ArmOutput:
    model: Classifier
    samples: np.ndarray | None = None  # the conditional GAN's samples, uint8 (K * 8, 28, 28), class by class


@dataclass(frozen=True)
class Arm:
    name: str
    title: str
    about: str
    uses_unlabeled: bool
    run: Callable[[ArmInputs, Budget, int, torch.device, Progress], ArmOutput]
    gan: bool = False


def _stages(progress: Progress, sizes: tuple[int, ...]):
    """One progress(done, total) over consecutive stages of the given sizes: a callback per stage."""
    total = sum(sizes)

    def stage(i: int) -> Progress:
        before = sum(sizes[:i])
        return lambda done, _size: progress(before + done, total)

    return stage


def _real(inputs: ArmInputs, budget: Budget, seed: int, device: torch.device, progress: Progress) -> ArmOutput:
    model = make_classifier(seed, inputs.n_classes, device)
    batches = LabeledBatches(inputs.labeled_x, inputs.labeled_y, torch.Generator(device=device).manual_seed(seed + 2), device)
    return ArmOutput(fit_classifier(model, lambda: batches.take(budget.batch_size), budget, progress))


def _classic(inputs: ArmInputs, budget: Budget, seed: int, device: torch.device, progress: Progress) -> ArmOutput:
    model = make_classifier(seed, inputs.n_classes, device)
    gen = torch.Generator(device=device).manual_seed(seed + 2)
    batches = LabeledBatches(inputs.labeled_x, inputs.labeled_y, gen, device)

    def next_batch():
        x, y = batches.take(budget.batch_size)
        return random_affine(x, gen), y

    return ArmOutput(fit_classifier(model, next_batch, budget, progress))


def _cgan(inputs: ArmInputs, budget: Budget, seed: int, device: torch.device, progress: Progress) -> ArmOutput:
    stage = _stages(progress, (budget.gan_steps, budget.steps))
    trainer = train_cgan(inputs.labeled_x, inputs.labeled_y, inputs.n_classes, budget.gan_steps, seed, inputs.data,
                         device, stage(0))
    model = make_classifier(seed, inputs.n_classes, device)
    gen = torch.Generator(device=device).manual_seed(seed + 2)
    real = LabeledBatches(inputs.labeled_x, inputs.labeled_y, gen, device)
    synthetic = SyntheticBatches(trainer, inputs.n_classes, torch.Generator(device=device).manual_seed(seed + 5))
    r = budget.synthetic_ratio
    n_syn = round(budget.batch_size * r / (1.0 + r))  # synthetic share of each batch
    n_real = budget.batch_size - n_syn

    def next_batch():
        xr, yr = real.take(n_real)
        if n_syn == 0:
            return xr, yr
        xs, ys = synthetic.take(n_syn)
        return torch.cat([xr, xs]), torch.cat([yr, ys])

    model = fit_classifier(model, next_batch, budget, stage(1))
    return ArmOutput(model, samples=sample_grid(trainer, inputs.n_classes, seed=seed))


def _sgan(inputs: ArmInputs, budget: Budget, seed: int, device: torch.device, progress: Progress) -> ArmOutput:
    if inputs.unlabeled_x is None or len(inputs.unlabeled_x) == 0:
        raise ValueError("the semi-supervised GAN needs unlabeled images; every training image is labeled here")
    return ArmOutput(train_semi_supervised(inputs.labeled_x, inputs.labeled_y, inputs.unlabeled_x, inputs.n_classes,
                                           budget, seed, device, progress))


ARMS: dict[str, Arm] = {a.name: a for a in [
    Arm("real", "Real only", "the N labeled images per class, nothing else", False, _real),
    Arm("classic", "Classic augmentation",
        "the labeled images under random affine maps (rotation up to 15 degrees, shifts up to 10%, scale 0.9-1.1)",
        False, _classic),
    Arm("cgan", "Conditional GAN samples",
        "the labeled images plus samples of a conditional GAN trained on those images alone", False, _cgan, gan=True),
    Arm("sgan", "Semi-supervised GAN",
        "D classifies K classes plus 'generated', trained on the labeled, the unlabeled and G's images "
        "(Salimans et al. 2016)", True, _sgan, gan=True),
]}
REFERENCE = Arm("all-labels", "All labels (reference)", "every training image with its label, the same budget",
                False, _real)
DEFAULT_ARMS = tuple(ARMS)
