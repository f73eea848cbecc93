"""Saving and loading runs: `config.json` + safetensors weights + `metrics.csv`, never a pickle.

A run folder holds:
- `config.json`: the TrainConfig (enough to rebuild the networks);
- `generator.safetensors`, `discriminator.safetensors`: the weights (the EMA generator, if the variant
  keeps one, is what `generator.safetensors` holds; the raw one is in the checkpoint; with keep_best, the
  generator of the evaluation with the lowest FID, its step in the file's metadata);
- `metrics.csv`: one row per logged step;
- `checkpoint.safetensors` + `checkpoint.json`: optimiser and RNG state, to resume exactly.
Every file is written to a temporary name in the same folder and then renamed, so an interrupted
save leaves the previous file whole.
"""
from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from gan_core.config import TrainConfig

MAX_WEIGHTS_BYTES = 200 * 1024 * 1024


class RunFolderError(ValueError):
    """A run folder is missing a file, or holds something that does not match its config."""


def atomic_write(path: str | Path, data: bytes | str, before_replace: Callable[[], None] | None = None) -> None:
    """Write `data` to `path` via a temporary file + os.replace: readers see the old or the new file, whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace()  # test hook: an exception here must leave `path` untouched
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _flatten(obj: Any, prefix: str, tensors: dict[str, torch.Tensor]) -> Any:
    """Split a nested state into tensors (keyed by path) and a JSON skeleton pointing at them."""
    if isinstance(obj, torch.Tensor):
        key = prefix.strip(".")
        tensors[key] = obj.detach().cpu().contiguous()
        return {"__tensor__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[_flatten(k, f"{prefix}.k{i}", tensors), _flatten(v, f"{prefix}.{i}", tensors)]
                             for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, (list, tuple)):
        return {"__list__": [_flatten(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, float) and obj != obj:
        return {"__nan__": True}
    return obj


def _unflatten(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return tensors[obj["__tensor__"]]
        if "__dict__" in obj:
            return {_unflatten(k, tensors): _unflatten(v, tensors) for k, v in obj["__dict__"]}
        if "__list__" in obj:
            return [_unflatten(v, tensors) for v in obj["__list__"]]
        if "__nan__" in obj:
            return float("nan")
    return obj


def save_run(trainer, out_dir: str | Path, checkpoint: bool = True) -> Path:
    """Write the run folder (see module doc). Returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "config.json", json.dumps(trainer.config.to_dict(), indent=2))
    best = getattr(trainer, "best", None)  # keep_best: the generator of the lowest FID, not the last
    g_source = best["G"] if best is not None else trainer.sampler.state_dict()
    g_state = {k: v.detach().cpu().contiguous() for k, v in g_source.items()}
    d_state = {k: v.detach().cpu().contiguous() for k, v in trainer.D.state_dict().items()}
    meta = {"step": str(trainer.step_count), "variant": trainer.config.variant}
    g_meta = meta if best is None else {**meta, "step": str(best["step"]), "kept": f"lowest FID {best['fid']:.4f}"}
    atomic_write(out / "generator.safetensors", save(g_state, metadata=g_meta))
    atomic_write(out / "discriminator.safetensors", save(d_state, metadata=meta))
    atomic_write(out / "metrics.csv", history_csv(trainer.rows))
    if checkpoint:
        write_checkpoint(trainer, out)
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, numbers.Real) and not isinstance(v, numbers.Integral) and math.isnan(v))


def _column_writer(values: list) -> Callable[[Any], str]:
    """How pandas writes a column of these values: whole numbers as such only when none is missing and none is a
    fraction (else every number as a float, 5.0), True/False, text as it is; a missing value as nothing."""
    present = [v for v in values if not _missing(v)]
    gap = len(present) < len(values)
    if any(isinstance(v, bool) for v in present) and not all(isinstance(v, bool) for v in present) or \
            any(not isinstance(v, (numbers.Real, bool)) for v in present):
        return lambda v: "" if _missing(v) else str(v)  # a mixed column: each value as it is
    if all(isinstance(v, bool) for v in present) or (not gap and all(isinstance(v, numbers.Integral) for v in present)):
        return lambda v: "" if _missing(v) else str(v if isinstance(v, bool) else int(v))
    return lambda v: "" if _missing(v) else str(float(v))


def history_csv(rows: list[dict]) -> str:
    """metrics.csv from a trainer's logged rows: the text `pandas.DataFrame(rows).to_csv(index=False)` writes (a
    CLI run then never imports pandas, 0.3 s of a busy 2-core CPU): the columns in order of first appearance, a
    number column with a gap written as floats, gaps and NaN empty (tests/test_io.py compares the two)."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if not columns:
        return "\n"
    writers = [_column_writer([row.get(c) for row in rows]) for c in columns]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(columns)
    out.writerows([w(row.get(c)) for c, w in zip(columns, writers)] for row in rows)
    return buf.getvalue()


def write_checkpoint(trainer, out: Path) -> None:
    """checkpoint.safetensors (every tensor of the trainer's state) + checkpoint.json (the rest, with the tensors'
    places): what exact resume reads back (`check_state`, `_unflatten`). Any trainer with state_dict(with_history)."""
    tensors: dict[str, torch.Tensor] = {}
    skeleton = _flatten(trainer.state_dict(with_history=False), "", tensors)
    atomic_write(out / "checkpoint.safetensors", save(tensors))
    atomic_write(out / "checkpoint.json", json.dumps(skeleton))


def load_config(run_dir: str | Path) -> TrainConfig:
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        if not Path(run_dir).exists():
            raise RunFolderError(f"{run_dir} does not exist; give the folder a 'gan_core train' run was saved in")
        raise RunFolderError(f"{run_dir} has no config.json; is it a run folder written by 'gan_core train'?")
    try:
        d = json.loads(path.read_text())
        if isinstance(d, dict) and d.get("family") == "cyclegan":
            raise RunFolderError(f"{run_dir} holds a CycleGAN run (two translators, no noise); use "
                                 f"'python -m gan_core translate --run {run_dir} ...' with it")
        if isinstance(d, dict) and "architecture" in d and "dataset" in d:
            raise RunFolderError(f"{run_dir} holds an evaluation classifier (it scores images, it draws none), not a "
                                 f"GAN run; give a folder written by 'gan_core train', e.g. pretrained/mnist-dcgan")
        return TrainConfig.from_dict(d)
    except json.JSONDecodeError as e:
        raise RunFolderError(f"{path} is not valid JSON ({e.msg} at line {e.lineno}); the folder is damaged") from None
    except RunFolderError:
        raise
    except (ValueError, TypeError) as e:
        raise RunFolderError(f"{path} is not a valid config: {e}") from None


def _named(path: Path) -> str:
    """A weights file named with its folder (run folders hold files of the same names): 'my-run/generator.safetensors'."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def read_weights(path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file (never a pickle), refusing anything else with a clear message."""
    if not path.is_file():
        raise RunFolderError(f"{path.name} is missing from {path.parent}")
    if path.stat().st_size > MAX_WEIGHTS_BYTES:
        raise RunFolderError(f"{path} is larger than {MAX_WEIGHTS_BYTES // 2**20} MB; refusing to load it")
    with open(path, "rb") as fh:
        head = fh.read(9)
    # safetensors: an 8-byte header length, then the JSON header's '{' (a length of 128 + 256k starts with 0x80,
    # like a pickle, so the '{' is what tells them apart).
    safetensors_like = len(head) == 9 and head[8:9] == b"{"
    if not safetensors_like and (head[:2] == b"PK" or head[:1] == b"\x80"):
        raise RunFolderError(f"{_named(path)} is a pickle / torch .pt file; only safetensors weights are loaded "
                             f"(convert it with safetensors.torch.save_file)")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise RunFolderError(f"{_named(path)} is not a valid safetensors file ({e}); the file is damaged or was altered; "
                             f"train the run again, or copy its folder anew") from None


def check_state(module: torch.nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    """Refuse weights whose tensor names or shapes differ from what the config builds, naming the tensor."""
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    extra = [k for k in state if k not in expected]
    if missing:
        raise RunFolderError(f"{what}: tensor {missing[0]!r} expected by config.json is missing from the weights "
                             f"({len(missing)} missing); config and weights do not belong together")
    if extra:
        raise RunFolderError(f"{what}: tensor {extra[0]!r} in the weights does not exist in the model config.json builds")
    for k, v in expected.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise RunFolderError(f"{what}: tensor {k!r} has shape {tuple(state[k].shape)} in the weights but "
                                 f"{tuple(v.shape)} in the model config.json builds")
        if state[k].dtype.is_floating_point and not torch.isfinite(state[k]).all():
            raise RunFolderError(f"{what}: tensor {k!r} holds NaN or infinite values")


def load_generator(path: str | Path, device: str | torch.device = "cpu"):
    """Rebuild a generator from a run or pretrained folder. Returns (G in eval mode, TrainConfig, data shape, n_classes)."""
    from gan_core.models import build_generator

    folder = Path(path)
    config = load_config(folder)
    shape, n_classes = data_shape(config)
    g = build_generator(config.model, shape, n_classes if config.model.conditional else 0)
    state = read_weights(folder / "generator.safetensors")
    check_state(g, state, "generator.safetensors")
    g.load_state_dict(state)
    return g.to(device).eval(), config, shape, n_classes


def data_shape(config: TrainConfig) -> tuple[tuple[int, ...], int]:
    """(one sample's shape, number of classes) of a config's data, without loading the data."""
    name = config.data.name
    if not config.data.is_image:
        return (2,), 0
    if name == "stacked-mnist":
        return (3, 28, 28), 1000
    return (1, 28, 28), 10


def load_trainer(run_dir: str | Path, device: str | torch.device = "cpu"):
    """Rebuild a Trainer from a run folder and its checkpoint, ready to continue exactly."""
    from gan_core.training.trainer import Trainer

    folder = Path(run_dir)
    trainer = Trainer(load_config(folder), device)
    if not (folder / "checkpoint.json").is_file():
        raise RunFolderError(f"{folder} has no checkpoint.json to resume from")
    restore_checkpoint(trainer, folder, "its generator.safetensors can still be sampled")
    trainer.rows = read_history(folder / "metrics.csv")
    return trainer


def restore_checkpoint(trainer, folder: Path, still: str) -> None:
    """Load folder's checkpoint (checkpoint.json + checkpoint.safetensors) into a trainer built from its config, or
    raise RunFolderError saying which file is wrong; `still`: what the folder can still do without it."""
    tensors = read_weights(folder / "checkpoint.safetensors")
    try:
        skeleton = json.loads((folder / "checkpoint.json").read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunFolderError(f"{folder / 'checkpoint.json'} is not valid JSON ({e}); the checkpoint is damaged, so "
                             f"the run cannot continue ({still})") from None
    try:
        trainer.load_state_dict(_unflatten(skeleton, tensors))
    except (KeyError, ValueError, RuntimeError, TypeError, IndexError, AttributeError) as e:
        raise RunFolderError(f"the checkpoint in {folder} (checkpoint.json, checkpoint.safetensors) does not fit its "
                             f"config.json ({e}): it is damaged or belongs to another run, so the run cannot continue "
                             f"({still})") from None


def read_history(metrics: Path) -> list[dict]:
    """A run's logged rows from its metrics.csv, for a resumed run to go on writing: none when the file is missing
    or holds no row yet (a run saved at step 0); a damaged one is named, with what to do."""
    if not metrics.is_file():
        return []
    import pandas as pd

    try:
        text = metrics.read_text()
        if not text.strip():
            return []
        return pd.read_csv(io.StringIO(text)).to_dict("records")
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as e:  # EmptyDataError is a ValueError
        raise RunFolderError(f"{metrics} is damaged ({str(e).splitlines()[0]}); the checkpoint is intact, but the "
                             f"run cannot go on writing its history. Move the file aside to resume without the "
                             f"earlier rows") from None
