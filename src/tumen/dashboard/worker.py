"""The worker process of a dashboard job: `python -m tumen.dashboard.worker`.

It reads one JSON request on standard input (the scenario, its store key, the seeds and
the store's folder, all from the server, never from a page), simulates each seed the
store does not hold yet, saves it there, and reports on standard output:
`progress <fraction>` now and then, then `done` or `failed <message as JSON>`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tumen.dashboard.store import RunStore
from tumen.scenario.schema import Scenario

STEP = 0.005  # report progress in steps of half a percent


def run(request: dict) -> None:
    """Simulate and store every seed of the request, printing progress."""
    from tumen.api import simulate

    text = str(request["scenario"])
    scenario = Scenario.model_validate_json(text)
    store = RunStore(Path(request["root"]))
    key, seeds = str(request["key"]), [int(seed) for seed in request["seeds"]]
    store.prepare(key, text)
    last = -1.0

    def report(fraction: float) -> None:
        nonlocal last
        if fraction - last >= STEP or fraction >= 1.0:
            last = fraction
            print(f"progress {fraction:.4f}", flush=True)

    for i, seed in enumerate(seeds):
        if not store.has(key, seed):

            def advance(done: int, total: int, i: int = i) -> None:
                report((i + done / max(total, 1)) / len(seeds))

            store.save(key, text, simulate(scenario, seed=seed, progress=advance))
        report((i + 1) / len(seeds))


def main() -> int:
    try:
        run(json.loads(sys.stdin.read()))
    except Exception as error:  # reported on the page; the server keeps going
        print(f"failed {json.dumps(f'{type(error).__name__}: {error}')}", flush=True)
        return 1
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
