"""Every `python -m gan_core ...` command the documentation shows still parses, and its configuration builds.

Commands are read from README.md, BENCHMARKS.md, deploy/README.md and the shipped folders' cards: lines of code
blocks (fenced or indented) and inline code that names an --out. Nothing is trained: `train` builds its
TrainConfig (or CycleConfig), `arena` its plan of runs, `augment` its StudyConfig, the others only parse.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from gan_core.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "BENCHMARKS.md", ROOT / "deploy" / "README.md",
        *sorted((ROOT / "pretrained").glob("*/README.md"))]
PREFIX = "python -m gan_core "


def _code_lines(text: str) -> list[str]:
    """Lines of fenced and indented code blocks (continuations joined), and inline code spans naming --out."""
    lines, prose, fenced = [], [], False
    for line in text.replace("\\\n", " ").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced or line.startswith("    "):
            lines.append(line)
        else:
            prose.append(line)
    return lines + [span for span in re.findall(r"`([^`]+)`", " ".join(prose)) if "--out" in span]


def _shell_vars(text: str) -> dict[str, str]:
    """NAME=value lines of the documentation's code (e.g. V=vanilla,ns), to expand $NAME in its commands."""
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(\S+)\s*$", text, re.M))


def documented_commands() -> list[tuple[str, str]]:
    found = {}
    for doc in DOCS:
        text = doc.read_text()
        variables = _shell_vars(text)
        for line in _code_lines(text):
            if PREFIX not in line:
                continue
            command = re.sub(r"\s+#.*$", "", line.split(PREFIX, 1)[1]).strip()
            command = re.sub(r"\$([A-Z][A-Z0-9_]*)", lambda m: variables.get(m.group(1), m.group(0)), command)
            if "..." in command or "$" in command:  # a sketch, or a value the reader fills in
                continue
            found.setdefault(command, str(doc.relative_to(ROOT)))
    return [(where, command) for command, where in found.items()]


COMMANDS = documented_commands()


def test_the_documentation_shows_commands():
    assert len(COMMANDS) > 30
    assert {c.split()[0] for _, c in COMMANDS} >= {"train", "sample", "eval", "arena", "translate", "mix"}


@pytest.mark.parametrize("where, command", COMMANDS, ids=[f"{w}: {c[:60]}" for w, c in COMMANDS])
def test_documented_command_parses_and_builds_its_config(where, command):
    try:
        args = build_parser().parse_args(shlex.split(command))
    except SystemExit:
        pytest.fail(f"{where}: `{PREFIX}{command}` no longer parses")
    if args.command == "train" and not args.resume:
        from gan_core.cli.cyclegan import cycle_config_from_args, wants_cycle
        from gan_core.cli.train import config_from_args

        (cycle_config_from_args if wants_cycle(args) else config_from_args)(args)
    elif args.command == "arena":
        from gan_core.arena.plan import plan_runs, reference_config
        from gan_core.cli.arena import _variant_list

        base = reference_config(args.data, args.preset)
        if args.batch_size is not None:
            base = base.replace(optim={"batch_size": args.batch_size})
        plan_runs(args.data, _variant_list(args.variants), args.seeds, args.steps, args.eval_every, base)
    elif args.command == "augment":
        from gan_core.cli.augment import config_from_args

        config_from_args(args)


def test_documented_commands_do_not_write_over_what_a_folder_keeps():
    """A documented `sample` (or `mix`, `translate`) whose --out names a file the CLI guards (a card's samples.png, a
    run's metrics.csv: `gan_core.sampling.kept_file`) is refused as written; the cards once showed such commands."""
    from gan_core.sampling import kept_file

    refused = []
    for where, command in COMMANDS:
        args = build_parser().parse_args(shlex.split(command))
        out = getattr(args, "out", None)
        if args.command in ("sample", "mix", "translate") and out and kept_file(ROOT / out):
            refused.append(f"{where}: {command}")
    assert not refused, refused
