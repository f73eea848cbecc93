"""`--set SECTION.FIELD=JSON` for the benchmarks: change one field of a run's config from the command line.

    sets = parse_sets(args.set, parser.error)   # {("model", "d_width"): 8, ...}
    apply_sets(overrides, sets)                 # overrides["model"]["d_width"] = 8
"""
from __future__ import annotations

import json
from typing import Callable, NoReturn


def parse_sets(texts: list[str], error: Callable[[str], NoReturn]) -> dict[tuple[str, str], object]:
    """Each 'SECTION.FIELD=JSON' as {(section, field): value}; a malformed one goes to `error` (argparse's)."""
    sets: dict[tuple[str, str], object] = {}
    for text in texts:
        key, _, value = text.partition("=")
        section, _, name = key.partition(".")
        if not (section and name and value):
            error(f"--set {text!r} must look like SECTION.FIELD=JSON, e.g. model.d_width=8")
        try:
            sets[(section, name)] = json.loads(value)
        except json.JSONDecodeError:
            error(f"--set {text!r}: the value must be JSON, e.g. model.noise='\"uniform\"' (a string in quotes)")
    return sets


def apply_sets(overrides: dict, sets: dict[tuple[str, str], object]) -> dict:
    """Write the fields into a nested config dict (sections made as needed); returns it."""
    for (section, name), value in sets.items():
        overrides.setdefault(section, {})[name] = value
    return overrides
