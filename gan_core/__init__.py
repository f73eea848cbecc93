"""GAN Classroom's engine: data, models, objectives, stabilisers, a step-wise trainer and metrics.

Free of any UI code. Quick start:

    from gan_core import TrainConfig, Trainer
    trainer = Trainer(TrainConfig(steps=1000))
    trainer.train()
"""
from gan_core.config import DataConfig, ModelConfig, OptimConfig, TrainConfig
from gan_core.training.trainer import StepResult, Trainer, TrainingDiverged, resolve_device

__all__ = ["DataConfig", "ModelConfig", "OptimConfig", "TrainConfig", "Trainer", "StepResult", "TrainingDiverged",
           "resolve_device"]
