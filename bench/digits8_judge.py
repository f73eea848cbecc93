"""How well does a digits8 classifier read digits written by people it never saw? (the CycleGAN's judge)

    python bench/digits8_judge.py [--classifier pretrained/digits8-classifier ...] [--n 1000] [--cyclegan FOLDER]
                                  [--per-digit]

The bundled UCI scans come from few writers, and the held-out split (360 scans) shares them with the training
split, so a digits8 classifier's held-out accuracy says little about reading another writer's digits in the same
rendering, which is what judging MNIST -> digits8 translations asks of it. This probe renders held-out MNIST digits
the way the UCI scans were made (Alpaydin & Kaynak's preprocessing: the digit's bounding box scaled to fill a
32 x 32 bitmap, the bitmap thresholded, its on-pixels counted in 4 x 4 blocks to give 8 x 8 counts 0..16) and then
exactly as `load_digits8` turns counts into 28 x 28 images; it prints each classifier's accuracy on them beside its
accuracy on the held-out scans, and the pixel 5-NN vote among the scans (no learned weights) for scale. With
--cyclegan FOLDER it also reports, per judge, the class kept by that translator's MNIST -> digits8 translations of
its own held-out MNIST digits (the `eval` set). With --per-digit, each classifier's reading digit by digit: whether
a translator loses the same digits that the judge misreads in a faithful rendering; with --cyclegan too, the same for
the other direction: the MNIST classifier on held-out scans untouched, shrunk into a 20 x 20 box centred in 28 x 28
(MNIST's framing), and translated to MNIST by F.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core.data.images import load_digits8, load_images  # noqa: E402
from gan_core.data.pixels import to_uint8, to_unit  # noqa: E402
from gan_core.evaluation.classifier import accuracy, load_classifier  # noqa: E402
from gan_core.evaluation.knn_check import knn_labels  # noqa: E402
from gan_core.training.cycle_eval import CycleEvaluator, balanced_order  # noqa: E402


def uci_render(images_uint8: np.ndarray, side: int = 28, keep_aspect: bool = False) -> np.ndarray:
    """MNIST-style digits (N, H, W) uint8 as UCI optdigits renders a scan, then resized as `load_digits8` does."""
    out = []
    for img in images_uint8:
        ink = img > 127
        rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        if len(rows) == 0:
            out.append(np.zeros((8, 8), np.float32))
            continue
        crop = torch.from_numpy(img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].astype(np.float32))[None, None]
        if keep_aspect:  # pad the shorter side so the box is square before scaling
            h, w = crop.shape[-2:]
            d = abs(h - w)
            pad = (d // 2, d - d // 2, 0, 0) if h > w else (0, 0, d // 2, d - d // 2)
            crop = F.pad(crop, pad)
        bitmap = F.interpolate(crop, size=(32, 32), mode="bilinear", align_corners=False)[0, 0] > 127
        counts = bitmap.reshape(8, 4, 8, 4).sum(dim=(1, 3)).float()  # on-pixels per 4 x 4 block, 0..16
        out.append(counts.numpy())
    grey = torch.from_numpy(np.stack(out) * (255.0 / 16.0))[:, None]
    big = F.interpolate(grey, size=(side, side), mode="bilinear", align_corners=False)
    return big[:, 0].round().clamp(0, 255).to(torch.uint8).numpy()


def mnist_framed(images_uint8: np.ndarray) -> np.ndarray:
    """28 x 28 images shrunk into a 20 x 20 box centred in 28 x 28, as MNIST frames its digits."""
    t = torch.from_numpy(images_uint8).float().unsqueeze(1)
    small = F.interpolate(t, size=(20, 20), mode="bilinear", align_corners=False, antialias=True)
    big = torch.zeros(len(t), 1, 28, 28)
    big[:, :, 4:24, 4:24] = small
    return big[:, 0].round().clamp(0, 255).to(torch.uint8).numpy()


def shown(folder: str) -> str:
    """A folder as the tables show it: relative to the repository when it is inside it."""
    path = Path(folder).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else folder


def translations(folder: str, directions: tuple[str, ...] = ("ab",)) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A CycleGAN's translations of the held-out images its `eval` uses, with their labels, per direction: "ab"
    MNIST -> digits8 (G), "ba" digits8 -> MNIST (F). The translators and the held-out sets are loaded once."""
    from gan_core.cycle_runs import load_translators
    from gan_core.data import make_dataset
    from gan_core.models.cyclegan import translate_with

    G, F_, config = load_translators(folder, "cpu")
    if config.data_a.name != "mnist" or config.data_b.name != "digits8":
        raise SystemExit(f"{folder} translates {config.data_a.name}:{config.data_b.name}, not mnist:digits8")
    data_a, data_b = (make_dataset(c, torch.device("cpu")) for c in (config.data_a, config.data_b))
    evaluator = CycleEvaluator(config, data_a, data_b, torch.device("cpu"))
    out = {}
    for direction in directions:
        source, net = ("a", G) if direction == "ab" else ("b", F_)
        images, labels = evaluator.held[source]
        out[direction] = to_uint8(translate_with(net, to_unit(images))), labels
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classifier", action="append", default=None,
                    help="a classifier folder (repeatable); default pretrained/digits8-classifier")
    ap.add_argument("--n", type=int, default=1000, help="held-out MNIST digits to render (balanced, up to 1,000)")
    ap.add_argument("--cyclegan", default=None, help="a CycleGAN folder trained on mnist:digits8 to judge as well")
    ap.add_argument("--per-digit", action="store_true", help="also each classifier's accuracy digit by digit")
    a = ap.parse_args(argv)
    test, test_y = load_images("mnist", "test")
    pick = balanced_order(test_y)[: a.n]  # the classes in turn, as the CycleGAN's own held-out set is taken
    mnist, mnist_y = test[pick], test_y[pick]
    rendered = uci_render(mnist)
    squared = uci_render(mnist, keep_aspect=True)
    scans, scans_y = load_digits8("test")
    ref, ref_y = load_digits8("train")
    print(f"{len(rendered)} MNIST test digits rendered the UCI way; {len(scans)} held-out scans")
    sets = [(scans, scans_y), (rendered, mnist_y), (squared, mnist_y)]
    head = "| judge | held-out scans | MNIST rendered (box stretched) | MNIST rendered (aspect kept) |"
    if a.cyclegan:
        translated = translations(a.cyclegan, ("ab", "ba") if a.per_digit else ("ab",))
        sets.append(translated["ab"])
        head += f" class kept by {a.cyclegan}, MNIST -> digits8 ({len(translated['ab'][0])} held-out digits) |"
    print(head)
    print("|---" * len(sets) + "|---|")
    knn = [float((knn_labels(x, ref, ref_y) == y).mean()) for x, y in sets]
    print("| pixel 5-NN among the training scans | " + " | ".join(f"{v:.1%}" for v in knn) + " |")
    folders = a.classifier or [str(ROOT / "pretrained" / "digits8-classifier")]
    models = [load_classifier(folder) for folder in folders]
    for folder, model in zip(folders, models):
        with torch.inference_mode():
            accs = [accuracy(model, x, y) for x, y in sets]
        print(f"| {shown(folder)} | " + " | ".join(f"{v:.1%}" for v in accs) + " |")
    if a.per_digit:
        names = ["held-out scans", "MNIST rendered (box stretched)", "MNIST rendered (aspect kept)", "translated"]
        rows = [(folder, model, name, x, y) for folder, model in zip(folders, models) for name, (x, y) in zip(names, sets)]
        if a.cyclegan:  # the other direction, judged by the MNIST classifier
            mnist_judge = str(ROOT / "pretrained" / "mnist-classifier")
            model = load_classifier(mnist_judge)
            back, back_y = translated["ba"]
            rows += [(mnist_judge, model, name, x, y) for name, x, y in (
                ("held-out scans", scans, scans_y), ("held-out scans in a 20 x 20 box", mnist_framed(scans), scans_y),
                (f"translated by {a.cyclegan} (digits8 -> MNIST)", back, back_y))]
        print("\nDigit by digit (share read as the digit it is):\n")
        print("| judge | images | " + " | ".join(str(d) for d in range(10)) + " |")
        print("|---|---|" + "---|" * 10)
        for folder, model, name, x, y in rows:
            with torch.inference_mode():
                pred = model(to_unit(x)).argmax(1).numpy()
            y = np.asarray(y)
            cells = [f"{np.mean(pred[y == d] == d):.0%}" for d in range(10)]
            print(f"| {shown(folder)} | {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
