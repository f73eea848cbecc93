"""GAN Classroom's engine: data, models, objectives, stabilisers, a step-wise trainer and metrics.

Free of any UI code. Quick start:

    from gan_core import TrainConfig, Trainer
    trainer = Trainer(TrainConfig(steps=1000))
    trainer.train()
"""
from __future__ import annotations

import importlib

# Loaded on first use (PEP 562), so that `import gan_core.config` does not import torch: the dashboard draws its
# first page from the settings alone and imports torch while the browser is still drawing (dashboard/warm_up.py).
_EXPORTS = {
    "DataConfig": "gan_core.config", "ModelConfig": "gan_core.config", "OptimConfig": "gan_core.config",
    "TrainConfig": "gan_core.config", "resolve_device": "gan_core.device",
    "StepResult": "gan_core.training.results", "TrainingDiverged": "gan_core.training.results",
    "Trainer": "gan_core.training.trainer",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gan_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
