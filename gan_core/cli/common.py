"""What every command line shares: exit codes, the usage error, the device and thread options."""
from __future__ import annotations

import argparse

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class UsageError(ValueError):
    """A bad option or file: reported as one line on stderr with exit status 2."""


def add_device_options(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to compute: auto picks CUDA when present")
    sp.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice, one per core)")
