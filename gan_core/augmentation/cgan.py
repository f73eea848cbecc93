"""The conditional GAN of the third arm, trained on the labeled images of the split and nothing else.

The network and recipe are the `cgan` preset (conditional DCGAN, width 32, z 100: the label enters G by
embedding and concatenation, D by projection; non-saturating loss, Adam 2e-4 with beta1 0.5, batch 64). The
trainer is handed `ImageDataset.from_arrays(labeled images, their labels)`, so the 9,000-image training split
it would otherwise load never reaches it: the GAN sees N images per class, and the labels of those alone.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_core.augmentation.fit import PROGRESS_EVERY, Progress
from gan_core.data import ImageDataset
from gan_core.data.pixels import to_uint8
from gan_core.latent import sample_noise
from gan_core.training.presets import preset_config
from gan_core.training.trainer import Trainer


def train_cgan(images: np.ndarray, labels: np.ndarray, n_classes: int, steps: int, seed: int, data: str,
               device: torch.device | str = "cpu", progress: Progress | None = None) -> Trainer:
    """A `cgan`-preset Trainer trained `steps` iterations on exactly these uint8 images (N, 28, 28) and labels."""
    # steps + 1: the trainer scores G against the whole data set at its last step, which this arm must not do.
    config = preset_config("cgan", {"data": {"name": data}, "steps": steps + 1, "seed": seed, "log_every": steps,
                                    "eval_every": 0, "precision": "float32"})
    dataset = ImageDataset.from_arrays(images, labels, n_classes, device)
    trainer = Trainer(config, device, dataset=dataset)
    for step in range(steps):
        trainer.step()
        if progress is not None and (step + 1) % PROGRESS_EVERY == 0:
            progress(step + 1, steps)
    return trainer


class SyntheticBatches:
    """Batches of the trained G's samples with labels drawn uniformly from the classes (fresh every batch)."""

    def __init__(self, trainer: Trainer, n_classes: int, generator: torch.Generator):
        self.trainer, self.n_classes, self.generator = trainer, n_classes, generator

    def take(self, b: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, self.n_classes, (b,), generator=self.generator, device=self.generator.device)
        m = self.trainer.config.model
        z = sample_noise(b, m.z_dim, m.noise, self.generator)
        return self.trainer.generate(z, y.to(self.trainer.device)).clone(), y.to(self.trainer.device)


def sample_grid(trainer: Trainer, n_classes: int, per_class: int = 8, seed: int = 0) -> np.ndarray:
    """uint8 (n_classes * per_class, 28, 28): per_class samples of class 0, then of class 1, ..."""
    y = torch.arange(n_classes).repeat_interleave(per_class)
    return to_uint8(trainer.sample(len(y), seed=seed, labels=y))
