"""The step-wise trainer. It knows nothing of any UI: `step()` runs one iteration and returns numbers.

One iteration = n_critic discriminator steps, then one generator step. Each half can be run on its
own (`step_discriminator()`, `step_generator()`) so a class can watch it. Every iteration logs D(x),
D(G(z)), both losses and both gradient norms; a fixed noise batch (`fixed_z`) serves the progress
pictures. All randomness comes from torch.Generators owned by the trainer, so the same config and
seed give the same numbers, also when several trainers run in threads side by side.

Why one file of ~440 lines: a reader follows an iteration (noise, D's steps, G's step, schedules, checks,
logging, evaluation) from top to bottom here; what is not on that path lives beside it (state.py: checkpoints
and resume; results.py: what a step returns; presets.py: starting configurations).
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, fields
from typing import TYPE_CHECKING

import torch

from gan_core.checks import check_float
from gan_core.device import bf16_native, resolve_device
from gan_core.diffaugment import diff_augment
from gan_core.config import TrainConfig
from gan_core.data import make_dataset
from gan_core.evaluation.modes2d import score_points
from gan_core.latent import sample_noise, seeded_noise
from gan_core.objectives import OBJECTIVES
from gan_core.models import build_discriminator, build_generator, pack
from gan_core.models.style import grow_schedule
from gan_core.stabilisers import (clip_gradients, clip_weights, ema_update, gradient_penalty, mode_seeking, r1_penalty,
                                  standing_statistics, unrolled_params)
from gan_core.training.optim import quick
from gan_core.training.results import EXPLODED, DStepResult, GStepResult, StepResult, TrainingDiverged
from gan_core.training.state import TrainerState
from gan_core.variants import LIVE_OPTIONS, Recipe, apply_options

if TYPE_CHECKING:
    import pandas as pd

FIXED_BATCH = 64


def _norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    if not tensors:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(tensors)))


_PLAIN_ROW = {f.name for f in fields(StepResult)} | {"lr_g", "lr_d"}  # what every logged row holds


def thin_rows(rows: list[dict], cap: int) -> list[dict]:
    """A full log (more than `cap` rows) halved: every other plain row goes, evaluation rows (those with metrics)
    stay as long as they fill at most half the cap, then every other one of them goes too. The last row stays."""
    evaluated = [bool(r.keys() - _PLAIN_ROW) for r in rows]
    keep_evals = sum(evaluated) <= cap // 2
    out, seen = [], {True: 0, False: 0}
    for row, is_eval in zip(rows[:-1], evaluated[:-1]):
        if (is_eval and keep_evals) or seen[is_eval] % 2 == 0:
            out.append(row)
        seen[is_eval] += 1
    return out + rows[-1:]


class Trainer(TrainerState):
    def __init__(self, config: TrainConfig, device: str | torch.device = "cpu", dataset=None):
        """dataset: what to learn instead of config.data's whole training split (same interface as
        `make_dataset`'s, e.g. `ImageDataset.from_arrays` over a labeled subset); such a run is not resumable
        from its folder, which names only config.data."""
        self.config = config
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.recipe: Recipe = config.recipe  # a copy: live options change it between steps
        self.data = make_dataset(config.data, self.device) if dataset is None else dataset
        self.n_classes = self.data.n_classes if config.model.conditional else 0

        init_gen = torch.Generator().manual_seed(config.seed)
        m = config.model
        self.G = build_generator(m, self.data.shape, self.n_classes, init_gen).to(self.device)
        r = self.recipe
        self.D = build_discriminator(m, self.data.shape, self.n_classes, init_gen, pack=r.pack, mbstd=r.mbstd,
                                     spectral_norm=r.spectral_norm).to(self.device)
        self.G_ema = copy.deepcopy(self.G).eval() if self.recipe.ema > 0 else None
        self._standing_at: int | None = None  # the step whose G_ema batch-norm statistics were recomputed (ema_bn)
        # Base rates (changeable live); the linear decay scales them per step.
        self.base_lr_g = config.optim.lr_g
        self.base_lr_d = self._lr_d(self.base_lr_g, config.optim.lr_d)
        self.lr_decay = config.optim.lr_decay
        # The optimisers are built on first use: a page can show a fresh run's pictures without them (the
        # first torch optimiser of a process imports torch._dynamo, about a second here).
        self._opt_g: torch.optim.Optimizer | None = None
        self._opt_d: torch.optim.Optimizer | None = None

        # Separate streams: training noise, data batches, and the fixed progress batch.
        self.rng_reseeded = False  # set when a checkpoint from another device type had to be reseeded
        self.rng = torch.Generator(device=self.device).manual_seed(config.seed + 1)
        self.data_rng = torch.Generator(device=self.device).manual_seed(config.seed + 2)
        fixed = torch.Generator(device=self.device).manual_seed(config.seed + 3)
        self.fixed_z = self._noise(FIXED_BATCH, fixed)  # (64, z_dim)
        self.fixed_y = (torch.arange(FIXED_BATCH, device=self.device) % max(self.n_classes, 1)) if self.n_classes else None

        # Mixed precision: matrix products in bfloat16, weights, losses and optimiser state in float32.
        want = config.precision
        self.amp = want == "bfloat16" or (want == "auto" and bf16_native(self.device))
        self.step_count = 0
        self.elapsed = 0.0
        self.rows: list[dict] = []
        # None keeps every logged row (the CLI's metrics.csv); a number keeps memory flat in a long interactive
        # session (thin_rows: every other plain row dropped when full, the evaluations kept).
        self.max_rows: int | None = None
        self.last_eval: dict = {}
        self._last_d = DStepResult(math.nan, math.nan, math.nan, math.nan)
        self._evaluator = None
        self._last_good: dict | None = None  # taken before the first update (see _remember_start)
        # keep_best: {"step", "fid", "G": the sampler's weights} of the evaluation with the lowest FID so far.
        self.best: dict | None = None
        self._grow()

    @property
    def opt_g(self) -> torch.optim.Optimizer:
        if self._opt_g is None:
            o = self.config.optim
            self._opt_g = self._optimizer(self.G, self.base_lr_g, o.beta1_g, o.beta2_g)
        return self._opt_g

    @property
    def opt_d(self) -> torch.optim.Optimizer:
        if self._opt_d is None:
            o = self.config.optim
            self._opt_d = self._optimizer(self.D, self.base_lr_d, o.beta1_d, o.beta2_d)
        return self._opt_d

    # ----- set-up helpers -----
    def _optimizer(self, module: torch.nn.Module, lr: float, b1: float, b2: float) -> torch.optim.Optimizer:
        name = self.config.optim.optimizer
        params = list(module.parameters())
        if name == "adam":
            # fused: one kernel for all parameters instead of a loop of small ops per tensor.
            return quick(torch.optim.Adam)(params, lr=lr, betas=(b1, b2), fused=True)
        if name == "rmsprop":
            return quick(torch.optim.RMSprop)(params, lr=lr, alpha=b2, momentum=b1, foreach=True)
        return quick(torch.optim.SGD)(params, lr=lr, momentum=b1, foreach=True)

    def _lr_d(self, lr_g: float, lr_d: float) -> float:
        return lr_g * self.recipe.ttur_ratio if self.recipe.ttur_ratio > 1 else lr_d

    def _noise(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return sample_noise(n, self.config.model.z_dim, self.config.model.noise, generator, self.device)

    def _labels(self, n: int, generator: torch.Generator) -> torch.Tensor | None:
        if not self.n_classes:
            return None
        return torch.randint(0, self.n_classes, (n,), generator=generator, device=self.device)

    @property
    def objective(self):
        return OBJECTIVES[self.recipe.objective]

    @property
    def n_critic(self) -> int:
        return self.recipe.n_critic

    def set_learning_rates(self, lr_g: float | None = None, lr_d: float | None = None,
                           lr_decay: float | None = None) -> None:
        """Change learning rates or their decay between steps (TTUR, if on, still ties lr_d to lr_g)."""
        for value, name in ((lr_g, "lr_g"), (lr_d, "lr_d")):
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r} must be a positive number")
        if lr_decay is not None:
            check_float("lr_decay", lr_decay, 0.0, 0.999)
            self.lr_decay = float(lr_decay)
        if lr_g is not None:
            self.base_lr_g = float(lr_g)
        self.base_lr_d = self._lr_d(self.base_lr_g, float(lr_d) if lr_d is not None else self.base_lr_d)
        self._apply_schedule()

    def update_recipe(self, **changes) -> None:
        """Change the variant's weights while training (gp_lambda, r1_gamma, clip_norm, ...). Options that
        change D's layers (pack, spectral_norm, mbstd) or the objective need a new run."""
        fixed = [k for k in changes if k not in LIVE_OPTIONS]
        if fixed:
            raise ValueError(f"{', '.join(fixed)} cannot change during a run; live options: {', '.join(LIVE_OPTIONS)}")
        self.recipe = apply_options(self.recipe, changes)
        self._apply_schedule()

    def _apply_schedule(self) -> None:
        """Set the optimisers' rates: base rates times the linear decay at this step."""
        factor = 1.0
        if self.lr_decay > 0:
            factor = 1.0 - self.lr_decay * min(1.0, self.step_count / max(self.config.steps, 1))
        for opt, base in ((self.opt_g, self.base_lr_g), (self.opt_d, self.base_lr_d)):
            for group in opt.param_groups:
                group["lr"] = base * factor

    def _instance_noise(self) -> float:
        sigma = self.recipe.instance_noise
        if sigma <= 0:
            return 0.0
        return sigma * max(0.0, 1.0 - self.step_count / max(self.config.steps, 1))

    # ----- the style family: its training forward pass, and growing -----
    def _fake(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """G's training output: a style model draws its per-layer noise and its style-mixing partner from the
        training stream (`StyleGenerator.train_forward`)."""
        m = self.config.model
        if m.kind != "style":
            return self.G(z, y)
        z2 = self._noise(z.shape[0], self.rng) if m.style_mixing > 0 else z
        return self.G.train_forward(z, z2, self.rng, m.style_mixing)

    def _grow(self) -> None:
        """Progressive growing: G, its EMA copy and D at the stage and alpha of this step (`model.grow_steps`)."""
        m = self.config.model
        if m.kind != "style" or not m.grow:
            return
        stage, alpha = grow_schedule(self.step_count, self.G.n_stages, m.grow_steps)
        for net in (self.G, self.G_ema, self.D):
            if net is not None:
                net.set_growth(stage, alpha)

    @property
    def growth(self) -> tuple[int, float] | None:
        """(resolution in pixels, alpha) of a growing style run; None for any other run."""
        if self.config.model.kind != "style" or not self.config.model.grow:
            return None
        stage, alpha = self.G.growth()
        return self.G.res[stage], alpha

    # ----- the two halves -----
    @property
    def batch_size(self) -> int:
        """Samples per batch at the current step: the config's (times the pack size with optim.pack_batch), times
        its batch_growth from half the step budget on."""
        b = self.config.optim.batch_size * (self.recipe.pack if self.config.optim.pack_batch else 1)
        growth = self.config.optim.batch_growth
        return b * growth if growth > 1 and self.step_count >= self.config.steps // 2 else b

    def _real_fake(self, detach_fake: bool):
        self._grow()
        b = self.batch_size
        real, y = self.data.sample(b, self.data_rng)
        z = self._noise(b, self.rng)
        y_fake = self._labels(b, self.rng) if y is None or not self.n_classes else y
        if self.recipe.ms_lambda > 0 and self.n_classes:  # mode seeking compares pairs drawn for one label
            h = b // 2
            y_fake = torch.cat([y_fake[:h], y_fake[:h], y_fake[2 * h:]])
        self._z = z  # the noise of this batch's fakes (mode seeking needs it in G's step)
        with self._autocast(), torch.set_grad_enabled(not detach_fake):
            fake = self._fake(z, y_fake).float()
        if not self.n_classes:
            y = y_fake = None
        noise = self._instance_noise()
        if noise > 0:
            real = real + noise * torch.randn(real.shape, generator=self.rng, device=self.device)
            fake = fake + noise * torch.randn(fake.shape, generator=self.rng, device=self.device)
        return real, fake, y, y_fake

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        """What D sees of images x: with `diffaug`, each shifted and cut out (drawn from the training stream)."""
        return diff_augment(x, self.rng) if self.recipe.diffaug else x

    def _d_logits(self, real: torch.Tensor, fake: torch.Tensor, y, y_fake):
        m = self.recipe.pack
        if self.recipe.diffaug:  # real and fake changed alike; R1 differentiates through the change to `real`
            both = self._augment(torch.cat([real, fake]))
            real, fake = both[: real.shape[0]], both[real.shape[0]:]
        pr, pf = pack(real, m), pack(fake, m)
        with self._autocast():
            # the batch-spread feature and D's batch norm must see real and fake apart, or both get one batch's value;
            # a D that takes groups gives each its own spread in one pass
            grouped = self.recipe.mbstd and getattr(self.D, "groups_ok", False) and pr.shape[0] == pf.shape[0]
            if self.config.model.d_batch_norm or (self.recipe.mbstd and not grouped):
                return self.D(pr, y).float(), self.D(pf, y_fake).float(), pr, pf
            ys = None if y is None else torch.cat([y, y_fake])
            both = torch.cat([pr, pf])
            # one pass over real and fake: no batch statistics in D, or the spread taken per group
            logits = (self.D(both, ys, groups=2) if grouped else self.D(both, ys)).float()
        return logits[: pr.shape[0]], logits[pr.shape[0]:], pr, pf

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp)

    def _d_step(self, batch=None) -> torch.Tensor:
        r = self.recipe
        real, fake, y, y_fake = batch if batch is not None else self._real_fake(detach_fake=True)
        fake = fake.detach()  # detach: D's step must not move G
        r1_now = r.r1_gamma > 0 and self.step_count % r.r1_every == 0
        if r1_now:
            real.requires_grad_(True)
        lr_, lf, pr, pf = self._d_logits(real, fake, y, y_fake)
        loss = self.objective.d_loss(lr_, lf)
        total = loss
        if r.gp_lambda > 0:
            total = total + r.gp_lambda * gradient_penalty(self.D, pr.detach(), pf.detach(), self.rng, y)
        if r1_now:
            total = total + 0.5 * r.r1_gamma * r.r1_every * r1_penalty(lr_, real)
        self.opt_d.zero_grad(set_to_none=True)
        total.backward()
        d_params = [p for p in self.D.parameters() if p.grad is not None]
        # The norm before clipping is what is logged: the chart shows it against the threshold.
        grad = clip_gradients(d_params, r.clip_norm) if r.clip_norm > 0 else _norm([p.grad for p in d_params])
        self.opt_d.step()
        if r.weight_clip > 0:
            clip_weights(self.D, r.weight_clip)
        with torch.no_grad():
            if self.objective.probability:
                dr, df = torch.sigmoid(lr_).mean(), torch.sigmoid(lf).mean()
            else:
                dr, df = lr_.mean(), lf.mean()
        return torch.stack([loss.detach(), dr, df, grad])

    def _g_step(self, batch=None) -> torch.Tensor:
        r = self.recipe
        real, fake, y, y_fake = batch if batch is not None else self._real_fake(detach_fake=False)
        pf = pack(self._augment(fake), r.pack)
        if r.unroll > 0:
            from torch.func import functional_call

            was_training = self.D.training
            self.D.eval()  # spectral norm: no power-iteration update inside the look-ahead
            with self._autocast():
                pr = pack(self._augment(real), r.pack)
                params = unrolled_params(self.D, self.opt_d, self.objective, pr, pf, r.unroll,
                                         self.opt_d.param_groups[0]["lr"], y)
                logits = functional_call(self.D, params, (pf, y_fake)).float()
            self.D.train(was_training)
        else:
            with self._autocast():
                logits = self.D(pf, y_fake).float()
        loss = self.objective.g_loss(logits)
        total = loss + r.ms_lambda * mode_seeking(fake, self._z) if r.ms_lambda > 0 else loss
        self.opt_g.zero_grad(set_to_none=True)
        # Only G's parameters receive gradients; D's weights are left exactly as they were.
        g_params = list(self.G.parameters())
        # allow_unused: a growing style G has layers above its current resolution that get no gradient yet.
        grads = torch.autograd.grad(total, g_params, allow_unused=True)
        for p, g in zip(g_params, grads):
            p.grad = g
        g_live = [p for p in g_params if p.grad is not None]
        grad = clip_gradients(g_live, r.clip_norm) if r.clip_norm > 0 else _norm([p.grad for p in g_live])
        self.opt_g.step()
        if self.G_ema is not None:
            ema_update(self.G_ema, self.G, r.ema)
        return torch.stack([loss.detach(), grad])

    def step_discriminator(self) -> DStepResult:
        """One discriminator update (no change to G)."""
        self._remember_start()
        t = time.perf_counter()
        values = self._d_step().tolist()
        self._check(("D loss", "D(x)", "D(G(z))", "D gradient norm"), values)
        self._last_d = DStepResult(*values)
        self.elapsed += time.perf_counter() - t
        return self._last_d

    def step_generator(self) -> StepResult:
        """One generator update (no change to D); completes an iteration and logs it."""
        self._remember_start()
        t = time.perf_counter()
        values = self._g_step().tolist()
        self._check(("G loss", "G gradient norm"), values)
        self.elapsed += time.perf_counter() - t
        return self._finish_iteration(GStepResult(*values))

    def step(self) -> StepResult:
        """One iteration: n_critic D steps, then one G step."""
        self._remember_start()
        t = time.perf_counter()
        if self.n_critic == 1 and self.recipe.unroll == 0:
            # The tutorial's shortcut: D's fakes, generated with their graph, serve G's update too (one
            # G forward and one noise batch per iteration instead of two). D is updated in between, so
            # G is scored by the new D, exactly as in the two-pass version.
            batch = self._real_fake(detach_fake=False)
            d_vals = self._d_step(batch)
            g_vals = self._g_step(batch)
        else:
            for _ in range(self.n_critic):
                d_vals = self._d_step()
            g_vals = self._g_step()
        values = torch.cat([d_vals, g_vals]).tolist()  # one host sync per iteration
        self._check(("D loss", "D(x)", "D(G(z))", "D gradient norm", "G loss", "G gradient norm"), values)
        self._last_d = DStepResult(*values[:4])
        self.elapsed += time.perf_counter() - t
        return self._finish_iteration(GStepResult(*values[4:]))

    def _check(self, names: tuple[str, ...], values: list[float]) -> None:
        for name, v in zip(names, values):
            if not math.isfinite(v) or abs(v) > EXPLODED:
                raise TrainingDiverged(self.step_count + 1, name, v)

    def _finish_iteration(self, g: GStepResult) -> StepResult:
        self.step_count += 1
        if self.lr_decay > 0:
            self._apply_schedule()
        d = self._last_d
        res = StepResult(self.step_count, d.d_loss, g.g_loss, d.d_real, d.d_fake, d.d_grad, g.g_grad, self.elapsed)
        cfg = self.config
        last = self.step_count == cfg.steps
        log = self.step_count % cfg.log_every == 0 or last or self.step_count == 1
        evaluate = (cfg.eval_every and self.step_count % cfg.eval_every == 0) or last
        if log or evaluate:
            weights = _norm(list(self.G.parameters()) + list(self.D.parameters())).item()
            if not math.isfinite(weights):
                raise TrainingDiverged(self.step_count, "the weights' norm", weights)
            row = asdict(res)
            row["lr_g"] = self.opt_g.param_groups[0]["lr"]
            row["lr_d"] = self.opt_d.param_groups[0]["lr"]
            if self.growth is not None:
                row["resolution"], row["alpha"] = self.growth
            if evaluate:
                t = time.perf_counter()
                n = self._eval_samples(last)
                self.last_eval = self.evaluate(n)
                self.elapsed += time.perf_counter() - t
                row.update(self.last_eval)
                if cfg.data.is_image:
                    row["eval_samples"] = n  # the FID of fewer samples is higher: the row says how many
                row["wall_time"] = self.elapsed
                self._keep_if_best()
            self.rows.append(row)
            if self.max_rows is not None and len(self.rows) > self.max_rows:
                self.rows = thin_rows(self.rows, self.max_rows)
            if self.step_count % 100 == 0 or evaluate:
                self._last_good = copy.deepcopy(self.state_dict(with_history=False))
        return res

    def _eval_samples(self, last: bool) -> int:
        """Generated samples of this evaluation: image evaluations before the last use `eval_samples_during`
        (their classifier pass is most of an evaluation's cost), the last and, with keep_best, every one
        `eval_samples` (keep_best compares their FIDs, which depend on the count); 2D ones always `eval_samples`."""
        cfg = self.config
        if last or cfg.keep_best or not cfg.data.is_image:
            return cfg.eval_samples
        return min(cfg.eval_samples, cfg.eval_samples_during)

    def _keep_if_best(self) -> None:
        fid = self.last_eval.get("fid")
        if not self.config.keep_best or fid is None or not math.isfinite(fid):
            return
        if self.best is None or fid < self.best["fid"]:
            state = {k: v.detach().clone() for k, v in self.sampler.state_dict().items()}
            self.best = {"step": self.step_count, "fid": float(fid), "G": state}

    # ----- sampling and metrics -----
    @property
    def sampler(self) -> torch.nn.Module:
        """The generator that samples: G's moving average if the variant keeps one, else G. With the option ema_bn
        the average's batch-norm statistics are first recomputed from its own outputs, once per step (a stream of
        its own, so the training streams and numbers are the same with or without it)."""
        if self.G_ema is None:
            return self.G
        if self.recipe.ema_bn > 0 and self._standing_at != self.step_count:
            g = torch.Generator(device=self.device).manual_seed((self.config.seed + 17) * 1_000_003 + self.step_count)
            b = self.config.optim.batch_size

            def draw():
                return self._noise(b, g), self._labels(b, g)

            with torch.inference_mode(), self._autocast():
                standing_statistics(self.G_ema, draw, self.recipe.ema_bn)
            self._standing_at = self.step_count
        return self.G_ema

    @torch.inference_mode()
    def sample(self, n: int, seed: int = 0, labels: torch.Tensor | None = None) -> torch.Tensor:
        """n samples from G (its EMA copy if the variant keeps one), without touching the training RNG."""
        g = torch.Generator(device=self.device).manual_seed(seed)
        z = self._noise(n, g)
        y = None
        if self.n_classes:
            y = labels.to(self.device) if labels is not None else self._labels(n, g)
        return self.generate(z, y)

    def noise(self, n: int, seed: int) -> torch.Tensor:
        """(n, z_dim) latents from G's prior drawn from `seed` alone (the same on any device), never from the
        training streams: the fixed noise of a picture that is redrawn as the run goes on."""
        m = self.config.model
        return seeded_noise(n, m.z_dim, m.noise, seed, self.device)

    @torch.inference_mode()
    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        g = self.sampler
        was = g.training
        g.eval()
        with self._autocast():
            out = torch.cat([g(z[i:i + 4096], None if y is None else y[i:i + 4096]).float()
                             for i in range(0, len(z), 4096)])
        g.train(was)
        return out

    def evaluate(self, n: int | None = None) -> dict:
        """The metrics of the current generator on n samples (default `eval_samples`; a seed fixed per step)."""
        cfg = self.config
        fake = self.sample(n or cfg.eval_samples, seed=cfg.seed * 7919 + self.step_count)
        if not cfg.data.is_image:
            g = torch.Generator(device=self.device).manual_seed(cfg.seed + 4)
            real = self.data.source.sample(cfg.eval_samples, g).cpu().numpy()
            return score_points(fake.cpu().numpy(), self.data.source, real)
        if self._evaluator is None:
            from gan_core.evaluation.evaluator import ImageEvaluator

            self._evaluator = ImageEvaluator(cfg.data)
        return self._evaluator(fake)

    def train(self, steps: int | None = None, callback=None) -> pd.DataFrame:
        """Run until `steps` iterations in all (default: config.steps); callback(result) after each."""
        target = self.config.steps if steps is None else steps
        while self.step_count < target:
            res = self.step()
            if callback is not None:
                callback(res)
        return self.history
