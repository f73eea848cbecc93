"""gan_core.latent: interpolation, principal directions, inversion, picture uploads."""
import io
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_core import latent as L
from gan_core.config import ModelConfig
from gan_core.models import build_generator

ROOT = Path(__file__).resolve().parents[1]


def test_lerp_and_slerp_endpoints():
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(16, generator=g), torch.randn(16, generator=g)
    for f in (L.lerp, L.slerp):
        assert torch.allclose(f(z0, z1, 0.0), z0, atol=1e-5)
        assert torch.allclose(f(z0, z1, 1.0), z1, atol=1e-5)
    assert torch.allclose(L.lerp(z0, z1, 0.5), (z0 + z1) / 2)


def test_slerp_keeps_the_norm_and_lerp_does_not():
    z0 = torch.tensor([3.0, 0.0])
    z1 = torch.tensor([0.0, 3.0])
    mid = L.slerp(z0, z1, 0.5)
    assert mid.norm().item() == pytest.approx(3.0, abs=1e-5)
    assert torch.allclose(mid, torch.tensor([3 / math.sqrt(2), 3 / math.sqrt(2)]), atol=1e-5)
    assert L.lerp(z0, z1, 0.5).norm().item() == pytest.approx(3 / math.sqrt(2), abs=1e-5)
    path = L.interpolate(z0, z1, 5, "slerp")
    assert path.shape == (5, 2) and torch.allclose(path.norm(dim=1), torch.full((5,), 3.0), atol=1e-5)
    # parallel latents: falls back to lerp instead of dividing by sin(0)
    assert torch.isfinite(L.slerp(z0, 2 * z0, 0.5)).all()
    with pytest.raises(ValueError):
        L.interpolate(z0, z1, 4, "cubic")


@pytest.mark.parametrize("kind,shape", [("mlp", (2,)), ("dcgan", (1, 28, 28))])
def test_directions_are_orthonormal(kind, shape):
    cfg = ModelConfig(kind=kind, z_dim=16, g_hidden=(32,), width=8)
    G = build_generator(cfg, shape, 0, torch.Generator().manual_seed(0))
    dirs, var = L.principal_directions(G, 16, k=6, n=400)
    assert dirs.shape == (6, 16)
    assert torch.allclose(dirs @ dirs.T, torch.eye(6), atol=1e-5)
    assert np.all(np.diff(var) <= 1e-12) and 0 < var.sum() <= 1 + 1e-9


def test_directions_match_the_full_svd_and_report_progress():
    """On a trained generator (the shipped MNIST DCGAN) the randomised SVD finds the full SVD's axes."""
    from gan_core.runs import load_generator

    G, cfg, _, _ = load_generator(ROOT / "pretrained" / "mnist-dcgan")
    seen = []
    dirs, var = L.principal_directions(G, cfg.model.z_dim, k=4, n=600, progress=lambda f, what: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    z = L.seeded_noise(600, cfg.model.z_dim, "normal", 0)
    with torch.no_grad():
        h = L.first_hidden(G)(z, None).flatten(1).double()
    h = h - h.mean(0)
    assert min(h.shape) >= 256  # large enough that the randomised path ran
    _, s, vt = torch.linalg.svd(h, full_matrices=False)
    assert np.allclose(var, ((s ** 2) / (s ** 2).sum())[:4].numpy(), rtol=1e-4)
    u = torch.linalg.lstsq(h @ vt[:4].T, z.double()).solution
    exact, _ = torch.linalg.qr(u.T)
    assert torch.allclose((dirs.double() @ exact).diagonal().abs(), torch.ones(4, dtype=torch.float64), atol=1e-4)
    again, _ = L.principal_directions(G, cfg.model.z_dim, k=4, n=600)
    assert torch.equal(dirs, again)  # same seed, same directions


def test_inversion_reduces_the_error_on_its_own_sample():
    cfg = ModelConfig(kind="mlp", z_dim=8, g_hidden=(64,), activation="tanh")
    G = build_generator(cfg, (1, 28, 28), 0, torch.Generator().manual_seed(1)).eval()
    with torch.no_grad():
        target = G(torch.randn(1, 8, generator=torch.Generator().manual_seed(5)))[0]
    before = [p.clone() for p in G.parameters()]
    seen = []
    z, losses = L.invert(G, target, steps=60, seed=0, lr=0.1, progress_callback=lambda i, m: seen.append(i))
    assert z.shape == (8,)
    assert losses[-1] < 0.5 * losses[0]
    assert seen == list(range(1, 61))
    assert all(torch.equal(a, b) for a, b in zip(before, G.parameters()))  # G itself never moves


def _png(array: np.ndarray, mode: str = "L") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array, mode=mode if array.ndim == 2 else None).save(buf, format="PNG")
    return buf.getvalue()




def test_inversion_of_a_style_generator_starts_from_the_closest_of_many_latents():
    """Browser rehearsal: on mnist-style, held-out digit 0 came out as a 7-like stroke (pixel error 0.60 -> 0.46)
    from a single random start. Starting from the closest of 256 random latents it is drawn closely."""
    from gan_core.data.images import load_images
    from gan_core.data.pixels import to_unit
    from gan_core.runs import load_generator

    G = load_generator(Path(__file__).resolve().parents[1] / "pretrained" / "mnist-style")[0]
    x, _ = load_images("mnist", "test", download=False)
    target = to_unit(x[:1])[0]
    _, one = L.invert(G, target, steps=100, seed=0, starts=1)
    _, best = L.invert(G, target, steps=100, seed=0)
    assert best[-1] < 0.1 < one[-1], (one[-1], best[-1])
    with pytest.raises(ValueError, match="starts"):
        L.invert(G, target, steps=1, starts=0)
