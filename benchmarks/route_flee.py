"""The minimal route model on Flee's structures: its `Ecosystem`, `Location`s, `Link`s and
one `Person` object per escapee, stepped by Flee's own daily `Ecosystem.evolve`, with
Python's `random`, as Flee uses.

Flee's own rules cannot express the model: it has no arrest, it picks routes by the
attractiveness of the places ahead (not fixed branch weights), its links go both ways,
and travel along a link takes distance over speed, so that one day may hold several
moves. The closest equivalent keeps Flee's machinery and replaces the two decisions of
its `Person`: `evolve` (arrest first, with the daily hazard; else move with the place's
`movechance`, set through Flee's settings to the model's 0.2, along a forward link drawn
by the edge weights) and `finish_travel` (a link taken is travelled in the day).
"""

from __future__ import annotations

import contextlib
import io
import random
import tempfile
from pathlib import Path

from benchmarks.minimal_route_exact import (
    ARREST_HAZARD,
    EDGES,
    FINAL,
    MOVE_CHANCE,
    N_NODES,
    START,
)

SETTINGS = f"""\
log_levels: {{agent: 0, link: 0, camp: 0, init: 0, conflict: 0}}
spawn_rules: {{take_from_population: false, insert_day0: false}}
move_rules: {{default_movechance: {MOVE_CHANCE}}}
"""


def _settings() -> None:
    """Flee's global settings, from a file as Flee reads them."""
    from flee.SimulationSettings import SimulationSettings

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "simsetting.yml"
        path.write_text(SETTINGS)
        SimulationSettings.ReadFromYML(str(path))


def _escapee_class():
    """The Person subclass, defined on first use so that importing this file stays light."""
    from flee import flee

    class Escapee(flee.Person):
        """A Flee person under the minimal route model's daily rule."""

        __slots__ = ()

        def evolve(self, e, time: int, ForceTownMove: bool = False) -> None:
            if random.random() < ARREST_HAZARD:
                e.arrested += 1
                self.location.DecrementNumAgents()
                self.location = None
            elif random.random() < self.location.movechance:
                links, weights = e.forward[id(self.location)]
                self.handle_travel(random.choices(links, weights)[0], travelling=True)

        def finish_travel(self, e, time: int) -> None:
            if self.travelling:
                self.handle_travel(self.location.endpoint, travelling=False)
                if self.location is e.final:
                    e.arrived += 1
                    self.location.DecrementNumAgents()
                    self.location = None

    return Escapee


def _ecosystem(agents: int):
    """Sixteen places linked as the model's graph, everyone at the first."""
    from flee import flee

    _settings()
    e = flee.Ecosystem()
    places = [
        e.addLocation(f"n{node}", location_type="camp" if node == FINAL else "town")
        for node in range(N_NODES)
    ]
    for source, target, _ in EDGES:
        e.linkUp(f"n{source}", f"n{target}", distance=1.0)
    # Flee's links go both ways; the model's only forward, with weights.
    e.forward = {}
    for source, target, weight in EDGES:
        links, weights = e.forward.setdefault(id(places[source]), ([], []))
        links.append(next(link for link in places[source].links
                          if link.endpoint is places[target]))
        weights.append(weight)
    e.final, e.arrived, e.arrested = places[FINAL], 0, 0
    escapee = _escapee_class()
    e.agents = [escapee(places[START], {}) for _ in range(agents)]
    return e


def prepare(agents: int, days: int, seed: int):
    """A Flee ecosystem of `agents` escapees; the returned function evolves it `days` days."""
    random.seed(seed)
    # Flee prints every setting and place it creates; keep the report's last line clean.
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        e = _ecosystem(agents)

    def run() -> tuple[int, int]:
        for _ in range(days):
            e.evolve()
        return e.arrived, e.arrested

    return run
