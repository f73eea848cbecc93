"""CycleGAN run folders, written and read with `runs.py`'s helpers (atomic writes, safetensors, never a pickle).

A CycleGAN run folder holds:
- `config.json`: the CycleConfig, with `"family": "cyclegan"`;
- `G.safetensors` (A -> B), `F.safetensors` (B -> A), `D_A.safetensors`, `D_B.safetensors`: the four networks;
- `metrics.csv`: one row per logged step;
- `checkpoint.safetensors` + `checkpoint.json`: optimisers, random streams, data order and history pools, to
  resume exactly.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save

from gan_core.cycle_config import CycleConfig, is_cycle_config
from gan_core.runs import (RunFolderError, atomic_write, check_state, read_history, read_weights, restore_checkpoint,
                           write_checkpoint)

NETWORKS = ("G", "F", "D_A", "D_B")


def is_cycle_run(folder: str | Path) -> bool:
    """Whether a folder's config.json describes a CycleGAN run (False when it has none or it is unreadable)."""
    path = Path(folder) / "config.json"
    try:
        return path.is_file() and is_cycle_config(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError):
        return False


def save_cycle_run(trainer, out_dir: str | Path, checkpoint: bool = True) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "config.json", json.dumps(trainer.config.to_dict(), indent=2))
    meta = {"step": str(trainer.step_count), "pair": trainer.config.pair}
    for name in NETWORKS:
        state = {k: v.detach().cpu().contiguous() for k, v in getattr(trainer, name).state_dict().items()}
        atomic_write(out / f"{name}.safetensors", save(state, metadata=meta))
    atomic_write(out / "metrics.csv", trainer.history.to_csv(index=False))
    if checkpoint:
        write_checkpoint(trainer, out)
    return out


def load_cycle_config(folder: str | Path) -> CycleConfig:
    path = Path(folder) / "config.json"
    if not path.is_file():
        if not Path(folder).exists():
            raise RunFolderError(f"{folder} does not exist; give the folder a 'gan_core train --preset cyclegan' run was "
                                 f"saved in")
        raise RunFolderError(f"{folder} has no config.json; is it a run folder written by 'gan_core train --preset cyclegan'?")
    try:
        d = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise RunFolderError(f"{path} is not valid JSON ({e.msg} at line {e.lineno}); the folder is damaged") from None
    if not is_cycle_config(d):
        raise RunFolderError(f"{folder} holds a GAN run, not a CycleGAN one; translate needs a folder written by "
                             "'gan_core train --preset cyclegan'")
    try:
        return CycleConfig.from_dict(d)
    except (ValueError, TypeError) as e:
        raise RunFolderError(f"{path} is not a valid CycleGAN config: {e}") from None


def load_translators(folder: str | Path, device: str | torch.device = "cpu"):
    """(G, F, CycleConfig): the two translators of a run or pretrained folder, in eval mode, on `device`."""
    from gan_core.models.cyclegan import build_cycle_networks

    config = load_cycle_config(folder)
    shape = (1, 28, 28) if config.is_image else (2,)
    nets = build_cycle_networks(config.model, shape)
    for name in ("G", "F"):
        state = read_weights(Path(folder) / f"{name}.safetensors")
        check_state(nets[name], state, f"{name}.safetensors")
        nets[name].load_state_dict(state)
    return nets["G"].to(device).eval(), nets["F"].to(device).eval(), config


def load_cycle_trainer(folder: str | Path, device: str | torch.device = "cpu"):
    """Rebuild a CycleTrainer from a run folder and its checkpoint, ready to continue exactly."""
    from gan_core.training.cycle_trainer import CycleTrainer

    folder = Path(folder)
    trainer = CycleTrainer(load_cycle_config(folder), device)
    if not (folder / "checkpoint.json").is_file():
        raise RunFolderError(f"{folder} has no checkpoint.json to resume from")
    restore_checkpoint(trainer, folder, "its G and F can still translate")
    trainer.rows = read_history(folder / "metrics.csv")
    return trainer


def evaluate_folder(folder, n: int | None = None, device: str = "cpu") -> dict:
    """The translation metrics of a saved CycleGAN (run or pretrained folder) on `n` held-out samples per side
    (default: the run's eval_samples; images: at most the whole test split)."""
    from gan_core.data import make_dataset
    from gan_core.device import resolve_device
    from gan_core.training.cycle_eval import CycleEvaluator

    dev = resolve_device(device)
    G, F, config = load_translators(folder, dev)
    if n is not None:
        config = config.replace(eval_samples=n)
    data_a, data_b = (make_dataset(c, dev) for c in (config.data_a, config.data_b))
    evaluator = CycleEvaluator(config, data_a, data_b, dev)
    sizes = {"samples_a": len(evaluator.held["a"][0] if config.is_image else evaluator.held["a"]),
             "samples_b": len(evaluator.held["b"][0] if config.is_image else evaluator.held["b"])}
    return {**sizes, **evaluator(G, F)}
