"""`python -m gan_core COMMAND ...`: every command line of the engine, one module per group of commands.

Each module has `register(sub)`, which adds its commands to the top-level parser. Bad options or files end
with exit status 2 and one short message on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from gan_core.cli.common import EXIT_BAD_INPUT, EXIT_DIVERGED, UsageError
from gan_core.cli.train import config_from_args

# The groups of commands: gan_core/cli/<name>.py, each with register(sub).
COMMAND_GROUPS = ("train", "arena", "classifier", "cyclegan", "style", "augment")
# The group of each command: a command line loads its own group only, so `train` does not import the arena's or the
# augmentation study's modules (pandas, multiprocessing: 0.3-0.8 s of a 2-core CPU). A command missing here still
# works (every group is loaded), only slower to start.
GROUP_OF = {"train": "train", "sample": "train", "eval": "train", "variants": "train", "arena": "arena",
            "classifier": "classifier", "translate": "cyclegan", "mix": "style", "augment": "augment"}

__all__ = ["main", "build_parser", "config_from_args", "UsageError", "EXIT_BAD_INPUT", "EXIT_DIVERGED"]


def build_parser(groups: tuple[str, ...] = COMMAND_GROUPS) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gan_core", description="Train, sample and evaluate GANs for the classroom.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in groups:
        importlib.import_module(f"gan_core.cli.{name}").register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    group = GROUP_OF.get(argv[0]) if argv else None
    parser = build_parser((group,) if group else COMMAND_GROUPS)
    args, extra = parser.parse_known_args(argv)
    if extra:  # a misspelt option: the command's own usage line, not the top-level one
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        sub.choices[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    from gan_core.runs import RunFolderError

    threads = getattr(args, "threads", None)
    if threads is not None:
        if not 1 <= threads <= 256:
            print(f"error: --threads={threads} must be between 1 and 256", file=sys.stderr)
            return EXIT_BAD_INPUT
        import torch

        torch.set_num_threads(threads)

    try:
        return args.func(args)
    except (UsageError, RunFolderError, ValueError, FileNotFoundError, FileExistsError, NotADirectoryError,
            PermissionError, IsADirectoryError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
