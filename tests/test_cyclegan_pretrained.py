"""The shipped CycleGANs (pretrained/cyclegan-*/) load and score what their cards say."""
import json
from pathlib import Path

import pytest

from gan_core.cycle_runs import evaluate_folder

PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained"
SHIPPED = sorted(p.name for p in PRETRAINED.glob("cyclegan-*"))
FILES = {"config.json", "G.safetensors", "F.safetensors", "metrics.csv", "metrics.json", "samples.png", "README.md"}


def test_a_2d_pair_and_the_digits_pair_are_shipped():
    assert {"cyclegan-moons-circles", "cyclegan-mnist-digits8"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_cyclegan_scores_what_its_card_says(name):
    folder = PRETRAINED / name
    assert {p.name for p in folder.iterdir()} == FILES
    recorded = json.loads((folder / "metrics.json").read_text())
    measured = evaluate_folder(folder)
    assert measured.keys() == recorded.keys()
    for key, value in recorded.items():
        assert measured[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    card = (folder / "README.md").read_text()
    assert f"{100 * recorded['cycle_ab']:.1f}%" in card and f"{100 * recorded['cycle_ba']:.1f}%" in card
    if "class_ab" in recorded:
        assert f"{100 * recorded['class_ab']:.1f}%" in card and f"{100 * recorded['class_ba']:.1f}%" in card
