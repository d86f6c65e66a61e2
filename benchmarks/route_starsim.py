"""The minimal route model in Starsim (IDM's vectorised agent-based framework): one
module whose states are Starsim arrays, stepped daily, with Starsim's own random
streams (common random numbers) for the daily arrest, move and branch draws."""

from __future__ import annotations

import numpy as np

from benchmarks.minimal_route_exact import (
    ARREST_HAZARD,
    FINAL,
    MOVE_CHANCE,
    START,
    successor_weights,
)


def _route_module():
    """The module class, defined on first use so that importing this file stays light."""
    import starsim as ss

    class MinimalRoute(ss.Module):
        """Escapees on the 16-node route: arrested, else moving on, each day."""

        def __init__(self) -> None:
            super().__init__(name="minimal_route")
            self.define_states(
                ss.IntArr("node", default=START),
                ss.BoolState("travelling", default=True),
            )
            self.caught = ss.bernoulli(p=ARREST_HAZARD)
            self.moves = ss.bernoulli(p=MOVE_CHANCE)
            self.branch = ss.random()
            self.cumulative = np.cumsum(successor_weights(), axis=1)
            self.arrived_total = 0
            self.arrested_total = 0
            self.steps = 0

        def step(self) -> None:
            self.steps += 1
            caught = self.caught.filter(self.travelling.uids)
            self.travelling[caught] = False
            movers = self.moves.filter(self.travelling.uids)
            draw = self.branch.rvs(movers)[:, None]
            node = (draw >= self.cumulative[self.node[movers]]).sum(axis=1)
            self.node[movers] = node
            arrived = movers[node == FINAL]
            self.travelling[arrived] = False
            self.arrived_total += len(arrived)
            self.arrested_total += len(caught)

    return MinimalRoute


def prepare(agents: int, days: int, seed: int):
    """A Starsim sim of `agents` people and `days` daily steps, initialised."""
    import starsim as ss

    module = _route_module()()
    # Starsim steps at both ends of its time span: `days` steps span days - 1 days
    # (given as start and stop days; a duration in days is rounded through years).
    sim = ss.Sim(n_agents=agents, modules=[module], start=ss.days(0), stop=ss.days(days - 1),
                 dt=ss.days(1), rand_seed=seed, verbose=0)
    sim.init()

    def run() -> tuple[int, int]:
        sim.run()
        route = next(mod for mod in sim.modules if mod.name == "minimal_route")
        if route.steps != days:
            raise RuntimeError(f"Starsim took {route.steps} daily steps, not {days}")
        return route.arrived_total, route.arrested_total

    return run
