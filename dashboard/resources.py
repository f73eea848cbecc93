"""Shared and per-session resources of the app.

- Shared, read-only (st.cache_resource, global): the list of shipped generators and the generators
  themselves, the evaluation classifiers; their principal directions in a plain process-wide cache. Nobody mutates them: pages copy a tensor before editing it.
- Per session (st.cache_resource(scope="session")): the training runner and the arena runner. When the
  browser tab closes, Streamlit drops the session's entries and `on_release` stops their threads; the
  runner also pauses and ends its thread when nobody has read it for 15 minutes (its heartbeat).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = ROOT / "pretrained"


def list_pretrained() -> list[str]:
    """Names of shipped generators: pretrained/<name>/generator.safetensors (found at run time)."""
    return sorted(p.parent.name for p in PRETRAINED.glob("*/generator.safetensors") if (p.parent / "config.json").is_file())


@st.cache_resource(show_spinner="Loading the generator...", max_entries=8)
def load_pretrained(name: str):
    """(G in eval mode, config, data shape, n_classes) of pretrained/<name>. Shared: never modify it."""
    from gan_core.runs import load_generator

    return load_generator(PRETRAINED / name)


_DIRECTIONS: "OrderedDict[tuple, tuple]" = OrderedDict()  # (key, label, z_dim, noise, k) -> (directions, shares)
_DIRECTIONS_KEEP = 32
_DIRECTIONS_LOCK = threading.Lock()


def principal_directions(key: str, label: int | None, G, z_dim: int, noise: str, k: int = 8, progress=None):
    """(directions (k, z_dim), variance shares (k,)) of a generator, computed once for every session: `key` names
    the generator (pretrained/<name>, or a session's run id and step) and `label` the class of a conditional one.
    progress(fraction, what) hears each stage of a computation (nothing when the answer is kept). Shared: never
    modify it.

    A plain process-wide cache (the last _DIRECTIONS_KEEP answers), not st.cache_resource: Streamlit's cache
    records what the function drew and replays it on the next call, and the progress bar it drew belonged to the
    page that asked first, so the second visit to the view failed (CacheReplayClosureError)."""
    import torch

    from gan_core.latent import principal_directions as find

    wanted = (key, label, z_dim, noise, k)
    with _DIRECTIONS_LOCK:
        if wanted in _DIRECTIONS:
            _DIRECTIONS.move_to_end(wanted)
            return _DIRECTIONS[wanted]
    y = None if label is None else torch.tensor([label])
    found = find(G, z_dim, k=k, seed=0, noise=noise, y=y, progress=progress)  # (two sessions at once: both compute)
    with _DIRECTIONS_LOCK:
        _DIRECTIONS[wanted] = found
        while len(_DIRECTIONS) > _DIRECTIONS_KEEP:
            _DIRECTIONS.popitem(last=False)
    return found


@st.cache_resource(show_spinner="Loading the evaluation classifier...")
def load_classifier(dataset: str):
    from gan_core.evaluation.classifier import default_classifier

    return default_classifier(dataset).eval()


def _close(resource) -> None:
    resource.close()
    from dashboard.training.cycle_runner import CycleRunner
    from dashboard.training.parking import park
    from dashboard.training.runner import TrainingRunner

    if isinstance(resource, (TrainingRunner, CycleRunner)):
        park(resource)  # kept for a while: the page, reopened in the same browser, offers to reattach


def _open(resource) -> bool:
    return not resource.closed  # a closed runner (its session was released) is replaced by a fresh one


@st.cache_resource(scope="session", on_release=_close, validate=_open, show_spinner=False)
def session_runner():
    """This browser session's training runner (its thread stops when the session ends)."""
    from dashboard.training.runner import TrainingRunner

    return TrainingRunner()


@st.cache_resource(scope="session", on_release=_close, validate=_open, show_spinner=False)
def session_arena():
    from dashboard.training.arena_runner import ArenaRunner

    return ArenaRunner()


@st.cache_data(show_spinner=False, max_entries=4)
def real_images(dataset: str, n: int = 32):
    """n held-out (test-split) images (uint8, (n, 28, 28)) and their labels, to show beside the fakes: drawn once with
    a fixed seed from the whole split, since the bundled MNIST test digits are sorted by class (the first 32 were
    all 0s, on the Train page and in Style transfer's held-out examples)."""
    import numpy as np

    from gan_core.data.images import load_images

    images, labels = load_images(dataset, "test")
    pick = np.random.default_rng(0).permutation(len(labels))[:n]
    return images[pick], labels[pick]


@st.cache_data(show_spinner=False, max_entries=4)
def held_out_examples(dataset: str, n: int = 32):
    """`real_images(dataset, n)` in the order its evaluation classifier reads them, surest first: the first example
    a page offers is a plain one (it was a scrawled 4 that a class could not read), harder ones further along."""
    import numpy as np

    from gan_core.evaluation.image_metrics import classifier_outputs

    images, labels = real_images(dataset, n)
    _, probs = classifier_outputs(images, load_classifier(dataset))
    order = np.argsort(-probs[np.arange(len(labels)), labels], kind="stable")
    return images[order], labels[order]


@st.cache_resource(scope="session", on_release=_close, validate=_open, show_spinner=False)
def session_cycle_runner():
    """This session's CycleGAN runner (the Style transfer page)."""
    from dashboard.training.cycle_runner import CycleRunner

    return CycleRunner()


def list_cycle_pretrained() -> list[str]:
    """Shipped CycleGANs: pretrained/cyclegan-*/ with G.safetensors (found at run time)."""
    return sorted(p.parent.name for p in PRETRAINED.glob("cyclegan-*/G.safetensors") if (p.parent / "config.json").is_file())


@st.cache_resource(show_spinner="Loading the translators...", max_entries=4)
def load_cycle_pretrained(name: str):
    """(G, F, CycleConfig) of pretrained/<name>. Shared: never modify it."""
    from gan_core.cycle_runs import load_translators

    return load_translators(PRETRAINED / name)


@st.cache_resource(scope="session", on_release=_close, validate=_open, show_spinner=False)
def session_augment():
    """This browser session's augmentation-study runner (its thread stops when the session ends)."""
    from dashboard.training.augment_runner import AugmentRunner

    return AugmentRunner()
