"""Several seeds of one 2D setup trained in one process as one batched model.

K configs that differ only in their seed become one model whose weights carry a leading seed axis
(`torch.func.stack_module_state`); each forward is `vmap(functional_call)` over that axis, so every matrix
product of the K networks is one batched product, and one Adam step updates all K (Adam is elementwise: the
stacked update is each seed's update). The losses of the K seeds are summed before the backward pass: the
seeds share no weight, so each seed's gradient is exactly its own.

Every seed keeps its own `Trainer` (built as a separate run would be: same initial weights, same random
streams for data and noise, same evaluation), and draws its batch from its own streams in the same order as
`Trainer.step`; its numbers then match a separate run's up to the summation order of the batched products
(float32 rounding, tests/test_seed_batch.py). Only setups whose step is the tutorial's one D step then one G
step on the same batch, with nothing that needs D's input gradients or its layers' state, are batched
(`batchable`); the arena trains the others as separate runs.
"""
from __future__ import annotations

import copy
import math
import time

import torch
from torch.func import functional_call, stack_module_state, vmap

from gan_core.config import TrainConfig
from gan_core.models import pack
from gan_core.objectives import OBJECTIVES
from gan_core.training.optim import quick
from gan_core.training.results import EXPLODED
from gan_core.training.trainer import Trainer


def batchable(config: TrainConfig) -> str:
    """'' when configs like this one can be trained as a seed batch, else the reason they cannot."""
    r, o = config.recipe, config.optim
    reasons = [
        (config.data.is_image, "image data"), (config.model.conditional, "a conditional model"),
        (r.n_critic != 1, "several D steps per G step"), (r.unroll > 0, "unrolled D steps"),
        (r.gp_lambda > 0 or r.r1_gamma > 0, "a gradient penalty (needs D's input gradients)"),
        (r.spectral_norm or r.mbstd, "spectral norm or minibatch std in D"), (r.weight_clip > 0, "weight clipping"), (r.clip_norm > 0, "gradient clipping"),
        (r.ms_lambda > 0, "mode seeking"),
        (r.ema > 0, "an EMA of G"), (r.instance_noise > 0, "instance noise"), (o.optimizer != "adam", "not Adam"),
        (o.lr_decay > 0 or o.batch_growth > 1, "a learning-rate or batch schedule"),
        (config.precision == "bfloat16", "bfloat16 products"),
        (config.model.g_batch_norm, "batch norm in G (running statistics)"),
        (config.optim.pack_batch, "a batch that counts D's inputs (pack_batch)"),
    ]
    return ", ".join(why for bad, why in reasons if bad)


class SeedBatch:
    """Train configs that differ only in their seed as one batched model; `trainers[k]` is seed k's view."""

    def __init__(self, configs: list[TrainConfig], device: str | torch.device = "cpu"):
        if not configs:
            raise ValueError("a seed batch needs at least one config")
        same = [c.replace(seed=configs[0].seed) for c in configs]
        if any(c != same[0] for c in same):
            raise ValueError("a seed batch trains configs that differ only in their seed")
        why = batchable(configs[0])
        if why:
            raise ValueError(f"variant {configs[0].variant!r} cannot be trained as a seed batch: {why}")
        self.trainers = [Trainer(c, device) for c in configs]
        for t in self.trainers:
            t.amp = False  # precision "auto" on a CPU with native bfloat16 would pick it: batched runs are float32
        t0 = self.trainers[0]
        self.config, self.recipe, self.objective = configs[0], t0.recipe, OBJECTIVES[t0.recipe.objective]
        self.g_params, _ = stack_module_state([t.G for t in self.trainers])  # name -> (K, ...) leaves
        self.d_params, _ = stack_module_state([t.D for t in self.trainers])
        self._g = copy.deepcopy(t0.G).to("meta")  # the architecture, without weights of its own
        self._d = copy.deepcopy(t0.D).to("meta")
        o = self.config.optim
        self.opt_g = quick(torch.optim.Adam)(list(self.g_params.values()), lr=t0.base_lr_g, betas=(o.beta1_g, o.beta2_g), fused=True)
        self.opt_d = quick(torch.optim.Adam)(list(self.d_params.values()), lr=t0.base_lr_d, betas=(o.beta1_d, o.beta2_d), fused=True)
        self.step_count = 0
        self.elapsed = 0.0  # seconds of training of the whole batch

    def _G(self, params, z):
        return functional_call(self._g, params, (z,))

    def _D(self, params, x):
        return functional_call(self._d, params, (x,))

    def step(self) -> torch.Tensor:
        """One iteration of every seed; returns (K, 6): D loss, D(x), D(G(z)), D grad norm, G loss, G grad norm
        (a seed whose numbers are not finite has diverged; the others go on unaffected)."""
        t = time.perf_counter()
        b, m = self.config.optim.batch_size, self.recipe.pack
        real = torch.stack([tr.data.sample(b, tr.data_rng)[0] for tr in self.trainers])  # (K, b, 2): each seed's stream
        z = torch.stack([tr._noise(b, tr.rng) for tr in self.trainers])  # (K, b, z_dim), drawn after the data
        fake = vmap(self._G)(self.g_params, z)  # (K, b, 2), with its graph: G's step reuses it

        def d_loss(params, r, f):
            pr, pf = pack(r, m), pack(f, m)
            logits = self._D(params, torch.cat([pr, pf])).float()  # one pass over real and fake, as Trainer._d_logits
            lr_, lf = logits[: pr.shape[0]], logits[pr.shape[0]:]
            readout = (torch.sigmoid(lr_).mean(), torch.sigmoid(lf).mean()) if self.objective.probability else (lr_.mean(), lf.mean())
            return self.objective.d_loss(lr_, lf), torch.stack(readout)

        loss_d, readout = vmap(d_loss)(self.d_params, real, fake.detach())  # (K,), (K, 2)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.sum().backward()
        grad_d = _per_seed_norm([p.grad for p in self.d_params.values()])
        self.opt_d.step()

        def g_loss(params, f):
            return self.objective.g_loss(self._D(params, pack(f, m)).float())  # scored by the updated D

        loss_g = vmap(g_loss)(self.d_params, fake)  # (K,)
        g_list = list(self.g_params.values())
        grads = torch.autograd.grad(loss_g.sum(), g_list)  # G's parameters only: D stays as it is
        for p, g in zip(g_list, grads):
            p.grad = g.contiguous()  # vmap's weight gradients come with transposed strides; fused Adam reads memory order
        grad_g = _per_seed_norm(list(grads))
        self.opt_g.step()
        self.step_count += 1
        self.elapsed += time.perf_counter() - t
        return torch.stack([loss_d.detach(), readout[:, 0].detach(), readout[:, 1].detach(), grad_d,
                            loss_g.detach(), grad_g], dim=1)

    def diverged(self, values: torch.Tensor) -> list[bool]:
        """Per seed: a number of its step (values, from `step`) is not finite or exploded."""
        return [not all(math.isfinite(v) and abs(v) <= EXPLODED for v in row) for row in values.tolist()]

    def sync(self, k: int) -> Trainer:
        """Seed k's Trainer with the batch's current weights, step and clock (for its evaluation and samples)."""
        tr = self.trainers[k]
        with torch.no_grad():
            for module, stacked in ((tr.G, self.g_params), (tr.D, self.d_params)):
                for name, p in module.named_parameters():
                    p.copy_(stacked[name][k])
        tr.step_count = self.step_count
        tr.elapsed = self.elapsed / len(self.trainers)  # the batch's time, shared equally
        return tr


def _per_seed_norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    """(K,) L2 norm over every tensor's slice k (tensors with a leading seed axis)."""
    return torch.linalg.vector_norm(torch.stack([t.flatten(1).norm(dim=1) for t in tensors], dim=1), dim=1)
