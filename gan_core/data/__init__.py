"""One interface over every data source the trainer can learn: `make_dataset(data_config, device)`.

A dataset has `shape` (one sample's shape), `n_classes` (0 when unlabelled), `sample(n, generator)`
returning (x, y or None), and a `state()` / `load_state()` pair so a resumed run draws the same batches.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_core.config import DataConfig
from gan_core.data.images import EpochOrder, load_images
from gan_core.data.pixels import to_unit
from gan_core.data.points import Data2D


class PointsDataset:
    """2D data drawn fresh every batch (mixtures, shapes) or resampled from the user's points."""

    def __init__(self, cfg: DataConfig, device: torch.device):
        self.source = Data2D(cfg.name, device, cfg.points)
        self.shape = (2,)
        self.n_classes = 0
        self.mixture = self.source.mixture

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, None]:
        return self.source.sample(n, generator), None

    def state(self) -> dict:
        return {}

    def load_state(self, state: dict) -> None:
        pass


class ImageDataset:
    """Images kept as one uint8 tensor on the device; batches follow an epoch-wise shuffled order
    (the tutorial's DataLoader with shuffle=True) and are scaled to [-1, 1] when drawn."""

    def __init__(self, cfg: DataConfig, device: torch.device, split: str = "train"):
        images, labels = load_images(cfg.name, split, cfg.data_dir)
        self._fill(images, labels, 10 if cfg.name != "stacked-mnist" else 1000, device)

    @classmethod
    def from_arrays(cls, images: np.ndarray, labels: np.ndarray, n_classes: int,
                    device: torch.device | str = "cpu") -> "ImageDataset":
        """A data set of exactly these images (uint8 (N, 28, 28) or (N, 28, 28, C)) and labels, nothing else: what
        the trainer learns when it must not see the rest of a split (the augmentation study's labeled subset)."""
        dataset = cls.__new__(cls)
        dataset._fill(images, labels, n_classes, torch.device(device))
        return dataset

    def _fill(self, images: np.ndarray, labels: np.ndarray, n_classes: int, device: torch.device) -> None:
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[:, None]  # (N, 1, 28, 28)
        else:
            images = images.transpose(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)
        self.images = torch.from_numpy(np.ascontiguousarray(images)).to(device)
        self.labels = torch.as_tensor(np.asarray(labels), dtype=torch.long, device=device)
        self.shape = tuple(self.images.shape[1:])
        self.n_classes = n_classes
        self.mixture = None
        self._order = EpochOrder(len(self.images), drop_last=False)

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        index = self._order.take(n, generator).to(self.images.device)
        x = to_unit(self.images[index])  # uint8 -> [-1, 1]
        return x, self.labels[index]

    def state(self) -> dict:
        o = self._order
        return {"order": None if o.order is None else o.order.cpu(), "pos": o.pos}

    def load_state(self, state: dict) -> None:
        order = state.get("order")
        self._order.order = None if order is None else order.to(self.images.device)
        self._order.pos = int(state.get("pos", 0))


def make_dataset(cfg: DataConfig, device: torch.device | str = "cpu"):
    device = torch.device(device)
    return ImageDataset(cfg, device) if cfg.is_image else PointsDataset(cfg, device)
