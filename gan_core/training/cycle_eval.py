"""How well a CycleGAN translates, measured on held-out samples of both domains (never trained on).

Images (keys per direction, `ab` = A -> B with G, `ba` = B -> A with F):
    class_ab   class preserved: the share of held-out A images whose translation G(a) the *target* domain's
               evaluation classifier calls the digit a was labelled with (pretrained/<B>-classifier)
    knn_ab     class preserved, counted a second way that shares none of the classifier's blind spots: the share
               of translations G(a) whose k = 5 nearest real images of B (pixel space, Euclidean; the whole test
               split of B, never trained on) carry a's label by majority vote (`evaluation.knn_check.knn_labels`)
    cycle_ab   cycle error: mean |F(G(a)) - a| over pixels, as a fraction of the full grey range (0 = exact)
    fid_ab     FID between G(held-out A) and held-out B, in the target classifier's penultimate features
2D points:
    cycle_ab   median round-trip distance |F(G(a)) - a| as a fraction of A's spread (the root mean square
               distance of A's points to their mean)
    modes_ab, hq_ab, kl_ab   where B is a mixture with known centres: the modes G(a) covers, the share of
               high-quality translations and the reverse KL (`evaluation.modes2d`)
    grid_js_ab the Jensen-Shannon divergence between G(a) and B on a 30 x 30 grid of B's view
The held-out samples: `eval_samples` images of the `test` split of each image set, taken class by class in turn
(`balanced_order`: the bundled MNIST test split is sorted by label, so its first 360 images are only 0s to 3s),
or `eval_samples` 2D points
drawn from each domain with the seed + 4 stream. `panel_a` / `panel_b` are fixed inputs for progress pictures.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_core.cycle_config import CycleConfig
from gan_core.data.pixels import to_uint8, to_unit
from gan_core.evaluation.modes2d import grid_divergences, mode_metrics
from gan_core.models.cyclegan import translate_with

PANEL_IMAGES = 8
PANEL_POINTS = 300


def balanced_order(labels: np.ndarray) -> np.ndarray:
    """Indices of `labels` taken class by class in turn (the first of each class in file order, then the second
    of each ...), so any prefix holds the classes in equal shares while they last, whatever the file's order."""
    labels = np.asarray(labels)
    rank = np.empty(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rank[idx] = np.arange(len(idx))
    return np.lexsort((labels, rank))  # by rank within the class, then by class


def spread(points: np.ndarray) -> float:
    """Root mean square distance of (N, 2) points to their mean."""
    p = np.asarray(points, dtype=np.float64)
    return float(np.sqrt(((p - p.mean(0)) ** 2).sum(1).mean()))


class CycleEvaluator:
    def __init__(self, config: CycleConfig, data_a, data_b, device: torch.device):
        self.config, self.device = config, device
        self.is_image = config.is_image
        n = config.eval_samples
        if self.is_image:
            from gan_core.data.images import load_images

            self.held, self.reference = {}, {}
            for side, dc in (("a", config.data_a), ("b", config.data_b)):
                x, y = load_images(dc.name, "test", dc.data_dir)
                self.reference[side] = (x, y)  # the whole test split: the k-NN vote's real images
                pick = balanced_order(y)[:n]
                self.held[side] = (x[pick], y[pick])  # uint8 (n, 28, 28), int64 (n,)
            self.panel_a = to_unit(self.held["a"][0][:PANEL_IMAGES]).to(device)
            self.panel_b = to_unit(self.held["b"][0][:PANEL_IMAGES]).to(device)
            self._classifiers: dict = {}
            self._real_stats: dict = {}
        else:
            g = torch.Generator(device=device).manual_seed(config.seed + 4)
            self.sources = {"a": data_a.source, "b": data_b.source}
            self.held = {"a": data_a.source.sample(n, g), "b": data_b.source.sample(n, g)}  # (n, 2) each
            self.panel_a, self.panel_b = self.held["a"][:PANEL_POINTS], self.held["b"][:PANEL_POINTS]

    def __call__(self, G: torch.nn.Module, F: torch.nn.Module) -> dict:
        out: dict = {}
        for d, src, dst, fwd, back in (("ab", "a", "b", G, F), ("ba", "b", "a", F, G)):
            if self.is_image:
                x = to_unit(self.held[src][0]).to(self.device)
                y = translate_with(fwd, x)
                rec = translate_with(back, y)
                out.update(self._image_metrics(d, dst, to_uint8(y), self.held[src][1]))
                out[f"cycle_{d}"] = float((rec - x).abs().mean()) / 2.0  # [-1, 1] spans the grey range twice
            else:
                x = self.held[src]
                y = translate_with(fwd, x)
                rec = translate_with(back, y)
                err = (rec - x).norm(dim=1).median().item()
                out[f"cycle_{d}"] = err / max(spread(x.cpu().numpy()), 1e-12)
                out.update(self._point_metrics(d, dst, y.cpu().numpy()))
        return out

    def _point_metrics(self, d: str, dst: str, translated: np.ndarray) -> dict:
        source = self.sources[dst]
        out = {}
        if source.mixture is not None:
            m = mode_metrics(translated, source.mixture.centres, source.mixture.sigma)
            out.update({f"modes_{d}": m.modes, f"hq_{d}": m.hq, f"kl_{d}": m.kl})
        js = grid_divergences(self.held[dst].cpu().numpy(), translated, source.bounds())["grid_js"]
        out[f"grid_js_{d}"] = js
        return out

    def classifier(self, side: str):
        """The evaluation classifier of a domain (its shipped pretrained/<name>-classifier), loaded once."""
        if side not in self._classifiers:
            from gan_core.evaluation.classifier import default_classifier

            name = (self.config.data_a if side == "a" else self.config.data_b).name
            self._classifiers[side] = default_classifier(name, self.device)
        return self._classifiers[side]

    def _image_metrics(self, d: str, dst: str, translated: np.ndarray, labels: np.ndarray) -> dict:
        from gan_core.evaluation.image_metrics import classifier_outputs, feature_statistics, frechet_distance
        from gan_core.evaluation.knn_check import knn_labels

        clf = self.classifier(dst)
        feats, probs = classifier_outputs(translated, clf)
        if dst not in self._real_stats:
            real_feats, _ = classifier_outputs(self.held[dst][0], clf)
            self._real_stats[dst] = feature_statistics(real_feats)
        ref_x, ref_y = self.reference[dst]
        return {f"class_{d}": float((probs.argmax(1) == labels).mean()),
                f"knn_{d}": float((knn_labels(translated, ref_x, ref_y) == labels).mean()),
                f"fid_{d}": frechet_distance(*self._real_stats[dst], *feature_statistics(feats))}
