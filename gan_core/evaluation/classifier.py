"""The evaluation classifier: a small CNN whose outputs and penultimate features score GAN images.

Architecture (input: 1-channel 28 x 28 in [-1, 1], the `gan_core.data.pixels.to_unit` convention):
    conv3x3(1 -> c1) ReLU maxpool2       # (B, c1, 14, 14)
    conv3x3(c1 -> c2) ReLU maxpool2      # (B, c2, 7, 7)
    dropout(p_conv) flatten              # (B, c2 * 49)
    fc(c2 * 49 -> hidden) ReLU           # (B, hidden)   <- `features(x)`
    dropout(p_fc) fc(hidden -> classes)  # (B, classes)  <- `forward(x)` (logits)
With the defaults (32, 64, 128, 10): 421,642 parameters, 1.7 MB as float32.

Training: Adam, cross-entropy, one-cycle learning rate (warm-up, then cosine decay), random
shifts of up to `max_shift` pixels as augmentation, batches from `ImageSampler` (seeded). With `distort`, each
image is first drawn through its own random affine map (`random_distortion`: a stand-in for another person's
handwriting), for data sets written by few people (the UCI scans: bench/digits8_judge.py).
Training is deterministic for a given seed and thread count. A trained model is a folder:
    config.json         architecture, data, seed, epochs, held-out accuracy, wall time, command
    model.safetensors   the weights (no pickle)
    README.md           a model card

    python -m gan_core classifier --data mnist --out pretrained/mnist-classifier --epochs 20 --seed 0
"""
from __future__ import annotations

import json
import math
import time
from typing import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from gan_core.data.images import ImageSampler, load_images
from gan_core.data.pixels import to_unit

PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "pretrained"
TRAINABLE_DATA = ("mnist", "mnist-full", "fashion-mnist", "digits8")
# Which shipped classifier scores which data set (Stacked MNIST: the MNIST one, per channel).
DEFAULT_FOLDER = {
    "mnist": "mnist-classifier",
    "mnist-full": "mnist-classifier",
    "stacked-mnist": "mnist-classifier",
    "fashion-mnist": "fashion-classifier",
    "fashion": "fashion-classifier",
    "digits8": "digits8-classifier",
}
MACHINE = "2-core x86_64 CPU"


def max_pool2(x: torch.Tensor) -> torch.Tensor:
    """2 x 2 max pooling, stride 2, of (B, C, H, W) with H and W even: the values of `F.max_pool2d(x, 2)` (a
    maximum is exact), from two element-wise maxima of strided views, which a CPU computes several times faster
    (BENCHMARKS.md, "Evaluation cost"). For inference only: where two inputs tie, `torch.maximum` splits the
    gradient between them and max_pool2d gives it to one, so training keeps max_pool2d."""
    rows = torch.maximum(x[:, :, 0::2, :], x[:, :, 1::2, :])  # (B, C, H / 2, W)
    return torch.maximum(rows[:, :, :, 0::2], rows[:, :, :, 1::2])  # (B, C, H / 2, W / 2)


class Classifier(nn.Module):
    """Small CNN for 28 x 28 images in [-1, 1]; see the module docstring for the layers."""

    def __init__(self, in_channels: int = 1, n_classes: int = 10, channels: tuple[int, int] = (32, 64),
                 hidden: int = 128, p_conv: float = 0.25, p_fc: float = 0.5) -> None:
        super().__init__()
        c1, c2 = channels
        self.arch = {"in_channels": in_channels, "n_classes": n_classes, "channels": [c1, c2],
                     "hidden": hidden, "p_conv": p_conv, "p_fc": p_fc}
        self.conv1 = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.drop_conv = nn.Dropout(p_conv)
        self.fc1 = nn.Linear(c2 * 7 * 7, hidden)
        self.drop_fc = nn.Dropout(p_fc)
        self.fc2 = nn.Linear(hidden, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features (B, hidden): the ReLU output of the first fully connected layer."""
        c = self.arch["in_channels"]
        if x.ndim != 4 or x.shape[1] != c or x.shape[2:] != (28, 28):
            raise ValueError(f"the classifier takes (B, {c}, 28, 28) images in [-1, 1]; got shape {tuple(x.shape)} (use gan_core.data.pixels.to_unit)")
        # Pool, then ReLU: the same numbers as ReLU then pool (ReLU is monotone), on a quarter of the values.
        pool = max_pool2 if not torch.is_grad_enabled() else lambda t: F.max_pool2d(t, 2)
        h = F.relu(pool(self.conv1(x)))  # (B, c1, 14, 14)
        h = F.relu(pool(self.conv2(h)))  # (B, c2, 7, 7)
        h = self.drop_conv(h).contiguous().flatten(1)  # (B, c2 * 49), channel-major whatever x's memory layout
        return F.relu(self.fc1(h))  # (B, hidden)

    def head(self, features: torch.Tensor) -> torch.Tensor:
        """Logits (B, n_classes) from penultimate features (B, hidden)."""
        return self.fc2(self.drop_fc(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, n_classes)."""
        return self.head(self.features(x))


# --------------------------------------------------------------------------- training

def random_shift(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by its own (dy, dx) in [-max_shift, max_shift], filling with -1 (background)."""
    if max_shift == 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (B, C, H + 2s, W + 2s)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, b), generator=generator)  # (B,), (B,)
    rows = (dy[:, None] + torch.arange(h))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, :]  # (B, 1, W)
    batch = torch.arange(b)[:, None, None]  # (B, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)  # (B, C, H, W)


DISTORTION = {"degrees": 15.0, "scale": 0.15, "aspect": 0.3, "shear": 0.3}


def random_distortion(x: torch.Tensor, generator: torch.Generator, degrees: float = DISTORTION["degrees"],
                      scale: float = DISTORTION["scale"], aspect: float = DISTORTION["aspect"],
                      shear: float = DISTORTION["shear"]) -> torch.Tensor:
    """Each image of x (B, C, H, W) in [-1, 1] through its own affine map about the centre, bilinear, -1 outside.

    The map is A = R(angle) [[1, shear], [0, 1]] diag(s * sqrt(r), s / sqrt(r)) with, per image, angle ~ U(-degrees,
    degrees), s ~ U(1 - scale, 1 + scale), the aspect ratio r ~ U(1 - aspect, 1 + aspect) and shear ~ U(-shear,
    shear): slant, size and width change as they do between writers."""
    b = x.shape[0]
    u = 2 * torch.rand(b, 4, generator=generator) - 1  # (B, 4) in [-1, 1)
    angle = u[:, 0] * math.radians(degrees)
    s, r, k = 1 + u[:, 1] * scale, 1 + u[:, 2] * aspect, u[:, 3] * shear
    sx, sy, cos, sin = s * r.sqrt(), s / r.sqrt(), torch.cos(angle), torch.sin(angle)
    forward = torch.stack([torch.stack([cos * sx, (cos * k - sin) * sy], 1),
                           torch.stack([sin * sx, (sin * k + cos) * sy], 1)], 1)  # (B, 2, 2)
    theta = torch.cat([torch.linalg.inv(forward), torch.zeros(b, 2, 1)], 2)  # output -> input coordinates
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    # sampled as x + 1, so that what comes from outside the image (zeros) is the background -1
    return F.grid_sample(x + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1


@torch.inference_mode()
def accuracy(model: Classifier, images_uint8: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> float:
    """Fraction of images whose arg-max class equals the label."""
    model.eval()
    correct = 0
    for start in range(0, len(images_uint8), batch_size):
        x = to_unit(images_uint8[start:start + batch_size])  # (b, 1, 28, 28)
        pred = model(x).argmax(1).numpy()
        correct += int((pred == labels[start:start + batch_size]).sum())
    return correct / len(images_uint8)


def train_classifier(dataset_name: str, out_dir: str | Path, epochs: int = 20, seed: int = 0, *,
                     batch_size: int = 128, lr: float = 2e-3, max_shift: int = 2, distort: bool = False,
                     data_dir: str | Path | None = None, command: str | None = None,
                     before_save: Callable[[], None] | None = None) -> dict:
    """Train on the training split, measure accuracy on the held-out split, save the folder (`before_save()` first:
    the CLI's --overwrite clears an earlier result there only once this one is ready to take its place).

    Returns the config dict written to out_dir/config.json.
    """
    if dataset_name not in TRAINABLE_DATA:
        raise ValueError(f"cannot train a classifier on {dataset_name!r}; choose one of: {', '.join(TRAINABLE_DATA)}")
    for name, value, lo in (("epochs", epochs, 1), ("batch_size", batch_size, 1), ("max_shift", max_shift, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise ValueError(f"{name}={value!r} must be a whole number of at least {lo}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr={lr!r} must be a positive number")

    started = time.perf_counter()
    train_x, train_y = load_images(dataset_name, "train", data_dir)
    test_x, test_y = load_images(dataset_name, "test", data_dir)
    torch.manual_seed(seed)
    model = Classifier()
    sampler = ImageSampler(train_x, train_y, batch_size=batch_size, seed=seed)
    shift_gen = torch.Generator().manual_seed(seed + 1)
    distort_gen = torch.Generator().manual_seed(seed + 2)
    steps = epochs * sampler.batches_per_epoch
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.15)

    model.train()
    for epoch in range(epochs):
        total = 0.0
        for _ in range(sampler.batches_per_epoch):
            x, y = sampler.next()  # (B, 1, 28, 28), (B,)
            if distort:
                x = random_distortion(x, distort_gen)
            loss = F.cross_entropy(model(random_shift(x, max_shift, shift_gen)), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        print(f"epoch {epoch + 1}/{epochs}: train loss {total / sampler.batches_per_epoch:.4f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    held_out = accuracy(model, test_x, test_y)
    wall = time.perf_counter() - started
    config = {
        "architecture": model.arch,
        "dataset": dataset_name,
        "train_split": {"name": "train", "size": int(len(train_x))},
        "heldout_split": {"name": "test", "size": int(len(test_x))},
        "heldout_accuracy": round(held_out, 6),
        "seed": seed,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "max_shift": max_shift,
        "distort": DISTORTION if distort else None,
        "n_parameters": sum(p.numel() for p in model.parameters()),
        "wall_time_s": round(wall, 1),
        "machine": MACHINE,
        "torch": torch.__version__.split("+")[0],
        "command": command or f"python -m gan_core classifier --data {dataset_name} --out {out_dir} --epochs {epochs} --seed {seed}",
    }
    out = Path(out_dir)
    if before_save is not None:
        before_save()
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "README.md").write_text(model_card(config))
    print(f"held-out accuracy {held_out:.4f} on {len(test_x)} images; {wall:.0f} s; saved to {out}")
    return config


def model_card(config: dict) -> str:
    a = config["architecture"]
    c1, c2 = a["channels"]
    pretty = {"mnist": "the bundled 10,000 MNIST digits (gan_core/data/assets/mnist10k.npz)",
              "mnist-full": "the 70,000 MNIST digits (IDX files)",
              "fashion-mnist": "Fashion-MNIST (IDX files; 70,000 images)",
              "digits8": "the bundled 1,797 UCI 8x8 scans resized to 28x28 (gan_core/data/assets/digits8.npz)"}[config["dataset"]]
    return f"""# Evaluation classifier: {config['dataset']}

A small CNN used to score generated images (class coverage, confidence, and the penultimate
features behind FID, precision/recall and density/coverage). It is not a state-of-the-art
classifier; it only has to be good enough to tell the classes apart.

| | |
|---|---|
| data | {pretty} |
| trained on | `{config['train_split']['name']}` split, {config['train_split']['size']:,} images |
| **held-out accuracy** | **{100 * config['heldout_accuracy']:.2f}%** on the `{config['heldout_split']['name']}` split ({config['heldout_split']['size']:,} images, never seen in training) |
| architecture | conv3x3({a['in_channels']}->{c1}) ReLU pool, conv3x3({c1}->{c2}) ReLU pool, dropout {a['p_conv']}, fc({c2 * 49}->{a['hidden']}) ReLU [features], dropout {a['p_fc']}, fc({a['hidden']}->{a['n_classes']}) |
| parameters | {config['n_parameters']:,} ({4 * config['n_parameters'] / 1e6:.2f} MB as float32) |
| training | Adam, one-cycle learning rate (max {config['lr']}), batch {config['batch_size']}, {config['epochs']} epochs, random shifts of up to {config['max_shift']} px{' and random affine distortions ' + str(config['distort']) if config.get('distort') else ''} |
| seed | {config['seed']} |
| wall time | {config['wall_time_s']:.0f} s (data loading, training and evaluation) |
| machine | {config['machine']}, torch {config['torch']} |

Input: `(B, 1, 28, 28)` float in [-1, 1] (`gan_core.data.pixels.to_unit`: pixel * 2 / 255 - 1).

Trained with:

```bash
{config['command']}
```

Load it with `gan_core.evaluation.classifier.load_classifier("<this folder>")` (weights in
`model.safetensors`, settings in `config.json`).
"""


# --------------------------------------------------------------------------- loading

def load_classifier(path: str | Path, device: str | torch.device = "cpu") -> Classifier:
    """A trained classifier (eval mode) from its folder (config.json + model.safetensors)."""
    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    config_path, weights_path = folder / "config.json", folder / "model.safetensors"
    for needed in (config_path, weights_path):
        if not needed.is_file():
            raise ValueError(f"{needed} not found: {folder} is not a classifier folder "
                             "(train one with: python -m gan_core classifier --data mnist --out FOLDER)")
    try:
        arch = json.loads(config_path.read_text())["architecture"]
        model = Classifier(in_channels=arch["in_channels"], n_classes=arch["n_classes"], channels=tuple(arch["channels"]),
                           hidden=arch["hidden"], p_conv=arch["p_conv"], p_fc=arch["p_fc"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{config_path} has no valid 'architecture' section ({type(err).__name__}: {err})") from err

    tensors = load_file(str(weights_path))
    expected = model.state_dict()
    for name in expected:
        if name not in tensors:
            raise ValueError(f"{weights_path} lacks tensor {name!r} that config.json's architecture needs")
        if tuple(tensors[name].shape) != tuple(expected[name].shape):
            raise ValueError(f"{weights_path}: tensor {name!r} has shape {tuple(tensors[name].shape)}, "
                             f"config.json's architecture needs {tuple(expected[name].shape)}")
    for name in tensors:
        if name not in expected:
            raise ValueError(f"{weights_path} holds tensor {name!r} that config.json's architecture does not have")
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.to(device).eval()


def default_classifier(dataset: str, device: str | torch.device = "cpu") -> Classifier:
    """The shipped classifier for a data set: pretrained/mnist-classifier or pretrained/fashion-classifier."""
    if dataset not in DEFAULT_FOLDER:
        raise ValueError(f"no shipped classifier for {dataset!r}; known: {', '.join(DEFAULT_FOLDER)}")
    return load_classifier(PRETRAINED_DIR / DEFAULT_FOLDER[dataset], device)


def heldout_accuracy(path: str | Path, data_dir: str | Path | None = None) -> tuple[float, float]:
    """(accuracy measured now, accuracy recorded in config.json) of a classifier folder on its held-out split."""
    model = load_classifier(path)
    config = json.loads((Path(path) / "config.json").read_text())
    x, y = load_images(config["dataset"], config["heldout_split"]["name"], data_dir)
    return accuracy(model, x, y), float(config["heldout_accuracy"])
