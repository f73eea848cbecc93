"""What a training step returns and how it fails: small dataclasses of numbers, and the divergence error."""
from __future__ import annotations

import math
from dataclasses import dataclass

# A loss or gradient norm beyond this is treated as divergence too: with saturating activations a
# huge learning rate can leave every number finite yet meaningless (losses of 1e8 and zero gradients).
EXPLODED = 1e7


class TrainingDiverged(RuntimeError):
    """A loss, gradient or weight became NaN or infinite (or exploded past EXPLODED). The trainer keeps its last good state."""

    def __init__(self, step: int, quantity: str, value: float):
        self.step, self.quantity, self.value = step, quantity, value
        what = f"became {value}" if not math.isfinite(value) else f"exploded to {value:.3g}"
        super().__init__(f"training diverged at step {step}: {quantity} {what}. "
                         f"The last good state is kept: lower the learning rates and go on from it, or start again.")


@dataclass
class DStepResult:
    d_loss: float
    d_real: float   # mean D(x): a probability for minimax/ns, the raw score for other objectives
    d_fake: float   # mean D(G(z)), same scale
    d_grad: float   # L2 norm of D's gradient


@dataclass
class GStepResult:
    g_loss: float
    g_grad: float


@dataclass
class StepResult:
    step: int
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float
    d_grad: float
    g_grad: float
    wall_time: float
