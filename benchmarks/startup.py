"""Time Tumen's start-up against Python's own, in the same invocation.

    python -m benchmarks.startup [--repeats N]

Times, each in a fresh process and repeated, `python -c pass` (the interpreter alone),
`python -c "import tumen"` and `tumen --help` (run as `python -m tumen.cli`, the console
script's own code), and reports the best and the median of each, and what Tumen adds
to the interpreter's start. Targets: `import tumen` under 0.5 s, `tumen --help` under
1 s. Writes benchmarks/results/startup.json with the machine description and its load.
Also checks that importing tumen loads none of the heavy libraries that only some
commands need.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.__main__ import load
from benchmarks.machine import describe

RESULTS = Path(__file__).parent / "results" / "startup.json"
TARGETS_S = {"import tumen": 0.5, "tumen --help": 1.0}
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import tumen": ["-c", "import tumen"],
    "tumen --help": ["-c", "from tumen.cli import main; import sys; "
                           "sys.argv = ['tumen', '--help']; main()"],
}
# Libraries only some commands need; `import tumen` must not load them.
HEAVY = ("dash", "dask", "optuna", "SALib", "plotly", "duckdb", "mesa", "starsim", "flee")


def time_command(arguments: list[str]) -> float:
    """Wall time of one fresh `python ARGS`, in seconds; RuntimeError if it fails."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(arguments)} failed: {done.stderr.strip()}")
    return elapsed


def heavy_imports() -> list[str]:
    """The heavy libraries that `import tumen` loads (should be none)."""
    probe = (f"import sys, tumen; print(' '.join(m for m in {HEAVY!r} "
             f"if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def measure(repeats: int) -> dict[str, object]:
    """Best and median of each command, interleaved so that load hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for arguments in COMMANDS.values():  # one unmeasured run each warms the disk cache
        time_command(arguments)
    for _ in range(repeats):
        for name, arguments in COMMANDS.items():
            times[name].append(time_command(arguments))
    base = min(times["python -c pass"])
    rows = {}
    for name, values in times.items():
        best = min(values)
        rows[name] = {"best_s": round(best, 4), "median_s": round(statistics.median(values), 4),
                      "above_python_s": round(best - base, 4),
                      "target_s": TARGETS_S.get(name),
                      "meets_target": best <= TARGETS_S[name] if name in TARGETS_S else None}
    return {"repeats": repeats, "commands": rows, "heavy_imports": heavy_imports()}


def main(argv: list[str] | None = None) -> int:
    """Measure, print, write; status 1 if a target is missed or a heavy library loads."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    load_before = load()
    record = measure(args.repeats)
    record.update(machine=describe(), load_before=load_before, load_after=load())
    for name, row in record["commands"].items():
        target = f"  target {row['target_s']} s" if row["target_s"] else ""
        print(f"{name:16} best {row['best_s']:.3f} s  median {row['median_s']:.3f} s  "
              f"(+{row['above_python_s']:.3f} s over python){target}")
    heavy = record["heavy_imports"]
    print(f"heavy libraries loaded by import tumen: {', '.join(heavy) or 'none'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written: {args.out}")
    missed = [name for name, row in record["commands"].items() if row["meets_target"] is False]
    return 1 if missed or heavy else 0


if __name__ == "__main__":
    sys.exit(main())
