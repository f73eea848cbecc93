"""bfloat16 matrix products (`precision="bfloat16"`): the fast path must learn what the float32 path learns.

The layers that read or write 2D points stay float32 (`PreciseLinear`); the hidden layers run in bfloat16.
Tolerances: bfloat16 keeps 8 bits of mantissa (relative error up to 2**-8 per product), so the two paths
agree closely but not bit for bit; the bounds below are stated in the test.
"""
import torch

from gan_core import TrainConfig, Trainer
from gan_core.models import PreciseLinear


def test_precise_linear_stays_float32_under_autocast():
    torch.manual_seed(0)
    layer = PreciseLinear(128, 2)
    x = torch.randn(64, 128)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = layer(x.bfloat16())
        plain = torch.nn.functional.linear(x, layer.weight, layer.bias)
    assert y.dtype == torch.float32 and plain.dtype == torch.bfloat16  # autocast is on, yet this layer ignores it
    assert torch.allclose(y, torch.nn.functional.linear(x.bfloat16().float(), layer.weight, layer.bias), atol=1e-6)


def test_the_layers_at_the_points_are_precise_on_2d_data_only():
    t = Trainer(TrainConfig.from_dict({"data": {"name": "ring8"}, "precision": "bfloat16"}))
    linears = lambda m: [x for x in m.modules() if isinstance(x, torch.nn.Linear)]  # noqa: E731
    g, d = linears(t.G), linears(t.D)
    assert isinstance(g[-1], PreciseLinear) and not any(isinstance(x, PreciseLinear) for x in g[:-1])
    assert isinstance(d[0], PreciseLinear) and not any(isinstance(x, PreciseLinear) for x in d[1:])
    with torch.no_grad(), t._autocast():
        assert t.G(torch.randn(8, t.config.model.z_dim)).dtype == torch.float32  # points never pass through bf16


def _run(precision: str, steps: int = 40):
    cfg = TrainConfig.from_dict({"data": {"name": "ring8"}, "precision": precision, "seed": 3, "steps": steps,
                                 "eval_every": 0, "log_every": 1,
                                 "model": {"g_hidden": [128, 128], "d_hidden": [128, 128], "z_dim": 256}})
    t = Trainer(cfg)
    t.train()
    return t


def test_bfloat16_follows_the_float32_run_step_by_step():
    """Same seed, same batches: over 40 steps the losses agree within 1% (measured: 0.04%), D's outputs within
    0.02, and G's outputs differ by under 2% of the distance G travelled from its initial weights (measured 0.7%)."""
    a, b = _run("float32"), _run("bfloat16")
    assert b.amp and not a.amp
    ha, hb = a.history, b.history
    for col in ("d_loss", "g_loss"):
        rel = ((ha[col] - hb[col]).abs() / ha[col].abs()).max()
        assert rel < 0.01, (col, rel)
    for col in ("d_real", "d_fake"):
        assert (ha[col] - hb[col]).abs().max() < 0.02, col
    start = Trainer(a.config)  # the same initial weights (same seed)
    z = torch.randn(256, 256, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        gap = (a.G(z) - b.G(z)).norm(dim=1).median()
        travelled = (a.G(z) - start.G(z)).norm(dim=1).median()
    assert gap < 0.02 * travelled, (gap, travelled)
