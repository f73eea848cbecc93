"""What a worker does with one (variant, seed) run, whichever pool it is on (the local process pool of
`driver.py` or the Ray tasks of `ray_driver.py`): train it, post an "eval" message at every logged step and
a "done" or "error" message at the end. Messages are plain tuples
(kind, index, step, metrics, samples, wall_time, message), so any queue can carry them."""
from __future__ import annotations

from typing import Callable

import numpy as np

from gan_core.arena.plan import arena_metrics
from gan_core.config import TrainConfig

Post = Callable[[tuple], None]


def eval_message(index: int, trainer, config: TrainConfig) -> tuple:
    """The "eval" message of a trainer that has just logged its metrics at its current step."""
    step = trainer.step_count
    last = arena_metrics(trainer.last_eval, config.data.name)
    if config.data.is_image:  # a picture of 32 samples for the results folder
        from gan_core.data.pixels import to_uint8

        pts = to_uint8(trainer.sample(32, seed=config.seed * 7919 + step))
    else:  # the exact points the metrics were computed on (same seed as Trainer.evaluate)
        pts = trainer.sample(config.eval_samples, seed=config.seed * 7919 + step).cpu().numpy().astype(np.float32)
    return ("eval", index, step, last, pts, trainer.elapsed, "")


def train_run(index: int, config_dict: dict, device: str, post: Post, stopped: Callable[[], bool]) -> None:
    """Train one (variant, seed) and post its messages. Never raises for a failed run."""
    from gan_core.training.trainer import Trainer, TrainingDiverged

    step, wall, last = 0, 0.0, {}
    try:
        config = TrainConfig.from_dict(config_dict)
        trainer = Trainer(config, device)
        every = config.eval_every
        while trainer.step_count < config.steps:
            if stopped():
                post(("stopped", index, trainer.step_count, {}, None, trainer.elapsed, ""))
                return
            trainer.step()
            step, wall = trainer.step_count, trainer.elapsed
            if (every and step % every == 0) or step == config.steps:
                msg = eval_message(index, trainer, config)
                last = msg[3]
                post(msg)
        post(("done", index, step, last, None, wall, ""))
    except TrainingDiverged as e:
        post(("error", index, e.step, last, None, wall, str(e)))
    except Exception as e:  # noqa: BLE001 - reported as an error event, the other runs go on
        post(("error", index, step, last, None, wall, f"{type(e).__name__}: {e}"))


def train_item(indices: list[int], config_dicts: list[dict], device: str, post: Post, stopped: Callable[[], bool]) -> None:
    """Train one work item of the plan: a single run, or several seeds of one variant as a seed batch."""
    if len(indices) == 1:
        train_run(indices[0], config_dicts[0], device, post, stopped)
    else:
        train_seed_batch(indices, config_dicts, device, post, stopped)


def train_seed_batch(indices: list[int], config_dicts: list[dict], device: str, post: Post,
                     stopped: Callable[[], bool]) -> None:
    """Train several seeds of one variant as one batched model (`training/seed_batch.py`) and post each seed's
    messages as its own run would. A seed that diverges gets its error; the others go on."""
    from gan_core.training.seed_batch import SeedBatch

    active: dict[int, dict] = {k: {} for k in range(len(indices))}  # position in the batch -> last metrics
    step = 0
    try:
        configs = [TrainConfig.from_dict(d) for d in config_dicts]
        batch = SeedBatch(configs, device)
        config, every = configs[0], configs[0].eval_every
        while batch.step_count < config.steps and active:
            if stopped():
                for k in active:
                    post(("stopped", indices[k], batch.step_count, {}, None, 0.0, ""))
                return
            values = batch.step()
            step = batch.step_count
            for k, bad in enumerate(batch.diverged(values)):
                if bad and k in active:
                    del active[k]
                    post(("error", indices[k], step, {}, None, batch.elapsed / len(indices),
                          f"training diverged at step {step}: a loss or gradient norm is not finite"))
            if (every and step % every == 0) or step == config.steps:
                for k in list(active):
                    trainer = batch.sync(k)
                    trainer.last_eval = trainer.evaluate()
                    msg = eval_message(indices[k], trainer, configs[k])
                    active[k] = msg[3]
                    post(msg)
        for k, last in active.items():
            post(("done", indices[k], step, last, None, batch.elapsed / len(indices), ""))
    except Exception as e:  # noqa: BLE001 - reported as an error event of every seed still running
        for k, last in active.items():
            post(("error", indices[k], step, last, None, 0.0, f"{type(e).__name__}: {e}"))
