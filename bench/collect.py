"""Assemble BENCHMARKS.md from the result sections the benchmark scripts write into bench/results/.

    python bench/collect.py

Each section names the command that produced it; rerun that command, then this script.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["throughput.md", "speed.md", "tutorial-numerics.md", "arena.md", "images.md", "dashboard.md", "load.md", "soak.md"]

HEADER = """# Benchmarks

Every figure below was measured on the project's reference machine (2-core x86_64 CPU, 24 GiB, no GPU)
by the command printed with it. Speeds are compared side by side in one run (alternating rounds), never
against numbers from another day. The machine is shared, so absolute figures vary between runs; the
ratios are what each section is about.
"""


def main() -> None:
    parts = [HEADER]
    results = ROOT / "bench" / "results"
    names = [n for n in ORDER if (results / n).is_file()]
    names += sorted(p.name for p in results.glob("*.md") if p.name not in ORDER)
    for name in names:
        parts.append((results / name).read_text().strip() + "\n")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(parts))
    print(f"BENCHMARKS.md: {len(names)} sections ({', '.join(names)})")


if __name__ == "__main__":
    main()
