"""What every command line shares: exit codes, the usage error, the device and thread options."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class UsageError(ValueError):
    """A bad option or file: reported as one line on stderr with exit status 2."""


def add_device_options(sp: argparse.ArgumentParser,
                       threads_help: str = "CPU threads for torch (default: torch's choice, one per core)") -> None:
    sp.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to compute: auto picks CUDA when present")
    sp.add_argument("--threads", type=int, default=None, help=threads_help)


# What a command leaves in its output folder: a folder holding any of these holds an earlier result.
RESULT_FILES = ("config.json", "generator.safetensors", "discriminator.safetensors", "G.safetensors", "F.safetensors",
                "D_A.safetensors", "D_B.safetensors", "model.safetensors", "checkpoint.json", "checkpoint.safetensors",
                "metrics.csv")


def check_out_path(path: str) -> Path:
    """--out names a folder that can be made and written: not empty, not a file, not under a file, in a place that
    takes new files. Checked before any work (a read-only place was found only after the training, which was lost)."""
    if not str(path).strip():
        raise UsageError("--out is empty; name a folder, e.g. --out runs/my-run")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; name a folder (it is created if missing)")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"--out {out}: {parent} is a file, so no folder can be made under it")
    check_writable(out, "--out")
    return out


def check_data_dir(data_dir: str | None, data: str | None) -> None:
    """--data-dir names a folder, and for data read from IDX files (mnist-full, fashion-mnist, stacked-mnist) a folder
    holding them: a folder without them was passed over for the installed or downloaded copies, unsaid. Data that
    reads no folder (the bundled digits, the 2D sets) refuses one, which it would leave unused, unsaid."""
    if data_dir is None:
        return
    if not Path(data_dir).is_dir():
        raise UsageError(f"--data-dir {data_dir}: no such folder (it should hold the IDX files, e.g. "
                         f"train-images-idx3-ubyte.gz); leave it out to use the bundled or installed copies")
    from gan_core.data.images import IDX_OF, PRETTY_NAME, idx_files_in

    if data is None:
        return
    found = idx_files_in(data, data_dir)
    if found is None:  # every image set that reads no IDX files is one of the two bundled ones
        what = {"mnist": "the 10,000 MNIST digits bundled with the project",
                "digits8": "the UCI 8x8 scans bundled with the project",
                "points": "your own points, read from the --points file"}.get(data, "a 2D set the program draws")
        instead = ("; to train on the 60,000 MNIST digits in that folder, use --data mnist-full" if data == "mnist"
                   else "")
        raise UsageError(f"--data-dir {data_dir}: --data {data} is {what}; it reads no folder, so this one would "
                         f"go unused (--data-dir is read for {', '.join(IDX_OF)}); leave --data-dir out{instead}")
    if found is False:
        idx = IDX_OF[data]
        raise UsageError(f"--data-dir {data_dir} holds no {PRETTY_NAME[idx]} files (train-images-idx3-ubyte and "
                         f"train-labels-idx1-ubyte, plain or .gz, in the folder itself or in {idx}/ under it); put "
                         f"them there, or leave --data-dir out to use the installed or downloaded copies")


def check_writable(out: Path, flag: str) -> None:
    """`out` (a folder), or the nearest folder above it that exists, takes a new file: tried with an empty one, which
    is removed at once. Nothing else is made."""
    import os
    import tempfile

    where = out if out.is_dir() else next((p for p in out.parents if p.is_dir()), None)
    if where is None:
        return
    try:
        fd, name = tempfile.mkstemp(dir=where, prefix=".write-check-")
        os.close(fd)
        os.unlink(name)
    except OSError as e:
        raise UsageError(f"{flag} {out} cannot be written: {where} takes no new files ({e.strerror}); choose a folder "
                         f"you can write to") from None


def earlier_result(out: Path) -> list[str]:
    """The files of an earlier result in `out` (empty when there is none)."""
    return [name for name in RESULT_FILES if (out / name).is_file()] if out.is_dir() else []


def kind_of_result(found: list[str]) -> str:
    """What a folder's result files say it holds, in words (for a refusal)."""
    if "model.safetensors" in found:
        return "a classifier"
    if "G.safetensors" in found or "F.safetensors" in found:
        return "a style-transfer (CycleGAN) run"
    if "generator.safetensors" in found:
        return "a GAN run"
    return "a result this command cannot read"


def refuse_overwrite(out: Path, found: list[str], why: str, resume_hint: bool = True) -> None:
    hint = "--resume to continue it, " if resume_hint else ""
    raise UsageError(f"--out {out} already holds {why} ({', '.join(found)}); nothing was changed. Choose a new "
                     f"folder, {hint}or add --overwrite to replace its files")


def read_config_file(path: Path) -> dict:
    """A --config file's settings: a JSON object, or a one-line reason why not."""
    if not path.is_file():
        raise UsageError(f"--config {path}: no such file")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"--config {path} is not valid JSON: {getattr(e, 'msg', e)}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--config {path} must hold a JSON object of settings (like a run's config.json), "
                         f"not a {type(data).__name__}")
    return data


# Flags a resumed run may take: it continues with the settings saved in its folder, up to a new --steps.
_RESUME_FLAGS = {"out", "resume", "quiet", "device", "threads", "steps", "overwrite", "func", "command"}


def config_flag(section: str, name: str) -> str:
    """The command-line flag of a config field: --data for data.name, --model for model.kind, else --field-name."""
    return {("data", "name"): "--data", ("model", "kind"): "--model"}.get((section, name), "--" + name.replace("_", "-"))


def given_settings(args: argparse.Namespace) -> list[str]:
    """The run-setting flags typed on this command line (as typed: --lr-g, --option, ...), --steps excepted."""
    flags = []
    for key, value in vars(args).items():
        if key in _RESUME_FLAGS or value is None or value == []:
            continue
        if "." in key:  # a config field's dest, e.g. optim.lr_g
            flags.append(config_flag(*key.split(".", 1)))
        else:
            flags.append("--option" if key == "options" else "--" + key.replace("_", "-"))
    return flags


def check_resume(args: argparse.Namespace, done: int) -> None:
    """A resume keeps the saved settings: refuse settings typed with it, and a budget below the steps done."""
    if getattr(args, "overwrite", False):
        raise UsageError(f"--resume continues the run in {args.out} and --overwrite starts it again from nothing; give "
                         f"one of them")
    typed = given_settings(args)
    if typed:
        raise UsageError(f"--resume continues the run in {args.out} with its saved settings, so {', '.join(typed)} "
                         f"would not be read. Leave {'it' if len(typed) == 1 else 'them'} out (--steps, --device and "
                         f"--threads may be given), or start a new run in another folder")
    if args.steps is not None and args.steps < done:
        raise UsageError(f"--steps {args.steps} is below the {done:,} steps the run in {args.out} has done; give a "
                         f"larger budget to continue it")


def steps_done(out: Path) -> int | None:
    """The last step logged in out/metrics.csv (None without one): how far the run saved there got."""
    try:
        lines = (out / "metrics.csv").read_text().strip().splitlines()
        return int(float(lines[-1].split(",")[lines[0].split(",").index("step")])) if len(lines) > 1 else 0
    except (OSError, ValueError, IndexError):
        return None


def clear_earlier(out: Path) -> None:
    """--overwrite: the earlier result's files go first, so that none of another kind stays beside the new ones."""
    for name in earlier_result(out):
        (out / name).unlink()


def saver(save: Callable, out: Path, clear_first: bool) -> Callable:
    """save(trainer, out) that, with --overwrite, clears the earlier result's files just before its first save: the
    earlier run stays whole until the new one has something to put in its place (a command that fails before that,
    say on --device cuda without a GPU, loses nothing)."""
    pending = [clear_first]

    def run(trainer):
        if pending[0]:
            clear_earlier(out)
            pending[0] = False
        return save(trainer, out)
    return run


def check_new_run(args: argparse.Namespace, config, read_saved) -> bool:
    """A new run's --out: refuse a folder holding an earlier result unless it is the same run again, finished (its
    config.json equals this one: the same command, a reproduction), or --overwrite is given. An unfinished run of
    the same settings is refused too: --resume continues it. Returns whether the earlier files are to be cleared
    (--overwrite over an earlier result), which `saver` does at the new run's first save, not here."""
    out = Path(args.out)
    found = earlier_result(out)
    if not found:
        return False
    if args.overwrite:
        return True
    try:
        same, foreign = read_saved(out).to_dict() == config.to_dict(), False
    except Exception:  # noqa: BLE001 - any unreadable or foreign config.json is not this run
        same, foreign = False, True
    if foreign:  # --resume cannot continue what this command did not make: no hint of it
        refuse_overwrite(out, found, kind_of_result(found), resume_hint=False)
    if not same:
        refuse_overwrite(out, found, "an earlier result with other settings")
    done = steps_done(out)
    if done is not None and done < config.steps:
        raise UsageError(f"--out {out} holds this run stopped at step {done:,} of {config.steps:,}; nothing was "
                         f"changed. Add --resume to continue it, or --overwrite to start it again")
