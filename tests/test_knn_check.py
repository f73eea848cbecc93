"""The independent class check (gan_core/evaluation/knn_check.py): pixel k-NN votes computed by hand, the share rule
counted by hand, and both labellers catching a deliberately collapsed generator that a balanced one passes."""
import numpy as np
import pytest

from gan_core.data.images import load_images
from gan_core.evaluation.knn_check import MIN_SHARE, class_checks, knn_labels, meets_share_rule, share_summary


def _img(*pixels):
    return np.array(pixels, dtype=np.uint8).reshape(1, 2, 2)


def test_knn_vote_by_hand():
    ref = np.concatenate([_img(0, 0, 0, 0), _img(0, 0, 0, 10), _img(255, 255, 255, 255), _img(255, 255, 255, 200)])
    labels = np.array([0, 0, 1, 1])
    queries = np.concatenate([_img(0, 0, 5, 0), _img(250, 255, 255, 255), _img(120, 120, 120, 120)])
    assert knn_labels(queries, ref, labels, k=1).tolist() == [0, 1, 0]  # the grey one is nearer to black
    # k=3: two votes against one
    assert knn_labels(queries[:2], ref, labels, k=3).tolist() == [0, 1]
    # k=4, two votes each: the class of the nearest neighbour wins the tie
    assert knn_labels(queries[:2], ref, labels, k=4).tolist() == [0, 1]


def test_share_rule_by_hand():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 17 + [3] * 3)  # 100 samples: 3 of class 3 is exactly 3%
    s = share_summary(labels, 10)
    assert s["shares"][:4] == [0.5, 0.3, 0.17, 0.03] and MIN_SHARE == 0.03
    assert s["classes_covered"] == 4 and s["largest_share"] == 0.5 and s["largest_class"] == 0
    assert not meets_share_rule(s)
    balanced = share_summary(np.arange(1000) % 10, 10)
    assert balanced["classes_covered"] == 10 and balanced["largest_share"] == pytest.approx(0.1)
    assert meets_share_rule(balanced)


def _real_ones_generator(n: int, rng: np.random.Generator) -> np.ndarray:
    """A deliberately collapsed 'generator': whatever the noise, it returns a real 1 from the training set."""
    images, labels = load_images("mnist", "train")
    ones = images[labels == 1]
    return ones[rng.integers(0, len(ones), n)]


def test_a_collapsed_generator_fails_the_rule_by_both_labellers_and_a_balanced_one_passes():
    rng = np.random.default_rng(0)
    collapsed = class_checks(_real_ones_generator(400, rng), "mnist")
    for who in ("classifier", "knn"):
        assert collapsed[f"{who}_classes_covered"] == 1 and collapsed[f"{who}_largest_class"] == 1
        assert collapsed[f"{who}_largest_share"] > 0.95
        assert not meets_share_rule({k.split("_", 1)[1]: v for k, v in collapsed.items() if k.startswith(who)})
    images, _ = load_images("mnist", "train")
    balanced = class_checks(images[rng.choice(len(images), 1000, replace=False)], "mnist")
    for who in ("classifier", "knn"):
        summary = {k.split("_", 1)[1]: v for k, v in balanced.items() if k.startswith(who)}
        assert meets_share_rule(summary), summary
    # the k-NN vote is right on most real digits it never saw (its accuracy is on every card)
    assert 0.85 <= balanced["knn_accuracy"] <= 1.0
