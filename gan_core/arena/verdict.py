"""What a run's mode occupancy says, in numbers and in words a student reads at a glance.

The occupancy of a 2D run is its logged `near_k` columns (modes2d: the share of all samples whose nearest centre
is k, sharp or not; they add up to 1), and its % HQ says how sharp they are (within 3 sigma of a centre). Image
runs log `share_k` (the class histogram), used the same way. From the history over training:

- the **held** modes of one evaluation are those with at least a quarter of a fair share (>= 1 / (4K)):
  a stray sample or two near a mode does not count as keeping it (the protocol's `modes`, which the arena's table
  shows, counts a mode with a single sharp sample: when the two differ, the sentence says why);
- a **hop** is an evaluation whose held modes differ from the previous evaluation's (a stray share crossing the
  quarter line is one);
- a **jump** is an evaluation at which some mode holds at least a fair share (1 / K) after holding less than a
  quarter of one at the evaluation before: the samples moved onto a mode they had left alone. A share hovering near
  the quarter line, or a mode fading as the generator narrows onto others, is not a jump;
- the **visited** modes are those held at some evaluation;
- a run **collapsed** when it holds at most half of the modes, or, with most of its samples sharp (% HQ >= 50), fewer
  than all of them while hopping between evaluations (the generator chasing D from mode to mode, or dropping and
  retaking a mode; only jumps are told as a chase, the rest as narrowing onto its modes). A loose spread
  over most of the modes whose held set flickers near the quarter-share line is not a collapse: it has not learnt
  the modes yet. A collapse is **sharp** when most of its samples are also sharp, as in VEEGAN's table, and a loose
  one otherwise, as in the Unrolled GAN paper's figure,
  where the plain GAN's blobs move from mode to mode before they tighten. A loose collapse needs a history of at
  least `EARLY` evaluations: at the start every generator is one blob near some mode, which is not yet a verdict.

These are the pictures the Unrolled GAN paper (Metz et al. 2016, fig. 1) and VEEGAN (Srivastava et al. 2017)
show for a plain GAN; `BENCHMARKS.md` ("Mode collapse you can show") reports them for the arena's variants.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHARP = 0.5  # a run whose share of sharp (high-quality) samples is below this has not learnt the modes yet
EARLY = 4    # evaluations a loose run needs before it is called collapsed

_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


def share_columns(evals: pd.DataFrame) -> list[str]:
    """near_0.. (2D: where the samples sit) when logged, else share_0.. (images: the class histogram)."""
    for prefix in ("near_", "share_"):
        cols = [c for c in evals.columns if c.startswith(prefix)]
        if cols:
            return sorted(cols, key=lambda c: int(c.split("_")[1]))
    return []


def held_share(k: int) -> float:
    """The share of the samples a mode of K must hold to count as held: a quarter of a fair share, 1 / (4K)."""
    return 1.0 / (4 * k)


def held_modes(shares: np.ndarray) -> frozenset[int]:
    """The modes holding at least a quarter of a fair share of the samples (see the module docstring)."""
    return frozenset(int(i) for i in np.flatnonzero(np.nan_to_num(shares) >= held_share(len(shares))))


@dataclass(frozen=True)
class Occupancy:
    """One run's occupancy history boiled down (module docstring)."""

    k: int                      # modes of the mixture
    steps: tuple[int, ...]      # the evaluated steps
    held: tuple[frozenset, ...]  # held modes at each evaluation
    hq: float                   # % HQ at the last evaluation, in [0, 1]
    final_shares: tuple[float, ...]
    # The modes the protocol counts as captured at the last evaluation (a 2D run's share_k > 0: a single sharp sample
    # on a mode is enough), which the arena's table counts beside these sentences; None when the run did not log them.
    captured: frozenset | None = None
    shares: tuple[tuple[float, ...], ...] = ()  # per evaluation, the share of the samples nearest each mode

    @property
    def final(self) -> frozenset:
        return self.held[-1] if self.held else frozenset()

    @property
    def hops(self) -> int:
        return sum(a != b for a, b in zip(self.held, self.held[1:]))

    @property
    def jumped_onto(self) -> tuple[frozenset, ...]:
        """At each evaluation after the first, the modes its samples jumped onto (module docstring)."""
        fair, quarter = 1.0 / self.k, held_share(self.k)
        s = np.asarray(self.shares, dtype=float).reshape(-1, self.k)
        return tuple(frozenset(int(i) for i in np.flatnonzero((now >= fair) & (before < quarter)))
                     for before, now in zip(s[:-1], s[1:]))

    @property
    def jumps(self) -> int:
        return sum(bool(m) for m in self.jumped_onto)

    @property
    def visited(self) -> frozenset:
        return frozenset().union(*self.held) if self.held else frozenset()

    @property
    def sharp(self) -> bool:
        return self.hq >= SHARP

    @property
    def too_early(self) -> bool:
        return not self.sharp and len(self.steps) < EARLY

    @property
    def collapsed(self) -> bool:
        few = len(self.final) <= self.k // 2
        hopping = len(self.final) < self.k and self.hops > 0 and self.sharp
        return (few or hopping) and not self.too_early

    @property
    def covers_all(self) -> bool:
        return self.sharp and len(self.final) == self.k


def first_seed(evals: pd.DataFrame, variant: str) -> pd.DataFrame:
    """The evaluation rows of `variant`'s lowest seed (one run's history: seeds hop differently); empty if none."""
    mine = evals[evals["variant"] == variant] if not evals.empty else evals
    return mine[mine["seed"] == mine["seed"].min()] if len(mine) else mine


def occupancy(evals: pd.DataFrame) -> Occupancy:
    """The occupancy of ONE run (rows of one variant and seed, any order) from its share_* columns."""
    cols = share_columns(evals)
    if not cols or evals.empty:
        raise ValueError("no near_* or share_* columns: occupancy needs the mode metrics of a run (2D data with known "
                         "centres, or images the evaluation classifier labels)")
    rows = evals.dropna(subset=cols).sort_values("step")
    if rows.empty:
        raise ValueError("no evaluation with share_* values yet")
    shares = rows[cols].to_numpy(dtype=float)
    hq = float(rows["hq"].iloc[-1]) if "hq" in rows else 1.0
    captured = None
    sharp_cols = [c.replace("near_", "share_", 1) for c in cols]  # 2D runs log both: where samples sit, and sharp ones
    if cols[0].startswith("near_") and all(c in rows for c in sharp_cols):
        last = rows[sharp_cols].iloc[-1].to_numpy(dtype=float)
        if not np.isnan(last).any():
            captured = frozenset(int(i) for i in np.flatnonzero(last > 0))
    return Occupancy(len(cols), tuple(int(s) for s in rows["step"]), tuple(held_modes(s) for s in shares), hq,
                     tuple(float(x) for x in shares[-1]), captured,
                     tuple(tuple(float(x) for x in row) for row in np.nan_to_num(shares)))


def place(centre: np.ndarray, centres: np.ndarray) -> str:
    """Where a mode sits, in words: a compass point on a ring, "row r, column c" (from the top left) on a grid."""
    radii = np.hypot(centres[:, 0], centres[:, 1])
    if np.allclose(radii, radii[0], rtol=1e-3) and len(centres) <= 8:
        angle = math.degrees(math.atan2(centre[1], centre[0])) % 360
        return _COMPASS[int(round(angle / 45)) % 8] if len(centres) == 8 else f"{angle:.0f} degrees"
    xs, ys = np.unique(np.round(centres[:, 0], 6)), np.unique(np.round(centres[:, 1], 6))[::-1]
    row = int(np.argmin(abs(ys - centre[1]))) + 1
    col = int(np.argmin(abs(xs - centre[0]))) + 1
    return f"row {row}, column {col}"


def _places(modes, centres: np.ndarray, most: int = 4) -> str:
    names = [place(centres[i], centres) for i in sorted(modes)]
    sep = "; " if any("," in n for n in names) else ", "  # "row 1, column 2; row 5, column 3": places stay whole
    return sep.join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


PROTOCOL_COUNT = "By the protocol's count"


def _strays(occ: Occupancy, count: str = PROTOCOL_COUNT) -> str:
    """Why the protocol's count of captured modes (the arena's table, the Train page's "Modes") differs from the modes
    the samples sit on: some captured mode holds less than a quarter of a fair share, or some mode the samples sit
    on has no sharp sample yet. `count` names that count where the reader sees it."""
    if occ.captured is None:
        return ""
    extra, unsharp = len(occ.captured - occ.final), len(occ.final - occ.captured)
    if extra == 0:
        if unsharp == 0:
            return ""
        n = len(occ.captured)
        return (f" ({count} only {n} {'mode is' if n == 1 else 'modes are'} captured: a mode counts "
                f"once one of its samples is sharp, within 3 sigma, and {unsharp} of the modes it sits on "
                f"{'has' if unsharp == 1 else 'have'} none yet.)")
    also = (f"; and {unsharp} of the modes it sits on {'has' if unsharp == 1 else 'have'} no sharp sample"
            if unsharp else "")
    return (f" ({count}, {len(occ.captured)} modes are captured, since one sharp sample on a mode is "
            f"enough; {extra} of them {'gets' if extra == 1 else 'get'} less than {held_share(occ.k):.0%} of the "
            f"samples{also}.)")


def _trickle(occ: Occupancy, count: str, centres: np.ndarray, ringed: str = "") -> str:
    """A collapsed run's modes that the map rings (captured: one sharp sample is enough) though they hold less than
    a quarter of a fair share, named, so the sentence and the rings agree; else `_strays`' words."""
    trickle = (occ.captured or frozenset()) - occ.final
    if not trickle or occ.final - (occ.captured or frozenset()):
        return _strays(occ, count)
    n = len(occ.captured)
    return (f" {count}, {n} modes are captured{ringed}, since one sharp sample on a mode is enough: "
            f"{_places(trickle, centres)} {'gets' if len(trickle) == 1 else 'get'} only a trickle, less than "
            f"{held_share(occ.k):.0%} of the samples{' each' if len(trickle) > 1 else ''}.")


def explain(variant: str, occ: Occupancy, centres: np.ndarray, count: str = PROTOCOL_COUNT, ringed: str = "") -> str:
    """Two or three plain sentences on what a run did (markdown: the variant in bold). `count` names the protocol's
    count of captured modes as the reader knows it (the Train page: "By the Modes count above"); `ringed` where a
    picture beside the words marks them (" (ringed on the map)")."""
    k, final = occ.k, occ.final
    head = f"**{variant}**"
    journey = ""
    times = f"{occ.hops} time{'s' if occ.hops > 1 else ''}"
    dropped = occ.visited - final
    if occ.jumps and occ.collapsed:
        onto = frozenset().union(*occ.jumped_onto)
        journey = (f" Over training it jumped {occ.jumps} time{'s' if occ.jumps > 1 else ''} from mode to mode (onto "
                   f"{_places(onto, centres)}): each time D learnt to reject the mode G sat on, G moved to another.")
    elif occ.collapsed and dropped and occ.captured is None:
        journey = (f" It did not jump from mode to mode: it narrowed onto these, letting go of "
                   f"{_places(dropped, centres)}, which held {held_share(k):.0%} or more of the samples at some "
                   f"evaluation.")
    elif occ.collapsed and dropped:
        # a mode let go of may keep a trickle of sharp samples, and the map still rings it: say which is which
        trickle, gone = dropped & occ.captured, dropped - occ.captured
        parts = ([f"letting go of {_places(gone, centres)} (no sharp sample left there)"] if gone else []) + (
                 [f"keeping only a trickle on {_places(trickle, centres)}"] if trickle else [])
        journey = (f" It did not jump from mode to mode: it narrowed onto these, " + " and ".join(parts)
                   + f" (each held {held_share(k):.0%} or more of the samples at some evaluation).")
    elif occ.hops:
        journey = (f" The modes it held changed {times} over training ({len(occ.visited)} of the {k} held at some "
                   f"point).")
    loose = (f" Its samples are still loose: only {occ.hq:.0%} lie within 3 sigma of a mode." if not occ.sharp else
             f" {occ.hq:.0%} of its samples are sharp (within 3 sigma of a mode).")
    if occ.too_early:
        return (f"{head}: too early to tell after {len(occ.steps)} evaluation{'s' if len(occ.steps) > 1 else ''}: "
                f"its samples sit near {len(final)} of the {k} modes ({_places(final, centres)}) and only "
                f"{occ.hq:.0%} are sharp (within 3 sigma of a mode). Train longer and watch the share per mode.")
    if occ.collapsed:
        on = sum(occ.final_shares[i] for i in final) if len(occ.final_shares) == k else None
        most = f"{on:.0%} of its samples" if on is not None else "its samples"
        where = (f"only {len(final)} of the {k} modes ({_places(final, centres)})" if len(final) <= k // 2 else
                 f"{len(final)} of the {k} modes and miss {_places(set(range(k)) - set(final), centres)}")
        return (f"{head} collapsed: {most} sit on {where}.{_trickle(occ, count, centres, ringed)}{journey}{loose} "
                f"That is mode collapse.")
    if not occ.sharp and len(final) == k:
        return (f"{head} has not learnt the modes yet: its samples spread over all {k} of them, but only {occ.hq:.0%} "
                f"are sharp (within 3 sigma of a mode). More steps or a smaller learning rate would help.")
    if len(final) == k:
        lo, hi = min(occ.final_shares), max(occ.final_shares)
        # as many decimals as the fair share needs: 12.5% of 8, not 12% beside a mode's 13%
        digits = 0 if (100 / k) == round(100 / k) else 1
        return (f"{head} kept all {k} modes: each got between {lo:.{digits}%} and {hi:.{digits}%} of the samples (a "
                f"fair share is {1 / k:.{digits}%}).{loose}")
    missed = set(range(k)) - set(final)
    return (f"{head} kept {len(final)} of {k} modes; it has (almost) no samples at {_places(missed, centres)}."
            f"{_strays(occ, count)}{journey}{loose}")


def stories(curves: pd.DataFrame, centres: np.ndarray) -> str:
    """Markdown: what each run did (variant, seed), one line each, from an arena's curves (variant, seed, step,
    hq, near_*): held modes at the end, hops, jumps, visited, and the sentence of `explain`."""
    lines = ["## What each run did (share of samples per mode over training)", "",
             "| variant | seed | modes held at the end | hops | jumps | modes visited | % HQ | collapsed |",
             "|---|---|---|---|---|---|---|---|"]
    sentences = []
    for (variant, seed), run in curves.groupby(["variant", "seed"], sort=False):
        try:
            occ = occupancy(run)
        except ValueError:
            continue
        kind = ("yes (sharp)" if occ.sharp else "yes (loose)") if occ.collapsed else (
            "too early" if occ.too_early else "no")
        lines.append(f"| {variant} | {seed} | {len(occ.final)} | {occ.hops} | {occ.jumps} | {len(occ.visited)} | "
                     f"{100 * occ.hq:.1f} | {kind} |")
        sentences.append(f"- seed {seed}: " + explain(variant, occ, centres))
    return "\n".join(lines + [""] + sentences)
