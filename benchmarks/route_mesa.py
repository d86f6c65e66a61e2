"""The minimal route model in Mesa 3: one Python object per escapee, activated each day
through the model's `AgentSet`, drawing from the model's random generator. Escapees who
arrive or are arrested leave the model, as a Mesa user would write it."""

from __future__ import annotations

from benchmarks.minimal_route_exact import (
    ARREST_HAZARD,
    EDGES,
    FINAL,
    MOVE_CHANCE,
    START,
)


def _successors() -> dict[int, tuple[list[int], list[float]]]:
    """Each node's next nodes and their weights."""
    table: dict[int, tuple[list[int], list[float]]] = {}
    for source, target, weight in EDGES:
        nodes, weights = table.setdefault(source, ([], []))
        nodes.append(target)
        weights.append(weight)
    return table


def _model_class():
    """The Mesa classes, defined on first use so that importing this file stays light."""
    import mesa

    class Escapee(mesa.Agent):
        """One escapee on the route."""

        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.node = START

        def step(self) -> None:
            model = self.model
            if model.random.random() < ARREST_HAZARD:
                model.arrested += 1
                self.remove()
            elif model.random.random() < MOVE_CHANCE:
                nodes, weights = model.successors[self.node]
                self.node = model.random.choices(nodes, weights)[0]
                if self.node == FINAL:
                    model.arrived += 1
                    self.remove()

    class RouteModel(mesa.Model):
        """All escapees start at node 0; each day every one still travelling steps."""

        def __init__(self, agents: int, seed: int) -> None:
            super().__init__(seed=seed)
            self.successors = _successors()
            self.arrived = 0
            self.arrested = 0
            Escapee.create_agents(self, agents)

        def step(self) -> None:
            self.agents.do("step")

    return RouteModel


def prepare(agents: int, days: int, seed: int):
    """A Mesa model with `agents` escapees; the returned function steps it `days` times."""
    model = _model_class()(agents, seed)

    def run() -> tuple[int, int]:
        for _ in range(days):
            model.step()
        return model.arrived, model.arrested

    return run
