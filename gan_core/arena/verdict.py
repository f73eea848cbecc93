"""What a run's mode occupancy says, in numbers and in words a student reads at a glance.

The occupancy of a 2D run is its logged `share_k` columns (modes2d: the share of ALL samples that are sharp, i.e.
within 3 sigma of a centre, and nearest to centre k; the shares add up to % HQ). From its history over training:

- the **held** modes of one evaluation are those with at least a quarter of a fair share (share_k >= 1 / (4K)):
  a stray sample or two on a mode does not count as keeping it;
- a **hop** is an evaluation whose held modes differ from the previous evaluation's;
- the **visited** modes are those held at some evaluation;
- a run **collapsed** when most of its samples are sharp (% HQ >= 50) but it holds at most half of the modes,
  or holds fewer than all of them and hops between evaluations (the generator chasing D from mode to mode).

These are the pictures the Unrolled GAN paper (Metz et al. 2016, fig. 1) and VEEGAN (Srivastava et al. 2017)
show for a plain GAN; `BENCHMARKS.md` ("Mode collapse you can show") reports them for the arena's variants.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHARP = 0.5  # a run whose share of sharp (high-quality) samples is below this has not learnt the modes yet

_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


def share_columns(evals: pd.DataFrame) -> list[str]:
    cols = [c for c in evals.columns if c.startswith("share_")]
    return sorted(cols, key=lambda c: int(c.split("_")[1]))


def held_modes(shares: np.ndarray) -> frozenset[int]:
    """The modes holding at least a quarter of a fair share of the samples (see the module docstring)."""
    k = len(shares)
    return frozenset(int(i) for i in np.flatnonzero(np.nan_to_num(shares) >= 1.0 / (4 * k)))


@dataclass(frozen=True)
class Occupancy:
    """One run's occupancy history boiled down (module docstring)."""

    k: int                      # modes of the mixture
    steps: tuple[int, ...]      # the evaluated steps
    held: tuple[frozenset, ...]  # held modes at each evaluation
    hq: float                   # % HQ at the last evaluation, in [0, 1]
    final_shares: tuple[float, ...]

    @property
    def final(self) -> frozenset:
        return self.held[-1] if self.held else frozenset()

    @property
    def hops(self) -> int:
        return sum(a != b for a, b in zip(self.held, self.held[1:]))

    @property
    def visited(self) -> frozenset:
        return frozenset().union(*self.held) if self.held else frozenset()

    @property
    def sharp(self) -> bool:
        return self.hq >= SHARP

    @property
    def collapsed(self) -> bool:
        few = len(self.final) <= self.k // 2
        hopping = len(self.final) < self.k and self.hops > 0
        return self.sharp and (few or hopping)

    @property
    def covers_all(self) -> bool:
        return self.sharp and len(self.final) == self.k


def occupancy(evals: pd.DataFrame) -> Occupancy:
    """The occupancy of ONE run (rows of one variant and seed, any order) from its share_* columns."""
    cols = share_columns(evals)
    if not cols or evals.empty:
        raise ValueError("no share_* columns: occupancy needs the 2D mode metrics of a run (data with known centres)")
    rows = evals.dropna(subset=cols).sort_values("step")
    if rows.empty:
        raise ValueError("no evaluation with share_* values yet")
    shares = rows[cols].to_numpy(dtype=float)
    hq = float(rows["hq"].iloc[-1]) if "hq" in rows else float(shares[-1].sum())
    return Occupancy(len(cols), tuple(int(s) for s in rows["step"]), tuple(held_modes(s) for s in shares), hq,
                     tuple(float(x) for x in shares[-1]))


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
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def explain(variant: str, occ: Occupancy, centres: np.ndarray) -> str:
    """Two plain sentences on what a run did (markdown: the variant in bold)."""
    k, final = occ.k, occ.final
    head = f"**{variant}**"
    if not occ.sharp:
        return (f"{head} has not learnt the modes yet: only {occ.hq:.0%} of its samples are sharp (on a mode); "
                f"the rest fall between the modes. More steps or a smaller learning rate would help.")
    journey = ""
    if occ.hops:
        journey = (f" Over training it jumped {occ.hops} time{'s' if occ.hops > 1 else ''} and visited "
                   f"{len(occ.visited)} of the {k} modes: each time D learnt to reject the mode G sat on, G moved to "
                   f"another.")
    if len(final) == k:
        lo, hi = min(occ.final_shares) / max(occ.hq, 1e-9), max(occ.final_shares) / max(occ.hq, 1e-9)
        return (f"{head} kept all {k} modes, {occ.hq:.0%} of its samples sharp; each mode got between {lo:.0%} and "
                f"{hi:.0%} of the sharp ones (a fair share is {1 / k:.0%}).")
    if occ.collapsed:
        return (f"{head} collapsed: {occ.hq:.0%} of its samples are sharp, but they sit on only {len(final)} of the {k} "
                f"modes ({_places(final, centres)}).{journey} That is mode collapse.")
    missed = set(range(k)) - set(final)
    return (f"{head} kept {len(final)} of {k} modes ({occ.hq:.0%} of its samples sharp); it has none at "
            f"{_places(missed, centres)}.{journey}")
