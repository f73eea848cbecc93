"""The mode-collapse arena: several GAN variants trained side by side and scored by the published protocol.

Every variant is trained on every seed with the same budget: the same base config, data, seed and steps;
only the variant differs. The mode metrics (2D mixtures: captured modes, % high-quality samples, reverse
KL; see `gan_core/evaluation/modes2d.py`) are logged every `eval_every` steps and streamed back as `ArenaEvent`s while the
runs go on, so a dashboard can draw them live and the CLI can show one progress bar.

Runs go to a pool of worker processes (fresh interpreters: "forkserver" or "spawn"), each on one thread: on a small machine
K variants then take about K / workers times one run, not K times. A run's numbers depend only on its
config and seed, never on which worker ran it.

    for event in run_arena("ring8", ["ns", "pacgan-2"], seeds=3, steps=2000):
        print(event.kind, event.variant, event.seed, event.step, event.metrics)
"""
from gan_core.arena.driver import run_arena
from gan_core.arena.plan import (ARENA_DATA, IMAGE_ARENA_DATA, RESULT_COLUMNS, STACKED_SAMPLES, ArenaEvent,
                                 arena_metrics, plan_runs, reference_config)
from gan_core.arena.report import draw_panels, mean_se, summarise, summary_table, write_results

__all__ = ["ArenaEvent", "run_arena", "plan_runs", "reference_config", "arena_metrics", "write_results", "summarise",
           "summary_table", "mean_se", "draw_panels", "ARENA_DATA", "IMAGE_ARENA_DATA", "RESULT_COLUMNS", "STACKED_SAMPLES"]
