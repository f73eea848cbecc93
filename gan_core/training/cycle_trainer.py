"""The step-wise CycleGAN trainer: `step()` updates the translators G: A -> B and F: B -> A together, then the
discriminators D_A and D_B together (the official code's order), and returns the numbers. It knows nothing of
any UI.

Losses (`objectives.py`, the paper's Eq. 3): least-squares adversarial terms, the L1 cycle term weighted by
`lambda_cycle` and the identity term weighted by `lambda_cycle * lambda_identity`; both weights change live
(`set_weights`). The discriminators score their real samples and fakes drawn from a `HistoryPool` of 50.

The class term (`lambda_class` > 0, not in the paper; for two digit sets): each discriminator has a class head
(`PatchCritic.score`, AC-GAN's auxiliary classifier) that learns, by cross-entropy on its *real* images and their
labels (weight 1, inside loss_d_a / loss_d_b), to name a digit of its domain; the translators add
`lambda_class` times the cross-entropy of those heads on their translations against the *source* images' labels
(`class_g`: D_B's head on G(a) against a's label; `class_f`: D_A's head on F(b) against b's). The cycle loss only
asks that F undo G, so a 2 drawn as a 7 that F draws back as a 2 costs nothing; this term is what makes it cost.
The pools keep no labels: the heads learn from real images only. The evaluation's judges take no part in training:
the target domain's shipped classifier (which learnt from the same training images as the head, so it may share its
blind spots) and a 5-NN vote among real test images (which learnt nothing).

Determinism: all randomness comes from torch.Generators owned by the trainer (network initialisation from the
seed; data batches from seed + 2; the pools' choices from seed + 1; the held-out 2D points and the fixed panel
from seed + 4), so the same config and seed give the same numbers, and `state_dict()` holds everything a run
needs to continue exactly (networks, optimisers, generators, data order, pools, weights, logged rows).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import pandas as pd
import torch
from torch.nn.functional import cross_entropy

from gan_core.cycle_config import CycleConfig
from gan_core.data import make_dataset
from gan_core.device import resolve_device
from gan_core.models.cyclegan import build_cycle_networks, translate_with
from gan_core.objectives import cycle_l1, identity_l1, lsgan_adv, lsgan_d
from gan_core.training.cycle_eval import CycleEvaluator
from gan_core.training.history_pool import HistoryPool
from gan_core.training.results import EXPLODED, TrainingDiverged

LOSS_NAMES = ("loss_g", "loss_f", "loss_d_a", "loss_d_b", "cycle_a", "cycle_b", "identity_a", "identity_b",
              "class_g", "class_f")
# Terms that are NaN by design while their weight is off (not computed).
_OPTIONAL = {"identity_a": "lambda_identity", "identity_b": "lambda_identity", "class_g": "lambda_class",
             "class_f": "lambda_class"}


@dataclass
class CycleStepResult:
    step: int
    loss_g: float      # G's adversarial loss E[(D_B(G(a)) - 1)^2]
    loss_f: float      # F's adversarial loss E[(D_A(F(b)) - 1)^2]
    loss_d_a: float    # D_A's least-squares loss (+ its class head's cross-entropy on real A with the class term)
    loss_d_b: float    # D_B's least-squares loss (+ the same on real B)
    cycle_a: float     # E|F(G(a)) - a|
    cycle_b: float     # E|G(F(b)) - b|
    identity_a: float  # E|F(a) - a| (NaN when the identity term is off)
    identity_b: float  # E|G(b) - b|
    class_g: float     # cross-entropy of D_B's class head on G(a) against a's labels (NaN when the class term is off)
    class_f: float     # cross-entropy of D_A's class head on F(b) against b's labels
    elapsed: float     # seconds of training so far


class CycleTrainer:
    def __init__(self, config: CycleConfig, device: str | torch.device = "cpu"):
        self.config = config
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.data_a = make_dataset(config.data_a, self.device)
        self.data_b = make_dataset(config.data_b, self.device)
        if self.data_a.shape != self.data_b.shape:
            raise ValueError(f"{config.pair}: samples of A are {self.data_a.shape}, of B {self.data_b.shape}; "
                             "both domains need one shape")
        nets = build_cycle_networks(config.model, self.data_a.shape, torch.Generator().manual_seed(config.seed),
                                    config.n_classes)
        self.G, self.F, self.D_A, self.D_B = (nets[k].to(self.device) for k in ("G", "F", "D_A", "D_B"))
        o = config.optim
        # fused: one kernel for all parameters instead of a loop of small ops per tensor (as Trainer does).
        self.opt_gf = torch.optim.Adam([*self.G.parameters(), *self.F.parameters()], lr=o.lr_g,
                                       betas=(o.beta1_g, o.beta2_g), fused=True)
        self.opt_d = torch.optim.Adam([*self.D_A.parameters(), *self.D_B.parameters()], lr=o.lr_d,
                                      betas=(o.beta1_d, o.beta2_d), fused=True)
        self.rng = torch.Generator(device=self.device).manual_seed(config.seed + 1)
        self.data_rng = torch.Generator(device=self.device).manual_seed(config.seed + 2)
        self.pool_a, self.pool_b = HistoryPool(config.pool_size), HistoryPool(config.pool_size)
        self.lambda_cycle, self.lambda_identity = config.lambda_cycle, config.lambda_identity
        self.lambda_class = config.lambda_class  # fixed for a run: the critics' class heads exist only when it is on
        self.evaluator = CycleEvaluator(config, self.data_a, self.data_b, self.device)
        self.step_count = 0
        self.elapsed = 0.0
        self.rows: list[dict] = []
        self.max_rows: int | None = None  # a number thins older rows (a long interactive session), as Trainer does
        self.last_eval: dict = {}

    # ----- live settings -----
    def set_weights(self, lambda_cycle: float | None = None, lambda_identity: float | None = None) -> None:
        """Change the cycle and identity weights between steps (validated like the config's fields)."""
        self.config.replace(lambda_cycle=self.lambda_cycle if lambda_cycle is None else lambda_cycle,
                            lambda_identity=self.lambda_identity if lambda_identity is None else lambda_identity)
        if lambda_cycle is not None:
            self.lambda_cycle = float(lambda_cycle)
        if lambda_identity is not None:
            self.lambda_identity = float(lambda_identity)

    def _apply_schedule(self) -> None:
        """Linear decay: both rates end at (1 - lr_decay) of their start at the last step (the paper decays to 0
        over the second half of its 200 epochs; one straight line is the same idea in one setting)."""
        o = self.config.optim
        factor = 1.0 - o.lr_decay * min(1.0, self.step_count / max(self.config.steps, 1))
        for opt, base in ((self.opt_gf, o.lr_g), (self.opt_d, o.lr_d)):
            for group in opt.param_groups:
                group["lr"] = base * factor

    # ----- one iteration -----
    def _gf_step(self, a: torch.Tensor, b: torch.Tensor, ya: torch.Tensor | None, yb: torch.Tensor | None):
        """Update G and F on the full objective; returns the translations (for D's step) and the loss terms."""
        identity = self.lambda_identity > 0
        n = len(a)
        # One pass per translator over [its input, its own domain's batch]: instance norm is per sample, so
        # concatenating changes nothing but the number of calls.
        g_out = self.G(torch.cat([a, b]) if identity else a)  # fake_b (, G(b))
        f_out = self.F(torch.cat([b, a]) if identity else b)  # fake_a (, F(a))
        fake_b, fake_a = g_out[:n], f_out[:n]
        rec_a, rec_b = self.F(fake_b), self.G(fake_a)
        nan = torch.full((), math.nan, device=a.device)
        cls_g = cls_f = nan
        class_term = None  # the class head's term, added last (after the identity term) as it always was
        if self.lambda_class > 0:
            (patch_b, names_b), (patch_a, names_a) = self.D_B.score(fake_b), self.D_A.score(fake_a)
            cls_g, cls_f = cross_entropy(names_b, ya), cross_entropy(names_a, yb)
            class_term = self.lambda_class * (cls_g + cls_f)
        else:
            patch_b, patch_a = self.D_B(fake_b), self.D_A(fake_a)
        adv_g, adv_f = lsgan_adv(patch_b), lsgan_adv(patch_a)
        cyc_a, cyc_b = cycle_l1(a, rec_a), cycle_l1(b, rec_b)
        total = adv_g + adv_f + self.lambda_cycle * (cyc_a + cyc_b)
        idt_a = idt_b = nan
        if identity:
            idt_b, idt_a = identity_l1(b, g_out[n:]), identity_l1(a, f_out[n:])
            total = total + self.lambda_cycle * self.lambda_identity * (idt_a + idt_b)
        if class_term is not None:
            total = total + class_term
        params = [*self.G.parameters(), *self.F.parameters()]
        grads = torch.autograd.grad(total, params)  # D_A and D_B receive no gradient from this half
        for p, g in zip(params, grads):
            p.grad = g
        self.opt_gf.step()
        terms = torch.stack([adv_g, adv_f, cyc_a, cyc_b, idt_a, idt_b, cls_g, cls_f]).detach()
        return fake_a.detach(), fake_b.detach(), terms

    def _critic_real(self, critic, x: torch.Tensor, y: torch.Tensor | None):
        """(patch logits of real images, the class head's cross-entropy on them, or 0 without the class term)."""
        if self.lambda_class > 0:
            patch, names = critic.score(x)
            return patch, cross_entropy(names, y)
        return critic(x), 0.0

    def _d_step(self, a: torch.Tensor, b: torch.Tensor, fake_a: torch.Tensor, fake_b: torch.Tensor,
                ya: torch.Tensor | None, yb: torch.Tensor | None) -> torch.Tensor:
        old_a = self.pool_a.query(fake_a, self.rng)
        old_b = self.pool_b.query(fake_b, self.rng)
        real_a, names_a = self._critic_real(self.D_A, a, ya)
        real_b, names_b = self._critic_real(self.D_B, b, yb)
        loss_a = lsgan_d(real_a, self.D_A(old_a)) + names_a
        loss_b = lsgan_d(real_b, self.D_B(old_b)) + names_b
        self.opt_d.zero_grad(set_to_none=True)
        (loss_a + loss_b).backward()
        self.opt_d.step()
        return torch.stack([loss_a, loss_b]).detach()

    def step(self) -> CycleStepResult:
        """One iteration: G and F on a batch of each domain, then D_A and D_B on the same batches."""
        t = time.perf_counter()
        bs = self.config.optim.batch_size
        a, ya = self.data_a.sample(bs, self.data_rng)
        b, yb = self.data_b.sample(bs, self.data_rng)  # labels: torch.long (ImageDataset), unused without the class term
        fake_a, fake_b, terms = self._gf_step(a, b, ya, yb)
        d = self._d_step(a, b, fake_a, fake_b, ya, yb)
        v = torch.cat([terms, d]).tolist()  # one host sync per iteration
        values = dict(zip(("loss_g", "loss_f", "cycle_a", "cycle_b", "identity_a", "identity_b", "class_g", "class_f",
                           "loss_d_a", "loss_d_b"), v))
        for name in LOSS_NAMES:
            x = values[name]
            if name in _OPTIONAL and getattr(self, _OPTIONAL[name]) == 0:
                continue  # NaN by design: the term was not computed
            if not math.isfinite(x) or abs(x) > EXPLODED:
                raise TrainingDiverged(self.step_count + 1, name, x)
        self.step_count += 1
        if self.config.optim.lr_decay > 0:
            self._apply_schedule()
        self.elapsed += time.perf_counter() - t
        res = CycleStepResult(self.step_count, *(values[k] for k in LOSS_NAMES), self.elapsed)
        self._log(res)
        return res

    def _log(self, res: CycleStepResult) -> None:
        cfg = self.config
        last = self.step_count == cfg.steps
        log = self.step_count % cfg.log_every == 0 or last or self.step_count == 1
        evaluate = (cfg.eval_every and self.step_count % cfg.eval_every == 0) or last
        if not (log or evaluate):
            return
        row = asdict(res)
        row.update(lr=self.opt_gf.param_groups[0]["lr"], lambda_cycle=self.lambda_cycle,
                   lambda_identity=self.lambda_identity)
        if evaluate:
            t = time.perf_counter()
            self.last_eval = self.evaluate()
            self.elapsed += time.perf_counter() - t
            row.update(self.last_eval)
            row["wall_time"] = self.elapsed
        self.rows.append(row)
        if self.max_rows is not None and len(self.rows) > self.max_rows:
            self.rows = self.rows[:-1:2] + self.rows[-1:]

    def train(self, steps: int | None = None, callback=None) -> pd.DataFrame:
        """Run until `steps` iterations in all (default: config.steps); callback(result) after each."""
        target = self.config.steps if steps is None else steps
        while self.step_count < target:
            res = self.step()
            if callback is not None:
                callback(res)
        return self.history

    # ----- translating and scoring -----
    @torch.inference_mode()
    def translate(self, x: torch.Tensor, direction: str) -> torch.Tensor:
        """G(x) for direction 'ab', F(x) for 'ba'; x (N, 2) points or (N, C, H, W) images in [-1, 1]."""
        if direction not in ("ab", "ba"):
            raise ValueError(f"direction={direction!r} must be 'ab' (A -> B, with G) or 'ba' (B -> A, with F)")
        return translate_with(self.G if direction == "ab" else self.F, x)

    def evaluate(self) -> dict:
        """The translation metrics on the held-out samples (see `cycle_eval.CycleEvaluator`)."""
        return self.evaluator(self.G, self.F)

    @property
    def history(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    # ----- checkpoints -----
    def state_dict(self, with_history: bool = True) -> dict:
        state = {"step": self.step_count, "elapsed": self.elapsed,
                 "G": self.G.state_dict(), "F": self.F.state_dict(), "D_A": self.D_A.state_dict(),
                 "D_B": self.D_B.state_dict(), "opt_gf": self.opt_gf.state_dict(), "opt_d": self.opt_d.state_dict(),
                 "rng": self.rng.get_state(), "data_rng": self.data_rng.get_state(),
                 "data_a": self.data_a.state(), "data_b": self.data_b.state(),
                 "pool_a": self.pool_a.state(), "pool_b": self.pool_b.state(),
                 "weights": [self.lambda_cycle, self.lambda_identity]}
        if with_history:
            state["rows"] = [dict(r) for r in self.rows]
        return state

    def load_state_dict(self, state: dict) -> None:
        self.step_count, self.elapsed = int(state["step"]), float(state["elapsed"])
        for name in ("G", "F", "D_A", "D_B"):
            getattr(self, name).load_state_dict(state[name])
        self.opt_gf.load_state_dict(state["opt_gf"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng.set_state(state["rng"])
        self.data_rng.set_state(state["data_rng"])
        self.data_a.load_state(state["data_a"])
        self.data_b.load_state(state["data_b"])
        self.pool_a.load_state(state["pool_a"], self.device)
        self.pool_b.load_state(state["pool_b"], self.device)
        self.lambda_cycle, self.lambda_identity = (float(w) for w in state["weights"])
        if "rows" in state:
            self.rows = [dict(r) for r in state["rows"]]

