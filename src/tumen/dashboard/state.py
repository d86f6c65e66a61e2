"""What one dashboard server holds: its baseline scenario, the run store and the job runner.

Kept apart from the Dash app so that callbacks and tests can share it without cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tumen.dashboard.ensemble import StoredEnsemble
from tumen.dashboard.jobs import Job, JobRunner
from tumen.results import Results
from tumen.scenario import builtin_scenarios, load_scenario
from tumen.scenario.schema import Scenario

BASELINE_SEED = 0
KEPT_SCENARIOS = 30  # scenario folders kept in the store, besides the baseline's


@dataclass
class DashboardState:
    """The baseline and its job, every what-if job, and the stored ensemble shown beside
    them (if any), of one server."""

    scenario: Scenario
    runner: JobRunner
    baseline_job: Job
    builtins: list[str] = field(default_factory=builtin_scenarios)
    stored: StoredEnsemble | None = None

    def baseline(self) -> Results | None:
        """The baseline run, or None while it is being computed."""
        runs = self.runner.results(self.baseline_job.id)
        return runs[0] if runs else None

    def whatif(self, job_id: str | None) -> list[Results] | None:
        """The runs of a finished what-if job, or None."""
        job = self.runner.get(job_id)
        if job is None or job.kind != "what-if":
            return None
        return self.runner.results(job_id)

    def source_scenario(self, source: str) -> Scenario:
        """A what-if's starting scenario: the baseline's or a built-in one, chosen by name."""
        if source == "baseline":
            return self.scenario
        name = source.removeprefix("builtin:")
        if source.startswith("builtin:") and name in self.builtins:
            return load_scenario(name)
        raise ValueError(f"unknown scenario source {source!r}")

    def prune_store(self) -> None:
        self.runner.store.prune(KEPT_SCENARIOS, protect={self.baseline_job.key})
