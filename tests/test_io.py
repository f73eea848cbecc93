"""Run folders: safetensors only, mismatches named, saves atomic."""
import json

import pytest
import torch
from safetensors.torch import save_file

from gan_core import Trainer
from gan_core.runs import RunFolderError, atomic_write, load_generator, save_run


@pytest.fixture
def saved(tiny_config, tmp_path):
    t = Trainer(tiny_config(steps=5))
    t.train()
    return save_run(t, tmp_path / "run"), t


def test_load_generator_rebuilds_the_same_network(saved):
    folder, t = saved
    g, cfg, shape, _ = load_generator(folder)
    z = torch.randn(10, cfg.model.z_dim)
    assert torch.equal(g(z), t.G.eval()(z)) and shape == (2,)


def test_a_pickle_is_refused(saved):
    folder, t = saved
    torch.save(t.G.state_dict(), folder / "generator.safetensors")  # a .pt file under the safetensors name
    with pytest.raises(RunFolderError, match="run/generator.safetensors is a pickle"):  # which folder's file
        load_generator(folder)


def test_wrong_shapes_name_the_tensor(saved):
    folder, t = saved
    state = {k: v.clone() for k, v in t.G.state_dict().items()}
    state["net.0.weight"] = torch.zeros(3, 3)
    save_file(state, folder / "generator.safetensors")
    with pytest.raises(RunFolderError, match=r"net\.0\.weight.*shape"):
        load_generator(folder)


def test_config_that_does_not_match_is_refused(saved):
    folder, _ = saved
    cfg = json.loads((folder / "config.json").read_text())
    cfg["model"]["g_hidden"] = [32, 32]
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunFolderError, match="tensor"):
        load_generator(folder)


def test_truncated_file_is_refused(saved):
    folder, _ = saved
    data = (folder / "generator.safetensors").read_bytes()
    (folder / "generator.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(RunFolderError, match="run/generator.safetensors is not a valid safetensors file.*damaged"):
        load_generator(folder)


def test_interrupted_save_leaves_the_previous_file_whole(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write(target, b"old contents")

    def crash():
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, b"new contents that never land", before_replace=crash)
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temporary left behind


def test_metrics_csv_is_the_text_pandas_writes(tiny_config, tmp_path):
    """runs.history_csv writes metrics.csv without pandas: the same text as DataFrame(rows).to_csv, for the rows of a
    2D run with evaluations, an image run, and a run resumed from its metrics.csv (rows read back by pandas)."""
    import math

    import pandas as pd

    from gan_core.runs import history_csv, load_trainer
    from gan_core.training.presets import preset_config

    two_d = Trainer(tiny_config(steps=6, log_every=2, eval_every=3, eval_samples=200))
    two_d.train()
    image = Trainer(preset_config("tutorial-mlp", {"steps": 4, "log_every": 1, "eval_every": 2, "eval_samples": 60,
                                                   "eval_samples_during": 30}))
    image.train()
    folder = save_run(image, tmp_path / "img")
    resumed = load_trainer(folder)
    resumed.config = resumed.config.replace(steps=6)
    resumed.train()
    odd = [{"a": 1, "b": True, "c": "x,y"}, {"a": 2, "d": 1.5}, {"b": False, "e": None, "f": math.nan}]
    for rows in (two_d.rows, image.rows, resumed.rows, odd, []):
        assert history_csv(rows) == pd.DataFrame(rows).to_csv(index=False)
    assert (folder / "metrics.csv").read_text() == pd.DataFrame(image.rows).to_csv(index=False)
