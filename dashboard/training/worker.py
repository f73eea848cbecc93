"""The training thread's half of the runner: its loop, the steps it takes, slow motion, the snapshots it publishes.

`TrainingRunner` (runner.py) is a `Worker`: the page's thread calls the runner's controls, which set flags and
wake this loop under `_cond`; the loop takes a pool slot, steps the trainer under `lock`, and replaces the
snapshot. Nothing here is called from a page.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from dashboard.training import pool as pools, slow_motion
from dashboard.training.pool import NICE_CHECK_EVERY, REACHED_TARGET, lower_thread_priority
from dashboard.training.snapshot import Snapshot
from gan_core import Trainer, TrainingDiverged
from gan_core.training.results import DStepResult, StepResult

NUMBERS_EVERY = 0.05        # seconds between two snapshots of the cheap numbers (step, losses, rate)
ENDED = ("diverged", "error", "closed", "finished")


def _with_d_step(last: StepResult | None, d: DStepResult, step: int) -> StepResult:
    """The numbers row after a D step taken alone (Step D, or slow motion's "update D"): D's loss and scores are
    the new ones; G's are the last G step's (NaN, shown as "-", before any)."""
    if last is None:
        nan = float("nan")
        return StepResult(step, d.d_loss, nan, d.d_real, d.d_fake, d.d_grad, nan, 0.0)
    return replace(last, d_loss=d.d_loss, d_real=d.d_real, d_fake=d.d_fake, d_grad=d.d_grad)


class Worker:
    """The loop of the runner's thread (the state it shares with the runner is set up in TrainingRunner.__init__)."""

    def _require(self) -> Trainer:
        if self.trainer is None:
            raise RuntimeError("configure a run first")
        return self.trainer

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="gan-training-runner", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        self._niced, self._nice_checked = False, 0.0
        try:
            while True:
                with self._cond:
                    idle = False
                    while not self._closed and not self._want_run:
                        if time.monotonic() - self.last_poll > self.idle_timeout:
                            idle = True
                            break
                        self._cond.wait(0.25)
                    if self._closed or idle:
                        break  # the thread ends; the run is kept and a later start begins a new thread
                if not self._holds_slot and not self._take_slot():
                    continue
                if time.monotonic() - self.last_poll > self.idle_timeout:
                    self._unwatched()
                    break
                self._run_once()
        finally:
            with self.lock:
                self._release_slot()
                self._status = "closed" if self._closed else self._status
                self._publish()

    def _take_slot(self) -> bool:
        """Queue for a pool slot; True once it is held and the run is to go on."""
        self._set_status("queued")
        if not self.pool.acquire(self._ticket, lambda: self._closed or not self._want_run):
            return False
        with self.lock:
            self._holds_slot = True
            if not self._want_run:  # paused while the slot came free
                self._release_slot()
                return False
            self._status = "running"
            self._rate_t, self._rate_step = time.monotonic(), self._require().step_count
            self._publish()
        return True

    def _unwatched(self) -> None:
        """Nobody has read this runner for `idle_timeout` seconds (the tab is gone): pause, free the slot."""
        with self._cond:
            self._want_run = False
        with self.lock:
            self._release_slot()
            if self._status in ("running", "queued"):
                self._status = "paused"
                self._message = (f"Paused after {self.idle_timeout / 60:.0f} minutes without anyone watching; "
                                 "press Resume to go on.")
            self._publish()

    def _run_once(self) -> None:
        t0 = time.monotonic()
        if self._slow > 0:
            self._advance_substep()
            self._sleep_until(t0 + self._slow)
            return
        with self.lock:
            if not self._want_run:
                return
            try:
                result = self._require().step()
            except TrainingDiverged as err:
                self._diverged(err)
                return
            except Exception as err:  # a bug or a missing file must not kill the thread silently
                self._failed(err)
                return
            self._after_step(result)
        if not self._niced and t0 - self._nice_checked >= NICE_CHECK_EVERY:
            self._nice_checked = t0
            # Alone on the server (a teacher's laptop): normal priority; shared (a class): lower, so their clicks
            # come first. Only ever lowered: an unprivileged thread cannot raise its priority again.
            if pools.others_present(self):
                self._niced = lower_thread_priority()
        if self.max_steps_per_s:
            self._sleep_until(t0 + 1.0 / self.max_steps_per_s)

    def _sleep_until(self, deadline: float) -> None:
        with self._cond:
            while self._want_run and not self._closed and time.monotonic() < deadline:
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))

    def _advance_substep(self) -> None:
        with self.lock:
            t = self._require()
            seq = slow_motion.sequence(t.n_critic)
            phase, name, text = seq[self._sub_index % len(seq)]
            try:
                if name == "update D":
                    self._step_d(t)
                elif name == "update G":
                    self._after_step(t.step_generator(), publish=False)
            except TrainingDiverged as err:
                self._diverged(err)
                return
            self._sub_index = (self._sub_index + 1) % len(seq)
            self._sub_current = (phase, name, text)
            self._publish(views=name in ("update D", "update G"))  # a network changed: fresh pictures

    def _step_d(self, t) -> None:
        """One D step by hand or in slow motion; the numbers row shows its D loss at once."""
        self._last = _with_d_step(self._last, t.step_discriminator(), t.step_count)

    def _after_step(self, r, publish: bool = True) -> None:
        """Record a finished iteration, stop at the budget or the target, publish (numbers at most every
        NUMBERS_EVERY seconds, pictures every `view_every`); `publish=False` leaves that to the caller."""
        t = self._require()
        self._last = r
        evaluated = self._record.add_step(t, r)
        now = time.monotonic()
        dt = now - self._rate_t
        if dt >= 0.5:
            self._rate = (t.step_count - self._rate_step) / dt
            self._rate_t, self._rate_step = now, t.step_count
        if t.step_count >= t.config.steps:
            self._finish(f"Reached the step budget of {t.config.steps:,} step{'' if t.config.steps == 1 else 's'}.")
        elif self.target and evaluated:
            k, hq = self.target
            if t.last_eval.get("modes", -1) >= k and t.last_eval.get("hq", -1.0) >= hq:
                self._finish(f"{REACHED_TARGET} at step {t.step_count:,}: {t.last_eval['modes']} modes, "
                             f"{t.last_eval['hq']:.0%} high-quality samples.")
        if not publish:
            return
        views = now - self._last_view_t >= self.view_every or self._status != "running"
        if views or now - self._last_cheap_t >= NUMBERS_EVERY:
            self._last_cheap_t = now
            self._publish(views=views)

    def _finish(self, message: str) -> None:
        self._want_run = False
        self._status = "finished"
        self._message = message
        self._release_slot()

    def _diverged(self, err: TrainingDiverged) -> None:
        said = str(err)  # the engine's sentence: what diverged, when, and what to do
        self._stopped("diverged", said[:1].upper() + said[1:] + " The history so far is kept.")

    def _failed(self, err: Exception) -> None:
        self._stopped("error", f"Training stopped: {type(err).__name__}: {err}")

    def _stopped(self, status: str, message: str) -> None:
        self._want_run = False
        self._status = status
        self._message = message
        self._release_slot()
        self._publish(views=False)

    def _release_slot(self) -> None:
        if self._holds_slot:
            self._holds_slot = False
            self.pool.release(self._ticket)

    def _set_status(self, status: str) -> None:
        with self.lock:
            if self._status not in ENDED or status == "closed":
                self._status = status
            self._publish()

    # ----- publishing -----
    def _publish(self, views: bool = False) -> None:
        """Replace the snapshot (caller holds `lock`). Between two picture refreshes only the cheap numbers
        change; the history tables and pictures are rebuilt with the pictures (every `view_every` seconds while
        running), which keeps the per-step cost to microseconds."""
        t = self.trainer
        prev = self._snapshot
        if t is None:
            self._snapshot = replace_snapshot(prev, status=self._status)
            return
        v, hist, evals = prev.views, prev.history, prev.evals
        if views or v is None:
            now = time.monotonic()
            try:
                v = self._record.views(t)
            except Exception as err:  # drawing must never stop training
                self._message = self._message or f"Could not draw the pictures: {err}"
            self._last_view_t = now
            if t.step_count:
                self._record.add_frame(v, now)
            hist, evals = self._record.tables()
        phase, name, text = self._sub_current
        if self._slow <= 0 and self._status == "running":
            phase, name, text = "", "", ""
        status = self._status
        rate = self._rate if status == "running" else 0.0
        self._version += 1
        self._snapshot = Snapshot(
            status=status, step=t.step_count, budget=t.config.steps, steps_per_s=rate,
            examples_per_s=rate * t.batch_size * (t.n_critic + 1),
            last=self._last, history=hist, evals=evals,
            metrics=dict(t.last_eval), views=v, message=self._message,
            queue_position=self.pool.position(self._ticket) if status == "queued" else None,
            substep=name, narration=text, phase=phase, config=t.config, recipe=t.recipe, lr_decay=t.lr_decay,
            modes=None if t.data.mixture is None else int(t.data.mixture.k),
            version=self._version, frames=len(self._record.frames))




def replace_snapshot(snap: Snapshot, **changes) -> Snapshot:
    return replace(snap, **changes)
