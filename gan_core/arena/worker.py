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
