"""Ctrl-C held back while a run is recorded, and ignored by the processes a sweep starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tumen.ensemble import interrupts
from tumen.ensemble.spec import seeds_sweep
from tumen.ensemble.store import RunOutcome, RunStore


@pytest.fixture(autouse=True)
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """Ctrl-C handled as Python handles it by default, whatever the test runner inherited
    (a job started in the background, as CI may start it, ignores Ctrl-C)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_inside_a_deferred_block_interrupts_once_it_is_done() -> None:
    finished = []
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        press_ctrl_c()
        finished.append(True)
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_deferred_block_without_ctrl_c_goes_on_quietly() -> None:
    with interrupts.deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_processes_started_while_ignored_ignore_ctrl_c() -> None:
    probe = [sys.executable, "-c",
             "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"]
    with interrupts.ignored():
        inside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout
    outside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout
    assert (inside.strip(), outside.strip()) == ("True", "False")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_a_run_is_recorded_leaves_it_recorded_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep = seeds_sweep(2, "korea-1998-2025", until=1998, seed=1)
    store = RunStore(tmp_path / "store", create=True)
    store.begin(sweep, resume=False)
    write = RunStore._write

    def pressed_midway(self: RunStore, name: str, outcome: RunOutcome) -> None:
        press_ctrl_c()
        write(self, name, outcome)

    monkeypatch.setattr(RunStore, "_write", pressed_midway)
    with pytest.raises(KeyboardInterrupt):
        store.record(sweep.name, RunOutcome(sweep.runs[0], 1.0, error="ValueError: no"))
    assert store.runs()["idx"].tolist() == [0]
