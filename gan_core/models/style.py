"""A style-based generator that can grow (StyleGAN2's synthesis, ProGAN's growing), and its discriminator.

G = mapping network z -> w (`MappingNetwork`) + synthesis network from a learned constant (7x7 for 28x28
images), two `StyledConv`s per resolution (7, 14, 28), each fed its own row of w+ = (w_0, ..., w_5).
Rows 0-1 act at 7x7, 2-3 at 14x14, 4-5 at 28x28 (`LEVELS`: coarse, middle, fine). The trick of each paper:

- truncation (StyleGAN section 3, eq. after fig. 8): w' = w_avg + psi (w - w_avg), w_avg a running mean of
  the w's seen in training (`truncate`);
- style mixing (StyleGAN section 3.1): rows from one w up to a crossover layer, from another after it; in
  training with probability `model.style_mixing` (`train_forward`), at sampling time level by level (`mix`);
- per-layer noise with a learned strength (StyleGAN section 3.2): random in training, a fixed draw (buffers
  `noise_j`, saved with the weights) when sampling, unless the caller passes fresh noise (`random_noise`);
- progressive growing (Karras et al. 2018): `stage` and `alpha` (buffers, saved with the weights) say how far
  the network has grown; the image is (1 - alpha) * upsample(toRGB_{s-1}) + alpha * toRGB_s at stage s,
  then upsampled to the data's size, so D and the data keep one shape. D fades its input layer the same
  way. `grow_schedule` turns a step into (stage, alpha); a network built without growing is the grown one.

Why modulation/demodulation (StyleGAN2) rather than AdaIN (StyleGAN): AdaIN normalises each feature map's
mean away, so the network smuggles signal through blob-like spikes (the paper's droplet artefacts, section
2); demodulation removes the same scale from the weights instead, keeps unit output variance for unit input
(tested), and is one ordinary convolution in its unfused form. Equalised learning rate everywhere
(style_layers.py). D is ProGAN's: fromRGB, two convolutions and a pooling per resolution, an optional
minibatch-std feature map over groups of 4 samples before the last block (switched on by the variant, as for
every D here).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.config import ModelConfig
from gan_core.models.style_layers import (DBlock, EqualConv2d, EqualLinear, MappingNetwork, StyledConv, ToRGB,
                                          grouped_minibatch_std, lrelu)

W_AVG_DECAY = 0.995  # StyleGAN2's w_avg_beta
LEVELS = ("coarse", "middle", "fine")
# The first row of w+ of each level. Rows 0-1 act at 7x7, 2-3 at 14x14, 4-5 at 28x28; the split follows the
# resolutions (BENCHMARKS.md, "Style-based generator", measures every crossover row on the shipped models).
LEVEL_STARTS = {"coarse": 0, "middle": 2, "fine": 4}


def resolutions(size: int) -> list[int]:
    """The synthesis resolutions for square images of `size` pixels: from size/4 up, doubling (28 -> 7, 14, 28)."""
    if size % 4 or size < 8:
        raise ValueError(f"the style model needs square images whose side is a multiple of 4 (at least 8), not {size}")
    return [size // 4, size // 2, size]


def channels(width: int, stage: int) -> int:
    """Feature maps at a stage: `width` at the two lowest resolutions, halved at each one above them."""
    return max(8, width >> max(0, stage - 1))


def grow_schedule(step: int, n_stages: int, grow_steps: int) -> tuple[int, float]:
    """(stage, alpha) at a step: grow_steps at the lowest resolution, then for each higher one grow_steps of
    fade-in (alpha 0 -> 1) and grow_steps stable; the last stage stays."""
    phase = step // grow_steps
    stage = min((phase + 1) // 2, n_stages - 1)
    fading = phase % 2 == 1 and phase <= 2 * (n_stages - 1) - 1
    return stage, (step - phase * grow_steps) / grow_steps if fading else 1.0


class _Growing(nn.Module):
    """`stage` and `alpha` as buffers, so saved weights remember how far the network had grown."""

    def _init_growth(self, n_stages: int) -> None:
        self.n_stages = n_stages
        self.register_buffer("stage", torch.tensor(float(n_stages - 1)))
        self.register_buffer("alpha", torch.tensor(1.0))

    def set_growth(self, stage: int, alpha: float) -> None:
        if not (0 <= stage < self.n_stages and 0.0 <= alpha <= 1.0):
            raise ValueError(f"stage {stage} / alpha {alpha}: stage must be 0..{self.n_stages - 1}, alpha in [0, 1]")
        self.stage.fill_(float(stage))
        self.alpha.fill_(float(alpha))

    def growth(self) -> tuple[int, float]:
        return int(self.stage.item()), float(self.alpha.item())


class StyleGenerator(_Growing):
    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0):
        super().__init__()
        c, size = data_shape[0], data_shape[-1]
        self.res = resolutions(size)
        self._init_growth(len(self.res))
        self.size, self.z_dim = size, cfg.z_dim
        w_dim = cfg.z_dim
        self.n_ws = 2 * len(self.res)
        self.mapping = MappingNetwork(cfg.z_dim, w_dim, cfg.mapping_layers)
        self.const = nn.Parameter(torch.empty(1, channels(cfg.width, 0), self.res[0], self.res[0]))
        convs = []
        for i in range(len(self.res)):
            cin, cout = channels(cfg.width, max(i - 1, 0)), channels(cfg.width, i)
            convs += [StyledConv(cin, cout, w_dim, upsample=i > 0), StyledConv(cout, cout, w_dim)]
        self.convs = nn.ModuleList(convs)
        self.to_rgbs = nn.ModuleList([ToRGB(channels(cfg.width, i), c, w_dim) for i in range(len(self.res))])
        self.register_buffer("w_avg", torch.zeros(w_dim))
        for j in range(self.n_ws):
            r = self.res[j // 2]
            self.register_buffer(f"noise_{j}", torch.zeros(1, 1, r, r))

    # ----- z -> w -> w+ -----
    def map(self, z: torch.Tensor, psi: float = 1.0) -> torch.Tensor:
        """w for each z (B, w_dim), truncated towards w_avg by psi; in training mode w_avg follows the batch."""
        w = self.mapping(z)
        if self.training:
            self.w_avg.lerp_(w.detach().mean(0).to(self.w_avg.dtype), 1.0 - W_AVG_DECAY)
        return self.truncate(w, psi)

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        """The truncation trick: w' = w_avg + psi (w - w_avg). psi = 1 is the identity, psi = 0 gives w_avg."""
        return w if psi == 1.0 else torch.lerp(self.w_avg.to(w.dtype), w, psi)

    def broadcast(self, w: torch.Tensor) -> torch.Tensor:
        """(B, w_dim) -> w+ (B, n_ws, w_dim): the same w for every layer."""
        return w[:, None, :].expand(-1, self.n_ws, -1)

    def level_layers(self, level: str) -> list[int]:
        """The rows of w+ a level controls, from its start in LEVEL_STARTS up to the next level's start."""
        if level not in LEVELS:
            raise ValueError(f"level {level!r} unknown; choose one of {', '.join(LEVELS)}")
        i = LEVELS.index(level)
        end = LEVEL_STARTS[LEVELS[i + 1]] if i + 1 < len(LEVELS) else self.n_ws
        return list(range(LEVEL_STARTS[level], end))

    def mix(self, ws_base: torch.Tensor, ws_source: torch.Tensor, layers: list[int]) -> torch.Tensor:
        """w+ with the rows `layers` from ws_source and every other row from ws_base (both (B, n_ws, w_dim))."""
        out = ws_base.clone()
        out[:, layers] = ws_source[:, layers]
        return out

    # ----- w+ -> image -----
    def random_noise(self, batch: int, generator: torch.Generator | None = None) -> list[torch.Tensor]:
        """Fresh per-layer noise images [(B, 1, r, r)] from `generator` (stochastic variation)."""
        dev = self.const.device
        return [torch.randn(batch, 1, self.res[j // 2], self.res[j // 2], generator=generator, device=dev)
                for j in range(self.n_ws)]

    def synthesis(self, ws: torch.Tensor, noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        """w+ (B, n_ws, w_dim) -> images (B, C, size, size) at the current stage and alpha; noise defaults to the
        fixed draw saved with the weights."""
        stage, alpha = self.growth()
        noise = noise if noise is not None else [getattr(self, f"noise_{j}") for j in range(self.n_ws)]
        x = self.const.expand(ws.shape[0], -1, -1, -1)
        faded = None
        for i in range(stage + 1):
            x = self.convs[2 * i](x, ws[:, 2 * i], noise[2 * i])
            x = self.convs[2 * i + 1](x, ws[:, 2 * i + 1], noise[2 * i + 1])
            if i == stage - 1 and alpha < 1.0:
                faded = F.interpolate(self.to_rgbs[i](x, ws[:, 2 * i + 1]), scale_factor=2, mode="nearest")
        img = self.to_rgbs[stage](x, ws[:, 2 * stage + 1])
        if faded is not None:
            img = torch.lerp(faded, img, alpha)  # (1 - alpha) * upsample(old toRGB) + alpha * new toRGB
        if img.shape[-1] != self.size:
            img = F.interpolate(img, scale_factor=self.size // img.shape[-1], mode="nearest")
        return img

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, psi: float = 1.0,
                noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        return self.synthesis(self.broadcast(self.map(z, psi)), noise)

    def train_forward(self, z: torch.Tensor, z2: torch.Tensor, generator: torch.Generator, mixing: float) -> torch.Tensor:
        """A training batch: random per-layer noise and, with probability `mixing`, style-mixing regularisation
        (rows from a crossover layer on come from z2's w), every draw from `generator`."""
        ws = self.broadcast(self.map(z))
        if mixing > 0:
            u = torch.rand((), generator=generator, device=generator.device)
            cut = int(torch.randint(1, self.n_ws, (), generator=generator, device=generator.device))
            if float(u) < mixing:
                ws = torch.cat([ws[:, :cut], self.broadcast(self.map(z2))[:, cut:]], dim=1)
        return self.synthesis(ws, self.random_noise(z.shape[0], generator))


class StyleDiscriminator(_Growing):
    """fromRGB at the current stage, then a `DBlock` per resolution down to the lowest, then (minibatch std,)
    a 3x3 convolution and two linear layers. Its input is always full size; at stage s it is average-pooled
    to resolution s first (exactly undoing G's nearest upsampling), and during a fade the old fromRGB path
    (pooled once more) is blended in with 1 - alpha."""

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0, pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        c, size = data_shape[0] * pack, data_shape[-1]
        self.res = resolutions(size)
        self._init_growth(len(self.res))
        self.size, self.mbstd = size, mbstd
        ch = [channels(cfg.width, i) for i in range(len(self.res))]
        self.from_rgbs = nn.ModuleList([EqualConv2d(c, ch[i], 1) for i in range(len(self.res))])
        self.blocks = nn.ModuleList([DBlock(ch[i], ch[i - 1]) for i in range(1, len(self.res))])  # stage i -> i - 1
        self.final_conv = EqualConv2d(ch[0] + int(mbstd), ch[0], 3)
        self.final_linear = EqualLinear(ch[0] * self.res[0] ** 2, ch[0], activate=True)
        self.out = EqualLinear(ch[0], 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        stage, alpha = self.growth()
        if self.res[stage] != self.size:
            x = F.avg_pool2d(x, self.size // self.res[stage])  # (B, C, r_s, r_s)
        h = lrelu(self.from_rgbs[stage](x))
        for i in range(stage, 0, -1):
            h = self.blocks[i - 1](h)
            if i == stage and alpha < 1.0:
                h = torch.lerp(lrelu(self.from_rgbs[i - 1](F.avg_pool2d(x, 2))), h, alpha)
        if self.mbstd:
            h = grouped_minibatch_std(h)  # groups of 4 (StyleGAN2), never straddling real and fake
        h = lrelu(self.final_conv(h))
        return self.out(self.final_linear(h.flatten(1))).squeeze(1)
