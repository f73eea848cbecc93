"""Image-GAN metrics computed with the evaluation classifier (nothing downloaded).

All feature-based metrics use the classifier's penultimate features (`Classifier.features`,
128-d) instead of Inception-v3's, so the numbers are comparable with each other within this
project, not with published FID/IS values.

    frechet_distance      FID between two Gaussians fitted to features
    inception_score       exp(E_x KL(p(y|x) || p(y))) on the classifier's softmax
    class_histogram_metrics   classes covered and KL(predicted-class histogram || uniform)
    precision_recall      k-NN manifold precision / recall (Kynkaanniemi et al. 2019)
    density_coverage      density / coverage (Naeem et al. 2020)
    stacked_mnist_modes   modes of Stacked MNIST hit (out of 1,000) and KL to uniform
    evaluate_images       all of the above for a batch of generated images

Inputs may be numpy arrays or torch tensors; outputs are Python floats / ints.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from gan_core.evaluation.classifier import Classifier
from gan_core.data.pixels import to_unit

ArrayLike = np.ndarray | torch.Tensor
CHUNK = 1024  # rows of a distance matrix computed at once: 1024 x 10,000 float64 = 82 MB


def _np64(x: ArrayLike) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _feats(x: ArrayLike, name: str) -> torch.Tensor:
    """Features as float64 (N, F) on the CPU, validated."""
    t = torch.as_tensor(_np64(x))
    if t.ndim != 2 or len(t) < 2:
        raise ValueError(f"{name} must be a (N, F) feature matrix with N >= 2; got shape {tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} holds NaN or infinite values; check the images fed to the classifier")
    return t


# --------------------------------------------------------------------------- Frechet distance

# The linear algebra runs in torch (float64): numpy's OpenBLAS starts its own threads beside torch's, and on a
# busy CPU its 128 x 128 covariance and eigen-decomposition took 0.1-0.5 s instead of 2 ms (BENCHMARKS.md,
# "Evaluation cost"); torch's follow `torch.set_num_threads` (the CLI's --threads).

def feature_statistics(feats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(mu (F,), Sigma (F, F)) of a feature matrix (N, F): mean and unbiased covariance."""
    f = _feats(feats, "feats")
    return f.mean(dim=0).numpy(), torch.cov(f.T).reshape(f.shape[1], f.shape[1]).numpy()


def _psd_sqrt(s: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric PSD matrix via its eigen-decomposition."""
    w, v = torch.linalg.eigh((s + s.T) / 2)
    return (v * w.clamp(min=0.0).sqrt()) @ v.T


def frechet_distance(mu1: ArrayLike, s1: ArrayLike, mu2: ArrayLike, s2: ArrayLike) -> float:
    """Frechet distance between N(mu1, S1) and N(mu2, S2):

        d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))

    Tr((S1 S2)^(1/2)) is computed as sum_i sqrt(lambda_i) with lambda_i the eigenvalues of the
    symmetric PSD matrix S1^(1/2) S2 S1^(1/2), which has the same spectrum as S1 S2. This is real
    by construction (no tiny imaginary parts as with scipy.linalg.sqrtm) and stable for
    singular covariances. Scalars are accepted for 1-D Gaussians (s1, s2 are then variances):
    d^2 = (mu1 - mu2)^2 + (sigma1 - sigma2)^2.
    """
    m1, m2 = np.atleast_1d(_np64(mu1)), np.atleast_1d(_np64(mu2))
    c1, c2 = np.atleast_2d(_np64(s1)), np.atleast_2d(_np64(s2))
    d = m1.shape[0]
    if m1.shape != (d,) or m2.shape != (d,) or c1.shape != (d, d) or c2.shape != (d, d):
        raise ValueError(f"frechet_distance needs means (F,) and covariances (F, F) of one size; got "
                         f"{m1.shape}, {c1.shape}, {m2.shape}, {c2.shape}")
    m1, m2, c1, c2 = (torch.tensor(a) for a in (m1, m2, c1, c2))  # copies: the inputs may be read-only
    root1 = _psd_sqrt(c1)
    middle = root1 @ c2 @ root1  # (F, F), symmetric PSD
    eig = torch.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = eig.clamp(min=0.0).sqrt().sum()
    value = float(((m1 - m2) ** 2).sum() + c1.trace() + c2.trace() - 2.0 * tr_covmean)
    return max(value, 0.0)  # round-off can give -1e-12 for identical Gaussians


# --------------------------------------------------------------------------- class-probability metrics

def inception_score(probs: ArrayLike, eps: float = 1e-12) -> float:
    """IS = exp( E_x KL(p(y|x) || p(y)) ), p(y) = E_x p(y|x).

    probs: (N, K) rows of class probabilities. Ranges from 1 (every image gets the same
    prediction) to K (confident predictions spread evenly over the K classes).
    """
    p = _np64(probs)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probs must be (N, K) class probabilities; got shape {p.shape}")
    if (p < -1e-6).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("probs rows must be probabilities summing to 1 (apply softmax to logits first)")
    p = np.clip(p, 0.0, 1.0)
    marginal = p.mean(axis=0, keepdims=True)  # (1, K)
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)  # (N,)
    return float(np.exp(kl.mean()))


def class_histogram_metrics(pred_labels: ArrayLike, n_classes: int) -> dict:
    """Predicted-class histogram p (p_c = share of images labelled c) and:

        coverage = #{c : p_c > 0}                         (classes seen, out of n_classes)
        class_kl = KL(p || U) = sum_c p_c log(p_c * n_classes) = log(n_classes) - H(p)

    class_kl is 0 for a perfectly balanced generator and log(n_classes) when one class is all
    it makes. Returns {"coverage": int, "class_kl": float, "histogram": (n_classes,) float array}.
    """
    labels = _np64(pred_labels).astype(np.int64).ravel()
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"n_classes={n_classes!r} must be a positive whole number")
    if labels.size == 0 or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"pred_labels must be a non-empty set of labels in 0..{n_classes - 1}")
    hist = np.bincount(labels, minlength=n_classes) / labels.size  # (K,)
    seen = hist > 0
    kl = float((hist[seen] * np.log(hist[seen] * n_classes)).sum())
    return {"coverage": int(seen.sum()), "class_kl": max(kl, 0.0), "histogram": hist}


# --------------------------------------------------------------------------- k-NN manifold metrics

def _kth_nn_radius(x: torch.Tensor, k: int) -> torch.Tensor:
    """(N,) distance from each row of x to its k-th nearest other row (chunked cdist)."""
    if not 1 <= k < len(x):
        raise ValueError(f"k={k} must be between 1 and the number of samples minus 1 ({len(x) - 1})")
    radii = []
    for start in range(0, len(x), CHUNK):
        d = torch.cdist(x[start:start + CHUNK], x)  # (c, N); the point itself is at distance 0
        radii.append(d.topk(k + 1, dim=1, largest=False).values[:, k])
    return torch.cat(radii)


def _ball_counts(queries: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> torch.Tensor:
    """(Q,) for each query, how many balls B(centre_j, radius_j) contain it."""
    counts = []
    for start in range(0, len(queries), CHUNK):
        d = torch.cdist(queries[start:start + CHUNK], centres)  # (c, M)
        counts.append((d <= radii[None, :]).sum(dim=1))
    return torch.cat(counts)


def precision_recall(real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019).

    With NN_k(x, S) the distance from x to its k-th nearest neighbour in S (itself excluded):
        precision = 1/M sum_j 1[ exists i: ||f_j - r_i|| <= NN_k(r_i, R) ]   (fakes on the real manifold)
        recall    = 1/N sum_i 1[ exists j: ||r_i - f_j|| <= NN_k(f_j, F) ]   (reals on the fake manifold)
    """
    real, fake = _feats(real_feats, "real_feats"), _feats(fake_feats, "fake_feats")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake features differ in width: {real.shape[1]} vs {fake.shape[1]}")
    precision = (_ball_counts(fake, real, _kth_nn_radius(real, k)) > 0).double().mean()
    recall = (_ball_counts(real, fake, _kth_nn_radius(fake, k)) > 0).double().mean()
    return float(precision), float(recall)


def manifold_metrics(real_feats: ArrayLike, fake_feats: ArrayLike, k_pr: int = 3, k_dc: int = 5,
                     real_radii: dict[int, torch.Tensor] | None = None) -> dict[str, float]:
    """precision / recall (k_pr) and density / coverage (k_dc) in one pass: the same numbers as
    `precision_recall` and `density_coverage`, from two distance matrices instead of six (the fake-real matrix
    serves all four metrics, read by rows for the fakes and by columns for the reals; the fake-fake one gives the
    fakes' radii). real_radii: {k: NN_k(r_i, R)} kept from an earlier call for the
    same real features (`real_manifold_radii`), so a trainer's evaluator measures the real manifold once."""
    real, fake = _feats(real_feats, "real_feats"), _feats(fake_feats, "fake_feats")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake features differ in width: {real.shape[1]} vs {fake.shape[1]}")
    radii = real_radii if real_radii is not None else real_manifold_radii(real, (k_pr, k_dc))
    r_pr, r_dc = radii[k_pr], radii[k_dc]
    fake_radii = _kth_nn_radius(fake, k_pr)
    in_pr, in_dc = [], []
    in_fake = torch.zeros(len(real), dtype=torch.long)  # per real: the fake balls that hold it (recall)
    nearest = torch.full((len(real),), math.inf, dtype=real.dtype)  # per real: its nearest fake (coverage)
    for start in range(0, len(fake), CHUNK):
        # one fake-real matrix serves both sides: its rows for the fakes, its columns for the reals
        d = torch.cdist(fake[start:start + CHUNK], real)  # (c, N)
        in_pr.append((d <= r_pr[None, :]).sum(dim=1))
        in_dc.append((d <= r_dc[None, :]).sum(dim=1))
        in_fake += (d <= fake_radii[start:start + CHUNK, None]).sum(dim=0)
        nearest = torch.minimum(nearest, d.min(dim=0).values)
    return {"precision": float((torch.cat(in_pr) > 0).double().mean()),
            "recall": float((in_fake > 0).double().mean()),
            "density": float(torch.cat(in_dc).double().sum() / (k_dc * len(fake))),
            "coverage_dc": float((nearest <= r_dc).double().mean())}


def real_manifold_radii(real_feats: ArrayLike, ks: tuple[int, ...] = (3, 5)) -> dict[int, torch.Tensor]:
    """{k: (N,) distance from each real feature to its k-th nearest other one}, for `manifold_metrics`."""
    real = _feats(real_feats, "real_feats")
    return {k: _kth_nn_radius(real, k) for k in dict.fromkeys(ks)}


def density_coverage(real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 5) -> tuple[float, float]:
    """Density and coverage (Naeem et al. 2020), with balls around the real samples only:

        density  = 1/(k M) sum_j sum_i 1[ ||f_j - r_i|| <= NN_k(r_i, R) ]    (about 1 for a match; can exceed 1)
        coverage = 1/N sum_i 1[ min_j ||r_i - f_j|| <= NN_k(r_i, R) ]        (share of real balls hit)
    """
    real, fake = _feats(real_feats, "real_feats"), _feats(fake_feats, "fake_feats")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake features differ in width: {real.shape[1]} vs {fake.shape[1]}")
    radii = _kth_nn_radius(real, k)  # (N,)
    density = _ball_counts(fake, real, radii).double().sum() / (k * len(fake))
    covered = []
    for start in range(0, len(real), CHUNK):
        nearest_fake = torch.cdist(real[start:start + CHUNK], fake).min(dim=1).values  # (c,)
        covered.append(nearest_fake <= radii[start:start + CHUNK])
    return float(density), float(torch.cat(covered).double().mean())


# --------------------------------------------------------------------------- classifier passes

def _grey_images(images: ArrayLike, name: str) -> ArrayLike:
    """Accept (N, 28, 28) or (N, 1, 28, 28) uint8 grey images."""
    shape = tuple(images.shape)
    if not (len(shape) == 3 or (len(shape) == 4 and shape[1] == 1)) or shape[-2:] != (28, 28) or shape[0] == 0:
        raise ValueError(f"{name} must be uint8 grey images (N, 28, 28) or (N, 1, 28, 28); got shape {shape}")
    return images


@torch.inference_mode()
def classifier_outputs(images_uint8: ArrayLike, classifier: Classifier, batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, F) float64, softmax probabilities (N, K) float64) of uint8 grey images.

    Batches of 64 in channels-last layout: the same numbers as one batch in the default layout, in a fraction of
    the time on a CPU (the first convolution's activations, 200 KB an image, stay in cache; batches of 200 took
    twice as long on a busy 2-core machine; BENCHMARKS.md, "Evaluation cost")."""
    device = next(classifier.parameters()).device
    classifier.eval()
    feats, probs = [], []
    for start in range(0, len(images_uint8), batch_size):
        x = to_unit(images_uint8[start:start + batch_size]).to(device)  # (b, 1, 28, 28)
        x = x.contiguous(memory_format=torch.channels_last)
        f = classifier.features(x)  # (b, F)
        feats.append(f.double().cpu())
        probs.append(torch.softmax(classifier.head(f), dim=1).double().cpu())  # (b, K)
    return torch.cat(feats).numpy(), torch.cat(probs).numpy()


def stacked_mnist_modes(images_uint8: ArrayLike, classifier: Classifier, batch_size: int = 64) -> dict:
    """Modes of Stacked MNIST: label each channel with the MNIST classifier, mode = 100 d0 + 10 d1 + d2.

    Returns {"modes": number of the 1,000 modes hit at least once,
             "kl": KL(p_gen || uniform over 1,000) = log(1000) - H(p_gen)}.
    """
    shape = tuple(images_uint8.shape)
    if len(shape) != 4 or shape[1:] != (28, 28, 3):
        raise ValueError(f"Stacked MNIST images must be uint8 (N, 28, 28, 3); got shape {shape}")
    digits = []
    for c in range(3):
        _, p = classifier_outputs(images_uint8[..., c], classifier, batch_size)  # (N, 10)
        digits.append(p.argmax(axis=1))
    modes = 100 * digits[0] + 10 * digits[1] + digits[2]  # (N,)
    hist = class_histogram_metrics(modes, 1000)
    return {"modes": hist["coverage"], "kl": hist["class_kl"]}


def evaluate_images(fake_uint8: ArrayLike, real_uint8: ArrayLike, classifier: Classifier, n_classes: int = 10) -> dict:
    """Every metric for generated grey images against real ones, in batches of 500.

    Keys: fid, is, coverage (classes predicted at least once), class_kl (KL of the predicted
    class histogram to uniform), precision, recall (k = 3), density, coverage_dc
    (density/coverage's coverage, k = 5), mean_confidence (mean max softmax probability).
    """
    fake = _grey_images(fake_uint8, "fake_uint8")
    real = _grey_images(real_uint8, "real_uint8")
    if len(fake) < 6 or len(real) < 6:
        raise ValueError(f"need at least 6 fake and 6 real images for the k-NN metrics; got {len(fake)} and {len(real)}")
    fake_f, fake_p = classifier_outputs(fake, classifier)
    real_f, _ = classifier_outputs(real, classifier)
    hist = class_histogram_metrics(fake_p.argmax(axis=1), n_classes)
    precision, recall = precision_recall(real_f, fake_f, k=3)
    density, coverage_dc = density_coverage(real_f, fake_f, k=5)
    return {
        "fid": frechet_distance(*feature_statistics(real_f), *feature_statistics(fake_f)),
        "is": inception_score(fake_p),
        "coverage": hist["coverage"],
        "class_kl": hist["class_kl"],
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage_dc": coverage_dc,
        "mean_confidence": float(fake_p.max(axis=1).mean()),
    }


__all__ = [
    "feature_statistics", "frechet_distance", "inception_score", "class_histogram_metrics",
    "precision_recall", "density_coverage", "classifier_outputs", "stacked_mnist_modes", "evaluate_images",
]
