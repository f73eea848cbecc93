"""The training runner behind the Train page: controls, the pool's queue, divergence, clean-up, bounds."""
import threading
import time

import pytest
import torch

from dashboard.training import parking
from dashboard.training.pool import TrainingPool
from dashboard.training.runner import TrainingRunner
from dashboard.training.snapshot import HISTORY_CAP, Thinned


def wait_for(cond, timeout=20.0, every=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def make_runner(tiny_config):
    made = []

    def make(pool=None, **cfg):
        cfg.setdefault("steps", 100_000)
        r = TrainingRunner(tiny_config(**cfg), pool=pool or TrainingPool(2), view_every=0.05)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_start_advances_and_pause_holds(make_runner):
    r = make_runner()
    assert r.snapshot().status == "idle" and r.snapshot().step == 0
    r.start()
    assert wait_for(lambda: r.snapshot().step >= 20)
    assert r.snapshot().status == "running"
    r.pause()
    held = r.snapshot().step
    time.sleep(0.3)
    assert r.snapshot().step == held
    assert r.snapshot().status == "paused"
    assert r.snapshot().history["step"].iloc[-1] == held
    r.start()
    assert wait_for(lambda: r.snapshot().step > held + 5)


def _niceness(tid: int) -> int:
    with open(f"/proc/self/task/{tid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[16])  # field 19 of proc(5): nice


@pytest.mark.skipif(not hasattr(threading, "get_native_id") or not __import__("os").path.exists("/proc/self/task"),
                    reason="per-thread niceness is read from Linux's /proc")
def test_a_training_alone_keeps_its_priority_and_yields_once_other_sessions_share_the_server(make_runner):
    """One page on the server (a teacher's laptop): the training thread runs at the server's own priority.
    A second session (a class): within about a second the worker lowers its own priority, and only its own:
    the thread that serves the pages keeps its niceness."""
    from dashboard.training.pool import NICE_CHECK_EVERY, TRAINING_NICE, live_runners

    for left_over in live_runners():  # runners another test left open would count as other sessions
        left_over.close()
    r = make_runner()
    mine = _niceness(threading.get_native_id())
    r.start()
    assert wait_for(lambda: r.snapshot().step >= 5)
    time.sleep(1.5 * NICE_CHECK_EVERY)
    assert _niceness(r._thread.native_id) == mine
    make_runner()  # a second session opens the Train page
    assert wait_for(lambda: _niceness(r._thread.native_id) == max(mine, TRAINING_NICE))
    assert _niceness(threading.get_native_id()) == mine


def test_a_d_step_by_hand_shows_its_own_d_loss(make_runner):
    """Step D (and slow motion's D update) changes D's numbers in the row at once; G's stay those of the last G
    step (none yet: NaN, shown as "-")."""
    import math
    r = make_runner()
    r.step_d()
    first = r.snapshot().last
    assert first is not None and math.isfinite(first.d_loss) and math.isnan(first.g_loss)
    r.step_g()
    after_g = r.snapshot().last
    for _ in range(3):
        r.step_d()
    last = r.snapshot().last
    assert last.g_loss == after_g.g_loss and last.step == after_g.step == 1
    assert last.d_loss != after_g.d_loss and last.d_real == r.trainer._last_d.d_real
    for _ in range(5):  # slow motion by hand: sample noise ... update D, the fifth sub-step
        r.next_substep()
    assert r.snapshot().substep == "update D" and r.snapshot().last.d_loss == r.trainer._last_d.d_loss != last.d_loss


def test_a_step_by_hand_says_nothing_once_the_run_trains_on_or_a_new_run_starts(make_runner):
    """Browser rehearsal: after Step D on ring8, switching to MNIST and training still said "Discriminator step:
    update D" at step 0 of the new run, and again after Pause. A step by hand's sentence belongs to its run and
    ends when training resumes."""
    r = make_runner()
    r.step_d()
    assert r.snapshot().substep == "update D"
    r.reset()  # a new run (new settings go the same way: configure)
    assert r.snapshot().substep == "" and r.snapshot().phase == ""
    r.step_d()
    r.start()
    assert wait_for(lambda: r.snapshot().step >= 3)
    r.pause()
    assert wait_for(lambda: r.snapshot().status == "paused")
    assert r.snapshot().substep == "" and r.snapshot().narration == ""


def test_steps_by_hand_are_done_and_published_when_the_call_returns(make_runner):
    """Step D, Step G, Step both and the next sub-step each show their own result at once: the page that asked
    draws right after the call, with no wait for another thread."""
    r = make_runner()
    g0, d0 = params(r.trainer.G), params(r.trainer.D)
    fake0 = r.snapshot().views.fake
    r.step_d()
    snap = r.snapshot()
    assert snap.substep == "update D" and snap.phase == "D" and snap.step == 0
    assert same(params(r.trainer.G), g0) and not same(params(r.trainer.D), d0)
    assert (snap.views.d_map != 0).any() and (snap.views.fake == fake0).all()  # D moved, the fakes did not
    g1, d1 = params(r.trainer.G), params(r.trainer.D)
    r.step_g()
    snap = r.snapshot()
    assert snap.step == 1 and snap.substep == "update G" and snap.phase == "G" and snap.status == "paused"
    assert same(params(r.trainer.D), d1) and not same(params(r.trainer.G), g1)
    assert not (snap.views.fake == fake0).all() and len(snap.history) == 1
    r.step_both()
    assert r.snapshot().step == 2 and r.snapshot().substep == "update D, then G" and r.snapshot().phase == "DG"
    names = []
    for _ in range(10):  # one iteration in slow motion: 5 D sub-steps, then 5 G sub-steps
        r.next_substep()
        names.append(r.snapshot().substep)
    assert names[0] == "sample noise" and names[4] == "update D" and names[-1] == "update G"
    assert r.snapshot().step == 3
    r.set_slow_motion(0.5)
    r.next_substep()
    assert r.snapshot().substep == "sample noise"
    r.set_slow_motion(0)  # slow motion off while paused: its sentence goes with it
    assert r.snapshot().substep == "" and r.snapshot().narration == ""
    assert not r.thread_alive  # no thread was needed


def test_slow_motion_shows_its_own_steps_per_second(make_runner):
    """The rate at full speed (hundreds a second) is not shown once slow motion is on: one iteration takes ten
    sub-steps, so 0.02 s a sub-step is 5 steps/s."""
    r = make_runner()
    r.start()
    assert wait_for(lambda: r.snapshot().steps_per_s > 20)
    r.set_slow_motion(0.02)
    assert r.snapshot().steps_per_s == pytest.approx(5.0)  # at once, not after the first slow iteration
    held = r.snapshot().step
    assert wait_for(lambda: r.snapshot().step >= held + 3)
    assert 0.5 < r.snapshot().steps_per_s < 6.0  # measured: at most 5 a second, less on a busy machine


def test_reset_goes_back_to_step_zero(make_runner):
    r = make_runner()
    r.step_both()
    assert wait_for(lambda: r.snapshot().step == 1)
    r.reset()
    snap = r.snapshot()
    assert snap.step == 0 and snap.status == "idle" and snap.history.empty


def test_queue_position_and_cancel(make_runner):
    pool = TrainingPool(1)
    a, b, c = make_runner(pool), make_runner(pool), make_runner(pool)
    a.start()
    assert wait_for(lambda: a.snapshot().status == "running")
    b.start()
    assert wait_for(lambda: b.snapshot().queue_position == 1)
    c.start()
    assert wait_for(lambda: c.snapshot().queue_position == 2)
    assert b.snapshot().status == "queued" and b.snapshot().step == 0
    b.pause()  # leaves the queue: c moves up
    assert wait_for(lambda: c.snapshot().queue_position == 1)
    assert b.snapshot().queue_position is None and pool.waiting == 1
    a.pause()  # frees the slot: c runs
    assert wait_for(lambda: c.snapshot().status == "running" and c.snapshot().step > 0)
    assert pool.running == 1


def test_divergence_pauses_with_message_and_keeps_history(make_runner):
    r = make_runner(optim={"batch_size": 32, "lr_g": 1e6, "lr_d": 1e6})
    r.start()
    assert wait_for(lambda: r.snapshot().status == "diverged")
    snap = r.snapshot()
    assert "diverged" in snap.message and "learning rate" in snap.message
    assert r.pool.running == 0  # a diverged run holds no slot
    kept = len(r.full_history())
    r.recover(0.1)
    snap = r.snapshot()
    assert snap.status == "paused" and "lowered the learning rates" in snap.message
    assert len(r.full_history()) <= kept
    assert r.trainer.base_lr_g == pytest.approx(1e5)


def test_live_learning_rate_and_options(make_runner):
    r = make_runner(variant="wgan-gp")
    r.start()
    assert wait_for(lambda: r.snapshot().step >= 2)
    r.set_learning_rates(lr_g=0.005)
    r.update_recipe(gp_lambda=3.0)
    assert wait_for(lambda: r.trainer.opt_g.param_groups[0]["lr"] == pytest.approx(0.005))
    assert r.trainer.recipe.gp_lambda == 3.0
    with pytest.raises(ValueError):
        r.set_learning_rates(lr_g=-1)
    with pytest.raises(ValueError):
        r.update_recipe(pack=2)


def test_budget_and_target_stop(make_runner):
    r = make_runner(steps=15)
    r.start()
    assert wait_for(lambda: r.snapshot().status == "finished")
    assert r.snapshot().step == 15 and "budget" in r.snapshot().message
    r2 = make_runner(data={"name": "two-gaussians"}, eval_every=5)
    r2.set_target(0, 0.0)  # trivially met at the first evaluation
    r2.start()
    assert wait_for(lambda: r2.snapshot().status == "finished")
    assert r2.snapshot().step == 5 and "target" in r2.snapshot().message


def test_slow_motion_names_the_substeps(make_runner):
    r = make_runner()
    r.set_slow_motion(0.06)  # each sub-step shows long enough for a poll every 20 ms to see it
    r.start()
    seen = set()
    assert wait_for(lambda: seen.add(r.snapshot().substep) or {"sample noise", "update D", "update G"} <= seen)
    r.pause()
    assert r.snapshot().narration


def test_thread_stops_on_close_and_when_nobody_polls(tiny_config):
    r = TrainingRunner(tiny_config(steps=100_000), pool=TrainingPool(1))
    r.start()
    assert wait_for(lambda: r.snapshot().step > 0)
    r.close()
    assert not r.thread_alive and r.snapshot().status == "closed"
    assert r.pool.running == 0
    quiet = TrainingRunner(tiny_config(steps=100_000), pool=TrainingPool(1), idle_timeout=0.3)
    quiet.start()
    assert wait_for(lambda: not quiet.thread_alive, timeout=10)  # nobody read it: its thread stopped itself
    assert quiet.pool.running == 0 and not quiet.closed
    assert quiet._snapshot.status == "paused" and "without anyone watching" in quiet._snapshot.message
    held = quiet.snapshot().step  # reading it again (the tab came back): the run is still there
    quiet.start()
    assert wait_for(lambda: quiet.snapshot().step > held)
    quiet.close()


def test_history_stays_bounded():
    t = Thinned(100)
    for i in range(10_000):
        t.add(i)
    assert len(t) <= 100
    steps = t.items
    assert steps[0] == 0 and steps[-1] > 9_000  # still spans the whole run, evenly
    gaps = {b - a for a, b in zip(steps, steps[1:])}
    assert len(gaps) == 1
    assert HISTORY_CAP <= 2000


def test_views_and_downloads(make_runner, tmp_path):
    r = make_runner(data={"name": "ring8"})
    r.step_both()
    assert wait_for(lambda: r.snapshot().step == 1)
    v = r.snapshot().views
    assert v.d_map.shape == (len(v.grid_y), len(v.grid_x)) and v.fake.shape[1] == 2
    assert v.centres.shape == (8, 2) and len(v.arrow_from) == len(v.arrow_dir)
    import io
    import zipfile

    from PIL import Image

    names = set(zipfile.ZipFile(io.BytesIO(r.run_zip(runs_dir=tmp_path))).namelist())
    assert {"gan-run/config.json", "gan-run/generator.safetensors", "gan-run/discriminator.safetensors",
            "gan-run/metrics.csv"} <= names
    gif = Image.open(io.BytesIO(r.timelapse_gif()))  # one step: the picture of now is the one frame
    assert gif.format == "GIF" and gif.n_frames == 1


def test_downloads_while_training(make_runner, tmp_path):
    """The run and the timelapse are offered while the run trains: each is a snapshot of the moment asked."""
    import io
    import json
    import zipfile

    from PIL import Image

    r = make_runner(data={"name": "ring8"})
    r.start()
    assert wait_for(lambda: r.snapshot().frames >= 2)
    zf = zipfile.ZipFile(io.BytesIO(r.run_zip(runs_dir=tmp_path)))
    assert r.snapshot().status == "running"
    assert json.loads(zf.read("gan-run/config.json"))["data"]["name"] == "ring8"
    assert Image.open(io.BytesIO(r.timelapse_gif())).n_frames >= 2


def test_pool_is_fifo_and_cancellable():
    pool = TrainingPool(1)
    a, b = object(), object()
    assert pool.acquire(a)
    got = []
    t = threading.Thread(target=lambda: got.append(pool.acquire(b, timeout=5)))
    t.start()
    assert wait_for(lambda: pool.position(b) == 1)
    pool.release(a)
    t.join(5)
    assert got == [True] and pool.running == 1
    pool.release(b)
    assert not pool.acquire(object(), cancelled=lambda: True)
    assert pool.waiting == 0


def test_a_closed_runs_trainer_is_parked_under_its_owner_key_only(monkeypatch):
    """A closed tab's run is kept under a secret owner key (the browser's cookie holds it), not under the run's
    public id: knowing the id (it is shown on the page) does not hand the run over."""
    from gan_core import TrainConfig

    first = TrainingRunner(TrainConfig(steps=50, eval_every=10, log_every=5,
                                       model={"g_hidden": [8], "d_hidden": [8], "z_dim": 2},
                                       optim={"batch_size": 32}), pool=TrainingPool(1))
    first.trainer.train(20)  # the runner's thread is never started: nothing else touches the trainer
    run_id, key = first.run_id, first.owner_key
    assert len(key) >= 20 and run_id not in key
    first.close()
    parking.park(first)
    assert parking.parked(run_id) is None and parking.claim(run_id) is None and parking.parked("") is None
    found = parking.parked(key)
    assert found.step == 20 and found.run_id == run_id and 0 < found.seconds_left <= parking.PARK_SECONDS
    second = TrainingRunner(pool=TrainingPool(1))
    claimed = parking.claim(key)
    second.adopt(claimed.trainer, claimed.run_id)
    snap = second.snapshot()
    assert snap.status == "paused" and snap.step == 20 and second.run_id == run_id
    assert second.owner_key not in ("", key)  # a new key: the spent one opens nothing
    assert len(snap.history) >= 4 and {"modes", "share_0", "share_7"} <= set(snap.evals.columns)  # the occupancy too
    assert parking.claim(key) is None  # one session gets it
    # expiry frees it
    parking.park(second)
    monkeypatch.setattr(parking, "PARK_SECONDS", -1.0)
    assert parking.parked(second.owner_key) is None
    second.close()
