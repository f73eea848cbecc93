"""A trainer's state: what a checkpoint holds, how a run resumes exactly, and the way back after a divergence.

`TrainerState` is the half of `Trainer` that saves and restores; it reads the trainer's networks, optimisers,
random streams, data order, variant settings, rates and logged rows.
"""
from __future__ import annotations

import copy
from dataclasses import asdict
from typing import TYPE_CHECKING

import torch

from gan_core.variants import RECIPE_FIELDS, Recipe

if TYPE_CHECKING:
    import pandas as pd


class TrainerState:
    def _remember_start(self) -> None:
        """The state to go back to should the very first updates diverge (later: every 100 steps)."""
        if self._last_good is None:
            self._last_good = copy.deepcopy(self.state_dict(with_history=False))

    @property
    def history(self) -> pd.DataFrame:
        import pandas as pd  # here, not at the top: a CLI run that never asks for it starts faster

        return pd.DataFrame(self.rows)

    def state_dict(self, with_history: bool = True) -> dict:
        state = {
            "step": self.step_count,
            "elapsed": self.elapsed,
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
            "data_rng": self.data_rng.get_state(),
            "data": self.data.state(),
            "recipe": asdict(self.recipe),
            "base_lr": [self.base_lr_g, self.base_lr_d],
            "lr_decay": self.lr_decay,
        }
        if self.G_ema is not None:
            state["G_ema"] = self.G_ema.state_dict()
        if self.best is not None:
            state["best"] = {"step": self.best["step"], "fid": self.best["fid"], "G": self.best["G"]}
        if with_history:
            state["rows"] = [dict(r) for r in self.rows]
        return state

    def load_state_dict(self, state: dict) -> None:
        self.step_count = int(state["step"])
        self.elapsed = float(state["elapsed"])
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self._set_rng(self.rng, state["rng"], 1)
        self._set_rng(self.data_rng, state["data_rng"], 2)
        self.data.load_state(state["data"])
        self.recipe = Recipe(**{k: v for k, v in state["recipe"].items() if k in RECIPE_FIELDS})
        self.base_lr_g, self.base_lr_d = state.get("base_lr", [self.base_lr_g, self.base_lr_d])
        self.lr_decay = float(state.get("lr_decay", state["recipe"].get("lr_decay", self.lr_decay)))
        if self.G_ema is not None and "G_ema" in state:
            self.G_ema.load_state_dict(state["G_ema"])
            self._standing_at = None  # loaded statistics: recompute them before sampling (ema_bn)
        if "best" in state:
            b = state["best"]
            self.best = {"step": int(b["step"]), "fid": float(b["fid"]), "G": {k: v.clone() for k, v in b["G"].items()}}
        if "rows" in state:
            self.rows = [dict(r) for r in state["rows"]]

    def _set_rng(self, generator: torch.Generator, saved: torch.Tensor, salt: int) -> None:
        """Restore a random generator; a state saved on another kind of device (a CPU checkpoint resumed on
        CUDA, or back) cannot be carried over, so the generator is reseeded from the seed and the step instead:
        the run goes on reproducibly, but not with the exact numbers it would have drawn on the first device."""
        if saved.numel() == generator.get_state().numel():
            generator.set_state(saved)
        else:
            generator.manual_seed(self.config.seed + salt + 1_000_003 * self.step_count)
            self.rng_reseeded = True

    def restore_last_good(self) -> None:
        """After TrainingDiverged: go back to the last state whose numbers were all finite."""
        if self._last_good is None:
            raise RuntimeError("there is no earlier good state to go back to; reset the run instead")
        keep = self.rows
        self.load_state_dict(copy.deepcopy(self._last_good))
        self.rows = [r for r in keep if r["step"] <= self.step_count]
