"""Value checks shared by every typed config: each raises ValueError naming the field, the value and what is allowed."""
from __future__ import annotations

import math
from typing import Any


def check_choice(name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not a valid choice; choose one of: {', '.join(map(str, choices))}")


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r} must be true or false")


def check_int(name: str, value: Any, lo: int, hi: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}={value!r} must be a whole number")
    if value < lo or (hi is not None and value > hi):
        allowed = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{name}={value} is out of range; it must be {allowed}")


def check_float(name: str, value: Any, lo: float, hi: float | None = None, lo_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r} must be a finite number")
    bad_lo = value <= lo if lo_open else value < lo
    if bad_lo or (hi is not None and value > hi):
        lo_txt = f"greater than {lo}" if lo_open else f"at least {lo}"
        allowed = f"{lo_txt} and at most {hi}" if hi is not None else lo_txt
        raise ValueError(f"{name}={value} is out of range; it must be {allowed}")


MIN_DISTINCT_POINTS = 2  # one point (or one repeated) has no spread to learn: D separates it from any G at once


def check_distinct_points(what: str, points) -> None:
    """Refuse a set of 2D points with fewer than MIN_DISTINCT_POINTS different points, saying how many it has."""
    distinct = len({(float(a), float(b)) for a, b in points})
    if distinct < MIN_DISTINCT_POINTS:
        n = len(points)
        has = f"has only {n} point" if n <= 1 else f"has {n:,} points, all at the same place (1 distinct point)"
        raise ValueError(f"{what} {has}; a GAN needs at least {MIN_DISTINCT_POINTS} distinct points to learn a "
                         f"spread (a few dozen make a shape worth learning): add more points")
