"""GAN Classroom's engine: data, models, objectives, stabilisers, a step-wise trainer and metrics.

Free of any UI code. Quick start:

    from gan_core import TrainConfig, Trainer
    trainer = Trainer(TrainConfig(steps=1000))
    trainer.train()
"""
from gan_core.config import DataConfig, ModelConfig, OptimConfig, TrainConfig
from gan_core.device import resolve_device
from gan_core.training.results import StepResult, TrainingDiverged
from gan_core.training.trainer import Trainer

__all__ = ["DataConfig", "ModelConfig", "OptimConfig", "TrainConfig", "Trainer", "StepResult", "TrainingDiverged",
           "resolve_device"]
