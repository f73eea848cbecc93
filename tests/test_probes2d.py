"""The 2D probes (gan_core/evaluation/probes2d.py): what they draw, and that drawing never changes the training."""
import numpy as np
import torch

from gan_core import Trainer
from gan_core.evaluation.probes2d import GRID, N_ARROWS, views_2d


def test_drawing_a_run_does_not_change_its_numbers(tiny_config):
    """Same seed, same config: a run whose pictures are drawn between steps trains exactly like one that is not
    (no random stream drawn from, no network left in another mode, no spectral-norm power iteration)."""
    cfg = tiny_config(variant="hinge+sn+pacgan-2", data={"name": "ring8"}, steps=6)
    watched, plain = Trainer(cfg), Trainer(cfg)
    z = watched.noise(64, seed=1)
    for _ in range(6):
        views_2d(watched, None, z)
        a, b = watched.step(), plain.step()
        assert (a.d_loss, a.g_loss, a.d_grad) == (b.d_loss, b.g_loss, b.d_grad)
    assert watched.D.training and watched.G.training
    assert all(torch.equal(p, q) for p, q in zip(watched.G.parameters(), plain.G.parameters()))


def test_what_the_probes_draw(tiny_config):
    t = Trainer(tiny_config(data={"name": "ring8"}, model={"z_dim": 2}))
    z = t.noise(200, seed=3)
    assert torch.equal(z, t.noise(200, seed=3)) and z.shape == (200, 2)
    v = views_2d(t, np.zeros((5, 2), np.float32), z)
    assert v.d_map.shape == (GRID, GRID) and v.d_is_probability  # ns: D's output is a probability
    assert ((v.d_map > 0) & (v.d_map < 1)).all()
    assert v.fake.shape == (200, 2) and np.allclose(v.fake, t.generate(z).numpy())
    assert v.arrow_from.shape == (N_ARROWS, 2)
    assert np.allclose(np.linalg.norm(v.arrow_dir, axis=1), 1.0, atol=1e-5)  # unit directions
    assert v.manifold.shape == (26, 40, 2) and v.centres.shape == (8, 2) and v.covered.dtype == bool
    # the arrows point where G's loss falls: a small move along them lowers the loss on those fakes
    xa = torch.from_numpy(v.arrow_from)
    before = t.objective.g_loss(t.D(xa)).item()
    after = t.objective.g_loss(t.D(xa + 1e-3 * torch.from_numpy(v.arrow_dir).float())).item()
    assert after < before
