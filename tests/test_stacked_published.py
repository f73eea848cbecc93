"""bench/stacked_mnist_published_cost.py builds PacGAN's Stacked MNIST networks as its authors' code has them."""
import importlib.util
from pathlib import Path

import torch

SPEC = importlib.util.spec_from_file_location(
    "stacked_cost", Path(__file__).resolve().parents[1] / "bench" / "stacked_mnist_published_cost.py")
cost = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cost)


def test_the_published_networks_have_the_published_shapes():
    g, d = cost.generator().eval(), cost.discriminator(pack=2).eval()
    x = g(torch.zeros(3, 100))
    assert x.shape == (3, 3, 28, 28) and x.abs().max() <= 1
    # The feature maps of the paper's code: 2 -> 4 -> 7 -> 14 -> 28 in G, 28 -> 14 -> 7 -> 4 -> 2 in D.
    sizes = [m(torch.zeros(1, 100)).shape[-1] for m in [g[:4], g[:7], g[:10], g[:13]]]
    assert sizes == [2, 4, 7, 14]
    assert d(torch.cat([x, x], dim=1)).shape == (3, 1)
    assert sum(p.numel() for p in d[0].parameters()) == 6 * 64 * 25 + 64  # packing widens only the first layer
