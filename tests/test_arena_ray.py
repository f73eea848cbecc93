"""The arena on Ray: the same plan as the local process pool gives the same rows (all but the wall time), the
same summary and pictures; without Ray the engine still imports and `--backend ray` says what to install."""
import sys

import pandas as pd
import pytest

from gan_core.cli import main

ARGS = ["arena", "--data", "ring8", "--variants", "ns,pacgan-2", "--seeds", "1", "--steps", "20", "--eval-every", "10",
        "--batch-size", "64", "--quiet", "--device", "cpu"]


def test_ray_rows_equal_the_local_rows(tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        assert main([*ARGS, "--out", str(tmp_path / "ray"), "--backend", "ray"]) == 0
    finally:
        ray.shutdown()
    assert main([*ARGS, "--out", str(tmp_path / "local"), "--workers", "2"]) == 0
    by_ray, local = (pd.read_csv(tmp_path / d / "results.csv") for d in ("ray", "local"))
    assert len(local) == 2 and (local["wall_time"] > 0).all() and (by_ray["wall_time"] > 0).all()
    pd.testing.assert_frame_equal(by_ray.drop(columns="wall_time"), local.drop(columns="wall_time"))
    curves = [pd.read_csv(tmp_path / d / "curves.csv").drop(columns="wall_time") for d in ("ray", "local")]
    pd.testing.assert_frame_equal(*curves)
    for d in ("ray", "local"):
        assert "| ns | 1 |" in (tmp_path / d / "summary.md").read_text()
        assert (tmp_path / d / "pacgan-2.png").stat().st_size > 0
    assert (tmp_path / "ray" / "ns.png").read_bytes() == (tmp_path / "local" / "ns.png").read_bytes()


def test_the_engine_imports_ray_only_inside_the_ray_backend():
    """No module of the engine imports Ray at import time, so gan_core works without it installed."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "gan_core"
    for path in root.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:  # module level only
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] == "ray"], f"{path} imports ray at module level"


def test_the_ray_backend_without_ray_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    assert main([*ARGS, "--out", str(tmp_path / "x"), "--backend", "ray"]) == 2
    err = capsys.readouterr().err
    assert "requirements-ray.txt" in err and "--backend local" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_address_without_the_ray_backend_is_refused(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path / "x"), "--address", "auto"]) == 2
    assert "--backend ray" in capsys.readouterr().err


def test_unknown_backend_is_refused():
    from gan_core.arena import run_arena

    with pytest.raises(ValueError, match="local, ray"):
        run_arena("ring8", ["ns"], 1, 10, backend="dask")


def test_an_unreachable_cluster_is_said_so_at_once(tmp_path, capsys):
    """--address at a port where no Ray head listens hung for minutes with only Ray's own log lines."""
    import socket
    import time

    with socket.socket() as s:  # a port on this machine that nothing listens on (loopback only: no network)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = time.monotonic()
    code = main([*ARGS, "--out", str(tmp_path / "x"), "--backend", "ray", "--address", f"127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot reach a Ray cluster at '127.0.0.1:{port}'" in err, err
    assert time.monotonic() - t < 30 and "Traceback" not in err
