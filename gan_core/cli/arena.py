"""`python -m gan_core arena`: several variants trained side by side, one progress bar, the results folder."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from gan_core.arena import (ARENA_DATA, IMAGE_ARENA_DATA, plan_runs, reference_config, run_arena, summary_table,
                            write_results)
from gan_core.arena.plan import MAX_WORKERS, _variant_list
from gan_core.checks import check_int
from gan_core.arena.report import _rows
from gan_core.arena.verdict import stories
from gan_core.cli.common import UsageError, add_device_options, check_out_path
from gan_core.cli.train import as_flags
from gan_core.data.points import MIXTURES
from gan_core.variants import OBJECTIVE_VARIANTS, STABILISER_VARIANTS


def _variants_epilog() -> str:
    lines = ["variants (combine with '+', e.g. hinge+sn or pacgan-2+wgan-gp):"]
    
    for table in (OBJECTIVE_VARIANTS, STABILISER_VARIANTS):
        for name, info in table.items():
            shown = {"unrolled-k": "unrolled-1..10", "pacgan-m": "pacgan-2..4"}.get(name, name)
            lines.append(f"  {shown:<15} {info.about} [{info.reference}]")
    return "\n".join(lines)


def _seeds_arg(text: str) -> int | list[int]:
    text = text.strip()
    try:
        if "," in text:
            return [int(t) for t in text.split(",") if t.strip()]
        if "-" in text[1:]:
            a, b = text.split("-", 1)
            return list(range(int(a), int(b) + 1))
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seeds (5), a list (0,2,4) or a range (0-4)") from None


def _as_arena_flags(message: str) -> str:
    """A planning error in the words typed: 'seeds=0 ...' becomes '--seeds 0 ...', 'workers=0' '--workers 0', and the
    config's fields their flags (`as_flags`: 'optim.batch_size=0' is '--batch-size 0')."""
    import re

    return re.sub(r"\b(seeds|workers)=", r"--\1 ", as_flags(message))


def register(sub) -> None:
    """Add `arena` to the top-level parser's subcommands."""
    a = sub.add_parser(
        "arena", help="train several GAN variants side by side and count the modes each one keeps",
        description="Train every variant on every seed with the same budget (only the variant differs), score them with "
                    "the mode-collapse protocol (modes, % high-quality samples, reverse KL; mean ± s.e. over seeds) and "
                    "write results.csv, summary.md and one picture per variant into --out.",
        epilog=_variants_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--data", default="ring8", help=f"data with countable modes: the 2D mixtures {', '.join(ARENA_DATA)} "
                   f"(the collapse-ttur networks) or the images {', '.join(IMAGE_ARENA_DATA)} (DCGAN; modes counted by "
                   f"the evaluation classifier) (default ring8)")
    a.add_argument("--variants", default="vanilla,unrolled-5,pacgan-4,wgan-gp",
                   help="comma-separated variants to compare (default vanilla,unrolled-5,pacgan-4,wgan-gp)")
    a.add_argument("--seeds", type=_seeds_arg, default=5, help="how many seeds (5 = seeds 0-4), or a list 0,2,4 or range 0-4")
    a.add_argument("--steps", type=int, default=2000, help="training iterations of every run (default 2000)")
    a.add_argument("--out", required=True, help="folder for results.csv, summary.md, curves.csv and the pictures")
    a.add_argument("--eval-every", type=int, default=500, help="log the mode metrics every N steps (default 500; 0 = at the end)")
    a.add_argument("--workers", type=int, default=None, help="runs at a time, one process and thread each (default: CPU cores)")
    a.add_argument("--preset", default=None, help="the network, optimiser and batch every run shares (default: "
                   "collapse-ttur on 2D data, a collapse, mostly sharp; collapse-metz2016, the Unrolled GAN paper's setup; dcgan on "
                   "images; unrolled-2d gives "
                   "the earlier 5,000-iteration tables of BENCHMARKS.md)")
    a.add_argument("--batch-size", type=int, default=None, help="samples per batch for every run (default 512)")
    a.add_argument("--backend", default="local", choices=["local", "ray"],
                   help="where the runs go: local (a process pool on this machine, default) or ray (one Ray task per "
                        "run, on this machine or a cluster; needs `pip install -r requirements-ray.txt`)")
    a.add_argument("--address", default=None, help="with --backend ray: the Ray cluster to join (e.g. auto, or "
                   "ray://HEAD:10001); default RAY_ADDRESS, else a Ray started on this machine")
    a.add_argument("--batch-seeds", action="store_true",
                   help="train the seeds of each variant that allows it (one D step per G step, no gradient penalty, "
                        "unrolling, spectral norm, clipping or EMA) as one batched model in one worker: per-seed "
                        "numbers as separate runs' up to float32 rounding")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.add_argument("--overwrite", action="store_true", help="replace the results of another arena in --out (without "
                   "it such a folder is refused; an arena with the same data, variants, seeds and steps replaces them)")
    add_device_options(a, threads_help="CPU threads for torch in the arena's own process, which gathers the results; "
                       "every run trains on one thread of its worker whatever this says (see --workers)")
    a.set_defaults(func=run_arena_cli)


def _check_arena_out(args: argparse.Namespace, configs) -> tuple[Path, list[Path]]:
    """--out before any run: an earlier arena's results are replaced only by an arena that redoes every run they hold
    (the same data, variants, seeds and steps; other settings such as --preset are not compared) or with
    --overwrite, which also removes the earlier variants' pictures so that none is left beside the new ones. Returns
    the folder and those pictures, which go only once the new arena's results are written (a command that fails
    before that, say on --device cuda without a GPU, leaves the earlier arena whole)."""
    import pandas as pd

    from gan_core.arena.report import _safe

    out = check_out_path(args.out)
    earlier = out / "results.csv"
    if not earlier.is_file():
        return out, []
    try:
        old = pd.read_csv(earlier)
        done = {(str(r.data), str(r.variant), int(r.seed), int(r.steps)) for r in old.itertuples()}
    except Exception:  # noqa: BLE001 - an unreadable results.csv is not this arena's
        old, done = None, None
    planned = {(args.data, c.variant, c.seed, c.steps) for c in configs}
    if not (done is not None and done <= planned) and not args.overwrite:  # every earlier row redone: the same arena
        raise UsageError(f"--out {out} already holds the results of another arena (results.csv); nothing was changed. "
                         f"Choose a new folder, or add --overwrite to replace them")
    stale = []
    if old is not None and "variant" in old:
        stale = [out / f"{_safe(v)}.png" for v in sorted(set(old["variant"].astype(str)) - {c.variant for c in configs})]
    return out, stale


def run_arena_cli(args: argparse.Namespace) -> int:
    """`python -m gan_core arena ...`: run, show one progress bar, write the results, print the summary table."""
    import pandas as pd
    from tqdm import tqdm

    base = reference_config(args.data, args.preset)
    if args.batch_size is not None:
        try:
            base = base.replace(optim={"batch_size": args.batch_size})
        except ValueError as e:
            raise UsageError(_as_arena_flags(str(e))) from None
    if args.workers is not None:  # checked again by run_arena; here before the progress bar appears
        try:
            check_int("workers", args.workers, 1, MAX_WORKERS)
        except ValueError as e:
            raise UsageError(_as_arena_flags(str(e))) from None
    device = "cpu" if args.device == "auto" else args.device
    if args.device == "auto":
        from gan_core.device import resolve_device

        device = str(resolve_device("auto"))
    if args.address and args.backend != "ray":
        raise UsageError("--address is the Ray cluster to join; give it with --backend ray")
    if args.backend == "ray":
        from gan_core.arena.ray_driver import import_ray

        try:
            import_ray()
        except ImportError as e:
            raise UsageError(str(e)) from None
    names = _variant_list(args.variants)
    try:
        configs = plan_runs(args.data, names, args.seeds, args.steps, args.eval_every, base)
    except ValueError as e:  # the config's field names become the flags typed
        raise UsageError(_as_arena_flags(str(e))) from None
    out, stale = _check_arena_out(args, configs)
    events = []
    curves = []
    progress: dict[tuple, int] = {}
    bar = tqdm(total=len(configs) * args.steps, unit="step", disable=args.quiet, dynamic_ncols=True,
               desc=f"arena on {args.data}: {len(names)} variants x {len(configs) // len(names)} seeds")
    t0 = time.perf_counter()
    try:
        for e in run_arena(args.data, names, args.seeds, args.steps, args.eval_every, base, args.workers, device=device,
                           backend=args.backend, address=args.address, batch_seeds=args.batch_seeds):
            key = (e.variant, e.seed)
            if e.kind == "eval":
                curves.append({"variant": e.variant, "seed": e.seed, "step": e.step, "wall_time": e.wall_time,
                               **{k: e.metrics.get(k) for k in ("modes", "hq", "kl", "grid_kl", "grid_js")},
                               **{k: v for k, v in e.metrics.items() if k.startswith(("near_", "share_"))}})
            target = args.steps if e.kind in ("done", "error") else e.step
            bar.update(max(0, target - progress.get(key, 0)))
            progress[key] = max(progress.get(key, 0), target)
            bar.set_postfix({"runs done": f"{e.done_runs}/{e.total_runs}"}, refresh=False)
            if e.kind == "error":
                tqdm.write(f"{e.variant} seed {e.seed} failed: {e.message}")
            events.append(e)
    finally:
        bar.close()
    write_results(events, out, title=f"Arena on {args.data}", variants=names)
    for picture in stale:  # the earlier arena's, once this one's results are written (no name is in both)
        picture.unlink(missing_ok=True)
    curves.sort(key=lambda c: (names.index(c["variant"]), c["seed"], c["step"]))
    pd.DataFrame(curves).to_csv(out / "curves.csv", index=False)
    if args.data in ARENA_DATA and curves:
        with open(out / "summary.md", "a", encoding="utf-8") as f:
            f.write("\n" + stories(pd.DataFrame(curves), MIXTURES[args.data].centres) + "\n")
    rows = sorted(_rows(events), key=lambda r: (names.index(r["variant"]), r["seed"]))
    print(f"{len(rows)}/{len(configs)} runs finished in {time.perf_counter() - t0:.1f} s; results in {out}")
    print(summary_table(rows))
    return 0 if len(rows) == len(configs) else 3
