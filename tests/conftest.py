import os
import sys
import tempfile
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Streamlit reads the app's settings (.streamlit/config.toml: static serving for the live charts, no garbage
# collection after every rerun) from the working directory, as `streamlit run` from the repository root does.
os.chdir(ROOT)

# Real-image features cached between processes (gan_core.evaluation.evaluator) go to a folder of this test run.
os.environ.setdefault("GAN_CLASSROOM_CACHE", tempfile.mkdtemp(prefix="gan-classroom-cache-"))

# Small models train fastest on one thread, and a test never waits on the other core.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _one_torch_thread_after_each_test():
    """A command run in a test without --threads sets torch's thread count for the whole process (one per core);
    the next tests would then train on two threads, and a seed's trajectory depends on the thread count."""
    yield
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="session")
def _dashboard_libraries_loaded():
    """The app's pages draw their runs once the server's warm-up has loaded torch and the charts' libraries
    (dashboard/warm_up.py); in this process they are loaded once, before the first test, so that every page test
    sees a warm server (tests/test_startup.py covers the page drawn before the warm-up has finished)."""
    from dashboard import warm_up

    warm_up.start()
    assert warm_up.wait(300), "the dashboard's warm-up did not finish within 300 s"
    torch.set_num_threads(1)
    yield
    # A page test may leave its session's run training (AppTest can hand a later session the same cached runner);
    # a torch thread still training when the interpreter ends aborts the process ("terminate called without an
    # active exception"), which would turn a green run red.
    from dashboard.training.pool import live_runners

    runners = live_runners()
    for r in runners:
        r.close()
    end = time.monotonic() + 30
    while any(r.thread_alive for r in runners) and time.monotonic() < end:
        time.sleep(0.05)


@pytest.fixture
def tiny_config():
    from gan_core import TrainConfig

    def make(**kw):
        base = {"steps": 20, "log_every": 5, "eval_every": 10, "eval_samples": 200,
                "model": {"g_hidden": [16, 16], "d_hidden": [16, 16], "z_dim": 4},
                "optim": {"batch_size": 32}}
        for k, v in kw.items():
            if isinstance(v, dict) and k in base:
                base[k] = {**base[k], **v}
            else:
                base[k] = v
        return TrainConfig.from_dict(base)

    return make


@pytest.fixture
def fresh_app():
    """The router in AppTest with no earlier test's run: AppTest's sessions share the session-scoped resources, so
    an earlier test's runner would be this page's run (at its step and budget). Closed runners are replaced by fresh
    ones (dashboard.resources._open); this test's are closed at the end."""
    from streamlit.testing.v1 import AppTest

    from dashboard.training.pool import live_runners

    for r in live_runners():
        r.close()
    at = AppTest.from_file(str(ROOT / "dashboard" / "router.py"), default_timeout=60)
    yield at
    for r in live_runners():
        r.close()
